/**
 * Runtime changes of servers and services: POST /v1/servers, PATCH and
 * DELETE of servers, PATCH of services, and their relationship
 * sub-resources. Every change is validated in full before anything is
 * applied, persisted, then published.
 *
 * Threads: main worker.
 */
#include <strings.h>

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

HttpRequest doc_request(const HttpRequest& r, const std::string& type, const std::string& id)
{
    HttpRequest g;
    g.method = "GET";
    g.parts = {type, id};
    g.base_url = r.base_url;
    return g;
}

std::string joined(const std::vector<std::string>& v)
{
    return join(v, ", ");
}

// Set the servers= list of every service so that exactly @c wanted contain @c server.
bool relink_server(AdminContext& ctx, const std::string& server,
                   const std::vector<std::string>& wanted, std::string& error)
{
    Objects& o = *ctx.objects;
    for (const auto& [name, svc] : o.services)
    {
        std::vector<std::string> list;
        for (const auto& s : svc->servers)
        {
            list.push_back(s->name());
        }
        bool has = contains(list, server);
        bool want = contains(wanted, server) || contains(wanted, name);
        if (has == want)
        {
            continue;
        }
        if (want)
        {
            list.push_back(server);
        }
        else
        {
            list.erase(std::remove(list.begin(), list.end(), server), list.end());
        }
        ObjectConfig cfg = svc->config;
        if (!list_value(service_spec(), "servers", list, cfg.values["servers"], error))
        {
            return false;
        }
        cfg.origins["servers"] = Origin{"REST API", 0};
        if (!ctx.registry->rebuild_service(cfg, error))
        {
            error = "service " + name + ": " + error;
            return false;
        }
    }
    return true;
}

// Services that take their servers from a monitor (cluster=) cannot have servers linked.
bool check_unclustered(const Objects& o, const std::vector<std::string>& services,
                       std::string& error)
{
    for (const auto& name : services)
    {
        auto it = o.services.find(name);
        if (it != o.services.end() && !it->second->config.get_string("cluster").empty())
        {
            error = "Service " + name + " takes its servers from monitor " +
                    it->second->config.get_string("cluster") +
                    " (parameter 'cluster'): add the server to that monitor instead";
            return false;
        }
    }
    return true;
}

bool check_names(const std::vector<std::string>& names, const char* kind,
                 const std::function<bool(const std::string&)>& exists, std::string& error)
{
    for (const auto& n : names)
    {
        if (!exists(n))
        {
            error = "'" + n + "' is not a " + kind;
            return false;
        }
    }
    return true;
}

HttpResponse create_server(AdminContext& ctx, const HttpRequest& r)
{
    Objects& o = *ctx.objects;
    json_t* data = r.json ? json_object_get(r.json.get(), "data") : nullptr;
    if (!json_is_object(data))
    {
        return HttpResponse::error(400, "Missing request body with a 'data' object");
    }
    const char* given_id = json_string_value(json_object_get(data, "id"));
    const char* type = json_string_value(json_object_get(data, "type"));
    if (Refusal no =
            ctx.registry->check_new_name(given_id ? given_id : "", type ? type : "", "servers"))
    {
        return refusal(no);
    }
    const char* id = given_id;
    std::vector<RawParam> raw{{"type", "server", 0}};
    std::string error;
    if (!params_to_raw(json_object_get(json_object_get(data, "attributes"), "parameters"), raw,
                       error))
    {
        return HttpResponse::error(400, error);
    }
    ObjectConfig cfg;
    std::vector<std::string> errors;
    if (!build_object("REST API", id, 0, raw, {&server_spec()}, cfg, errors))
    {
        return HttpResponse::error(400, joined(errors));
    }
    cfg.type = "server";
    if (cfg.get_string("address").empty() && cfg.get_string("socket").empty())
    {
        return HttpResponse::error(400, "Either parameter 'address' or 'socket' is needed");
    }
    std::vector<std::string> services = relationship_ids(r.json.get(), "services");
    if (!check_names(
            services, "service", [&](const std::string& n) { return o.services.count(n) > 0; },
            error))
    {
        return HttpResponse::error(400, "/data/relationships/services: " + error);
    }
    if (!check_unclustered(o, services, error))
    {
        return HttpResponse::error(400, error);
    }
    if (!relationship_ids(r.json.get(), "monitors").empty())
    {
        return HttpResponse::error(400, "Servers are added to monitors through the monitor");
    }
    if (!ctx.registry->persist(cfg, error))
    {
        return HttpResponse::error(500, error);
    }
    o.configs[id] = cfg;
    o.servers[id] =
        std::make_shared<Server>(id, cfg.get_string("address"),
                                 static_cast<int>(cfg.get_int("port")), cfg.get_string("socket"));
    o.servers[id]->configure(cfg);
    if (!services.empty() && !relink_server(ctx, id, services, error))
    {
        return HttpResponse::error(500, error);
    }
    SG_NOTICE("Server %s created through the REST API by '%s'", id, r.user.c_str());
    return HttpResponse::no_content();
}

