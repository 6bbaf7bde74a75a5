/**
 * The runtime registry: the one owner of the object model (servers, filters,
 * monitors, services, listeners) and of the rules for changing it, whether a
 * change comes from the configuration file at startup or from the REST API.
 *
 * It holds the objects and their runtime state (which listeners and services
 * are stopped, which objects come from the static file), checks new names and
 * listener endpoints with one set of rules, persists runtime changes under the
 * data directory, keeps the global configuration that is in effect (published
 * to every thread as an immutable snapshot), and publishes rebuilt services to
 * the routing workers. The admin API only turns JSON:API documents into
 * registry calls and registry refusals into status codes.
 *
 * Threads: the main worker (asserted). Objects reach the routing workers as
 * immutable snapshots (shared_ptr<const ...>) posted to each of them.
 */
#pragma once

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "objects.hh"
#include "sqlgate/config.hh"

namespace sqlgate
{

class Worker;

/// A refused change: the HTTP-like code (400 invalid, 404 missing, 409 taken)
/// and a message naming the field or parameter at fault. Empty when accepted.
struct Refusal
{
    int code = 0;
    std::string message;
    explicit operator bool() const { return code != 0; }
    static Refusal invalid(std::string m) { return {400, std::move(m)}; }
    static Refusal conflict(std::string m) { return {409, std::move(m)}; }
};

class Registry
{
public:
    struct Options
    {
        std::string config_file;
        std::string datadir;
        bool persist = true;                 ///< persist_runtime_changes
        std::set<std::string> static_names;  ///< objects defined in the static file
    };

    /// @c main is the worker that owns the registry (nullptr in unit tests:
    /// then any single thread may use it). The global section in effect is
    /// global_config()'s at construction.
    Registry(Objects& objects, ModuleLoader& modules, Options options, Worker* main);

    Objects& objects();
    const Objects& objects() const { return m_objects; }
    ModuleLoader& modules() { return *m_modules; }
    const std::string& config_file() const { return m_options.config_file; }
    const std::string& datadir() const { return m_options.datadir; }

    // ---- the rules ------------------------------------------------------------------

    /**
     * A new object's name @c name, given as a resource of type @c given_type
     * (may be empty) where @c expected_type is wanted ("servers", ...): a valid
     * name, not the global section's, not taken (409), and the right type.
     * @c field names where the name came from in messages ("/data/id").
     */
    Refusal check_new_name(const std::string& name, const std::string& given_type,
                           const std::string& expected_type,
                           const std::string& field = "/data/id") const;
    /// A TCP listener at @c address / @c port collides with none of this
    /// process's listeners other than @c except. The message names parameter 'port'.
    Refusal check_listener_endpoint(const std::string& address, int64_t port,
                                    const std::string& except = "") const;
    /// The object comes from the static configuration file.
    bool is_static(const std::string& name) const;
    /// 400 "KIND NAME is defined in <file>; remove it there" for a static object.
    Refusal refuse_static(const std::string& kind, const std::string& name) const;

    // ---- persistence ----------------------------------------------------------------

    /// Write @c cfg under the data directory (unless persist_runtime_changes is
    /// off) and record that it now comes from there. False with @c error (and
    /// nothing changed) when the file cannot be written.
    bool persist(ObjectConfig& cfg, std::string& error);
    /// Remove the persisted file of @c name.
    bool unpersist(const std::string& name, std::string& error);
    /// The object was created or changed at runtime (its config lives in the data directory).
    static bool is_runtime_object(const ObjectConfig& cfg);

    // ---- runtime state --------------------------------------------------------------

    bool listener_stopped(const std::string& name) const { return m_stopped_listeners.count(name); }
    void set_listener_stopped(const std::string& name, bool stopped);
    bool service_stopped(const std::string& name) const { return m_stopped_services.count(name); }
    void set_service_stopped(const std::string& name, bool stopped);
    /// An object is gone: forget its runtime state.
    void forget(const std::string& name);

    // ---- the global configuration ---------------------------------------------------

    /// The global section in effect (what global_config() returns everywhere).
    const ObjectConfig& global() const { return *m_global; }
    /**
     * Apply changed global parameters: the runtime-modifiable ones are
     * persisted (<datadir>/sqlgate.cnf.d/sqlgate.cnf, complete after restarts),
     * then the new section is published (global_config()) and the log levels
     * follow. False with @c error and nothing changed when it cannot be saved.
     */
    bool alter_global(const std::map<std::string, Value>& changes, std::string& error);

    // ---- publishing -----------------------------------------------------------------

    /// Make the built @c svc the one its listeners give new sessions (running
    /// sessions keep their snapshot); persisted first when @c save.
    bool install_service(const std::shared_ptr<Service>& svc, bool save, std::string& error);
    /// Build service @c cfg.name anew from @c cfg (the router's exceptions
    /// caught), persist it and install it. On failure nothing changes.
    bool rebuild_service(const ObjectConfig& cfg, std::string& error);
    /**
     * Open (@c listen) or close listener @c def's sockets on every routing
     * worker; @c done gets "" or the first error, and then no worker is left
     * listening. Before the workers run (startup) this happens at once on the
     * calling thread; afterwards each worker does it on its thread (fan_out) and
     * @c done runs on the main worker. The one path for startup and REST.
     */
    void set_listening(const std::shared_ptr<ListenerDef>& def, bool listen,
                       std::function<void(const std::string& error)> done);
    /// make_service() with the router's exceptions caught; errors start with "service NAME: ".
    std::shared_ptr<Service> build_service(const ObjectConfig& cfg, std::string& error);

private:
    void assert_owner() const;

    Objects& m_objects;
    ModuleLoader* m_modules;
    Options m_options;
    Worker* m_main;
    std::shared_ptr<const ObjectConfig> m_global;
    std::set<std::string> m_stopped_listeners;  ///< PUT .../stop: not accepting clients
    std::set<std::string> m_stopped_services;
};

}  // namespace sqlgate
