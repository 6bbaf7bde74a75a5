// WorkerState: the routes of the queryservice listener on one worker, its
// idle sessions, running requests and stored results.
#define SQLGATE_MODULE_NAME "queryservice"
#include <cstring>

#include "request.hh"
#include "sqlgate/httpsql/values.hh"
#include "sqlgate/log.hh"
#include "sqlgate/worker.hh"

namespace sqlgate::queryservice
{

using namespace sqlgate::httpsql;

namespace
{
constexpr uint64_t SWEEP_INTERVAL_MS = 1000;
constexpr size_t RESULT_CHUNK = 64 * 1024;

void reply_error(const ExchangePtr& ex, int status, const std::string& msg, int code = 1)
{
    ex->reply(status, error_body("fatal", code, msg));
}

/// MariaDB's "Access denied", as /query/service reports failed logins.
constexpr int ER_ACCESS_DENIED = 1045;

}  // namespace

void with_login(QueryService& service, const ExchangePtr& ex, std::function<void(const Login&)> fn)
{
    std::string user, password;
    if (!basic_credentials(ex->header("authorization"), user, password))
    {
        ex->add_header("WWW-Authenticate", "Basic realm=\"sqlgate\"");
        reply_error(ex, 401,
                    "authentication required: send the database user and password with HTTP "
                    "Basic",
                    ER_ACCESS_DENIED);
        return;
    }
    authenticate(service, user, password, ex->remote,
                 [ex, fn = std::move(fn)](const Login& login)
                 {
                     if (!login.ok)
                     {
                         if (login.http_status == 401)
                         {
                             ex->add_header("WWW-Authenticate", "Basic realm=\"sqlgate\"");
                         }
                         reply_error(ex, login.http_status, login.message, ER_ACCESS_DENIED);
                         return;
                     }
                     fn(login);
                 });
}

namespace
{
/// Stream a stored result to the client chunk by chunk as it takes them.
void send_result(const ExchangePtr& ex, std::shared_ptr<StoredHandle> handle)
{
    ex->begin(200, "application/json");
    auto offset = std::make_shared<int64_t>(0);
    std::weak_ptr<Exchange> weak = ex;
    auto pump = [weak, handle, offset]()
    {
        auto e = weak.lock();
        if (!e)
        {
            return;
        }
        std::string chunk = handle->result->read(*offset, RESULT_CHUNK);
        *offset += static_cast<int64_t>(chunk.size());
        if (chunk.empty())
        {
            e->on_drain = nullptr;
            e->finish();
            return;
        }
        e->write(chunk);
    };
    ex->on_drain = pump;
    pump();
}
}  // namespace

WorkerState::WorkerState(Worker& worker, QueryService& service)
    : m_worker(worker), m_service(service), m_sweeper(worker, [this]() { sweep(); })
{
    m_sweeper.start(SWEEP_INTERVAL_MS, SWEEP_INTERVAL_MS);
    m_service.workers().at(worker.id()) = this;
}

WorkerState::~WorkerState()
{
    m_service.workers().at(m_worker.id()) = nullptr;
    m_http.reset();  // the exchanges end first
    auto running = std::move(m_running);
    for (auto& [id, r] : running)
    {
        r->abandon();
    }
    for (auto& [key, list] : m_pool)
    {
        for (Idle& i : list)
        {
            i.client->on_closed = nullptr;
            i.client->close("the listener stopped");
        }
    }
    m_pool.clear();
    m_handles.clear();
}

SqlClient* WorkerState::take_idle(const std::string& key)
{
    auto it = m_pool.find(key);
    if (it == m_pool.end() || it->second.empty())
    {
        return nullptr;
    }
    SqlClient* c = it->second.back().client;
    it->second.pop_back();
    if (c->closed() || c->session().state() != SessionState::STARTED)
    {
        // Closed (e.g. through the REST API) and not yet freed: not usable.
        c->on_closed = nullptr;
        return take_idle(key);
    }
    c->on_closed = nullptr;
    c->reset();
    return c;
}

void WorkerState::give_back(const std::string& key, SqlClient* client)
{
    auto& list = m_pool[key];
    if (list.size() >= m_service.settings().pool_size || client->busy())
    {
        client->close("not needed any more");
        return;
    }
    list.push_back({client, m_worker.now_ms()});
    client->on_closed = [this, key, client](const std::string&)
    {
        auto& l = m_pool[key];
        std::erase_if(l, [client](const Idle& i) { return i.client == client; });
    };
}

void WorkerState::sweep()
{
    uint64_t now = m_worker.now_ms();
    std::erase_if(m_handles, [now](const auto& kv) { return kv.second->expires_at_ms <= now; });
    int64_t idle_ms = m_service.settings().pool_idle_ms;
    for (auto& [key, list] : m_pool)
    {
        std::vector<SqlClient*> expired;
        for (const Idle& i : list)
        {
            if (now - i.since_ms >= static_cast<uint64_t>(idle_ms))
            {
                expired.push_back(i.client);
            }
        }
        for (SqlClient* c : expired)
        {
            c->close("idle in the connection pool for longer than connection_pool_idle_timeout");
        }
    }
}

void WorkerState::handle(const ExchangePtr& ex)
{
    const std::string& p = ex->path;
    auto starts = [&p](const char* prefix) { return p.rfind(prefix, 0) == 0; };
    if (p == "/query/service" || p == "/query/service/")
    {
        if (ex->method != "POST" && ex->method != "GET")
        {
            ex->add_header("Allow", "GET, POST");
            reply_error(ex, 405, ex->method + " is not allowed on /query/service");
            return;
        }
        auto r = std::make_shared<QueryRequest>(*this, ex);
        r->start();
        return;
    }
    if (starts("/query/service/status/") || starts("/query/service/result/"))
    {
        bool result = starts("/query/service/result/");
        std::string id = p.substr(strlen("/query/service/status/"));
        if (ex->method != "GET" && !(result && ex->method == "DELETE"))
        {
            ex->add_header("Allow", result ? "GET, DELETE" : "GET");
            reply_error(ex, 405, ex->method + " is not allowed on " + p);
            return;
        }
        with_login(m_service, ex,
                   [this, ex, id, result](const Login& login)
                   {
                       (void)login;
                       handle_status(ex, id, result);
                   });
        return;
    }
    if (p == "/admin/requests/running" || p == "/admin/requests/running/")
    {
        if (ex->method != "GET" && ex->method != "DELETE")
        {
            ex->add_header("Allow", "GET, DELETE");
            reply_error(ex, 405, ex->method + " is not allowed on " + p);
            return;
        }
        handle_running(ex);
        return;
    }
    reply_error(ex, 404,
                "no such resource: " + p +
                    " (this listener serves /query/service, /query/service/status/<handle>, "
                    "/query/service/result/<handle> and /admin/requests/running)");
}

void WorkerState::handle_status(const ExchangePtr& ex, const std::string& id, bool result)
{
    // Handles are "<n>-<worker>": the worker that ran the request keeps it.
    const char* digits = "0123456789";
    size_t dash = id.find('-');
    bool well_formed = dash != std::string::npos && dash > 0 && dash + 1 < id.size() &&
                       id.find_first_not_of(digits) == dash &&
                       id.find_first_not_of(digits, dash + 1) == std::string::npos;
    long worker = well_formed ? strtol(id.c_str() + dash + 1, nullptr, 10) : -1;
    if (worker < 0)
    {
        reply_error(ex, 400, "'" + id + "' is not a result handle");
        return;
    }
    std::string who;
    {
        std::string pw;
        basic_credentials(ex->header("authorization"), who, pw);
    }
    Worker* origin = &m_worker;
    std::string method = ex->method;
    std::string base = ex->base_url();
    auto lookup = [ex, id, result, who, origin, method, base](WorkerState* ws)
    {
        std::shared_ptr<StoredHandle> h;
        int code = 404;
        std::string body;
        if (ws)
        {
            auto it = ws->handles().find(id);
            if (it != ws->handles().end() && it->second->user == who &&
                it->second->expires_at_ms > ws->worker().now_ms())
            {
                h = it->second;
            }
        }
        if (h && !result)
        {
            code = 200;
            body = "{\"status\": \"" + h->status + "\"";
            if (h->status == "success")
            {
                body += ", \"handle\": ";
                append_json_string(body, base + "/query/service/result/" + id);
            }
            if (!h->errors.empty())
            {
                body += ", \"errors\": [" + h->errors + "]";
            }
            body += "}\n";
            h.reset();
        }
        else if (h && method == "DELETE")
        {
            ws->handles().erase(id);
            code = 202;
            h.reset();
        }
        else if (h && h->status == "success" && h->reads_left > 0)
        {
            if (--h->reads_left == 0)
            {
                ws->handles().erase(id);
            }
            code = 200;
        }
        else
        {
            h.reset();
        }
        origin->post(
            [ex, h, code, body, id]()
            {
                if (h)
                {
                    send_result(ex, h);
                }
                else if (code == 404)
                {
                    reply_error(ex, 404,
                                "no result for handle " + id +
                                    ": unknown, expired, not ready, failed or already read");
                }
                else
                {
                    ex->reply(code, body);
                }
            });
    };
    // The worker named in the handle looks it up; no such worker, no such handle.
    if (!m_service.workers().run_on(static_cast<int>(worker),
                                    [lookup](WorkerState*& ws) { lookup(ws); }))
    {
        lookup(nullptr);
    }
}

}  // namespace sqlgate::queryservice
