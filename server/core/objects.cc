#include "objects.hh"

#include "config/specs.hh"
#include "sqlgate/log.hh"

namespace sqlgate
{
namespace
{
Settings the_settings;

std::string where(const ObjectConfig& o)
{
    return o.origin.file + ":" + std::to_string(o.origin.line) + ": [" + o.name + "] ";
}
}  // namespace

const Settings& settings()
{
    return the_settings;
}

namespace
{
std::shared_ptr<const ObjectConfig> the_global = std::make_shared<const ObjectConfig>();
}
std::shared_ptr<const ObjectConfig> global_config()
{
    return std::atomic_load(&the_global);
}
void set_global_config(const ObjectConfig& g)
{
    std::atomic_store(&the_global, std::make_shared<const ObjectConfig>(g));
}
void set_settings(const Settings& s)
{
    the_settings = s;
}

std::string Server::status_string() const
{
    uint64_t st = status();
    std::string out;
    auto add = [&](const char* s)
    {
        if (!out.empty())
        {
            out += ", ";
        }
        out += s;
    };
    if (st & status::MAINT)
    {
        add("Maintenance");
    }
    else if (st & status::DRAINING)
    {
        add(stats().connections.load() == 0 ? "Drained" : "Draining");
    }
    if (st & status::MASTER)
    {
        add("Master");
    }
    else
    {
        if (st & status::RELAY)
        {
            add("Relay Master");
        }
        if (st & status::SLAVE)
        {
            add("Slave");
        }
    }
    if (st & status::SYNCED)
    {
        add("Synced");
    }
    if (st & status::AUTH_ERROR)
    {
        add("Auth Error");
    }
    add((st & status::DOWN) ? "Down" : "Running");
    return out;
}

namespace
{
// The objects named by the list parameter @c param of @c o, looked up in @c map;
// false with @c err naming the first unknown one.
template <class Map, class T>
bool lookup_list(const ObjectConfig& o, const char* param, const Map& map, const char* kind,
                 std::vector<T>& found, std::string& err)
{
    if (!o.has(param))
    {
        return true;
    }
    for (const auto& name : o.get_list(param))
    {
        auto it = map.find(name);
        if (it == map.end())
        {
            err = std::string("parameter '") + param + "': '" + name + "' is not a " + kind;
            return false;
        }
        found.push_back(it->second);
    }
    return true;
}
}  // namespace

std::shared_ptr<Service> make_service(const ObjectConfig& o, const Objects& out,
                                      ModuleLoader& modules, std::string& err)
{
    auto svc = std::make_shared<Service>();
    svc->name = o.name;
    svc->config = o;
    if (auto previous = out.services.find(o.name); previous != out.services.end())
    {
        svc->share_stats_of(*previous->second);  // a new snapshot of the same service
    }
    if (!lookup_list(o, "servers", out.servers, "server", svc->servers, err))
    {
        return nullptr;
    }
    if (o.has("cluster"))
    {
        auto it = out.monitors.find(o.get_string("cluster"));
        if (it == out.monitors.end())
        {
            err = "parameter 'cluster': '" + o.get_string("cluster") + "' is not a monitor";
            return nullptr;
        }
        svc->servers = it->second->servers();
    }
    if (!lookup_list(o, "filters", out.filters, "filter", svc->filters, err))
    {
        return nullptr;
    }
    const ModuleInfo* info = modules.load(o.get_string("router"), ModuleKind::ROUTER, err);
    if (!info)
    {
        return nullptr;
    }
    svc->router_module = info->name;
    svc->router = info->create_router(*svc, err);
    return svc->router ? svc : nullptr;
}

std::shared_ptr<ListenerDef> make_listener(const ObjectConfig& o, const Objects& out,
                                           ModuleLoader& modules, std::string& err)
{
    auto it = out.services.find(o.get_string("service"));
    if (it == out.services.end())
    {
        err = "parameter 'service': '" + o.get_string("service") + "' is not a service";
        return nullptr;
    }
    auto def = std::make_shared<ListenerDef>();
    def->name = o.name;
    def->config = o;
    def->service = it->second;
    def->protocol_module = canonical_protocol(o.get_string("protocol"));
    const ModuleInfo* info = modules.load(def->protocol_module, ModuleKind::PROTOCOL, err);
    if (!info)
    {
        err = "parameter 'protocol': " + err;
        return nullptr;
    }
    def->protocol = info->create_protocol(o, def->service, err);
    if (!def->protocol)
    {
        return nullptr;
    }
    def->address = o.get_string("address");
    def->port = static_cast<int>(o.get_int("port"));
    def->socket = o.get_string("socket");
    return def;
}

std::shared_ptr<Monitor> make_monitor(const ObjectConfig& o, const Objects& out,
                                      ModuleLoader& modules, std::string& err)
{
    std::vector<ServerPtr> servers;
    if (!lookup_list(o, "servers", out.servers, "server", servers, err))
    {
        return nullptr;
    }
    std::vector<MonitorServer> targets;
    for (const auto& server : servers)
    {
        MonitorServer ms;
        ms.server = server;
        ms.user = o.get_string("user");
        ms.password = o.get_string("password");
        auto cfg = out.configs.find(server->name());
        if (cfg != out.configs.end() && !cfg->second.get_string("monitoruser").empty())
        {
            ms.user = cfg->second.get_string("monitoruser");
            ms.password = cfg->second.get_string("monitorpw");
        }
        targets.push_back(std::move(ms));
    }
    const ModuleInfo* info = modules.load(o.get_string("module"), ModuleKind::MONITOR, err);
    if (!info)
    {
        return nullptr;
    }
    if (!info->create_monitor)
    {
        err = "module '" + std::string(info->name) + "' has no monitor";
        return nullptr;
    }
    std::unique_ptr<Monitor> mon = info->create_monitor(o, std::move(targets), err);
    if (!mon)
    {
        return nullptr;
    }
    mon->set_module(info->name);
    return std::shared_ptr<Monitor>(std::move(mon));
}

std::string monitor_of(const Objects& o, const std::string& server)
{
    for (const auto& [name, m] : o.monitors)
    {
        for (const auto& s : m->servers())
        {
            if (s->name() == server)
            {
                return name;
            }
        }
    }
    return "";
}

bool build_objects(const ConfigFile& cfg, ModuleLoader& modules, Objects& out,
                   std::vector<std::string>& errors)
{
    out.global = cfg.global;
    auto guarded = [&](const ObjectConfig& o, auto&& fn)
    {
        try
        {
            std::string err;
            if (!fn(err))
            {
                errors.push_back(where(o) + err);
            }
        }
        catch (const std::exception& e)
        {
            errors.push_back(where(o) + "module failed: " + e.what());
        }
    };

    for (const auto& o : cfg.objects)
    {
        out.configs[o.name] = o;
        if (o.type == "server")
        {
            auto srv = std::make_shared<Server>(o.name, o.get_string("address"),
                                                static_cast<int>(o.get_int("port")),
                                                o.get_string("socket"));
            srv->configure(o);
            out.servers[o.name] = srv;
        }
        else if (o.type == "filter")
        {
            guarded(o,
                    [&](std::string& err)
                    {
                        const ModuleInfo* info =
                            modules.load(o.get_string("module"), ModuleKind::FILTER, err);
                        if (!info)
                        {
                            return false;
                        }
                        auto def = std::make_shared<FilterDef>();
                        def->name = o.name;
                        def->module = info->name;
                        def->instance = info->create_filter(o, err);
                        out.filters[o.name] = def;
                        return def->instance != nullptr;
                    });
        }
    }
    for (const auto& o : cfg.objects)
    {
        if (o.type == "monitor")
        {
            guarded(o,
                    [&](std::string& err)
                    {
                        auto mon = make_monitor(o, out, modules, err);
                        if (mon)
                        {
                            out.monitors[o.name] = mon;
                        }
                        return mon != nullptr;
                    });
        }
    }
    for (const auto& o : cfg.objects)
    {
        if (o.type != "service")
        {
            continue;
        }
        guarded(o,
                [&](std::string& err)
                {
                    auto svc = make_service(o, out, modules, err);
                    if (svc)
                    {
                        out.services[o.name] = svc;
                    }
                    return svc != nullptr;
                });
    }
    for (const auto& o : cfg.objects)
    {
        if (o.type != "listener")
        {
            continue;
        }
        guarded(o,
                [&](std::string& err)
                {
                    auto def = make_listener(o, out, modules, err);
                    if (def)
                    {
                        out.listeners[o.name] = def;
                    }
                    return def != nullptr;
                });
    }
    return errors.empty();
}

}  // namespace sqlgate
