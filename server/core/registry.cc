#include "registry.hh"

#include <strings.h>

#include <algorithm>

#include "config/persist.hh"
#include "config/specs.hh"
#include "config/util.hh"
#include "routing_worker.hh"
#include "sqlgate/assert.hh"
#include "sqlgate/log.hh"
#include "sqlgate/worker.hh"

namespace sqlgate
{

Registry::Registry(Objects& objects, ModuleLoader& modules, Options options, Worker* main)
    : m_objects(objects),
      m_modules(&modules),
      m_options(std::move(options)),
      m_main(main),
      m_global(global_config())
{
}

void Registry::assert_owner() const
{
    SG_ASSERT(!m_main || m_main->is_owner());
}

Objects& Registry::objects()
{
    assert_owner();
    return m_objects;
}

Refusal Registry::check_new_name(const std::string& name, const std::string& given_type,
                                 const std::string& expected_type, const std::string& field) const
{
    assert_owner();
    if (name.empty())
    {
        std::string what = expected_type.substr(0, expected_type.size() - 1);
        return Refusal::invalid("Missing " + field + " (the " + what + "'s name)");
    }
    if (!is_valid_object_name(name))
    {
        return Refusal::invalid(field + " '" + name +
                                "' is not a valid name: " + object_name_rule());
    }
    if (strcasecmp(name.c_str(), "maxscale") == 0 || strcasecmp(name.c_str(), "sqlgate") == 0)
    {
        return Refusal::invalid(field + " '" + name + "' is reserved for the global section");
    }
    if (m_objects.configs.count(name))
    {
        return Refusal::conflict("An object called '" + name + "' already exists");
    }
    if (!given_type.empty() && given_type != expected_type)
    {
        return Refusal::invalid("/data/type: expected '" + expected_type + "', got '" + given_type +
                                "'");
    }
    return {};
}

Refusal Registry::check_listener_endpoint(const std::string& address, int64_t port,
                                          const std::string& except) const
{
    assert_owner();
    for (const auto& [name, other] : m_objects.listeners)
    {
        if (name != except && other->socket.empty() &&
            endpoints_collide(address, port, other->address, other->port))
        {
            return Refusal::invalid("parameter 'port': " +
                                    endpoint_conflict_message(address, port, name, other->address));
        }
    }
    return {};
}

bool Registry::is_static(const std::string& name) const
{
    return m_options.static_names.count(name) > 0;
}

Refusal Registry::refuse_static(const std::string& kind, const std::string& name) const
{
    return Refusal::invalid(kind + " " + name + " is defined in " + m_options.config_file +
                            "; remove it there");
}

bool Registry::persist(ObjectConfig& cfg, std::string& error)
{
    assert_owner();
    if (m_options.persist && !persist_object(m_options.datadir, cfg, error))
    {
        return false;
    }
    cfg.origin.file = persist_dir(m_options.datadir) + "/" + cfg.name + ".cnf";
    cfg.origin.line = 0;
    return true;
}

bool Registry::unpersist(const std::string& name, std::string& error)
{
    assert_owner();
    return unpersist_object(m_options.datadir, name, error);
}

bool Registry::is_runtime_object(const ObjectConfig& cfg)
{
    return cfg.origin.file.find("/sqlgate.cnf.d/") != std::string::npos;
}

void Registry::set_listener_stopped(const std::string& name, bool stopped)
{
    assert_owner();
    stopped ? (void)m_stopped_listeners.insert(name) : (void)m_stopped_listeners.erase(name);
}

void Registry::set_service_stopped(const std::string& name, bool stopped)
{
    assert_owner();
    stopped ? (void)m_stopped_services.insert(name) : (void)m_stopped_services.erase(name);
}

void Registry::forget(const std::string& name)
{
    assert_owner();
    m_stopped_listeners.erase(name);
    m_stopped_services.erase(name);
}

bool Registry::alter_global(const std::map<std::string, Value>& changes, std::string& error)
{
    assert_owner();
    if (changes.empty())
    {
        return true;
    }
    auto next = std::make_shared<ObjectConfig>(*m_global);
    for (const auto& [k, v] : changes)
    {
        next->values[k] = v;
        next->origins[k] = Origin{"REST API", 0};
    }
    // The file holds every runtime-modifiable global, so it is complete after restarts too.
    ObjectConfig persisted;
    persisted.type = "global";
    persisted.name = "sqlgate";
    for (const ParamSpec& p : global_spec().params())
    {
        if (p.runtime && next->has(p.name))
        {
            persisted.values[p.name] = next->values[p.name];
            persisted.origins[p.name] = Origin{"REST API", 0};
        }
    }
    if (!persist(persisted, error))
    {
        return false;
    }
    m_global = next;
    m_objects.global = *next;
    set_global_config(*next);
    log_set_levels(next->get_bool("log_warning"), next->get_bool("log_notice"),
                   next->get_bool("log_info"), next->get_bool("log_debug"));
    return true;
}

bool Registry::install_service(const std::shared_ptr<Service>& svc, bool save, std::string& error)
{
    assert_owner();
    if (save)
    {
        if (!persist(svc->config, error))
        {
            return false;
        }
        m_objects.configs[svc->name] = svc->config;
    }
    m_objects.services[svc->name] = svc;
    for (auto& [name, def] : m_objects.listeners)
    {
        if (def->service->name == svc->name)
        {
            auto copy = std::make_shared<ListenerDef>(*def);
            copy->service = svc;
            copy->protocol->service_changed(svc);
            def = copy;
            broadcast([copy](Worker& w) { RoutingWorker::of(w).replace_listener(copy); });
        }
    }
    return true;
}

namespace
{
// Open (or close) @c def on @c w; "" or the error.
std::string listen_on(RoutingWorker& w, const std::shared_ptr<ListenerDef>& def, bool listen)
{
    std::string error;
    if (listen)
    {
        w.add_listener(def, error);
    }
    else
    {
        w.remove_listener(def->name);
    }
    return error;
}
}  // namespace

void Registry::set_listening(const std::shared_ptr<ListenerDef>& def, bool listen,
                             std::function<void(const std::string& error)> done)
{
    assert_owner();
    const auto& workers = RoutingWorker::all();
    bool running = std::any_of(workers.begin(), workers.end(),
                               [](RoutingWorker* w) { return !w->is_owner(); });
    if (!running)
    {
        for (RoutingWorker* w : workers)
        {
            if (std::string error = listen_on(*w, def, listen); !error.empty())
            {
                for (RoutingWorker* other : workers)
                {
                    other->remove_listener(def->name);
                }
                done(error);
                return;
            }
        }
        done("");
        return;
    }
    SG_CHECK(m_main != nullptr);
    Worker& main = *m_main;
    fan_out<std::string>(
        main, [def, listen](Worker& w) { return listen_on(RoutingWorker::of(w), def, listen); },
        [&main, def, done](std::vector<std::string> errors)
        {
            for (const std::string& error : errors)
            {
                if (!error.empty())
                {
                    // Leave no worker half-listening.
                    fan_out<int>(
                        main,
                        [def](Worker& w)
                        {
                            RoutingWorker::of(w).remove_listener(def->name);
                            return 0;
                        },
                        [done, error](std::vector<int>) { done(error); });
                    return;
                }
            }
            done("");
        });
}

std::shared_ptr<Service> Registry::build_service(const ObjectConfig& cfg, std::string& error)
{
    assert_owner();
    try
    {
        std::shared_ptr<Service> svc = make_service(cfg, m_objects, *m_modules, error);
        if (!svc)
        {
            error = "service " + cfg.name + ": " + error;
        }
        return svc;
    }
    catch (const std::exception& e)
    {
        error = "service " + cfg.name + ": router failed: " + e.what();
        return nullptr;
    }
}

bool Registry::rebuild_service(const ObjectConfig& cfg, std::string& error)
{
    assert_owner();
    std::shared_ptr<Service> svc = make_service(cfg, m_objects, *m_modules, error);
    if (!svc || !install_service(svc, true, error))
    {
        return false;
    }
    SG_NOTICE("Service %s changed through the REST API; new sessions use the new configuration",
              cfg.name.c_str());
    return true;
}

}  // namespace sqlgate
