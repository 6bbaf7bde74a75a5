/**
 * /v1/sessions: every session of every routing worker (fan-out/fan-in), one
 * session, its backend connections with their statistics, and DELETE.
 *
 * Threads: handlers on the main worker; the data is collected on each
 * routing worker (plain structs, no JSON there) and turned into documents on
 * the main worker.
 */
#include "../document.hh"
#include "../rest_api.hh"
#include "common.hh"
#include "routing_worker.hh"
#include "sqlgate/worker.hh"

namespace sqlgate::admin
{

namespace
{

struct ConnInfo
{
    std::string server;
    std::string state;
    std::string role;
    uint64_t backend_id = 0;
    StreamStats stats;
};

struct SessionInfo
{
    uint64_t id = 0;
    std::string state, user, remote, service, listener, database, protocol;
    int port = 0;
    int64_t connected_at = 0;
    uint64_t idle_ms = 0;
    int thread = 0;
    StreamStats client;
    std::vector<ConnInfo> conns;
};

SessionInfo collect_one(RoutingWorker& w, Session& s)
{
    SessionInfo i;
    i.id = s.id();
    i.state = to_string(s.state());
    i.user = s.user();
    i.remote = s.remote();
    i.port = s.port();
    i.service = s.service().name;
    i.listener = s.listener();
    i.database = s.database();
    i.connected_at = s.connected_at();
    uint64_t now = w.now_ms();
    i.idle_ms = now > s.last_activity_ms() ? now - s.last_activity_ms() : 0;
    i.thread = w.id();
    i.protocol = s.client() ? s.client()->protocol_name() : "";
    if (Stream* cs = s.client_stream())
    {
        i.client = cs->stats();
    }
    for (const auto& b : s.backends())
    {
        ConnInfo c;
        c.server = b->server().name();
        c.state = to_string(b->state());
        c.role = b->role();
        c.backend_id = b->backend_id();
        c.stats = *b->stats();
        i.conns.push_back(std::move(c));
    }
    return i;
}

json_t* stats_json(const StreamStats& s)
{
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "reads", (json_int_t)s.reads, "writes",
                     (json_int_t)s.writes, "buffered_writes", (json_int_t)s.buffered_writes,
                     "high_water_events", (json_int_t)s.high_water_events, "low_water_events",
                     (json_int_t)s.low_water_events, "bytes_read", (json_int_t)s.bytes_read,
                     "bytes_written", (json_int_t)s.bytes_written);
}

std::string seed_date(int64_t t)
{
    time_t tt = static_cast<time_t>(t);
    tm tm;
    localtime_r(&tt, &tm);
    char buf[64];
    strftime(buf, sizeof(buf), "%a %b %d %H:%M:%S %Y", &tm);
    return buf;
}

json_t* connection_json(const HttpRequest& r, const SessionInfo& s, size_t n)
{
    const ConnInfo& c = s.conns[n];
    json_t* attrs = json_pack("{s:s, s:s, s:s+, s:s+, s:I, s:o}", "state", c.state.c_str(), "role",
                              c.role.c_str(), "server", "/servers/", c.server.c_str(), "service",
                              "/services/", s.service.c_str(), "connection_id",
                              (json_int_t)c.backend_id, "statistics", stats_json(c.stats));
    json_t* rels = json_object();
    json_object_set_new(
        rels, "servers",
        make_relationship(r, "connections", std::to_string(s.id) + "-" + std::to_string(n + 1),
                          "servers", {c.server}));
    return make_resource(r, "connections", std::to_string(s.id) + "-" + std::to_string(n + 1),
                         attrs, rels);
}

json_t* session_json(const HttpRequest& r, const SessionInfo& s)
{
    json_t* attrs = json_object();
    // The seed's fields.
    json_object_set_new(attrs, "id", json_integer(static_cast<json_int_t>(s.id)));
    json_object_set_new(attrs, "state", json_string(s.state.c_str()));
    json_object_set_new(attrs, "user", json_string(s.user.c_str()));
    json_object_set_new(attrs, "address", json_string(s.remote.c_str()));
    json_object_set_new(attrs, "service", json_string(("/services/" + s.service).c_str()));
    json_object_set_new(attrs, "connected", json_string(seed_date(s.connected_at).c_str()));
    json_object_set_new(attrs, "idle", json_integer(static_cast<json_int_t>(s.idle_ms / 1000)));
    // MaxScale's.
    json_object_set_new(attrs, "remote", json_string(s.remote.c_str()));
    json_object_set_new(attrs, "port", json_integer(s.port));
    json_object_set_new(attrs, "database", json_string(s.database.c_str()));
    json_object_set_new(attrs, "listener", json_string(s.listener.c_str()));
    json_object_set_new(attrs, "protocol", json_string(s.protocol.c_str()));
    json_object_set_new(attrs, "seconds_alive",
                        json_integer(std::max<int64_t>(0, time(nullptr) - s.connected_at)));
    json_object_set_new(attrs, "thread", json_integer(s.thread));
    json_object_set_new(attrs, "client", json_pack("{s:o}", "statistics", stats_json(s.client)));
    json_t* conns = json_array();
    std::vector<std::string> servers;
    for (const auto& c : s.conns)
    {
        json_array_append_new(conns, json_pack("{s:s, s:I, s:s, s:s}", "server", c.server.c_str(),
                                               "connection_id", (json_int_t)c.backend_id, "state",
                                               c.state.c_str(), "role", c.role.c_str()));
        servers.push_back(c.server);
    }
    json_object_set_new(attrs, "connections", conns);
    json_t* rels = json_object();
    std::string id = std::to_string(s.id);
    json_object_set_new(rels, "services",
                        make_relationship(r, "sessions", id, "services", {s.service}));
    json_object_set_new(rels, "servers", make_relationship(r, "sessions", id, "servers", servers));
    return make_resource(r, "sessions", id, attrs, rels);
}

// A copy of what the documents need, for replies built after the handler returned.
std::shared_ptr<HttpRequest> light_copy(const HttpRequest& r)
{
    auto c = std::make_shared<HttpRequest>();
    c->method = r.method;
    c->path = r.path;
    c->parts = r.parts;
    c->query = r.query;
    c->base_url = r.base_url;
    return c;
}

bool parse_id(const std::string& s, uint64_t& id)
{
    if (s.empty() || s.size() > 19 || s.find_first_not_of("0123456789") != std::string::npos)
    {
        return false;
    }
    id = std::stoull(s);
    return id > 0;
}

// Run @c fn on the worker that owns session @c id (the id names it: one message) with
// the session or nullptr; its result comes back to @c done on the calling (main) worker.
template <class T>
void on_owner(uint64_t id, std::function<T(Session*)> fn, std::function<void(T)> done)
{
    Worker* origin = Worker::current();
    Session::run_on_owner(id,
                          [origin, fn = std::move(fn), done = std::move(done)](Session* s)
                          {
                              auto result = std::make_shared<T>(fn(s));
                              origin->post([done, result]() { done(std::move(*result)); });
                          });
}

// Collect the sessions (all, or the one with @c id) and call @c done on the main worker.
void gather(uint64_t id, std::function<void(std::vector<SessionInfo>)> done)
{
    if (id)
    {
        on_owner<std::vector<SessionInfo>>(
            id,
            [](Session* s)
            {
                return s ? std::vector<SessionInfo>{collect_one(RoutingWorker::of(s->worker()), *s)}
                         : std::vector<SessionInfo>{};
            },
            std::move(done));
        return;
    }
    fan_out<std::vector<SessionInfo>>(
        [](Worker& worker)
        {
            RoutingWorker& w = RoutingWorker::of(worker);
            std::vector<SessionInfo> out;
            out.reserve(w.session_count());
            w.for_each_session([&](Session& s) { out.push_back(collect_one(w, s)); });
            return out;
        },
        [done](std::vector<std::vector<SessionInfo>> per_worker)
        {
            std::vector<SessionInfo> all;
            for (auto& v : per_worker)
            {
                for (auto& s : v)
                {
                    all.push_back(std::move(s));
                }
            }
            std::sort(all.begin(), all.end(),
                      [](const SessionInfo& a, const SessionInfo& b) { return a.id < b.id; });
            done(std::move(all));
        });
}

}  // namespace

