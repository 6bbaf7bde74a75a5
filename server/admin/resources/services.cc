/**
 * /v1/services, /v1/listeners, /v1/filters, /v1/monitors: list, get and
 * relationships (GET), the seed's /v1/services/:service/listeners, and
 * POST /v1/services/:id/reload (reload the service's database accounts).
 *
 * Threads: main worker.
 */
#include "sqlgate/log.hh"

#include "../document.hh"
#include "../rest_api.hh"
#include "common.hh"
#include "registry.hh"

namespace sqlgate::admin
{

namespace
{

const AdminContext* the_ctx = nullptr;

json_t* listener_json(const HttpRequest& r, const Objects& o, const ListenerDef& l)
{
    json_t* attrs = json_object();
    bool stopped = the_ctx && the_ctx->registry->listener_stopped(l.name);
    json_object_set_new(attrs, "state", json_string(stopped ? "Stopped" : "Running"));
    json_object_set_new(attrs, "protocol", json_string(l.protocol_module.c_str()));
    auto cfg = o.configs.find(l.name);
    if (cfg != o.configs.end())
    {
        json_object_set_new(attrs, "parameters", params_json(cfg->second));
        json_object_set_new(attrs, "source", source_json(cfg->second));
    }
    json_t* rels = json_object();
    json_object_set_new(rels, "services",
                        make_relationship(r, "listeners", l.name, "services", {l.service->name}));
    return make_resource(r, "listeners", l.name, attrs, rels);
}

std::vector<std::string> listeners_of(const Objects& o, const std::string& service)
{
    std::vector<std::string> out;
    for (const auto& [name, l] : o.listeners)
    {
        if (l->service->name == service)
        {
            out.push_back(name);
        }
    }
    return out;
}

std::vector<std::string> services_using_filter(const Objects& o, const std::string& filter)
{
    std::vector<std::string> out;
    for (const auto& [name, svc] : o.services)
    {
        for (const auto& f : svc->filters)
        {
            if (f->name == filter)
            {
                out.push_back(name);
                break;
            }
        }
    }
    return out;
}

json_t* service_json(const HttpRequest& r, const Objects& o, const Service& s, int64_t started)
{
    json_t* attrs = json_object();
    json_object_set_new(attrs, "router", json_string(s.router_module.c_str()));
    bool stopped = the_ctx && the_ctx->registry->service_stopped(s.name);
    json_object_set_new(attrs, "state", json_string(stopped ? "Stopped" : "Started"));
    json_object_set_new(attrs, "started", json_string(http_date(started).c_str()));
    json_object_set_new(attrs, "connections", json_integer(s.stats().connections.load()));
    json_object_set_new(attrs, "total_connections",
                        json_integer(s.stats().total_connections.load()));
    json_object_set_new(attrs, "parameters", params_json(s.config));
    json_object_set_new(attrs, "source", source_json(s.config));
    json_object_set_new(
        attrs, "statistics",
        json_pack("{s:I, s:I, s:I, s:I}", "connections",
                  static_cast<json_int_t>(s.stats().connections.load()), "total_connections",
                  static_cast<json_int_t>(s.stats().total_connections.load()), "max_connections",
                  static_cast<json_int_t>(s.max_connections()), "failed_auths",
                  static_cast<json_int_t>(s.stats().failed_auths.load())));
    json_t* listeners = json_array();
    std::vector<std::string> names = listeners_of(o, s.name);
    for (const auto& n : names)
    {
        json_array_append_new(listeners, listener_json(r, o, *o.listeners.at(n)));
    }
    json_object_set_new(attrs, "listeners", listeners);

    std::vector<std::string> servers, filters, monitors;
    for (const auto& srv : s.servers)
    {
        servers.push_back(srv->name());
    }
    for (const auto& f : s.filters)
    {
        filters.push_back(f->name);
    }
    if (!s.config.get_string("cluster").empty())
    {
        monitors.push_back(s.config.get_string("cluster"));
    }
    json_t* rels = json_object();
    json_object_set_new(rels, "servers",
                        make_relationship(r, "services", s.name, "servers", servers));
    json_object_set_new(rels, "filters",
                        make_relationship(r, "services", s.name, "filters", filters));
    json_object_set_new(rels, "listeners",
                        make_relationship(r, "services", s.name, "listeners", names));
    json_object_set_new(rels, "monitors",
                        make_relationship(r, "services", s.name, "monitors", monitors));
    return make_resource(r, "services", s.name, attrs, rels);
}

json_t* filter_json(const HttpRequest& r, const Objects& o, const FilterDef& f)
{
    json_t* attrs = json_object();
    json_object_set_new(attrs, "module", json_string(f.module.c_str()));
    auto cfg = o.configs.find(f.name);
    if (cfg != o.configs.end())
    {
        json_object_set_new(attrs, "parameters", params_json(cfg->second));
        json_object_set_new(attrs, "source", source_json(cfg->second));
    }
    json_object_set_new(attrs, "filter_diagnostics", json_null());
    json_t* rels = json_object();
    json_object_set_new(
        rels, "services",
        make_relationship(r, "filters", f.name, "services", services_using_filter(o, f.name)));
    return make_resource(r, "filters", f.name, attrs, rels);
}

json_t* monitor_json(const HttpRequest& r, const Objects& o, const Monitor& m)
{
    json_t* attrs = json_object();
    json_object_set_new(attrs, "module", json_string(m.module().c_str()));
    json_object_set_new(attrs, "state", json_string(m.running() ? "Running" : "Stopped"));
    json_object_set_new(attrs, "ticks", json_integer(m.ticks()));
    auto cfg = o.configs.find(m.name());
    const ObjectConfig& c = cfg != o.configs.end() ? cfg->second : m.config();
    json_object_set_new(attrs, "parameters", params_json(c));
    json_object_set_new(attrs, "source", source_json(c));
    json_t* diag = json_loads(m.diagnostics().c_str(), 0, nullptr);
    json_object_set_new(attrs, "monitor_diagnostics", diag ? diag : json_object());
    std::vector<std::string> servers, services;
    for (const auto& s : m.servers())
    {
        servers.push_back(s->name());
    }
    for (const auto& [name, svc] : o.services)
    {
        if (svc->config.get_string("cluster") == m.name())
        {
            services.push_back(name);
        }
    }
    json_t* rels = json_object();
    json_object_set_new(rels, "servers",
                        make_relationship(r, "monitors", m.name(), "servers", servers));
    json_object_set_new(rels, "services",
                        make_relationship(r, "monitors", m.name(), "services", services));
    return make_resource(r, "monitors", m.name(), attrs, rels);
}

// GET of a collection, an item and its relationships for one object kind.
template <class Map, class ToJson>
void add_kind(RestApi& api, const std::string& type, const std::string& kind, const Map& map,
              ToJson to_json, std::vector<std::string> rels)
{
    api.add("GET", type,
            SyncHandler(
                [&map, to_json](const HttpRequest& r, const Params&)
                {
                    json_t* data = json_array();
                    for (const auto& [name, obj] : map)
                    {
                        json_array_append_new(data, to_json(r, *obj));
                    }
                    return HttpResponse(200, make_document(r, data));
                }));
    api.add("GET", type + "/:id",
            SyncHandler(
                [&map, to_json, kind](const HttpRequest& r, const Params& p)
                {
                    auto it = map.find(p.at("id"));
                    if (it == map.end())
                    {
                        return not_found(kind, p.at("id"));
                    }
                    return HttpResponse(200, make_document(r, to_json(r, *it->second)));
                }));
    for (const auto& rel : rels)
    {
        api.add("GET", type + "/:id/relationships/" + rel,
                SyncHandler(
                    [&map, to_json, kind, rel](const HttpRequest& r, const Params& p)
                    {
                        auto it = map.find(p.at("id"));
                        if (it == map.end())
                        {
                            return not_found(kind, p.at("id"));
                        }
                        json_t* doc = to_json(r, *it->second);
                        json_t* out = json_deep_copy(
                            json_object_get(json_object_get(doc, "relationships"), rel.c_str()));
                        json_decref(doc);
                        return HttpResponse(200, out);
                    }));
    }
}

}  // namespace

json_t* service_resource(const HttpRequest& r, const Objects& o, const Service& s, int64_t started)
{
    return service_json(r, o, s, started);
}

void add_service_routes(RestApi& api)
{
    AdminContext& ctx = api.ctx();
    the_ctx = &ctx;
    Objects& o = *ctx.objects;
    int64_t started = ctx.started_at;
    add_kind(api, "services", "service", o.services,
             [&o, started](const HttpRequest& r, const Service& s)
             { return service_json(r, o, s, started); },
             {"servers", "filters", "listeners", "monitors"});
    add_kind(api, "listeners", "listener", o.listeners,
             [&o](const HttpRequest& r, const ListenerDef& l) { return listener_json(r, o, l); },
             {"services"});
    add_kind(api, "filters", "filter", o.filters,
             [&o](const HttpRequest& r, const FilterDef& f) { return filter_json(r, o, f); },
             {"services"});

    add_kind(api, "monitors", "monitor", o.monitors,
             [&o](const HttpRequest& r, const Monitor& m) { return monitor_json(r, o, m); },
             {"servers", "services"});

    // The seed's listener sub-resource of a service.
    api.add("GET", "services/:id/listeners",
            SyncHandler(
                [&o](const HttpRequest& r, const Params& p)
                {
                    if (!o.services.count(p.at("id")))
                    {
                        return not_found("service", p.at("id"));
                    }
                    json_t* data = json_array();
                    for (const auto& n : listeners_of(o, p.at("id")))
                    {
                        json_array_append_new(data, listener_json(r, o, *o.listeners.at(n)));
                    }
                    return HttpResponse(200, make_document(r, data));
                }));
    api.add("GET", "services/:id/listeners/:listener",
            SyncHandler(
                [&o](const HttpRequest& r, const Params& p)
                {
                    if (!o.services.count(p.at("id")))
                    {
                        return not_found("service", p.at("id"));
                    }
                    auto it = o.listeners.find(p.at("listener"));
                    if (it == o.listeners.end() || it->second->service->name != p.at("id"))
                    {
                        return HttpResponse::error(404, "'" + p.at("listener") +
                                                            "' is not a listener of service " +
                                                            p.at("id"));
                    }
                    return HttpResponse(200, make_document(r, listener_json(r, o, *it->second)));
                }));

    // Reload the database accounts of a service (maxctrl reload service): each listener's
    // protocol loads them again; answered when all have finished.
    api.add("POST", "services/:id/reload",
            Handler(
                [&ctx, &o](const HttpRequest& r, const Params& p, Reply reply)
                {
                    const std::string& name = p.at("id");
                    if (!o.services.count(name))
                    {
                        reply(not_found("service", name));
                        return;
                    }
                    struct Pending
                    {
                        size_t left = 0;
                        bool failed = false;
                        Reply reply;
                    };
                    auto pending = std::make_shared<Pending>();
                    pending->reply = std::move(reply);
                    std::vector<std::shared_ptr<Protocol>> protocols;
                    for (const auto& [n, l] : o.listeners)
                    {
                        if (l->service->name == name && l->protocol)
                        {
                            protocols.push_back(l->protocol);
                        }
                    }
                    pending->left = protocols.size() + 1;
                    auto one_done = [pending, name](bool ok)
                    {
                        pending->failed = pending->failed || !ok;
                        if (--pending->left == 0)
                        {
                            pending->reply(pending->failed
                                               ? HttpResponse::error(
                                                     500, "The user accounts of service " + name +
                                                              " could not be loaded: see the log")
                                               : HttpResponse::no_content());
                        }
                    };
                    SG_NOTICE("Reloading the user accounts of service %s (REST API, '%s')",
                              name.c_str(), r.user.c_str());
                    for (auto& proto : protocols)
                    {
                        proto->reload_users(*ctx.main, one_done);
                    }
                    one_done(true);
                }));
}

}  // namespace sqlgate::admin
