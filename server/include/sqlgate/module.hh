/**
 * The module ABI.
 *
 * A module is lib<name>.so exporting one extern "C" symbol,
 * sqlgate_module_info, which returns a pointer to a static ModuleInfo. The
 * loader refuses a module whose abi differs from SQLGATE_ABI. The interfaces
 * are C++ classes, so a module must be built from the same source tree and
 * toolchain as the daemon; bump SQLGATE_ABI whenever any header in
 * server/include/sqlgate changes in an incompatible way.
 *
 * Threads: factories run on the main thread.
 */
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "sqlgate/config.hh"
#include "sqlgate/modulecmd.hh"
#include "sqlgate/monitor.hh"
#include "sqlgate/protocol.hh"
#include "sqlgate/routing.hh"

namespace sqlgate
{

constexpr uint32_t SQLGATE_ABI = 5;

enum class ModuleKind
{
    ROUTER,
    FILTER,
    MONITOR,
    PROTOCOL,
};
const char* to_string(ModuleKind k);

class Service;

struct ModuleInfo
{
    uint32_t abi;
    const char* name;
    ModuleKind kind;
    const char* version;
    const char* maturity;  ///< "GA", "Beta", "Experimental"
    const char* description;
    /// Parameters this module adds to its object's section.
    const Specification* specification;

    /// Factories: the one matching @c kind is set. On failure they return
    /// nullptr and set @c error to a message naming the parameter at fault.
    std::unique_ptr<Router> (*create_router)(const Service& service, std::string& error);
    std::unique_ptr<Filter> (*create_filter)(const ObjectConfig& config, std::string& error);
    std::unique_ptr<Protocol> (*create_protocol)(const ObjectConfig& listener,
                                                 std::shared_ptr<const Service> service,
                                                 std::string& error);
    /// @c targets: the monitored servers with their credentials resolved.
    std::unique_ptr<Monitor> (*create_monitor)(const ObjectConfig& config,
                                               std::vector<MonitorServer> targets,
                                               std::string& error);
    /// The module's commands, or nullptr.
    const std::vector<ModuleCommand>* commands;
};

}  // namespace sqlgate

#define SQLGATE_MODULE_ENTRY                                                       \
    extern "C" __attribute__((visibility("default"))) const ::sqlgate::ModuleInfo* \
    sqlgate_module_info()
