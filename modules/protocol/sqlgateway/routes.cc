// WorkerState: the sqlgateway routes on one worker. Session routes run on the
// worker that owns the session (its handle says which) and answer back.
#define SQLGATE_MODULE_NAME "sqlgateway"
#include <strings.h>

#include "gateway.hh"
#include "sqlgate/httpsql/values.hh"
#include "sqlgate/log.hh"
#include "sqlgate/worker.hh"

namespace sqlgate::sqlgateway
{

using namespace sqlgate::httpsql;

enum class Kind
{
    SESSION,
    HEARTBEAT,
    CONFIGURE,
    STATEMENTS,
    STATUS,
    CANCEL,
    CLOSE,
    RESULT,
};

struct WorkerState::Route
{
    int version = 2;
    Kind kind = Kind::SESSION;
    std::string method;
    std::string session;
    std::string operation;
    std::string token;
    bool plain_text = false;
};

namespace
{
constexpr int DEFAULT_VERSION = 2;
constexpr int MAX_VERSION = 3;

std::vector<std::string> segments(const std::string& path)
{
    std::vector<std::string> out;
    size_t i = 0;
    while (i < path.size())
    {
        size_t j = path.find('/', i);
        j = j == std::string::npos ? path.size() : j;
        if (j > i)
        {
            out.push_back(path.substr(i, j - i));
        }
        i = j + 1;
    }
    return out;
}

std::string method_error(const ExchangePtr& ex, const char* allow)
{
    ex->add_header("Allow", allow);
    return error_body(ex->method + " is not allowed on " + ex->path + " (allowed: " + allow + ")");
}
}  // namespace

std::string error_body(const std::string& message)
{
    std::string out = "{\"errors\":[";
    append_json_string(out, message);
    return out + "]}\n";
}

void WorkerState::handle(const ExchangePtr& ex)
{
    std::vector<std::string> seg = segments(ex->path);
    Route route;
    route.method = ex->method;
    route.version = DEFAULT_VERSION;
    if (!seg.empty() && seg[0].size() > 1 && (seg[0][0] == 'v' || seg[0][0] == 'V') &&
        seg[0].find_first_not_of("0123456789", 1) == std::string::npos)
    {
        route.version = atoi(seg[0].c_str() + 1);
        seg.erase(seg.begin());
        if (route.version < 1 || route.version > MAX_VERSION)
        {
            ex->reply(404, error_body("REST API version v" + std::to_string(route.version) +
                                      " is not supported; GET /api_versions lists the versions"));
            return;
        }
    }
    const std::string& m = ex->method;
    if (seg.size() == 1 && (seg[0] == "api_versions" || seg[0] == "info"))
    {
        if (m != "GET")
        {
            ex->reply(405, method_error(ex, "GET"));
            return;
        }
        ex->reply(200, seg[0] == "info" ? "{\"productName\":\"sqlgate\",\"version\":\"" +
                                              std::string(SQLGATE_VERSION) + "\"}\n"
                                        : "{\"versions\":[\"V1\",\"V2\",\"V3\"]}\n");
        return;
    }
    if (seg.empty() || seg[0] != "sessions")
    {
        ex->reply(404, error_body("no such resource: " + ex->path));
        return;
    }
    // Everything else is about sessions: the caller must be a database user.
    json_t* body = nullptr;
    if (m == "POST" && !ex->body.empty())
    {
        json_error_t jerr;
        body = json_loadb(ex->body.data(), ex->body.size(), 0, &jerr);
        if (!body || !json_is_object(body))
        {
            ex->reply(400, error_body(body ? std::string("the request body must be a JSON object")
                                           : "invalid JSON in the request body at line " +
                                                 std::to_string(jerr.line) + " column " +
                                                 std::to_string(jerr.column) + ": " + jerr.text));
            json_decref(body);
            return;
        }
    }
    std::shared_ptr<json_t> owned(body ? body : json_object(), json_decref);
    bool ok = true;
    if (seg.size() == 1)
    {
        ok = m == "POST";
        if (!ok)
        {
            ex->reply(405, method_error(ex, "POST"));
            return;
        }
    }
    else
    {
        route.session = seg[1];
        size_t n = seg.size();
        if (n == 2)
        {
            route.kind = Kind::SESSION;
            ok = m == "GET" || m == "DELETE";
        }
        else if (n == 3 && seg[2] == "heartbeat")
        {
            route.kind = Kind::HEARTBEAT;
            ok = m == "POST";
        }
        else if (n == 3 && (seg[2] == "configure-session" || seg[2] == "configure_session"))
        {
            route.kind = Kind::CONFIGURE;
            ok = m == "POST";
        }
        else if (n == 3 && seg[2] == "statements")
        {
            route.kind = Kind::STATEMENTS;
            ok = m == "POST";
        }
        else if (n >= 5 && seg[2] == "operations")
        {
            route.operation = seg[3];
            const std::string& what = seg[4];
            if (n == 5 && what == "status")
            {
                route.kind = Kind::STATUS;
                ok = m == "GET";
            }
            else if (n == 5 && what == "cancel")
            {
                route.kind = Kind::CANCEL;
                ok = m == "POST";
            }
            else if (n == 5 && what == "close")
            {
                route.kind = Kind::CLOSE;
                ok = m == "DELETE";
            }
            else if (n == 6 && what == "result")
            {
                route.kind = Kind::RESULT;
                route.token = seg[5];
                ok = m == "GET";
                if (const std::string* f = ex->param("rowFormat"))
                {
                    if (strcasecmp(f->c_str(), "PLAIN_TEXT") == 0)
                    {
                        route.plain_text = true;
                    }
                    else if (strcasecmp(f->c_str(), "JSON") != 0)
                    {
                        ex->reply(400, error_body("rowFormat must be JSON or PLAIN_TEXT, not '" +
                                                  *f + "'"));
                        return;
                    }
                }
            }
            else
            {
                ex->reply(404, error_body("no such resource: " + ex->path));
                return;
            }
        }
        else
        {
            ex->reply(404, error_body("no such resource: " + ex->path));
            return;
        }
        if (!ok)
        {
            ex->reply(405, error_body(ex->method + " is not allowed on " + ex->path));
            return;
        }
    }
    std::string user, password;
    if (!basic_credentials(ex->header("authorization"), user, password))
    {
        ex->add_header("WWW-Authenticate", "Basic realm=\"sqlgate\"");
        ex->reply(401, error_body("authentication required: send the database user and "
                                  "password with HTTP Basic"));
        return;
    }
    authenticate(m_gateway, user, password, ex->remote,
                 [this, ex, route, owned](const Login& login)
                 {
                     if (!login.ok)
                     {
                         if (login.http_status == 401)
                         {
                             ex->add_header("WWW-Authenticate", "Basic realm=\"sqlgate\"");
                         }
                         ex->reply(login.http_status, error_body(login.message));
                         return;
                     }
                     if (route.session.empty())
                     {
                         open_session(ex, login, owned.get());
                     }
                     else
                     {
                         session_call(ex, login.user, route, owned.get());
                     }
                 });
}

void WorkerState::session_call(const ExchangePtr& ex, const std::string& user, const Route& route,
                               json_t* body)
{
    Worker* origin = &m_worker;
    Answer answer = [origin, ex](int status, std::string text)
    { origin->post([ex, status, text = std::move(text)]() { ex->reply(status, text); }); };
    int owner = uuid_worker(route.session);
    if (owner < 0)
    {
        ex->reply(404, error_body("Session '" + route.session + "' does not exist."));
        return;
    }
    // Cross-worker: the body goes with the message (its only user from now on).
    json_t* moved = json_incref(body);
    auto call = [route, user, moved, answer](WorkerState* ws)
    {
        std::shared_ptr<json_t> b(moved, json_decref);
        if (!ws)
        {
            answer(404, error_body("Session '" + route.session + "' does not exist."));
            return;
        }
        auto it = ws->m_sessions.find(route.session);
        if (it == ws->m_sessions.end() || it->second->user != user)
        {
            answer(404, error_body(ws->missing(route.session)));
            return;
        }
        it->second->last_access_ms = ws->m_worker.now_ms();
        ws->run_in_session(*it->second, route, b.get(), answer);
    };
    if (!m_gateway.workers().run_on(owner, [call](WorkerState*& ws) { call(ws); }))
    {
        call(nullptr);  // no such worker: no such session
    }
}

std::string WorkerState::missing(const std::string& handle) const
{
    auto it = m_gone.find(handle);
    return it == m_gone.end() ? "Session '" + handle + "' does not exist."
                              : "Session '" + handle + "' " + it->second;
}

void WorkerState::run_in_session(GatewaySession& s, const Route& route, json_t* body,
                                 const Answer& answer)
{
    switch (route.kind)
    {
        case Kind::SESSION:
            if (route.method == "DELETE")
            {
                close_session(s.handle, "was closed by its client");
                answer(200, "{\"status\":\"CLOSED\"}\n");
            }
            else
            {
                std::string out = "{\"properties\":{";
                bool first = true;
                for (const auto& [k, v] : s.properties)
                {
                    out += first ? "" : ",";
                    first = false;
                    append_json_string(out, k);
                    out += ':';
                    append_json_string(out, v);
                }
                answer(200, out + "}}\n");
            }
            return;
        case Kind::HEARTBEAT:
            answer(200, "{}\n");
            return;
        case Kind::CONFIGURE:
            submit(s, body, true, answer);
            return;
        case Kind::STATEMENTS:
            submit(s, body, false, answer);
            return;
        default:
            break;
    }
    auto it = s.operations.find(route.operation);
    if (it == s.operations.end())
    {
        answer(404, error_body("Operation '" + route.operation + "' does not exist in session '" +
                               s.handle + "'."));
        return;
    }
    std::shared_ptr<Operation> op = it->second;
    switch (route.kind)
    {
        case Kind::STATUS:
            answer(200, "{\"status\":\"" + op->status + "\"}\n");
            break;
        case Kind::CANCEL:
        case Kind::CLOSE:
        {
            bool close = route.kind == Kind::CLOSE;
            if (close)
            {
                s.operations.erase(it);
            }
            if (!op->running())
            {
                if (close)
                {
                    answer(200, "{\"status\":\"CLOSED\"}\n");
                }
                else
                {
                    answer(409, error_body("operation " + op->handle + " is " + op->status +
                                           "; only a running operation can be cancelled"));
                }
                break;
            }
            std::string status = close ? "CLOSED" : "CANCELED";
            // A PENDING statement is simply never sent; KILL QUERY would hit
            // the statement before it.
            bool started = op->status == "RUNNING";
            op->status = status;
            op->discard();
            if (started && op->client)
            {
                op->client->cancel([answer, status]()
                                   { answer(200, "{\"status\":\"" + status + "\"}\n"); });
            }
            else
            {
                answer(200, "{\"status\":\"" + status + "\"}\n");
            }
            break;
        }
        case Kind::RESULT:
        {
            char* end = nullptr;
            long long token = strtoll(route.token.c_str(), &end, 10);
            if (route.token.empty() || *end || route.token[0] == '-' || route.token[0] == '+')
            {
                answer(400,
                       error_body("the result token must be a number, not '" + route.token + "'"));
                break;
            }
            std::string base = "/v" + std::to_string(route.version) + "/sessions/" + s.handle +
                               "/operations/" + op->handle;
            op->fetch(token, route.plain_text, base, route.version, answer);
            break;
        }
        default:
            break;
    }
}

}  // namespace sqlgate::sqlgateway
