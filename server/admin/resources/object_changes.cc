/**
 * Services, filters and listeners created, changed and destroyed at runtime:
 * POST /v1/services, DELETE /v1/services/:id, PATCH /v1/listeners/:id here,
 * the filters' routes in filter_changes.cc. Each request is checked in full
 * through the same specifications as the configuration file before anything
 * changes; then the object is persisted under <datadir>/sqlgate.cnf.d and
 * published to the routing workers.
 *
 * Threads: main worker. Listener sockets are closed by each routing worker on
 * its own thread (fan-out); the answer waits for them.
 */
#include "object_changes.hh"

#include <strings.h>

#include <algorithm>

#include "common.hh"
#include "config/persist.hh"
#include "config/specs.hh"
#include "config/util.hh"
#include "module_loader.hh"
#include "patch.hh"
#include "registry.hh"
#include "routing_worker.hh"
#include "runtime.hh"
#include "sqlgate/log.hh"
#include "sqlgate/worker.hh"

namespace sqlgate::admin
{

HttpResponse bad_request(const std::string& detail)
{
    return HttpResponse::error(400, detail);
}

std::string new_object_id(const AdminContext& ctx, const json_t* data, const std::string& type,
                          HttpResponse& fail)
{
    if (!json_is_object(data))
    {
        fail = bad_request("Missing request body with a 'data' object");
        return "";
    }
    const char* id = json_string_value(json_object_get(data, "id"));
    const char* given_type = json_string_value(json_object_get(data, "type"));
    if (Refusal no = ctx.registry->check_new_name(id ? id : "", given_type ? given_type : "", type))
    {
        fail = refusal(no);
        return "";
    }
    return id;
}

HttpResponse refusal(const Refusal& r)
{
    return HttpResponse::error(r.code, r.message);
}

bool module_name(const json_t* data, const std::string& key, std::string& out, std::string& error)
{
    json_t* attrs = json_object_get(data, "attributes");
    const char* a = json_string_value(json_object_get(attrs, key.c_str()));
    const char* p =
        json_string_value(json_object_get(json_object_get(attrs, "parameters"), key.c_str()));
    if (a && p && strcmp(a, p) != 0)
    {
        error = "/data/attributes/" + key + " and parameter '" + key + "' differ";
        return false;
    }
    if (!a && !p)
    {
        error = "Missing /data/attributes/" + key + " (a module name)";
        return false;
    }
    out = a ? a : p;
    return true;
}

bool post_params(const json_t* data, const std::string& type, const std::string& module_key,
                 const std::string& module, std::vector<RawParam>& raw, std::string& error)
{
    raw = {{"type", type, 0}};
    if (!params_to_raw(json_object_get(json_object_get(data, "attributes"), "parameters"), raw,
                       error))
    {
        return false;
    }
    if (std::none_of(raw.begin(), raw.end(),
                     [&](const RawParam& p) { return p.key == module_key; }))
    {
        raw.push_back(RawParam{module_key, module, 0});
    }
    return true;
}

bool post_relationships(const json_t* data, const std::vector<std::string>& allowed,
                        const std::string& hint,
                        std::map<std::string, std::vector<std::string>>& out, std::string& error)
{
    json_t* rels = json_object_get(data, "relationships");
    if (rels && !json_is_object(rels))
    {
        error = "/data/relationships must be an object";
        return false;
    }
    const char* type;
    json_t* rel;
    json_object_foreach(rels, type, rel)
    {
        std::string where = std::string("/data/relationships/") + type;
        json_t* ids = json_object_get(rel, "data");
        if (!json_is_array(ids))
        {
            error = where + ": expected {\"data\": [...]}";
            return false;
        }
        std::vector<std::string>& names = out[type];
        size_t i;
        json_t* item;
        json_array_foreach(ids, i, item)
        {
            const char* id = json_string_value(json_object_get(item, "id"));
            if (!id)
            {
                error = where + ": entry " + std::to_string(i) + " has no 'id'";
                return false;
            }
            names.push_back(id);
        }
        if (!names.empty() && !contains(allowed, type))
        {
            error = where + ": cannot be set here; " + hint;
            return false;
        }
    }
    return true;
}

JsonPtr current_document(RestApi& api, const HttpRequest& r, const std::string& type,
                         const std::string& id)
{
    HttpRequest g;
    g.method = "GET";
    g.parts = {type, id};
    g.base_url = r.base_url;
    g.user = r.user;
    auto out = std::make_shared<JsonPtr>();
    api.handle(g,
               [out](HttpResponse resp)
               {
                   if (resp.code == 200)
                   {
                       *out = std::move(resp.body);
                   }
               });
    return std::move(*out);
}

HttpResponse refuse_static(const AdminContext& ctx, const std::string& kind,
                           const std::string& name)
{
    return refusal(ctx.registry->refuse_static(kind, name));
}

namespace
{

HttpResponse create_service(AdminContext& ctx, const HttpRequest& r)
{
    Objects& o = *ctx.objects;
    json_t* data = r.json ? json_object_get(r.json.get(), "data") : nullptr;
    HttpResponse fail;
    std::string id = new_object_id(ctx, data, "services", fail);
    std::string error, router;
    if (id.empty())
    {
        return fail;
    }
    if (!module_name(data, "router", router, error))
    {
        return bad_request(error);
    }
    const ModuleInfo* info = ctx.modules->load(router, ModuleKind::ROUTER, error);
    if (!info)
    {
        return bad_request("/data/attributes/router: " + error);
    }
    std::vector<RawParam> raw;
    std::map<std::string, std::vector<std::string>> rels;
    if (!post_params(data, "service", "router", router, raw, error) ||
        !post_relationships(data, {"servers", "filters"},
                            "create listeners with POST /v1/listeners; a monitor's servers are "
                            "used with the parameter 'cluster'",
                            rels, error))
    {
        return bad_request(error);
    }
    ObjectConfig cfg;
    std::vector<std::string> errors;
    if (!build_object("REST API", id, 0, raw, {&service_spec(), info->specification}, cfg, errors))
    {
        return bad_request(join(errors, "; "));
    }
    cfg.type = "service";
    for (const char* rel : {"servers", "filters"})
    {
        auto it = rels.find(rel);
        if (it == rels.end())
        {
            continue;
        }
        if (cfg.origins.count(rel))
        {
            return bad_request(std::string("/data/relationships/") + rel + ": the parameter '" +
                               rel + "' gives them too; use one of the two");
        }
        if (!list_value(service_spec(), rel, it->second, cfg.values[rel], error))
        {
            return bad_request(std::string("/data/relationships/") + rel + ": " + error);
        }
        cfg.origins[rel] = Origin{"REST API", 0};
    }
    if (cfg.origins.count("cluster") && cfg.origins.count("servers"))
    {
        return bad_request("parameter 'cluster' cannot be used together with 'servers'");
    }
    if (!cfg.origins.count("cluster") && !cfg.origins.count("servers"))
    {
        // No targets yet (MaxScale allows that): written as "servers=" so that it loads again.
        list_value(service_spec(), "servers", {}, cfg.values["servers"], error);
        cfg.origins["servers"] = Origin{"REST API", 0};
    }
    std::shared_ptr<Service> svc = ctx.registry->build_service(cfg, error);
    if (!svc)
    {
        return bad_request(error);
    }
    if (!ctx.registry->install_service(svc, true, error))
    {
        return HttpResponse::error(500, error);
    }
    SG_NOTICE("Service %s created through the REST API by '%s'", id.c_str(), r.user.c_str());
    return HttpResponse::no_content();
}

void delete_service(AdminContext& ctx, const HttpRequest& r, const std::string& name, Reply reply)
{
    Objects& o = *ctx.objects;
    if (!o.services.count(name))
    {
        return reply(not_found("service", name));
    }
    if (ctx.registry->is_static(name))
    {
        return reply(refuse_static(ctx, "Service", name));
    }
    std::vector<std::string> listeners;
    for (const auto& [n, def] : o.listeners)
    {
        if (def->service->name == name)
        {
            if (ctx.registry->is_static(n))
            {
                return reply(bad_request("Listener " + n + " of service " + name +
                                         " is defined in " + ctx.registry->config_file() +
                                         "; remove it there"));
            }
            listeners.push_back(n);
        }
    }
    if (!listeners.empty() && !truthy(r.q("force")))
    {
        return reply(bad_request("Service " + name + " is used by listeners " +
                                 join(listeners, ", ") + "; destroy them first or use force=yes"));
    }
    std::string error;
    for (const auto& n : listeners)
    {
        if (!ctx.registry->unpersist(n, error))
        {
            return reply(HttpResponse::error(500, error));
        }
        o.listeners.erase(n);
        o.configs.erase(n);
        ctx.registry->set_listener_stopped(n, false);
        SG_NOTICE("Listener %s destroyed with service %s through the REST API by '%s'", n.c_str(),
                  name.c_str(), r.user.c_str());
    }
    if (!ctx.registry->unpersist(name, error))
    {
        return reply(HttpResponse::error(500, error));
    }
    o.services.erase(name);
    o.configs.erase(name);
    ctx.registry->set_service_stopped(name, false);
    SG_NOTICE("Service %s destroyed through the REST API by '%s'", name.c_str(), r.user.c_str());
    // Open sessions keep their snapshot of the service and finish normally.
    fan_out<int>(
        *ctx.main,
        [listeners](Worker& worker)
        {
            RoutingWorker& w = RoutingWorker::of(worker);
            for (const auto& n : listeners)
            {
                w.remove_listener(n);
            }
            return 0;
        },
        [reply](std::vector<int>) { reply(HttpResponse::no_content()); });
}

HttpResponse patch_listener(RestApi& api, const HttpRequest& r, const std::string& name)
{
    AdminContext& ctx = api.ctx();
    Objects& o = *ctx.objects;
    auto it = o.listeners.find(name);
    if (it == o.listeners.end())
    {
        return not_found("listener", name);
    }
    JsonPtr cur = current_document(api, r, "listeners", name);
    if (!cur)
    {
        return HttpResponse::error(500, "No document of listener " + name);
    }
    HttpResponse fail;
    JsonPtr want = changed_document(r, cur.get(), fail);
    if (!want)
    {
        return fail;
    }
    std::string error;
    const ModuleInfo* info =
        ctx.modules->load(it->second->protocol_module, ModuleKind::PROTOCOL, error);
    if (!info)
    {
        return HttpResponse::error(500, error);
    }
    std::map<std::string, Value> changes;
    if (!parameter_changes(cur.get(), want.get(), {&listener_spec(), info->specification}, changes,
                           error))
    {
        return bad_request(error);
    }
    if (relationship_ids(cur.get(), "services") != relationship_ids(want.get(), "services"))
    {
        return bad_request(
            "A listener's service cannot be changed; create a listener for the other "
            "service instead");
    }
    if (changes.empty())
    {
        return HttpResponse::no_content();
    }
    auto copy = std::make_shared<ListenerDef>(*it->second);
    ObjectConfig cfg = copy->config;
    bool protocol_changed = false;
    for (auto& [k, v] : changes)
    {
        cfg.values[k] = v;
        cfg.origins[k] = Origin{"REST API", 0};
        protocol_changed |= listener_spec().find(k) == nullptr;
    }
    if (protocol_changed)
    {
        // The protocol module's own parameters: a new instance for new clients.
        try
        {
            copy->protocol = info->create_protocol(cfg, copy->service, error);
        }
        catch (const std::exception& e)
        {
            copy->protocol = nullptr;
            error = std::string("module failed: ") + e.what();
        }
        if (!copy->protocol)
        {
            return bad_request("Listener " + name + ": " + error);
        }
    }
    if (!ctx.registry->persist(cfg, error))
    {
        return HttpResponse::error(500, error);
    }
    if (protocol_changed)
    {
        copy->protocol->start();
    }
    copy->config = cfg;
    it->second = copy;
    o.configs[name] = cfg;
    for (RoutingWorker* w : RoutingWorker::all())
    {
        w->post([w, copy]() { w->replace_listener(copy); });
    }
    SG_NOTICE("Listener %s changed through the REST API by '%s'", name.c_str(), r.user.c_str());
    return HttpResponse::no_content();
}

}  // namespace

void add_object_change_routes(RestApi& api)
{
    AdminContext& ctx = api.ctx();
    RestApi* a = &api;
    api.add("POST", "services",
            SyncHandler([&ctx](const HttpRequest& r, const Params&)
                        { return create_service(ctx, r); }));
    api.add("DELETE", "services/:id",
            Handler([&ctx](const HttpRequest& r, const Params& p, Reply reply)
                    { delete_service(ctx, r, p.at("id"), std::move(reply)); }));
    api.add("PATCH", "listeners/:id",
            SyncHandler([a](const HttpRequest& r, const Params& p)
                        { return patch_listener(*a, r, p.at("id")); }));
    add_filter_change_routes(api);
}

}  // namespace sqlgate::admin
