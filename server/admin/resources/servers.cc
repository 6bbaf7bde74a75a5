/**
 * /v1/servers: list, get, relationships, set/clear state.
 *
 * Threads: main worker (handlers); closing connections for
 * `set?state=maintenance&force=yes` is posted to every routing worker.
 */
#include <strings.h>

#include <map>

#include "../document.hh"
#include "../rest_api.hh"
#include "common.hh"
#include "routing_worker.hh"
#include "runtime.hh"
#include "sqlgate/log.hh"

namespace sqlgate::admin
{

namespace
{

std::vector<std::string> monitors_of(const Objects& o, const std::string& server)
{
    std::string m = monitor_of(o, server);
    return m.empty() ? std::vector<std::string>{} : std::vector<std::string>{m};
}

// The attributes a monitor published for @c server, parsed once per monitor tick
// and shared (by reference) with the documents that show them. Main worker only;
// the shaping of documents never changes nested values in place.
const json_t* monitor_info(const Monitor& m, const std::string& server)
{
    struct Entry
    {
        const Monitor* monitor = nullptr;
        int64_t ticks = -1;
        JsonPtr info;
    };
    static std::map<std::string, Entry> cache;
    Entry& e = cache[server];
    int64_t ticks = m.ticks();
    if (e.monitor != &m || e.ticks != ticks || !e.info)
    {
        e.info.reset(json_loads(m.server_info(server).c_str(), 0, nullptr));
        e.monitor = &m;
        e.ticks = ticks;
    }
    return e.info.get();
}

json_t* server_json(const HttpRequest& r, const Objects& o, const Server& s)
{
    json_t* attrs = json_object();
    json_object_set_new(attrs, "name", json_string(s.name().c_str()));
    json_object_set_new(attrs, "state", json_string(s.status_string().c_str()));
    auto cfg = o.configs.find(s.name());
    if (cfg != o.configs.end())
    {
        json_object_set_new(attrs, "parameters", params_json(cfg->second));
        json_object_set_new(attrs, "source", source_json(cfg->second));
    }
    // What the server's monitor learned at its last tick (nothing when unmonitored).
    json_object_set_new(attrs, "gtid_current_pos", json_null());
    json_object_set_new(attrs, "gtid_binlog_pos", json_null());
    json_object_set_new(attrs, "server_id", json_null());
    json_object_set_new(attrs, "read_only", json_null());
    json_object_set_new(attrs, "replication_lag", json_integer(-1));
    json_object_set_new(attrs, "master_id", json_integer(-1));
    json_object_set_new(attrs, "slave_connections", json_array());
    if (std::string m = monitor_of(o, s.name()); !m.empty())
    {
        const json_t* info = monitor_info(*o.monitors.at(m), s.name());
        if (json_is_object(info))
        {
            json_object_update(attrs, const_cast<json_t*>(info));
        }
    }
    json_object_set_new(
        attrs, "statistics",
        json_pack("{s:I, s:I, s:I}", "connections",
                  static_cast<json_int_t>(s.stats().connections.load()), "total_connections",
                  static_cast<json_int_t>(s.stats().total_connections.load()), "failed_connections",
                  static_cast<json_int_t>(s.stats().failed_connections.load())));
    json_t* rels = json_object();
    json_object_set_new(
        rels, "services",
        make_relationship(r, "servers", s.name(), "services", services_using(o, s.name())));
    json_object_set_new(
        rels, "monitors",
        make_relationship(r, "servers", s.name(), "monitors", monitors_of(o, s.name())));
    return make_resource(r, "servers", s.name(), attrs, rels);
}

bool parse_state(const std::string& name, uint64_t& bit)
{
    static const std::pair<const char*, uint64_t> states[] = {
        {"running", status::RUNNING}, {"master", status::MASTER},     {"slave", status::SLAVE},
        {"synced", status::SYNCED},   {"maintenance", status::MAINT}, {"maint", status::MAINT},
        {"drain", status::DRAINING},
    };
    for (const auto& [n, b] : states)
    {
        if (strcasecmp(n, name.c_str()) == 0)
        {
            bit = b;
            return true;
        }
    }
    return false;
}

// Close every session that has a connection to @c server (on each worker).
void close_connections_to(const ServerPtr& server)
{
    for (RoutingWorker* w : RoutingWorker::all())
    {
        w->post(
            [w, server]()
            {
                std::vector<Session*> victims;
                w->for_each_session(
                    [&](Session& s)
                    {
                        for (const auto& b : s.backends())
                        {
                            if (b->server_ptr() == server)
                            {
                                victims.push_back(&s);
                                break;
                            }
                        }
                    });
                for (Session* s : victims)
                {
                    s->close("server " + server->name() + " was put into maintenance");
                }
            });
    }
}

HttpResponse change_state(const HttpRequest& r, const Params& p, bool set, const Objects& o)
{
    auto it = o.servers.find(p.at("server"));
    if (it == o.servers.end())
    {
        return not_found("server", p.at("server"));
    }
    const std::string& state = r.q("state");
    uint64_t bit = 0;
    if (state.empty())
    {
        return HttpResponse::error(400, "Missing the query parameter 'state'");
    }
    if (!parse_state(state, bit))
    {
        return HttpResponse::error(400, "Unknown server state '" + state +
                                            "'; expected running, master, slave, synced, "
                                            "maintenance or drain");
    }
    Server& s = *it->second;
    if (s.monitored() && !(bit & (status::MAINT | status::DRAINING)))
    {
        return HttpResponse::error(400, "Server " + s.name() +
                                            " is monitored so only maintenance and drain "
                                            "status can be altered manually");
    }
    if (set && s.monitored() && (s.status() & status::MASTER))
    {
        return HttpResponse::error(400, "Server " + s.name() +
                                            " is the primary, so it cannot be set in "
                                            "maintenance or draining mode: switch over first");
    }
    if (set)
    {
        s.set_status_bits(bit);
        if (bit == status::MAINT && truthy(r.q("force")))
        {
            close_connections_to(it->second);
        }
    }
    else
    {
        s.clear_status_bits(bit);
    }
    SG_NOTICE("Server %s: state %s '%s' through the REST API; now %s", s.name().c_str(),
              set ? "set" : "cleared", state.c_str(), s.status_string().c_str());
    return HttpResponse::no_content();
}

}  // namespace

json_t* server_resource(const HttpRequest& r, const Objects& o, const Server& s)
{
    return server_json(r, o, s);
}

void add_server_routes(RestApi& api)
{
    Objects& o = *api.ctx().objects;
    api.add("GET", "servers",
            SyncHandler(
                [&o](const HttpRequest& r, const Params&)
                {
                    json_t* data = json_array();
                    for (const auto& [name, s] : o.servers)
                    {
                        json_array_append_new(data, server_json(r, o, *s));
                    }
                    return HttpResponse(200, make_document(r, data));
                }));
    api.add("GET", "servers/:server",
            SyncHandler(
                [&o](const HttpRequest& r, const Params& p)
                {
                    auto it = o.servers.find(p.at("server"));
                    if (it == o.servers.end())
                    {
                        return not_found("server", p.at("server"));
                    }
                    return HttpResponse(200, make_document(r, server_json(r, o, *it->second)));
                }));
    for (const char* rel : {"services", "monitors"})
    {
        std::string type = rel;
        api.add("GET", "servers/:server/relationships/" + type,
                SyncHandler(
                    [&o, type](const HttpRequest& r, const Params& p)
                    {
                        auto it = o.servers.find(p.at("server"));
                        if (it == o.servers.end())
                        {
                            return not_found("server", p.at("server"));
                        }
                        json_t* doc = server_json(r, o, *it->second);
                        json_t* rel =
                            json_object_get(json_object_get(doc, "relationships"), type.c_str());
                        json_t* out = json_deep_copy(rel);
                        json_decref(doc);
                        return HttpResponse(200, out);
                    }));
    }
    api.add("PUT", "servers/:server/set",
            SyncHandler([&o](const HttpRequest& r, const Params& p)
                        { return change_state(r, p, true, o); }));
    api.add("PUT", "servers/:server/clear",
            SyncHandler([&o](const HttpRequest& r, const Params& p)
                        { return change_state(r, p, false, o); }));
}

}  // namespace sqlgate::admin
