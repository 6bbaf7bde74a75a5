/**
 * The object model: servers, services, filters and listeners built from the
 * configuration.
 *
 * Threads: built and owned by the main thread. Workers get shared_ptrs to
 * the immutable parts (Service, ListenerDef, Server) and never modify them.
 */
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/loader.hh"
#include "module_loader.hh"
#include "sqlgate/monitor.hh"
#include "sqlgate/protocol.hh"
#include "sqlgate/service.hh"

namespace sqlgate
{

struct ListenerDef
{
    std::string name;
    ObjectConfig config;
    std::shared_ptr<const Service> service;
    std::shared_ptr<Protocol> protocol;
    std::string protocol_module;
    std::string address;
    int port = 0;
    std::string socket;  ///< Unix domain socket path, instead of address and port
    int local_fd = -1;   ///< the listening Unix socket (main thread opens it; workers dup it)

    /// "[address]:port" or the socket path, for messages.
    std::string where() const
    {
        return socket.empty() ? "[" + address + "]:" + std::to_string(port) : socket;
    }
};

/// Process-wide settings from the global section, fixed at startup.
struct Settings
{
    size_t writeq_high_water = 65536;
    size_t writeq_low_water = 1024;
};
const Settings& settings();
void set_settings(const Settings& s);
void set_global_config(const ObjectConfig& g);

struct Objects
{
    ObjectConfig global;
    std::map<std::string, ServerPtr> servers;
    std::map<std::string, std::shared_ptr<FilterDef>> filters;
    std::map<std::string, std::shared_ptr<Service>> services;
    std::map<std::string, std::shared_ptr<ListenerDef>> listeners;
    std::map<std::string, std::shared_ptr<Monitor>> monitors;
    /// Every object's configuration by name (the admin API shows their parameters).
    std::map<std::string, ObjectConfig> configs;
};

/// A service from its configuration: targets and filters looked up in @c out, a new
/// router instance. nullptr with @c err naming the parameter at fault.
std::shared_ptr<Service> make_service(const ObjectConfig& o, const Objects& out,
                                      ModuleLoader& modules, std::string& err);

/// A listener (not listening) from its configuration: its service looked up in
/// @c out, a new protocol instance. nullptr with @c err naming the parameter at fault.
/// The one builder for listeners of the configuration file and of the REST API.
std::shared_ptr<ListenerDef> make_listener(const ObjectConfig& o, const Objects& out,
                                           ModuleLoader& modules, std::string& err);

/// A monitor (not started) from its configuration: servers looked up in @c out.
std::shared_ptr<Monitor> make_monitor(const ObjectConfig& o, const Objects& out,
                                      ModuleLoader& modules, std::string& err);

/// The name of the monitor that monitors @c server, or "".
std::string monitor_of(const Objects& o, const std::string& server);

/// Create module instances for every object of @c cfg. Errors name the
/// object and the problem; on failure @c out is partly filled and unusable.
bool build_objects(const ConfigFile& cfg, ModuleLoader& modules, Objects& out,
                   std::vector<std::string>& errors);

}  // namespace sqlgate