HttpResponse patch_server(AdminContext& ctx, const HttpRequest& r, const std::string& name)
{
    Objects& o = *ctx.objects;
    auto it = o.servers.find(name);
    if (it == o.servers.end())
    {
        return not_found("server", name);
    }
    HttpRequest g = doc_request(r, "servers", name);
    JsonPtr cur(make_document(g, server_resource(g, o, *it->second)));
    HttpResponse fail;
    JsonPtr want = changed_document(r, cur.get(), fail);
    if (!want)
    {
        return fail;
    }
    std::map<std::string, Value> changes;
    std::string error;
    if (!parameter_changes(cur.get(), want.get(), {&server_spec()}, changes, error))
    {
        return HttpResponse::error(400, error);
    }
    std::vector<std::string> old_services = relationship_ids(cur.get(), "services");
    std::vector<std::string> new_services = relationship_ids(want.get(), "services");
    if (relationship_ids(cur.get(), "monitors") != relationship_ids(want.get(), "monitors"))
    {
        return HttpResponse::error(400, "A server's monitors are changed through the monitor");
    }
    if (!check_names(
            new_services, "service", [&](const std::string& n) { return o.services.count(n) > 0; },
            error))
    {
        return HttpResponse::error(400, "/data/relationships/services: " + error);
    }
    std::vector<std::string> changed;  // services the server joins or leaves
    for (const auto& svc : new_services)
    {
        if (!contains(old_services, svc))
        {
            changed.push_back(svc);
        }
    }
    for (const auto& svc : old_services)
    {
        if (!contains(new_services, svc))
        {
            changed.push_back(svc);
        }
    }
    if (!check_unclustered(o, changed, error))
    {
        return HttpResponse::error(400, error);
    }
    ObjectConfig cfg = o.configs[name];
    for (auto& [k, v] : changes)
    {
        cfg.values[k] = v;
        cfg.origins[k] = Origin{"REST API", 0};
    }
    if (cfg.get_string("address").empty() && cfg.get_string("socket").empty())
    {
        return HttpResponse::error(400, "Either parameter 'address' or 'socket' is needed");
    }
    bool endpoint = changes.count("address") || changes.count("port") || changes.count("socket");
    std::string monitor = monitor_of(o, name);
    if (endpoint && !monitor.empty())
    {
        return HttpResponse::error(400, "Server " + name + " is monitored by " + monitor +
                                            ": its address, port and socket cannot change while "
                                            "it is; remove it from the monitor first");
    }
    std::vector<std::string> users = services_using(o, name);
    if (endpoint && !(users.empty() || new_services.empty()))
    {
        return HttpResponse::error(
            400, "Server " + name + " is used by " + joined(users) +
                     ": its address, port and socket cannot change while services use it; "
                     "remove it from them first (in the same PATCH or before)");
    }
    if (!changes.empty())
    {
        if (!ctx.registry->persist(cfg, error))
        {
            return HttpResponse::error(500, error);
        }
        o.configs[name] = cfg;
        it->second->configure(cfg);
    }
    // The monitor reads monitoruser/monitorpw when it is built.
    if (!monitor.empty() && (changes.count("monitoruser") || changes.count("monitorpw")))
    {
        bool saved;
        if (!rebuild_monitor(ctx, o.configs.at(monitor), false, saved, error))
        {
            return HttpResponse::error(500, "monitor " + monitor + ": " + error);
        }
    }
    if (old_services != new_services && !relink_server(ctx, name, new_services, error))
    {
        return HttpResponse::error(500, error);
    }
    if (endpoint)
    {
        auto fresh = std::make_shared<Server>(name, cfg.get_string("address"),
                                              static_cast<int>(cfg.get_int("port")),
                                              cfg.get_string("socket"));
        fresh->set_status_bits(it->second->status() & (status::MAINT | status::DRAINING));
        fresh->share_stats_of(*it->second);
        fresh->configure(cfg);
        o.servers[name] = fresh;
    }
    SG_NOTICE("Server %s changed through the REST API by '%s'", name.c_str(), r.user.c_str());
    return HttpResponse::no_content();
}

HttpResponse delete_server(AdminContext& ctx, const HttpRequest& r, const std::string& name)
{
    Objects& o = *ctx.objects;
    auto it = o.configs.find(name);
    if (it == o.configs.end() || !o.servers.count(name))
    {
        return not_found("server", name);
    }
    std::vector<std::string> users = services_using(o, name);
    std::string error;
    if (std::string m = monitor_of(o, name); !m.empty())
    {
        return HttpResponse::error(
            400, "Server " + name + " is monitored by " + m + "; remove it from the monitor first");
    }
    if (!users.empty() && !truthy(r.q("force")))
    {
        return HttpResponse::error(400, "Server " + name + " is used by " + joined(users) +
                                            "; remove it from them first or use force=yes");
    }
    if (ctx.registry->is_static(name))
    {
        return refuse_static(ctx, "Server", name);
    }
    if (!ctx.registry->unpersist(name, error) ||
        (!users.empty() && !relink_server(ctx, name, {}, error)))
    {
        return HttpResponse::error(500, error);
    }
    o.servers.erase(name);
    o.configs.erase(name);
    SG_NOTICE("Server %s destroyed through the REST API by '%s'", name.c_str(), r.user.c_str());
    return HttpResponse::no_content();
}

