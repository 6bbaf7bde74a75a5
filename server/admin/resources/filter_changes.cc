/**
 * Filters at runtime: POST /v1/filters, PATCH and DELETE /v1/filters/:id.
 * A changed filter is a new instance: every service using it is rebuilt with
 * it, so new sessions use it while open sessions keep the chain they started
 * with. Filters are added to services through the service, where the order is.
 *
 * Threads: main worker.
 */
#include <algorithm>

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

std::vector<std::string> services_using_filter(const Objects& o, const std::string& filter)
{
    std::vector<std::string> out;
    for (const auto& [name, svc] : o.services)
    {
        if (std::any_of(svc->filters.begin(), svc->filters.end(),
                        [&](const auto& f) { return f->name == filter; }))
        {
            out.push_back(name);
        }
    }
    return out;
}

std::shared_ptr<FilterDef> build_filter(const ModuleInfo& info, const ObjectConfig& cfg,
                                        std::string& error)
{
    auto def = std::make_shared<FilterDef>();
    def->name = cfg.name;
    def->module = info.name;
    try
    {
        def->instance = info.create_filter(cfg, error);
    }
    catch (const std::exception& e)
    {
        error = std::string("module failed: ") + e.what();
    }
    if (!def->instance)
    {
        error = "Filter " + cfg.name + ": " + error;
        return nullptr;
    }
    return def;
}

HttpResponse create_filter(AdminContext& ctx, const HttpRequest& r)
{
    Objects& o = *ctx.objects;
    json_t* data = r.json ? json_object_get(r.json.get(), "data") : nullptr;
    HttpResponse fail;
    std::string id = new_object_id(ctx, data, "filters", fail);
    std::string error, module;
    if (id.empty())
    {
        return fail;
    }
    if (!module_name(data, "module", module, error))
    {
        return bad_request(error);
    }
    const ModuleInfo* info = ctx.modules->load(module, ModuleKind::FILTER, error);
    if (!info)
    {
        return bad_request("/data/attributes/module: " + error);
    }
    std::vector<RawParam> raw;
    std::map<std::string, std::vector<std::string>> rels;
    if (!post_params(data, "filter", "module", module, raw, error) ||
        !post_relationships(data, {},
                            "a filter is added to services through the service "
                            "(PATCH /v1/services/:id/relationships/filters), where the order is",
                            rels, error))
    {
        return bad_request(error);
    }
    ObjectConfig cfg;
    std::vector<std::string> errors;
    if (!build_object("REST API", id, 0, raw, {&filter_spec(), info->specification}, cfg, errors))
    {
        return bad_request(join(errors, "; "));
    }
    cfg.type = "filter";
    std::shared_ptr<FilterDef> def = build_filter(*info, cfg, error);
    if (!def)
    {
        return bad_request(error);
    }
    if (!ctx.registry->persist(cfg, error))
    {
        return HttpResponse::error(500, error);
    }
    o.filters[id] = def;
    o.configs[id] = cfg;
    SG_NOTICE("Filter %s created through the REST API by '%s'", id.c_str(), r.user.c_str());
    return HttpResponse::no_content();
}

