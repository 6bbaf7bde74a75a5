/**
 * Monitor changes: PUT /v1/monitors/:id/stop|start, POST /v1/monitors,
 * PATCH and DELETE /v1/monitors/:id and its servers relationship.
 *
 * Threads: main worker. Stopping a monitor joins its thread, which waits
 * for the tick in progress (at most the backend timeouts); routing workers
 * are never involved.
 */
#include <algorithm>

#include "../document.hh"
#include "../rest_api.hh"
#include "common.hh"
#include "config/persist.hh"
#include "config/specs.hh"
#include "config/util.hh"
#include "module_loader.hh"
#include "object_changes.hh"
#include "patch.hh"
#include "registry.hh"
#include "runtime.hh"
#include "sqlgate/log.hh"

namespace sqlgate::admin
{

namespace
{

HttpResponse stop_start(AdminContext& ctx, const HttpRequest& r, const std::string& name,
                        bool start)
{
    auto it = ctx.objects->monitors.find(name);
    if (it == ctx.objects->monitors.end())
    {
        return not_found("monitor", name);
    }
    Monitor& m = *it->second;
    if (start && !m.running())
    {
        m.start();
        SG_NOTICE("Monitor %s started through the REST API by '%s'", name.c_str(), r.user.c_str());
    }
    else if (!start && m.running())
    {
        m.stop();
        SG_NOTICE("Monitor %s stopped through the REST API by '%s'", name.c_str(), r.user.c_str());
    }
    return HttpResponse::no_content();
}

std::string listed(const std::vector<std::string>& v)
{
    std::string out;
    for (const auto& s : v)
    {
        out += (out.empty() ? "" : ", ") + s;
    }
    return out;
}

std::vector<std::string> services_of(const Objects& o, const std::string& monitor)
{
    std::vector<std::string> out;
    for (const auto& [name, svc] : o.services)
    {
        if (svc->config.get_string("cluster") == monitor)
        {
            out.push_back(name);
        }
    }
    return out;
}

// Every server of @c cfg exists and no other monitor has it.
bool check_servers(const Objects& o, const ObjectConfig& cfg, std::string& error)
{
    for (const auto& s : cfg.has("servers") ? cfg.get_list("servers") : std::vector<std::string>{})
    {
        if (!o.servers.count(s))
        {
            error = "'" + s + "' is not a server";
            return false;
        }
        std::string other = monitor_of(o, s);
        if (!other.empty() && other != cfg.name)
        {
            error = "Server " + s + " is already monitored by " + other +
                    "; a server belongs to at most one monitor";
            return false;
        }
    }
    return true;
}

// The monitor's servers lose the roles it gave them (they keep maintenance and drain).
void forget_roles(const Monitor& m, const std::vector<ServerPtr>& keep = {})
{
    for (const auto& s : m.servers())
    {
        if (std::find(keep.begin(), keep.end(), s) == keep.end())
        {
            s->assign_status(MONITOR_STATUS_BITS, 0);
        }
    }
}

// Rebuild the services that route to the monitor's servers (cluster=NAME).
bool refresh_services(AdminContext& ctx, const std::string& monitor, std::string& error)
{
    for (const auto& name : services_of(*ctx.objects, monitor))
    {
        auto svc = ctx.registry->build_service(ctx.objects->services.at(name)->config, error);
        if (!svc || !ctx.registry->install_service(svc, false, error))
        {
            return false;
        }
    }
    return true;
}

}  // namespace

bool rebuild_monitor(AdminContext& ctx, const ObjectConfig& config, bool save, bool& saved,
                     std::string& error)
{
    Objects& o = *ctx.objects;
    ObjectConfig cfg = config;
    saved = false;
    std::shared_ptr<Monitor> mon = make_monitor(cfg, o, *ctx.modules, error);
    if (!mon)
    {
        return false;
    }
    if (save)
    {
        if (!ctx.registry->persist(cfg, error))
        {
            return false;
        }
        saved = true;
        o.configs[cfg.name] = cfg;
    }
    std::shared_ptr<Monitor> old = o.monitors.at(cfg.name);
    bool was_running = old->running();
    old->stop();
    forget_roles(*old, mon->servers());
    o.monitors[cfg.name] = mon;
    if (was_running)
    {
        mon->start();
    }
    return refresh_services(ctx, cfg.name, error);
}

namespace
{

HttpResponse create_monitor(AdminContext& ctx, const HttpRequest& r)
{
    Objects& o = *ctx.objects;
    json_t* data = r.json ? json_object_get(r.json.get(), "data") : nullptr;
    HttpResponse fail;
    std::string id = new_object_id(ctx, data, "monitors", fail);
    if (id.empty())
    {
        return fail;
    }
    std::string module, error;
    std::vector<RawParam> raw;
    std::map<std::string, std::vector<std::string>> rels;
    if (!module_name(data, "module", module, error) ||
        !post_params(data, "monitor", "module", module, raw, error) ||
        !post_relationships(data, {"servers"},
                            "services use a monitor's servers through their cluster parameter",
                            rels, error))
    {
        return bad_request(error);
    }
    const ModuleInfo* info = ctx.modules->load(module, ModuleKind::MONITOR, error);
    if (!info)
    {
        return bad_request(error);
    }
    if (!rels["servers"].empty())
    {
        if (std::any_of(raw.begin(), raw.end(),
                        [](const RawParam& p) { return p.key == "servers"; }))
        {
            return bad_request(
                "Give the servers either as the parameter 'servers' or as the relationship");
        }
        raw.push_back(RawParam{"servers", listed(rels["servers"]), 0});
    }
    ObjectConfig cfg;
    std::vector<std::string> errors;
    if (!build_object("REST API", id, 0, raw, {&monitor_spec(), info->specification}, cfg, errors))
    {
        std::string all;
        for (const auto& e : errors)
        {
            all += (all.empty() ? "" : "; ") + e;
        }
        return bad_request(all);
    }
    cfg.type = "monitor";
    std::shared_ptr<Monitor> mon;
    if (!check_servers(o, cfg, error) || !(mon = make_monitor(cfg, o, *ctx.modules, error)))
    {
        return bad_request(error);
    }
    if (!ctx.registry->persist(cfg, error))
    {
        return HttpResponse::error(500, error);
    }
    o.configs[id] = cfg;
    o.monitors[id] = mon;
    mon->start();
    SG_NOTICE("Monitor %s created through the REST API by '%s'", id.c_str(), r.user.c_str());
    return HttpResponse::no_content();
}

HttpResponse patch_monitor(RestApi& api, const HttpRequest& r, const std::string& name)
{
    AdminContext& ctx = api.ctx();
    Objects& o = *ctx.objects;
    auto it = o.monitors.find(name);
    if (it == o.monitors.end())
    {
        return not_found("monitor", name);
    }
    std::shared_ptr<Monitor> old = it->second;
    JsonPtr cur = current_document(api, r, "monitors", name);
    HttpResponse fail;
    JsonPtr want = cur ? changed_document(r, cur.get(), fail) : nullptr;
    if (!want)
    {
        if (cur)
        {
            return fail;
        }
        return HttpResponse::error(500, "Cannot read monitor " + name);
    }
    const ModuleInfo* info = ctx.modules->loaded().at(old->module());
    std::map<std::string, Value> changes;
    std::string error;
    if (!parameter_changes(cur.get(), want.get(), {&monitor_spec(), info->specification}, changes,
                           error))
    {
        return bad_request(error);
    }
    if (relationship_ids(cur.get(), "services") != relationship_ids(want.get(), "services"))
    {
        return bad_request("A monitor's services are set by the services' cluster parameter");
    }
    ObjectConfig cfg = o.configs.at(name);
    for (auto& [k, v] : changes)
    {
        cfg.values[k] = v;
        cfg.origins[k] = Origin{"REST API", 0};
    }
    std::vector<std::string> servers = relationship_ids(want.get(), "servers");
    if (servers != relationship_ids(cur.get(), "servers") && !changes.count("servers"))
    {
        if (!list_value(monitor_spec(), "servers", servers, cfg.values["servers"], error))
        {
            return bad_request("servers: " + error);
        }
        cfg.origins["servers"] = Origin{"REST API", 0};
    }
    if (!check_servers(o, cfg, error))
    {
        return bad_request(error);
    }
    bool saved = false;
    if (!rebuild_monitor(ctx, cfg, true, saved, error))
    {
        return saved ? HttpResponse::error(500, error) : bad_request(error);
    }
    SG_NOTICE("Monitor %s changed through the REST API by '%s'", name.c_str(), r.user.c_str());
    return HttpResponse::no_content();
}

HttpResponse delete_monitor(AdminContext& ctx, const HttpRequest& r, const std::string& name)
{
    Objects& o = *ctx.objects;
    auto it = o.monitors.find(name);
    if (it == o.monitors.end())
    {
        return not_found("monitor", name);
    }
    std::vector<std::string> services = services_of(o, name);
    if (!services.empty())
    {
        return bad_request("Monitor " + name + " is used by " + listed(services) +
                           " (their cluster parameter); change them first");
    }
    if (ctx.registry->is_static(name))
    {
        return refuse_static(ctx, "Monitor", name);
    }
    if (!it->second->servers().empty() && !truthy(r.q("force")))
    {
        std::vector<std::string> names;
        for (const auto& s : it->second->servers())
        {
            names.push_back(s->name());
        }
        return bad_request("Monitor " + name + " monitors " + listed(names) +
                           "; remove them first or use force=yes");
    }
    std::string error;
    if (!ctx.registry->unpersist(name, error))
    {
        return HttpResponse::error(500, error);
    }
    it->second->stop();
    forget_roles(*it->second);
    o.monitors.erase(it);
    o.configs.erase(name);
    SG_NOTICE("Monitor %s destroyed through the REST API by '%s'", name.c_str(), r.user.c_str());
    return HttpResponse::no_content();
}

}  // namespace

void add_monitor_routes(RestApi& api)
{
    AdminContext& ctx = api.ctx();
    api.add("PUT", "monitors/:id/stop",
            SyncHandler([&ctx](const HttpRequest& r, const Params& p)
                        { return stop_start(ctx, r, p.at("id"), false); }));
    api.add("PUT", "monitors/:id/start",
            SyncHandler([&ctx](const HttpRequest& r, const Params& p)
                        { return stop_start(ctx, r, p.at("id"), true); }));
    api.add("POST", "monitors",
            SyncHandler([&ctx](const HttpRequest& r, const Params&)
                        { return create_monitor(ctx, r); }));
    api.add("PATCH", "monitors/:id",
            SyncHandler([&api](const HttpRequest& r, const Params& p)
                        { return patch_monitor(api, r, p.at("id")); }));
    api.add("DELETE", "monitors/:id",
            SyncHandler([&ctx](const HttpRequest& r, const Params& p)
                        { return delete_monitor(ctx, r, p.at("id")); }));
    // PATCH .../relationships/servers with {"data":[...]}: the same as a partial document.
    api.add("PATCH", "monitors/:id/relationships/servers",
            SyncHandler(
                [&api](const HttpRequest& r, const Params& p)
                {
                    json_t* ids = r.json ? json_object_get(r.json.get(), "data") : nullptr;
                    if (!json_is_array(ids))
                    {
                        return bad_request(
                            "Expected {\"data\": [{\"id\": ..., \"type\": \"servers\"}]}");
                    }
                    HttpRequest partial;
                    partial.method = r.method;
                    partial.parts = r.parts;
                    partial.base_url = r.base_url;
                    partial.user = r.user;
                    partial.content_type = "application/json";
                    partial.json.reset(json_pack("{s:{s:{s:{s:O}}}}", "data", "relationships",
                                                 "servers", "data", ids));
                    return patch_monitor(api, partial, p.at("id"));
                }));
}

}  // namespace sqlgate::admin
