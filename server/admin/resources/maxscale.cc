/**
 * /v1/maxscale: the process (version, uptime, global parameters), its
 * routing threads, modules and their parameter specifications, the log.
 *
 * Threads: handlers on the main worker; thread statistics are collected on
 * each routing worker (fan-out). Reading the log file happens on the main
 * worker, never on a routing worker.
 */
#include <unistd.h>

#include <cstring>
#include <fstream>

#include "../document.hh"
#include "../rest_api.hh"
#include "common.hh"
#include "config/specs.hh"
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

struct ThreadInfo
{
    int id = 0;
    size_t sessions = 0;
    uint64_t accepts = 0;
};

json_t* thread_json(const HttpRequest& r, const ThreadInfo& t)
{
    json_t* stats = json_pack("{s:s, s:b, s:I, s:I}", "state", "Active", "listening", true,
                              "sessions", (json_int_t)t.sessions, "accepts", (json_int_t)t.accepts);
    return make_resource(r, "threads", std::to_string(t.id), json_pack("{s:o}", "stats", stats));
}

json_t* module_json(const HttpRequest& r, const ModuleInfo& m)
{
    json_t* attrs = json_pack("{s:s, s:s, s:s, s:s, s:i}", "module_type", to_string(m.kind),
                              "version", m.version, "maturity", m.maturity, "description",
                              m.description, "api", static_cast<int>(m.abi));
    json_object_set_new(attrs, "parameters",
                        m.specification ? spec_json(*m.specification) : json_array());
    json_object_set_new(attrs, "commands", module_commands_json(r, m));
    return make_resource(r, "modules", m.name, attrs);
}

// The core's own specifications, shown as modules as MaxScale does.
const std::vector<std::pair<std::string, const Specification*>>& core_modules()
{
    static const std::vector<std::pair<std::string, const Specification*>> mods = {
        {"maxscale", &global_spec()},  {"servers", &server_spec()},
        {"services", &service_spec()}, {"listeners", &listener_spec()},
        {"monitors", &monitor_spec()}, {"filters", &filter_spec()},
    };
    return mods;
}

json_t* core_module_json(const HttpRequest& r, const std::string& name, const Specification& s)
{
    json_t* attrs = json_pack(
        "{s:s, s:s, s:s, s:s, s:i, s:o, s:[]}", "module_type", "Core", "version", SQLGATE_VERSION,
        "maturity", "GA", "description", ("Core parameters of " + name).c_str(), "api",
        static_cast<int>(SQLGATE_ABI), "parameters", spec_json(s), "commands");
    return make_resource(r, "modules", name, attrs);
}

struct LogLine
{
    std::string timestamp, priority, message;
};

// The last @c max_bytes of the log file, split into entries.
std::vector<LogLine> read_log(const std::string& path, size_t max_bytes)
{
    std::vector<LogLine> out;
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in)
    {
        return out;
    }
    std::streamoff size = in.tellg();
    std::streamoff start = size > static_cast<std::streamoff>(max_bytes)
                               ? size - static_cast<std::streamoff>(max_bytes)
                               : 0;
    in.seekg(start);
    std::string line;
    if (start > 0)
    {
        std::getline(in, line);  // a partial line
    }
    while (std::getline(in, line))
    {
        // "2026-11-21 14:42:08.518   error   : message"
        if (line.size() < 36 || line[4] != '-' || line[10] != ' ')
        {
            if (!out.empty())
            {
                out.back().message += "\n" + line;
            }
            continue;
        }
        LogLine l;
        l.timestamp = line.substr(0, 23);
        size_t colon = line.find(" : ", 23);
        std::string level = line.substr(23, colon == std::string::npos ? 0 : colon - 23);
        level.erase(0, level.find_first_not_of(' '));
        level.erase(level.find_last_not_of(' ') + 1);
        l.priority = level;
        l.message = colon == std::string::npos ? line.substr(23) : line.substr(colon + 3);
        out.push_back(std::move(l));
    }
    return out;
}

