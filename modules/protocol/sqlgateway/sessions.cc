// WorkerState: opening, running statements in, expiring and closing gateway
// sessions on one worker.
#define SQLGATE_MODULE_NAME "sqlgateway"
#include <cctype>

#include "gateway.hh"
#include "sqlgate/httpsql/statements.hh"
#include "sqlgate/httpsql/values.hh"
#include "sqlgate/log.hh"
#include "sqlgate/worker.hh"

namespace sqlgate::sqlgateway
{

using namespace sqlgate::httpsql;

namespace
{
constexpr uint64_t SWEEP_INTERVAL_MS = 1000;
constexpr size_t MAX_GONE = 10000;  ///< ended sessions remembered for clear 404s

/// Remembers the first error of a command nobody else watches.
class ErrorSink : public ResultSink
{
public:
    void on_columns(const std::vector<Column>&) override {}
    void on_row(const std::vector<Field>&) override {}
    void on_end(const EndInfo&) override {}
    void on_error(uint16_t c, std::string_view, std::string_view msg) override
    {
        if (message.empty())
        {
            code = c;
            message = std::string(msg);
        }
    }
    uint16_t code = 0;
    std::string message;
};

bool is_identifier(const std::string& s)
{
    if (s.empty() || !(isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_'))
    {
        return false;
    }
    for (char c : s)
    {
        if (!isalnum(static_cast<unsigned char>(c)) && c != '_')
        {
            return false;
        }
    }
    return true;
}

/// A property value as the server's variable wants it: numbers as numbers.
json_t* typed_value(const std::string& v)
{
    char* end = nullptr;
    if (!v.empty())
    {
        long long n = strtoll(v.c_str(), &end, 10);
        if (!*end)
        {
            return json_integer(n);
        }
        double d = strtod(v.c_str(), &end);
        if (!*end)
        {
            return json_real(d);
        }
    }
    return json_stringn(v.data(), v.size());
}

}  // namespace

WorkerState::WorkerState(Worker& worker, Gateway& gateway)
    : m_worker(worker), m_gateway(gateway), m_sweeper(worker, [this]() { sweep(); })
{
    m_sweeper.start(SWEEP_INTERVAL_MS, SWEEP_INTERVAL_MS);
    m_gateway.workers().at(worker.id()) = this;
}

WorkerState::~WorkerState()
{
    m_gateway.workers().at(m_worker.id()) = nullptr;
    m_http.reset();
    for (auto& [h, s] : m_sessions)
    {
        for (auto& [oh, op] : s->operations)
        {
            op->discard();
            op->client = nullptr;
        }
        s->client->on_closed = nullptr;
        s->client->close("the listener stopped");
        m_gateway.session_count().fetch_sub(1, std::memory_order_relaxed);
    }
    m_sessions.clear();
}

void WorkerState::open_session(const ExchangePtr& ex, const Login& login, json_t* body)
{
    std::map<std::string, std::string> props;
    json_t* p = json_object_get(body, "properties");
    if (p && !json_is_object(p) && !json_is_null(p))
    {
        ex->reply(400, error_body("'properties' must be an object of strings"));
        return;
    }
    const char* key;
    json_t* value;
    json_object_foreach(p, key, value)
    {
        std::string k = key;
        if (k != "default-database" && !is_identifier(k))
        {
            ex->reply(400, error_body("unknown property '" + k +
                                      "': the properties are MariaDB session variables and "
                                      "'default-database'"));
            return;
        }
        props[k] = json_text(value);
    }
    json_t* name = json_object_get(body, "sessionName");
    if (name && !json_is_string(name))
    {
        ex->reply(400, error_body("'sessionName' must be a string"));
        return;
    }
    int64_t max = m_gateway.settings().max_sessions;
    if (max > 0 && m_gateway.session_count().load(std::memory_order_relaxed) >= max)
    {
        ex->reply(503, error_body("too many sessions: the listener allows max_sessions=" +
                                  std::to_string(max) + "; close some or let them expire"));
        return;
    }
    std::string error;
    SqlClient* client = SqlClient::open(m_gateway, login, "", ex->remote, ex->port, error, false);
    if (!client)
    {
        ex->reply(503, error_body(error));
        return;
    }
    auto session = std::make_shared<GatewaySession>();
    session->handle = make_uuid(m_worker.id());
    session->name = name ? json_string_value(name) : "";
    session->user = login.user;
    session->client = client;
    session->properties = props;
    // Apply the properties in order; the session exists only if all apply.
    struct Pending
    {
        size_t left = 0;
        std::string error;
    };
    auto pending = std::make_shared<Pending>();
    pending->left = props.size();
    auto finish = [this, ex, session, pending]()
    {
        if (--pending->left > 0)
        {
            return;
        }
        if (!pending->error.empty())
        {
            session->client->close("its properties could not be applied");
            ex->reply(400, error_body(pending->error));
            return;
        }
        auto owned = std::make_unique<GatewaySession>(std::move(*session));
        std::string handle = owned->handle;
        owned->last_access_ms = m_worker.now_ms();
        if (auto db = owned->properties.find("default-database"); db != owned->properties.end())
        {
            owned->client->session().set_database(db->second);  // shown in /v1/sessions
        }
        owned->client->on_closed = [this, handle](const std::string& why)
        { close_session(handle, "was closed: " + why, true); };
        m_sessions[handle] = std::move(owned);
        m_gateway.session_count().fetch_add(1, std::memory_order_relaxed);
        ex->reply(200, "{\"sessionHandle\":\"" + handle + "\"}\n");
    };
    if (props.empty())
    {
        pending->left = 1;
        finish();
        return;
    }
    for (const auto& [k, v] : props)
    {
        SqlClient::Command cmd;
        auto sink = std::make_shared<ErrorSink>();
        if (k == "default-database")
        {
            std::string quoted = "`";
            for (char c : v)
            {
                quoted += c == '`' ? std::string("``") : std::string(1, c);
            }
            cmd.sql = "USE " + quoted + "`";
        }
        else
        {
            // The value is bound, never pasted; the name is a checked identifier.
            cmd.sql = "SET SESSION " + k + " = ?";
            cmd.params.push_back(typed_value(v));
            cmd.prepare = true;
        }
        cmd.sink = sink;
        std::string prop = k;
        cmd.done = [sink, pending, prop, finish](bool ok)
        {
            if (!ok && pending->error.empty())
            {
                pending->error = "property '" + prop + "': " + sink->message;
            }
            finish();
        };
        client->execute(std::move(cmd));
    }
}

void WorkerState::submit(GatewaySession& s, json_t* body, bool configure, const Answer& answer)
{
    json_t* stmt = json_object_get(body, "statement");
    if (!json_is_string(stmt) || json_string_length(stmt) == 0)
    {
        answer(400, error_body("the request must have a non-empty 'statement' string"));
        return;
    }
    json_t* timeout = json_object_get(body, "executionTimeout");
    if (timeout && !json_is_integer(timeout))
    {
        answer(400, error_body("'executionTimeout' must be a number of milliseconds"));
        return;
    }
    // executionConfig: "args" (a JSON array) and "$name" values are statement
    // parameters, bound as a prepared statement; Flink's own keys have no
    // meaning for MariaDB and are ignored.
    json_t* config = json_object_get(body, "executionConfig");
    json_t* args = nullptr;
    std::vector<std::pair<std::string, json_t*>> named;
    auto release = [&]()
    {
        json_decref(args);
        for (auto& [k, v] : named)
        {
            json_decref(v);
        }
    };
    const char* key;
    json_t* value;
    json_object_foreach(config, key, value)
    {
        std::string k = key;
        if (k != "args" && (k.size() < 2 || k[0] != '$'))
        {
            continue;
        }
        json_t* parsed = json_incref(value);
        if (json_is_string(value))
        {
            json_error_t jerr;
            json_t* v = json_loads(json_string_value(value), JSON_DECODE_ANY, &jerr);
            if (v)
            {
                json_decref(parsed);
                parsed = v;
            }
        }
        if (k == "args")
        {
            if (!json_is_array(parsed))
            {
                json_decref(parsed);
                release();
                answer(400, error_body("executionConfig 'args' must be a JSON array"));
                return;
            }
            json_decref(args);
            args = parsed;
        }
        else
        {
            named.emplace_back(k, parsed);
        }
    }
    SqlClient::Command cmd;
    std::string error;
    if (args || !named.empty())
    {
        if (!bind_parameters(json_string_value(stmt), args, named, cmd.sql, cmd.params, error))
        {
            release();
            answer(400, error_body(error));
            return;
        }
        cmd.prepare = true;
    }
    else
    {
        cmd.sql = json_string_value(stmt);
    }
    release();
    auto op = std::make_shared<Operation>(make_uuid(m_worker.id()), m_gateway.settings().page_size);
    op->client = s.client;
    cmd.sink = op;
    cmd.still_wanted = [op]()
    {
        if (op->status != "PENDING")
        {
            return false;
        }
        op->status = "RUNNING";
        return true;
    };
    if (configure)
    {
        op->discard();  // nobody fetches its rows: never buffer or pause for them
        cmd.done = [op, answer](bool ok)
        {
            op->finished(ok);
            if (op->status == "FINISHED")
            {
                answer(200, "{}\n");
            }
            else
            {
                answer(op->error_code == 1064 ? 400 : 500,
                       error_body("configure_session failed: MariaDB error " +
                                  std::to_string(op->error_code) + ": " + op->error));
            }
        };
    }
    else
    {
        cmd.done = [op](bool ok) { op->finished(ok); };
        s.operations[op->handle] = op;
    }
    if (timeout && json_integer_value(timeout) > 0)
    {
        std::weak_ptr<Operation> weak = op;
        op->timer = std::make_unique<Timer>(m_worker,
                                            [weak]()
                                            {
                                                auto o = weak.lock();
                                                if (o && o->running())
                                                {
                                                    bool started = o->status == "RUNNING";
                                                    o->status = "TIMEOUT";
                                                    SqlClient* c = o->client;
                                                    o->discard();
                                                    if (c && started)
                                                    {
                                                        c->cancel([] {});
                                                    }
                                                }
                                            });
        op->timer->start(static_cast<uint64_t>(json_integer_value(timeout)));
    }
    s.client->execute(std::move(cmd));
    if (!configure)
    {
        answer(200, "{\"operationHandle\":\"" + op->handle + "\"}\n");
    }
}

void WorkerState::close_session(const std::string& handle, const std::string& why, bool client_gone)
{
    auto it = m_sessions.find(handle);
    if (it == m_sessions.end())
    {
        return;
    }
    std::unique_ptr<GatewaySession> s = std::move(it->second);
    m_sessions.erase(it);
    m_gateway.session_count().fetch_sub(1, std::memory_order_relaxed);
    for (auto& [oh, op] : s->operations)
    {
        if (op->running())
        {
            op->status = "CLOSED";
        }
        op->discard();
        op->client = nullptr;
    }
    if (!client_gone)
    {
        s->client->on_closed = nullptr;
        s->client->kill_and_close("the gateway session " + why);
    }
    m_gone[handle] = why;
    m_gone_order.push_back(handle);
    while (m_gone_order.size() > MAX_GONE)
    {
        m_gone.erase(m_gone_order.front());
        m_gone_order.pop_front();
    }
}

void WorkerState::sweep()
{
    int64_t idle = m_gateway.settings().idle_timeout_ms;
    if (idle <= 0)
    {
        return;
    }
    uint64_t now = m_worker.now_ms();
    std::vector<std::string> expired;
    for (const auto& [h, s] : m_sessions)
    {
        if (now - s->last_access_ms >= static_cast<uint64_t>(idle))
        {
            expired.push_back(h);
        }
    }
    for (const std::string& h : expired)
    {
        SG_INFO("Gateway session %s expired after %ld ms idle", h.c_str(), (long)idle);
        close_session(h,
                      "expired: it was idle for longer than session_idle_timeout (" +
                          std::to_string(idle / 1000) + " s)",
                      false);
    }
}

}  // namespace sqlgate::sqlgateway