void add_session_routes(RestApi& api)
{
    api.add("GET", "sessions",
            Handler(
                [](const HttpRequest& r, const Params&, Reply reply)
                {
                    auto req = light_copy(r);
                    gather(0,
                           [req, reply](std::vector<SessionInfo> all)
                           {
                               json_t* data = json_array();
                               for (const auto& s : all)
                               {
                                   json_array_append_new(data, session_json(*req, s));
                               }
                               reply(HttpResponse(200, make_document(*req, data)));
                           });
                }));
    auto one = [](bool connections)
    {
        return Handler(
            [connections](const HttpRequest& r, const Params& p, Reply reply)
            {
                uint64_t id = 0;
                if (!parse_id(p.at("id"), id))
                {
                    reply(HttpResponse::error(404, "'" + p.at("id") + "' is not a session id"));
                    return;
                }
                auto req = light_copy(r);
                gather(id,
                       [req, reply, id, connections](std::vector<SessionInfo> found)
                       {
                           if (found.empty())
                           {
                               reply(HttpResponse::error(404, "No session " + std::to_string(id)));
                               return;
                           }
                           json_t* data;
                           if (connections)
                           {
                               data = json_array();
                               for (size_t n = 0; n < found[0].conns.size(); ++n)
                               {
                                   json_array_append_new(data, connection_json(*req, found[0], n));
                               }
                           }
                           else
                           {
                               data = session_json(*req, found[0]);
                           }
                           reply(HttpResponse(200, make_document(*req, data)));
                       });
            });
    };
    api.add("GET", "sessions/:id", one(false));
    api.add("GET", "sessions/:id/connections", one(true));
    api.add("DELETE", "sessions/:id",
            Handler(
                [](const HttpRequest&, const Params& p, Reply reply)
                {
                    uint64_t id = 0;
                    if (!parse_id(p.at("id"), id))
                    {
                        reply(HttpResponse::error(404, "'" + p.at("id") + "' is not a session id"));
                        return;
                    }
                    on_owner<bool>(
                        id,
                        [](Session* s)
                        {
                            if (s && s->state() != SessionState::STOPPING)
                            {
                                s->close("closed through the REST API");
                                return true;
                            }
                            return false;
                        },
                        [reply, id](bool closed)
                        {
                            reply(closed ? HttpResponse::no_content()
                                         : HttpResponse::error(404,
                                                               "No session " + std::to_string(id)));
                        });
                }));
}

}  // namespace sqlgate::admin