HttpResponse log_data(const HttpRequest& r, const std::string& logdir)
{
    long size = 50, number = 0;
    if (r.has_q("page[size]"))
    {
        size = strtol(r.q("page[size]").c_str(), nullptr, 10);
    }
    if (r.has_q("page[number]"))
    {
        number = strtol(r.q("page[number]").c_str(), nullptr, 10);
    }
    if (size <= 0 || size > 10000 || number < 0)
    {
        return HttpResponse::error(400, "page[size] must be 1..10000 and page[number] >= 0");
    }
    std::vector<std::string> prios;
    if (r.has_q("priority"))
    {
        std::string p = r.q("priority");
        size_t start = 0;
        while (start <= p.size())
        {
            size_t end = std::min(p.find(',', start), p.size());
            prios.push_back(p.substr(start, end - start));
            start = end + 1;
        }
    }
    std::vector<LogLine> lines = read_log(logdir + "/sqlgate.log", 8 * 1024 * 1024);
    std::vector<const LogLine*> kept;
    for (const auto& l : lines)
    {
        if (prios.empty() || contains(prios, l.priority))
        {
            kept.push_back(&l);
        }
    }
    // Page 0 is the newest entries; entries inside a page are oldest first.
    size_t end = kept.size() > static_cast<size_t>(number * size) ? kept.size() - number * size : 0;
    size_t begin = end > static_cast<size_t>(size) ? end - size : 0;
    json_t* log = json_array();
    for (size_t i = begin; i < end; ++i)
    {
        json_array_append_new(
            log, json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)i, "timestamp",
                           kept[i]->timestamp.c_str(), "priority", kept[i]->priority.c_str(),
                           "message", kept[i]->message.c_str()));
    }
    json_t* attrs = json_pack("{s:o, s:s}", "log", log, "log_source", "sqlgate.log");
    json_t* doc = make_document(r, make_resource(r, "maxscale", "log_data", attrs));
    json_object_set_new(doc, "meta", json_pack("{s:I}", "total", (json_int_t)kept.size()));
    return HttpResponse(200, doc);
}

// PATCH /v1/maxscale: the runtime-modifiable global parameters (the log levels).
HttpResponse patch_globals(AdminContext& ctx, RestApi& api, const HttpRequest& r)
{
    HttpRequest g;
    g.method = "GET";
    g.parts = {"maxscale"};
    g.base_url = r.base_url;
    HttpResponse cur;
    api.handle(g, [&cur](HttpResponse resp) { cur = std::move(resp); });
    HttpResponse fail;
    JsonPtr want = changed_document(r, cur.body.get(), fail);
    if (!want)
    {
        return fail;
    }
    std::map<std::string, Value> changes;
    std::string error;
    if (!parameter_changes(cur.body.get(), want.get(), {&global_spec()}, changes, error))
    {
        return HttpResponse::error(400, error);
    }
    if (!ctx.registry->alter_global(changes, error))
    {
        return HttpResponse::error(500, error);
    }
    SG_NOTICE("Global parameters changed through the REST API by '%s'", r.user.c_str());
    return HttpResponse::no_content();
}

}  // namespace

