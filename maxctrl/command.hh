// maxctrl's command model: global options, the per-host context a command runs in, and
// the command table every verb file (list.cc, show.cc, ...) adds its commands to.
//
// Threads: maxctrl is single-threaded; nothing here is shared.
#pragma once

#include <jansson.h>

#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace maxctrl
{

class Client;

/// Any failure a command reports: printed as "Error: <what>", exit status 1.
class Error : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

/// The global options (command line over ~/.maxctrl.cnf over defaults).
struct Options
{
    std::string user = "admin";
    std::string password = "mariadb";
    std::vector<std::string> hosts{"127.0.0.1:8989"};
    long timeout_ms = 10000;
    bool quiet = false;
    bool tsv = false;
    bool secure = false;
    std::string tls_key;
    std::string tls_cert;
    std::string tls_passphrase;
    std::string tls_ca_cert;
    bool tls_verify_server_cert = true;
    bool skip_sync = false;
    bool color = false;  ///< stdout is a terminal and NO_COLOR is not set
};

/// Owned JSON reference (json_decref on destruction).
struct JsonDeleter
{
    void operator()(json_t* j) const { json_decref(j); }
};
using Json = std::unique_ptr<json_t, JsonDeleter>;

/// The words of one command line after its global options were taken out.
struct Args
{
    std::vector<std::string> positional;                    ///< after the command words
    std::map<std::string, std::vector<std::string>> flags;  ///< --name → values
    bool has(const std::string& flag) const { return flags.count(flag) > 0; }
    /// The flag's last value, or "" (also for a flag given without a value).
    std::string value(const std::string& flag) const;
    const std::vector<std::string>& values(const std::string& flag) const;
};

/// What a command may use while it runs against one host.
struct Context
{
    const Options& opt;
    Client& client;
    std::string out;  ///< what the command prints on stdout

    /// GET `resource` (relative to /v1/) and return the whole document.
    Json get(const std::string& resource);
    /// A write request; the document of the answer (null for 204).
    Json send(const std::string& method, const std::string& resource, json_t* body = nullptr);
    /// "OK" after a successful write, unless --quiet.
    void ok();
    void print(const std::string& text);
};

/// A command-specific option, e.g. --force or --servers a b c.
struct FlagSpec
{
    std::string name;  ///< without dashes
    enum Kind
    {
        BOOL,   ///< --force
        VALUE,  ///< --type=admin or --type admin
        LIST,   ///< --servers a b c (takes words up to the next option)
    } kind = BOOL;
    std::string help;
};

struct Command
{
    std::vector<std::string> words;  ///< e.g. {"list", "servers"}
    std::string usage_args;          ///< e.g. "<server> <state>"
    std::string summary;             ///< one line, shown in the verb's help
    std::string description;         ///< shown by --help of the command itself
    int min_args = 0;
    int max_args = 0;  ///< -1: any number
    std::vector<FlagSpec> flags;
    std::function<void(Context&, const Args&)> run;
};

/// One verb ("list", "show", ...): its summary and its commands.
struct Verb
{
    std::string name;
    std::string summary;
    std::vector<Command> commands;
};

std::vector<Verb>& verbs();

// Each verb file registers its commands.
void add_list_commands();
void add_show_commands();
void add_state_commands();  // set, clear, enable, disable
void add_create_commands();
void add_destroy_commands();
void add_link_commands();     // link, unlink
void add_control_commands();  // start, stop, rotate, reload
void add_alter_commands();
void add_call_commands();  // call, api

/// The verb named `name`, created with `summary` if it does not exist yet.
Verb& verb(const std::string& name, const std::string& summary);

// ---- helpers shared by the verb files ------------------------------------------------

/// Parses key=value arguments into a JSON object with typed values: integers and
/// true/false become JSON numbers and booleans, `{...}`/`[...]` JSON, the rest strings.
/// Legacy "key value" pairs are accepted when no argument contains '='.
Json parse_key_values(const std::vector<std::string>& args, size_t first);
/// {"data": {"id": id, "type": type, "attributes": attributes, "relationships": rel}}
Json make_document(const std::string& id, const std::string& type, json_t* attributes,
                   json_t* relationships = nullptr);
/// {"data": [{"id": n, "type": type}, ...]}
json_t* relationship(const std::vector<std::string>& names, const std::string& type);
/// Adds `names` to (link) or removes them from the `type` relationship of
/// `collection`/`object`, keeping the other names (GET, edit, PATCH .../relationships/type).
void change_relationship(Context& ctx, bool link, const std::string& collection,
                         const std::string& object, const std::string& type,
                         const std::vector<std::string>& names);
/// Percent-encodes a path segment or query value.
std::string url_encode(const std::string& s);

}  // namespace maxctrl
