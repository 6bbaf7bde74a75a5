/**
 * Module commands: operations a module offers beyond its parameters
 * (mariadbmon's switchover, qlafilter's log), called through
 * GET|POST /v1/maxscale/modules/:module/:command?arg1&arg2 and
 * `maxctrl call command`.
 *
 * Threads: call() runs on the main worker, which owns the object model. A
 * command that has work to do elsewhere (a monitor's thread) hands it over
 * and calls @c done later from any thread; the core moves the answer back
 * to the main worker. @c done must be called exactly once.
 */
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <jansson.h>

#include "sqlgate/server.hh"

namespace sqlgate
{

class Monitor;
struct FilterDef;

enum class CommandArgType
{
    SERVER,   ///< the name of a server
    MONITOR,  ///< the name of a monitor of this module
    FILTER,   ///< the name of a filter of this module
    STRING,
    BOOLEAN,  ///< true/false, yes/no, on/off, 1/0
};
const char* to_string(CommandArgType t);

struct CommandArgSpec
{
    const char* name;  ///< for the key=value form: ?monitor=M&new_primary=S
    CommandArgType type;
    bool optional;
    const char* description;
};

/// One argument, resolved: the object for SERVER, MONITOR and FILTER.
struct CommandArg
{
    CommandArgType type = CommandArgType::STRING;
    std::string text;  ///< as given ("" for an omitted optional argument)
    bool given = false;
    bool boolean = false;
    ServerPtr server;
    std::shared_ptr<Monitor> monitor;
    std::shared_ptr<FilterDef> filter;
};

/// The answer: @c output (a new reference, or nullptr for none) goes to the
/// response's meta; a non-empty @c error makes the call fail with 400.
using CommandDone = std::function<void(json_t* output, std::string error)>;

struct ModuleCommand
{
    const char* name;
    bool modifies;  ///< POST when true, GET when false
    const char* description;
    std::vector<CommandArgSpec> args;
    void (*call)(const std::vector<CommandArg>& args, CommandDone done);
};

}  // namespace sqlgate