void add_maxscale_routes(RestApi& api)
{
    AdminContext& ctx = api.ctx();
    api.add("GET", "",
            SyncHandler([](const HttpRequest&, const Params&) { return HttpResponse(200); }));
    api.add("GET", "maxscale",
            SyncHandler(
                [&ctx](const HttpRequest& r, const Params&)
                {
                    int64_t now = time(nullptr);
                    json_t* attrs =
                        json_pack("{s:s, s:s, s:s, s:s, s:I, s:o, s:s, s:s, s:I}", "version",
                                  SQLGATE_VERSION, "started_at", http_date(ctx.started_at).c_str(),
                                  "activated_at", http_date(ctx.started_at).c_str(), "config_file",
                                  ctx.registry->config_file().c_str(), "uptime",
                                  (json_int_t)(now - ctx.started_at), "parameters",
                                  params_json(ctx.registry->global()), "datadir",
                                  ctx.registry->datadir().c_str(), "logdir", ctx.logdir.c_str(),
                                  "pid", (json_int_t)getpid());
                    return HttpResponse(
                        200, make_document(r, make_resource(r, "maxscale", "maxscale", attrs)));
                }));
    auto threads = [&ctx](bool one)
    {
        return Handler(
            [&ctx, one](const HttpRequest& r, const Params& p, Reply reply)
            {
                std::string want = one ? p.at("id") : "";
                std::string base = r.base_url;
                auto req = std::make_shared<HttpRequest>();
                req->parts = r.parts;
                req->base_url = base;
                fan_out<ThreadInfo>(
                    *ctx.main,
                    [](Worker& worker)
                    {
                        RoutingWorker& w = RoutingWorker::of(worker);
                        return ThreadInfo{w.id(), w.session_count(), w.accepts.load()};
                    },
                    [req, reply, want, one](std::vector<ThreadInfo> all)
                    {
                        if (!one)
                        {
                            json_t* data = json_array();
                            for (const auto& t : all)
                            {
                                json_array_append_new(data, thread_json(*req, t));
                            }
                            reply(HttpResponse(200, make_document(*req, data)));
                            return;
                        }
                        for (const auto& t : all)
                        {
                            if (std::to_string(t.id) == want)
                            {
                                reply(HttpResponse(200, make_document(*req, thread_json(*req, t))));
                                return;
                            }
                        }
                        reply(not_found("thread", want));
                    });
            });
    };
    api.add("GET", "maxscale/threads", threads(false));
    api.add("GET", "maxscale/threads/:id", threads(true));

    api.add("GET", "maxscale/modules",
            SyncHandler(
                [&ctx](const HttpRequest& r, const Params&)
                {
                    if (truthy(r.q("load")) || r.q("load") == "all")
                    {
                        std::vector<std::string> errors;
                        ctx.modules->load_all(errors);
                    }
                    json_t* data = json_array();
                    for (const auto& [name, spec] : core_modules())
                    {
                        json_array_append_new(data, core_module_json(r, name, *spec));
                    }
                    for (const auto& [name, info] : ctx.modules->loaded())
                    {
                        json_array_append_new(data, module_json(r, *info));
                    }
                    return HttpResponse(200, make_document(r, data));
                }));
    api.add("GET", "maxscale/modules/:module",
            SyncHandler(
                [&ctx](const HttpRequest& r, const Params& p)
                {
                    const std::string& name = p.at("module");
                    for (const auto& [n, spec] : core_modules())
                    {
                        if (n == name)
                        {
                            return HttpResponse(200,
                                                make_document(r, core_module_json(r, n, *spec)));
                        }
                    }
                    auto it = ctx.modules->loaded().find(name);
                    if (it == ctx.modules->loaded().end())
                    {
                        std::vector<std::string> errors;
                        auto all = ctx.modules->load_all(errors);
                        if (!all.count(name))
                        {
                            return not_found("module", name);
                        }
                        return HttpResponse(200, make_document(r, module_json(r, *all.at(name))));
                    }
                    return HttpResponse(200, make_document(r, module_json(r, *it->second)));
                }));

    api.add(
        "GET", "maxscale/logs",
        SyncHandler(
            [&ctx](const HttpRequest& r, const Params&)
            {
                const ObjectConfig& g = ctx.registry->global();
                json_t* attrs = json_pack("{s:s, s:{s:b, s:b, s:b, s:b, s:b}}", "log_file",
                                          (ctx.logdir + "/sqlgate.log").c_str(), "log_priorities",
                                          "error", true, "warning", g.get_bool("log_warning"),
                                          "notice", g.get_bool("log_notice"), "info",
                                          g.get_bool("log_info"), "debug", g.get_bool("log_debug"));
                return HttpResponse(200, make_document(r, make_resource(r, "logs", "logs", attrs)));
            }));
    api.add("PATCH", "maxscale",
            SyncHandler([&ctx, &api](const HttpRequest& r, const Params&)
                        { return patch_globals(ctx, api, r); }));
    api.add("GET", "maxscale/logs/data",
            SyncHandler([&ctx](const HttpRequest& r, const Params&)
                        { return log_data(r, ctx.logdir); }));
    api.add("POST", "maxscale/logs/flush",
            SyncHandler(
                [](const HttpRequest&, const Params&)
                {
                    if (!log_reopen())
                    {
                        return HttpResponse::error(
                            500, std::string("Cannot reopen the log: ") + strerror(errno));
                    }
                    SG_NOTICE("Log file flushed and reopened through the REST API");
                    return HttpResponse::no_content();
                }));
}

}  // namespace sqlgate::admin
