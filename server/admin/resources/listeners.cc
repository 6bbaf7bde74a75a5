/**
 * Listeners at runtime: POST /v1/listeners (and the seed's POST
 * /v1/services/:service/listeners), DELETE, PUT .../stop|start, and
 * PUT /v1/services/:service/stop|start (all listeners of the service).
 *
 * Threads: handlers on the main worker. Sockets are opened and closed by
 * each routing worker on its own thread (fan-out); the answer is sent when
 * every worker has done its part.
 */
#include <strings.h>
#include <unistd.h>

#include "../rest_api.hh"
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

namespace
{

struct Outcome
{
    bool ok = true;
    std::string error;
};

// The registry opens (or closes) @c def's sockets on every worker; @c done gets the first error.
void set_listening(AdminContext& ctx, std::shared_ptr<ListenerDef> def, bool listen,
                   std::function<void(Outcome)> done)
{
    ctx.registry->set_listening(def, listen,
                                [done](const std::string& error) {
                                    done(Outcome{error.empty(), error});
                                });
}

// Validate a new listener and build it (not listening yet).
std::shared_ptr<ListenerDef> build_listener(AdminContext& ctx, const HttpRequest& r,
                                            const std::string& forced_service, std::string& error,
                                            int& code)
{
    Objects& o = *ctx.objects;
    code = 400;
    json_t* data = r.json ? json_object_get(r.json.get(), "data") : nullptr;
    const char* given_id = json_string_value(json_object_get(data, "id"));
    const char* type = json_string_value(json_object_get(data, "type"));
    if (Refusal no =
            ctx.registry->check_new_name(given_id ? given_id : "", type ? type : "", "listeners"))
    {
        code = no.code;
        error = no.message;
        return nullptr;
    }
    const char* id = given_id;
    std::vector<RawParam> raw{{"type", "listener", 0}};
    json_t* params = json_object_get(json_object_get(data, "attributes"), "parameters");
    if (!params_to_raw(params, raw, error))
    {
        return nullptr;
    }
    std::string service = forced_service;
    std::vector<std::string> rel = relationship_ids(r.json.get(), "services");
    if (service.empty() && rel.size() == 1)
    {
        service = rel[0];
    }
    bool has_service_param = false;
    for (auto& p : raw)
    {
        has_service_param |= p.key == "service";
    }
    if (!has_service_param && !service.empty())
    {
        raw.push_back(RawParam{"service", service, 0});
    }
    for (const auto& p : raw)
    {
        if (p.key == "service" && !forced_service.empty() && p.value != forced_service)
        {
            error = "parameter 'service': the listener is created under service " + forced_service +
                    ", not '" + p.value + "'";
            return nullptr;
        }
    }
    std::string protocol = "mariadbprotocol";
    for (auto& p : raw)
    {
        if (p.key == "protocol")
        {
            protocol = canonical_protocol(p.value);
            p.value = protocol;
        }
    }
    const ModuleInfo* info = ctx.modules->load(protocol, ModuleKind::PROTOCOL, error);
    if (!info)
    {
        error = "parameter 'protocol': " + error;
        return nullptr;
    }
    ObjectConfig cfg;
    std::vector<std::string> errors;
    if (!build_object("REST API", id, 0, raw, {&listener_spec(), info->specification}, cfg, errors))
    {
        error = join(errors, "; ");
        return nullptr;
    }
    cfg.type = "listener";
    auto svc = o.services.find(cfg.get_string("service"));
    if (svc == o.services.end())
    {
        error = "parameter 'service': '" + cfg.get_string("service") + "' is not a service";
        return nullptr;
    }
    if (!cfg.get_string("socket").empty())
    {
        error = "listeners on Unix sockets can only be created in the configuration file";
        return nullptr;
    }
    if (Refusal no =
            ctx.registry->check_listener_endpoint(cfg.get_string("address"), cfg.get_int("port")))
    {
        error = no.message;
        return nullptr;
    }
    return make_listener(cfg, o, *ctx.modules, error);
}

void create_listener(AdminContext& ctx, const HttpRequest& r, const std::string& service,
                     Reply reply)
{
    std::string error;
    int code = 400;
    std::shared_ptr<ListenerDef> def = build_listener(ctx, r, service, error, code);
    if (!def)
    {
        reply(HttpResponse::error(code, error));
        return;
    }
    def->protocol->start();
    std::string user = r.user;
    set_listening(
        ctx, def, true,
        [&ctx, def, reply, user](Outcome out)
        {
            std::string error;
            if (!out.ok)
            {
                reply(HttpResponse::error(400, "Listener " + def->name + ": " + out.error));
                return;
            }
            ObjectConfig cfg = def->config;
            if (!ctx.registry->persist(cfg, error))
            {
                set_listening(ctx, def, false, [](Outcome) {});
                reply(HttpResponse::error(500, error));
                return;
            }
            def->config = cfg;
            ctx.objects->listeners[def->name] = def;
            ctx.objects->configs[def->name] = cfg;
            SG_NOTICE(
                "Listener %s: created through the REST API by '%s'; listening on %s "
                "for service %s",
                def->name.c_str(), user.c_str(), def->where().c_str(), def->service->name.c_str());
            reply(HttpResponse::no_content());
        });
}

void delete_listener(AdminContext& ctx, const HttpRequest& r, const std::string& name, Reply reply)
{
    Objects& o = *ctx.objects;
    auto it = o.listeners.find(name);
    if (it == o.listeners.end())
    {
        reply(not_found("listener", name));
        return;
    }
    if (ctx.registry->is_static(name))
    {
        reply(HttpResponse::error(400, "Listener " + name + " is defined in " +
                                           o.configs[name].origin.file + "; remove it there"));
        return;
    }
    std::string error;
    if (!ctx.registry->unpersist(name, error))
    {
        reply(HttpResponse::error(500, error));
        return;
    }
    auto def = it->second;
    o.listeners.erase(it);
    o.configs.erase(name);
    ctx.registry->set_listener_stopped(name, false);
    SG_NOTICE("Listener %s destroyed through the REST API by '%s'", name.c_str(), r.user.c_str());
    set_listening(ctx, def, false, [reply](Outcome) { reply(HttpResponse::no_content()); });
}

// Stop or start the listeners @c names (those not already in that state).
void stop_start(AdminContext& ctx, std::vector<std::string> names, bool start, Reply reply)
{
    auto remaining = std::make_shared<size_t>(names.size() + 1);
    auto first_error = std::make_shared<std::string>();
    auto finish = [remaining, first_error, reply]()
    {
        if (--*remaining == 0)
        {
            reply(first_error->empty() ? HttpResponse::no_content()
                                       : HttpResponse::error(400, *first_error));
        }
    };
    for (const auto& n : names)
    {
        auto def = ctx.objects->listeners.at(n);
        bool stopped = ctx.registry->listener_stopped(n);
        if (stopped != start)
        {
            finish();
            continue;
        }
        set_listening(ctx, def, start,
                      [&ctx, n, start, first_error, finish](Outcome out)
                      {
                          if (!out.ok)
                          {
                              *first_error = "Listener " + n + ": " + out.error;
                          }
                          else if (start)
                          {
                              ctx.registry->set_listener_stopped(n, false);
                              SG_NOTICE("Listener %s started through the REST API", n.c_str());
                          }
                          else
                          {
                              ctx.registry->set_listener_stopped(n, true);
                              SG_NOTICE("Listener %s stopped through the REST API", n.c_str());
                          }
                          finish();
                      });
    }
    finish();
}

}  // namespace

