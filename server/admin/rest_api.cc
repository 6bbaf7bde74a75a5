#include "rest_api.hh"

#include "document.hh"
#include "routing_worker.hh"
#include "sqlgate/assert.hh"
#include "sqlgate/worker.hh"

namespace sqlgate::admin
{

namespace
{
std::vector<std::string> split_pattern(const std::string& pattern)
{
    std::vector<std::string> out;
    size_t start = 0;
    while (start < pattern.size())
    {
        size_t end = pattern.find('/', start);
        if (end == std::string::npos)
        {
            end = pattern.size();
        }
        if (end > start)
        {
            out.push_back(pattern.substr(start, end - start));
        }
        start = end + 1;
    }
    return out;
}
}  // namespace

RestApi::RestApi(AdminContext& ctx) : m_ctx(ctx) {}

void RestApi::add(const std::string& method, const std::string& pattern, Handler h)
{
    m_routes.push_back(Route{method, split_pattern(pattern), std::move(h), nullptr});
}

void RestApi::add(const std::string& method, const std::string& pattern, SyncHandler h)
{
    m_routes.push_back(Route{method, split_pattern(pattern), nullptr, std::move(h)});
}

const RestApi::Route* RestApi::match(const std::string& method,
                                     const std::vector<std::string>& parts, Params& params,
                                     bool& path_matched) const
{
    path_matched = false;
    for (const Route& r : m_routes)
    {
        if (r.pattern.size() != parts.size())
        {
            continue;
        }
        Params p;
        bool ok = true;
        for (size_t i = 0; i < parts.size() && ok; ++i)
        {
            if (r.pattern[i][0] == ':')
            {
                p[r.pattern[i].substr(1)] = parts[i];
            }
            else
            {
                ok = r.pattern[i] == parts[i];
            }
        }
        if (!ok)
        {
            continue;
        }
        path_matched = true;
        if (r.method == method || (method == "HEAD" && r.method == "GET"))
        {
            params = std::move(p);
            return &r;
        }
    }
    return nullptr;
}

std::string RestApi::allowed_methods(const std::vector<std::string>& parts) const
{
    std::string allowed;
    Params params;
    bool path_matched = false;
    for (const char* m : {"GET", "PUT", "POST", "DELETE", "PATCH"})
    {
        if (match(m, parts, params, path_matched))
        {
            allowed += allowed.empty() ? m : std::string(", ") + m;
        }
    }
    return allowed;
}

void RestApi::handle(const HttpRequest& req, Reply reply)
{
    // The object model belongs to the main worker: every handler runs there.
    SG_ASSERT(!m_ctx.main || m_ctx.main->is_owner());
    Params params;
    bool path_matched = false;
    if (req.method == "OPTIONS")
    {
        std::string allowed = allowed_methods(req.parts);
        if (allowed.empty())
        {
            reply(HttpResponse::error(404, "No resource at /" + req.resource_path()));
            return;
        }
        HttpResponse r(200);
        r.headers.emplace_back("Allow", allowed);
        r.headers.emplace_back("Accept", allowed);
        reply(std::move(r));
        return;
    }
    const Route* route = match(req.method, req.parts, params, path_matched);
    if (!route)
    {
        if (path_matched)
        {
            HttpResponse r = HttpResponse::error(
                405, "Method " + req.method + " is not allowed on /" + req.resource_path());
            r.headers.emplace_back("Allow", allowed_methods(req.parts));
            reply(std::move(r));
        }
        else
        {
            reply(HttpResponse::error(404, "No resource at /" + req.resource_path()));
        }
        return;
    }
    // Optimistic concurrency on writes: If-Match must equal the ETag that a GET
    // of the same resource gives now (handlers run one at a time here).
    const std::string& if_match = req.header("if-match");
    if (req.method != "GET" && req.method != "HEAD" && !if_match.empty() && if_match != "*")
    {
        // The resource itself, or for an action (servers/x/set) its parent.
        HttpRequest get_req;
        get_req.method = "GET";
        get_req.parts = req.parts;
        get_req.base_url = req.base_url;
        Params gp;
        bool pm;
        const Route* get = match("GET", get_req.parts, gp, pm);
        if (!get && !req.parts.empty())
        {
            get_req.parts.pop_back();
            get = match("GET", get_req.parts, gp, pm);
        }
        if (get && get->sync)
        {
            HttpResponse cur = get->sync(get_req, gp);
            if (cur.code == 200 && cur.body && etag_of(cur.body.get()) != if_match)
            {
                reply(HttpResponse::error(
                    412, "The resource was modified: its ETag is no longer " + if_match));
                return;
            }
        }
    }
    if (req.method != "GET" && req.method != "HEAD" && m_ctx.main)
    {
        // A change is answered only once every routing worker has run what the
        // handler posted to it (posts run in order, so an empty round trip
        // behind them is enough): after a 2xx, new sessions see the change.
        // The reply may come from another thread (a monitor's command): the
        // round trip ends on the main worker.
        Worker* main = m_ctx.main;
        reply = [main, reply = std::move(reply)](HttpResponse resp) mutable
        {
            auto held = std::make_shared<HttpResponse>(std::move(resp));
            fan_out<int>(
                *main, [](Worker&) { return 0; },
                [held, reply = std::move(reply)](std::vector<int>) mutable
                { reply(std::move(*held)); });
        };
    }
    if (route->sync)
    {
        reply(route->sync(req, params));
    }
    else
    {
        route->handler(req, params, std::move(reply));
    }
}

}  // namespace sqlgate::admin