HttpResponse patch_service(AdminContext& ctx, const HttpRequest& r, const std::string& name)
{
    Objects& o = *ctx.objects;
    auto it = o.services.find(name);
    if (it == o.services.end())
    {
        return not_found("service", name);
    }
    const Service& svc = *it->second;
    HttpRequest g = doc_request(r, "services", name);
    JsonPtr cur(make_document(g, service_resource(g, o, svc, ctx.started_at)));
    HttpResponse fail;
    JsonPtr want = changed_document(r, cur.get(), fail);
    if (!want)
    {
        return fail;
    }
    const Specification* router_spec = nullptr;
    auto mod = ctx.modules->loaded().find(svc.router_module);
    if (mod != ctx.modules->loaded().end())
    {
        router_spec = mod->second->specification;
    }
    std::map<std::string, Value> changes;
    std::string error;
    if (!parameter_changes(cur.get(), want.get(), {&service_spec(), router_spec}, changes, error))
    {
        return HttpResponse::error(400, error);
    }
    for (const char* fixed : {"listeners", "monitors"})
    {
        if (relationship_ids(cur.get(), fixed) != relationship_ids(want.get(), fixed))
        {
            return HttpResponse::error(
                400, std::string("A service's ") + fixed + " cannot be changed here");
        }
    }
    ObjectConfig cfg = svc.config;
    for (auto& [k, v] : changes)
    {
        cfg.values[k] = v;
        cfg.origins[k] = Origin{"REST API", 0};
    }
    for (const char* rel : {"servers", "filters"})
    {
        std::vector<std::string> ids = relationship_ids(want.get(), rel);
        if (ids == relationship_ids(cur.get(), rel) && !changes.count(rel))
        {
            continue;
        }
        if (!changes.count(rel))
        {
            if (!list_value(service_spec(), rel, ids, cfg.values[rel], error))
            {
                return HttpResponse::error(400, std::string(rel) + ": " + error);
            }
            cfg.origins[rel] = Origin{"REST API", 0};
        }
    }
    if (!cfg.get_string("cluster").empty() && cfg.has("servers") &&
        !cfg.get_list("servers").empty())
    {
        return HttpResponse::error(
            400, "Service " + name + " takes its servers from monitor " +
                     cfg.get_string("cluster") +
                     " (parameter 'cluster'): change the monitor's servers, or clear 'cluster' "
                     "in the same PATCH");
    }
    if (!ctx.registry->rebuild_service(cfg, error))
    {
        return HttpResponse::error(400, error);
    }
    return HttpResponse::no_content();
}

// PATCH .../relationships/TYPE with {"data":[...]}: the same as a partial document.
std::shared_ptr<HttpRequest> as_partial(const HttpRequest& r, const std::string& type)
{
    auto p = std::make_shared<HttpRequest>();
    p->method = r.method;
    p->parts = r.parts;
    p->base_url = r.base_url;
    p->user = r.user;
    p->content_type = "application/json";
    json_t* data = r.json ? json_object_get(r.json.get(), "data") : nullptr;
    if (json_is_array(data))
    {
        p->json.reset(
            json_pack("{s:{s:{s:{s:O}}}}", "data", "relationships", type.c_str(), "data", data));
    }
    return p;
}

}  // namespace

void add_change_routes(RestApi& api)
{
    AdminContext& ctx = api.ctx();
    api.add(
        "POST", "servers",
        SyncHandler([&ctx](const HttpRequest& r, const Params&) { return create_server(ctx, r); }));
    api.add("PATCH", "servers/:id",
            SyncHandler([&ctx](const HttpRequest& r, const Params& p)
                        { return patch_server(ctx, r, p.at("id")); }));
    api.add("DELETE", "servers/:id",
            SyncHandler([&ctx](const HttpRequest& r, const Params& p)
                        { return delete_server(ctx, r, p.at("id")); }));
    api.add("PATCH", "services/:id",
            SyncHandler([&ctx](const HttpRequest& r, const Params& p)
                        { return patch_service(ctx, r, p.at("id")); }));
    api.add("PATCH", "servers/:id/relationships/services",
            SyncHandler(
                [&ctx](const HttpRequest& r, const Params& p)
                {
                    auto pr = as_partial(r, "services");
                    if (!pr->json)
                    {
                        return HttpResponse::error(400, "Expected {\"data\": [...]}");
                    }
                    return patch_server(ctx, *pr, p.at("id"));
                }));
    for (const char* rel : {"servers", "filters"})
    {
        std::string type = rel;
        api.add("PATCH", "services/:id/relationships/" + type,
                SyncHandler(
                    [&ctx, type](const HttpRequest& r, const Params& p)
                    {
                        auto pr = as_partial(r, type);
                        if (!pr->json)
                        {
                            return HttpResponse::error(400, "Expected {\"data\": [...]}");
                        }
                        return patch_service(ctx, *pr, p.at("id"));
                    }));
    }
}

}  // namespace sqlgate::admin