void add_listener_routes(RestApi& api)
{
    AdminContext& ctx = api.ctx();
    Objects& o = *ctx.objects;
    api.add("POST", "listeners",
            Handler([&ctx](const HttpRequest& r, const Params&, Reply reply)
                    { create_listener(ctx, r, "", std::move(reply)); }));
    api.add("POST", "services/:id/listeners",
            Handler(
                [&ctx](const HttpRequest& r, const Params& p, Reply reply)
                {
                    if (!ctx.objects->services.count(p.at("id")))
                    {
                        reply(not_found("service", p.at("id")));
                        return;
                    }
                    create_listener(ctx, r, p.at("id"), std::move(reply));
                }));
    api.add("DELETE", "listeners/:id",
            Handler([&ctx](const HttpRequest& r, const Params& p, Reply reply)
                    { delete_listener(ctx, r, p.at("id"), std::move(reply)); }));
    api.add("DELETE", "services/:service/listeners/:id",
            Handler(
                [&ctx](const HttpRequest& r, const Params& p, Reply reply)
                {
                    auto it = ctx.objects->listeners.find(p.at("id"));
                    if (it == ctx.objects->listeners.end() ||
                        it->second->service->name != p.at("service"))
                    {
                        reply(HttpResponse::error(404, "'" + p.at("id") +
                                                           "' is not a listener of service " +
                                                           p.at("service")));
                        return;
                    }
                    delete_listener(ctx, r, p.at("id"), std::move(reply));
                }));
    for (bool start : {false, true})
    {
        api.add("PUT", std::string("listeners/:id/") + (start ? "start" : "stop"),
                Handler(
                    [&ctx, &o, start](const HttpRequest&, const Params& p, Reply reply)
                    {
                        if (!o.listeners.count(p.at("id")))
                        {
                            reply(not_found("listener", p.at("id")));
                            return;
                        }
                        stop_start(ctx, {p.at("id")}, start, std::move(reply));
                    }));
        api.add("PUT", std::string("services/:id/") + (start ? "start" : "stop"),
                Handler(
                    [&ctx, &o, start](const HttpRequest& r, const Params& p, Reply reply)
                    {
                        const std::string& name = p.at("id");
                        if (!o.services.count(name))
                        {
                            reply(not_found("service", name));
                            return;
                        }
                        std::vector<std::string> names;
                        for (const auto& [n, def] : o.listeners)
                        {
                            if (def->service->name == name)
                            {
                                names.push_back(n);
                            }
                        }
                        if (start)
                        {
                            ctx.registry->set_service_stopped(name, false);
                        }
                        else
                        {
                            ctx.registry->set_service_stopped(name, true);
                            if (truthy(r.q("force")))
                            {
                                for (RoutingWorker* w : RoutingWorker::all())
                                {
                                    w->post(
                                        [w, name]()
                                        {
                                            std::vector<Session*> victims;
                                            w->for_each_session(
                                                [&](Session& s)
                                                {
                                                    if (s.service().name == name)
                                                    {
                                                        victims.push_back(&s);
                                                    }
                                                });
                                            for (Session* s : victims)
                                            {
                                                s->close("service " + name + " was stopped");
                                            }
                                        });
                                }
                            }
                        }
                        SG_NOTICE("Service %s %s through the REST API", name.c_str(),
                                  start ? "started" : "stopped");
                        stop_start(ctx, names, start, std::move(reply));
                    }));
    }
}

}  // namespace sqlgate::admin