HttpResponse patch_filter(RestApi& api, const HttpRequest& r, const std::string& name)
{
    AdminContext& ctx = api.ctx();
    Objects& o = *ctx.objects;
    auto it = o.filters.find(name);
    if (it == o.filters.end())
    {
        return not_found("filter", name);
    }
    JsonPtr cur = current_document(api, r, "filters", name);
    if (!cur)
    {
        return HttpResponse::error(500, "No document of filter " + name);
    }
    HttpResponse fail;
    JsonPtr want = changed_document(r, cur.get(), fail);
    if (!want)
    {
        return fail;
    }
    std::string error;
    const ModuleInfo* info = ctx.modules->load(it->second->module, ModuleKind::FILTER, error);
    if (!info)
    {
        return HttpResponse::error(500, error);
    }
    std::map<std::string, Value> changes;
    if (!parameter_changes(cur.get(), want.get(), {&filter_spec(), info->specification}, changes,
                           error))
    {
        return bad_request(error);
    }
    if (relationship_ids(cur.get(), "services") != relationship_ids(want.get(), "services"))
    {
        return bad_request(
            "A filter's services are changed through the service "
            "(PATCH /v1/services/:id/relationships/filters), where the order is");
    }
    if (changes.empty())
    {
        return HttpResponse::no_content();
    }
    ObjectConfig cfg = o.configs[name];
    for (auto& [k, v] : changes)
    {
        cfg.values[k] = v;
        cfg.origins[k] = Origin{"REST API", 0};
    }
    std::shared_ptr<FilterDef> def = build_filter(*info, cfg, error);
    if (!def)
    {
        return bad_request(error);
    }
    // Every service using it is rebuilt with the new instance before anything is published.
    // (make_service() finds filters by name: the new one is put in place for the build and
    // the old one put back unless everything succeeds.)
    std::shared_ptr<FilterDef> old = it->second;
    it->second = def;
    std::vector<std::shared_ptr<Service>> rebuilt;
    for (const auto& s : services_using_filter(o, name))
    {
        rebuilt.push_back(ctx.registry->build_service(o.services.at(s)->config, error));
        if (!rebuilt.back())
        {
            it->second = old;
            return bad_request(error);
        }
    }
    if (!ctx.registry->persist(cfg, error))
    {
        it->second = old;
        return HttpResponse::error(500, error);
    }
    o.configs[name] = cfg;
    for (const auto& svc : rebuilt)
    {
        ctx.registry->install_service(svc, false, error);
    }
    SG_NOTICE("Filter %s changed through the REST API by '%s'; new sessions use it", name.c_str(),
              r.user.c_str());
    return HttpResponse::no_content();
}

HttpResponse delete_filter(AdminContext& ctx, const HttpRequest& r, const std::string& name)
{
    Objects& o = *ctx.objects;
    if (!o.filters.count(name))
    {
        return not_found("filter", name);
    }
    if (ctx.registry->is_static(name))
    {
        return refuse_static(ctx, "Filter", name);
    }
    std::vector<std::string> users = services_using_filter(o, name);
    if (!users.empty() && !truthy(r.q("force")))
    {
        return bad_request("Filter " + name + " is used by " + join(users, ", ") +
                           "; remove it from them first or use force=yes");
    }
    // force=yes: the services without it, all built before anything changes.
    std::vector<std::shared_ptr<Service>> rebuilt;
    std::string error;
    for (const auto& s : users)
    {
        ObjectConfig cfg = o.services.at(s)->config;
        std::vector<std::string> list = cfg.get_list("filters");
        list.erase(std::remove(list.begin(), list.end(), name), list.end());
        if (!list_value(service_spec(), "filters", list, cfg.values["filters"], error))
        {
            return HttpResponse::error(500, error);
        }
        cfg.origins["filters"] = Origin{"REST API", 0};
        rebuilt.push_back(ctx.registry->build_service(cfg, error));
        if (!rebuilt.back())
        {
            return bad_request(error);
        }
    }
    for (const auto& svc : rebuilt)
    {
        if (!ctx.registry->install_service(svc, true, error))
        {
            return HttpResponse::error(500, error);
        }
    }
    if (!ctx.registry->unpersist(name, error))
    {
        return HttpResponse::error(500, error);
    }
    o.filters.erase(name);
    o.configs.erase(name);
    SG_NOTICE("Filter %s destroyed through the REST API by '%s'", name.c_str(), r.user.c_str());
    return HttpResponse::no_content();
}

}  // namespace

void add_filter_change_routes(RestApi& api)
{
    AdminContext& ctx = api.ctx();
    RestApi* a = &api;
    api.add(
        "POST", "filters",
        SyncHandler([&ctx](const HttpRequest& r, const Params&) { return create_filter(ctx, r); }));
    api.add("PATCH", "filters/:id",
            SyncHandler([a](const HttpRequest& r, const Params& p)
                        { return patch_filter(*a, r, p.at("id")); }));
    api.add("DELETE", "filters/:id",
            SyncHandler([&ctx](const HttpRequest& r, const Params& p)
                        { return delete_filter(ctx, r, p.at("id")); }));
}

}  // namespace sqlgate::admin
