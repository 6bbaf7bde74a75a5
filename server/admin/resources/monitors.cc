/**
 * Monitor changes: PUT /v1/monitors/:id/stop|start, POST /v1/monitors,
 * PATCH and DELETE /v1/monitors/:id and its servers relationship.
 *
 * Threads: main worker. Stopping a monitor joins its thread, which waits
 * for the tick in progress (at most the backend timeouts); routing workers
 * are never involved.
 */
#include "../document.hh"
#include "../rest_api.hh"
#include "common.hh"
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
}

}  // namespace sqlgate::admin
