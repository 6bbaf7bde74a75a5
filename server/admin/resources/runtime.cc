#include "runtime.hh"

#include "config/persist.hh"
#include "objects.hh"
#include "routing_worker.hh"
#include "sqlgate/log.hh"

namespace sqlgate::admin
{

bool persist(AdminContext& ctx, ObjectConfig& cfg, std::string& error)
{
    if (ctx.persist && !persist_object(ctx.datadir, cfg, error))
    {
        return false;
    }
    cfg.origin.file = persist_dir(ctx.datadir) + "/" + cfg.name + ".cnf";
    cfg.origin.line = 0;
    return true;
}

bool is_runtime_object(const ObjectConfig& cfg)
{
    return cfg.origin.file.find("/sqlgate.cnf.d/") != std::string::npos;
}

std::vector<std::string> services_using(const Objects& o, const std::string& server)
{
    std::vector<std::string> out;
    for (const auto& [name, svc] : o.services)
    {
        for (const auto& s : svc->servers)
        {
            if (s->name() == server)
            {
                out.push_back(name);
                break;
            }
        }
    }
    return out;
}

bool list_value(const Specification& spec, const std::string& param,
                const std::vector<std::string>& items, Value& out, std::string& error)
{
    const ParamSpec* p = spec.find(param);
    std::string text;
    char sep = p && p->type == ParamType::FILTERS ? '|' : ',';
    for (const auto& i : items)
    {
        text += (text.empty() ? "" : std::string(1, sep)) + i;
    }
    if (!p)
    {
        error = "no parameter '" + param + "'";
        return false;
    }
    if (items.empty())
    {
        out = Value{};
        out.type = p->type;
        return true;
    }
    return parse_value(*p, text, out, error);
}

bool install_service(AdminContext& ctx, const std::shared_ptr<Service>& svc, bool save,
                     std::string& error)
{
    Objects& o = *ctx.objects;
    if (save)
    {
        if (!persist(ctx, svc->config, error))
        {
            return false;
        }
        o.configs[svc->name] = svc->config;
    }
    o.services[svc->name] = svc;
    for (auto& [name, def] : o.listeners)
    {
        if (def->service->name == svc->name)
        {
            auto copy = std::make_shared<ListenerDef>(*def);
            copy->service = svc;
            copy->protocol->service_changed(svc);
            def = copy;
            for (RoutingWorker* w : RoutingWorker::all())
            {
                w->post([w, copy]() { w->replace_listener(copy); });
            }
        }
    }
    return true;
}

bool rebuild_service(AdminContext& ctx, ObjectConfig cfg, std::string& error)
{
    std::shared_ptr<Service> svc = make_service(cfg, *ctx.objects, *ctx.modules, error);
    if (!svc || !install_service(ctx, svc, true, error))
    {
        return false;
    }
    SG_NOTICE("Service %s changed through the REST API; new sessions use the new configuration",
              cfg.name.c_str());
    return true;
}

}  // namespace sqlgate::admin
