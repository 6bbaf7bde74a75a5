#define SQLGATE_MODULE_NAME "queryservice"
#include "request.hh"

#include <strings.h>

#include <ctime>

#include "sqlgate/httpsql/statements.hh"
#include "sqlgate/httpsql/values.hh"
#include "sqlgate/log.hh"
#include "sqlgate/worker.hh"

namespace sqlgate::queryservice
{

using Clock = std::chrono::steady_clock;
using namespace sqlgate::httpsql;

namespace
{
bool parse_bool(const std::string& name, const std::string& text, bool& out, std::string& error)
{
    if (strcasecmp(text.c_str(), "true") == 0)
    {
        out = true;
        return true;
    }
    if (strcasecmp(text.c_str(), "false") == 0)
    {
        out = false;
        return true;
    }
    error = "parameter '" + name + "': expected true or false, got '" + text + "'";
    return false;
}

/// The first word of every statement in @c sql (outside strings and comments).
std::vector<std::string> first_words(const std::string& sql)
{
    std::vector<std::string> words;
    size_t i = 0, n = sql.size();
    bool expect_word = true;
    while (i < n)
    {
        char c = sql[i];
        if (c == '\'' || c == '"' || c == '`')
        {
            char q = c;
            for (++i; i < n && sql[i] != q; ++i)
            {
                if (sql[i] == '\\' && q != '`')
                {
                    ++i;
                }
            }
            ++i;
            expect_word = false;
        }
        else if (c == '#' || (c == '-' && i + 2 < n && sql[i + 1] == '-' && isspace(sql[i + 2])))
        {
            while (i < n && sql[i] != '\n')
            {
                ++i;
            }
        }
        else if (c == '/' && i + 1 < n && sql[i + 1] == '*')
        {
            size_t end = sql.find("*/", i + 2);
            i = end == std::string::npos ? n : end + 2;
        }
        else if (c == ';')
        {
            expect_word = true;
            ++i;
        }
        else if (isspace(static_cast<unsigned char>(c)) || c == '(')
        {
            ++i;
        }
        else if (expect_word)
        {
            size_t start = i;
            while (i < n && (isalnum(static_cast<unsigned char>(sql[i])) || sql[i] == '_'))
            {
                ++i;
            }
            words.push_back(sql.substr(start, std::max<size_t>(i - start, 1)));
            i = std::max(i, start + 1);
            expect_word = false;
        }
        else
        {
            ++i;
        }
    }
    return words;
}

/// The first word of every statement in @c sql is one that only reads.
bool only_reads(const std::string& sql, std::string& offending)
{
    static const char* const allowed[] = {"SELECT", "SHOW",  "DESCRIBE", "DESC", "EXPLAIN", "WITH",
                                          "VALUES", "TABLE", "USE",      "SET",  "HELP"};
    for (const std::string& word : first_words(sql))
    {
        bool ok = false;
        for (const char* a : allowed)
        {
            ok = ok || strcasecmp(word.c_str(), a) == 0;
        }
        if (!ok)
        {
            offending = word;
            return false;
        }
    }
    return true;
}

}  // namespace

QueryRequest::QueryRequest(WorkerState& ws, ExchangePtr ex)
    : m_ws(ws), m_ex(std::move(ex)), m_id(ws.next_id()), m_received(Clock::now())
{
    m_request_id = httpsql::make_uuid();
    m_remote = m_ex->remote;
    m_user_agent = m_ex->header("user-agent");
    m_request_time = static_cast<int64_t>(time(nullptr)) * 1000;
    m_ttl_ms = ws.service().settings().result_ttl_ms;
    m_max_reads = ws.service().settings().max_result_reads;
}

QueryRequest::~QueryRequest()
{
    json_decref(m_args);
    for (auto& [k, v] : m_named)
    {
        json_decref(v);
    }
}

bool QueryRequest::parse(std::string& error)
{
    std::vector<std::pair<std::string, json_t*>> params;  // values as JSON (strings for forms)
    auto cleanup = [&]()
    {
        for (auto& [k, v] : params)
        {
            json_decref(v);
        }
    };
    bool form = true;
    std::string ctype = m_ex->header("content-type");
    std::string base = ctype.substr(0, ctype.find(';'));
    while (!base.empty() && isspace(static_cast<unsigned char>(base.back())))
    {
        base.pop_back();
    }
    if (m_ex->method == "POST" && strcasecmp(base.c_str(), "application/json") == 0)
    {
        form = false;
        json_error_t jerr;
        json_t* body = json_loadb(m_ex->body.data(), m_ex->body.size(), 0, &jerr);
        if (!body || !json_is_object(body))
        {
            error = body ? "the request body must be a JSON object"
                         : std::string("invalid JSON in the request body at line ") +
                               std::to_string(jerr.line) + " column " +
                               std::to_string(jerr.column) + ": " + jerr.text;
            json_decref(body);
            return false;
        }
        const char* key;
        json_t* value;
        json_object_foreach(body, key, value)
        {
            params.emplace_back(key, json_incref(value));
        }
        json_decref(body);
    }
    if (form)
    {
        // Form values are bytes: kept as sent (not UTF-8 checked, NULs included), the
        // server judges the statement.
        auto add = [&](const std::string& k, const std::string& v)
        { params.emplace_back(k, json_stringn_nocheck(v.data(), v.size())); };
        for (const auto& [k, v] : m_ex->query)
        {
            add(k, v);
        }
        if (m_ex->method == "POST")
        {
            for (const auto& [k, v] : parse_form(m_ex->body))
            {
                add(k, v);
            }
        }
    }
    bool ok = true;
    for (auto& [name, value] : params)
    {
        if (!ok)
        {
            break;
        }
        std::string text = json_text(value);
        if (name == "statement")
        {
            m_statement = text;
        }
        else if (name == "client_context_id")
        {
            m_context_id = text;
        }
        else if (name == "pretty")
        {
            ok = parse_bool(name, text, m_pretty, error);
        }
        else if (name == "readonly")
        {
            bool ro = false;
            ok = parse_bool(name, text, ro, error);
            m_readonly = m_readonly || ro;
        }
        else if (name == "mode")
        {
            if (strcasecmp(text.c_str(), "immediate") == 0)
            {
                m_mode = Mode::IMMEDIATE;
            }
            else if (strcasecmp(text.c_str(), "deferred") == 0)
            {
                m_mode = Mode::DEFERRED;
            }
            else if (strcasecmp(text.c_str(), "async") == 0)
            {
                m_mode = Mode::ASYNC;
            }
            else
            {
                error = "unknown mode '" + text + "': expected immediate, deferred or async";
                ok = false;
            }
        }
        else if (name == "timeout" || name == "result-ttl")
        {
            int64_t ms = 0;
            if (!parse_duration(text, ms))
            {
                error = "parameter '" + name + "': '" + text +
                        "' is not a duration (e.g. 500ms, 10s, 1m30s)";
                ok = false;
            }
            if (ok && name == "result-ttl" && ms <= 0)
            {
                error = "parameter 'result-ttl' must be longer than 0";
                ok = false;
            }
            (name == "timeout" ? m_timeout_ms : m_ttl_ms) = ms;
        }
        else if (name == "max-result-reads")
        {
            char* end = nullptr;
            long long n = strtoll(text.c_str(), &end, 10);
            if (text.empty() || *end || n < 1)
            {
                error =
                    "parameter 'max-result-reads': expected a positive number, got '" + text + "'";
                ok = false;
            }
            m_max_reads = n;
        }
        else if (name == "parse-only" || name == "compile-only")
        {
            bool on = false;
            ok = parse_bool(name, text, on, error);
            if (ok && on)
            {
                error = "parameter '" + name +
                        "' is not supported: MariaDB statements are parsed "
                        "and compiled only by running them";
                ok = false;
            }
        }
        else if (name == "format")
        {
            if (strcasecmp(text.c_str(), "json") != 0)
            {
                error = "parameter 'format': only json is supported, got '" + text + "'";
                ok = false;
            }
        }
        else if (name == "args" || (name.size() > 1 && name[0] == '$'))
        {
            json_t* v = value;
            if (form)
            {
                json_error_t jerr;
                v = json_loads(text.c_str(), JSON_DECODE_ANY, &jerr);
                if (!v)
                {
                    error = "parameter '" + name + "': invalid JSON (" + jerr.text +
                            "); strings must be quoted";
                    ok = false;
                    continue;
                }
            }
            else
            {
                json_incref(v);
            }
            if (name == "args")
            {
                if (!json_is_array(v))
                {
                    error = "parameter 'args' must be a JSON array";
                    json_decref(v);
                    ok = false;
                    continue;
                }
                json_decref(m_args);
                m_args = v;
            }
            else
            {
                m_named.emplace_back(name, v);
            }
        }
        // Other AsterixDB parameters (signature, plan-format, profile, ...) have no
        // meaning for MariaDB and are accepted without effect.
    }
    cleanup();
    if (!ok)
    {
        return false;
    }
    if (m_ex->method == "GET")
    {
        m_readonly = true;
    }
    size_t first = m_statement.find_first_not_of(" \t\r\n");
    if (first == std::string::npos)
    {
        error = "no statement provided: the 'statement' parameter is missing or empty";
        return false;
    }
    std::string word;
    if (m_readonly && !only_reads(m_statement, word))
    {
        error = "'" + word + "' is not allowed in a read-only request" +
                (m_ex->method == "GET" ? " (GET requests are read-only; use POST)" : "");
        return false;
    }
    return true;
}

void QueryRequest::start()
{
    std::string error;
    if (!parse(error))
    {
        fail(400, "fatal", 1, error);
        return;
    }
    std::string password;
    if (!basic_credentials(m_ex->header("authorization"), m_user, password))
    {
        m_ex->add_header("WWW-Authenticate", "Basic realm=\"sqlgate\"");
        fail(401, "fatal", 1045,
             "authentication required: send the database user and password with HTTP Basic");
        return;
    }
    auto self = shared_from_this();
    authenticate(m_ws.service(), m_user, password, m_remote,
                 [self](const Login& login)
                 {
                     if (!login.ok)
                     {
                         if (login.http_status == 401)
                         {
                             self->m_ex->add_header("WWW-Authenticate", "Basic realm=\"sqlgate\"");
                         }
                         self->fail(login.http_status, "fatal", 1045, login.message);
                         return;
                     }
                     self->run(login);
                 });
}

void QueryRequest::run(const Login& login)
{
    m_super = login.super_priv;
    SqlClient::Command cmd;
    std::string error;
    if (m_args || !m_named.empty())
    {
        if (!bind_parameters(m_statement, m_args, m_named, cmd.sql, cmd.params, error))
        {
            fail(400, "fatal", ER_WRONG_ARGUMENTS, error);
            return;
        }
        cmd.prepare = true;
    }
    else
    {
        cmd.sql = m_statement;
    }
    for (const std::string& word : first_words(m_statement))
    {
        // USE survives COM_RESET_CONNECTION: such a session is not reused.
        m_reusable = m_reusable && strcasecmp(word.c_str(), "USE") != 0;
    }
    m_pool_key = login.user + '\0' +
                 std::string(reinterpret_cast<const char*>(login.sha1.data()), login.sha1.size());
    m_client = m_ws.take_idle(m_pool_key);
    if (!m_client)
    {
        m_client = SqlClient::open(m_ws.service(), login, "", m_remote, m_ex->port, error);
        if (!m_client)
        {
            fail(503, "fatal", 2003, error);
            return;
        }
    }
    auto self = shared_from_this();
    m_running = true;
    m_ws.running()[m_id] = self;
    m_exec_start = Clock::now();
    if (m_mode != Mode::IMMEDIATE)
    {
        m_handle_id = std::to_string(m_id) + "-" + std::to_string(m_ws.worker().id());
        m_handle = std::make_shared<StoredHandle>();
        m_handle->user = m_user;
        m_handle->reads_left = m_max_reads;
        m_handle->ttl_ms = m_ttl_ms;
        m_handle->request = self;
        const Settings& s = m_ws.service().settings();
        m_handle->result = std::make_unique<StoredResult>(
            m_ws.service().result_bytes(), s.result_memory_limit,
            m_ws.service().spill_dir() + "/" + m_request_id + ".json");
        m_ws.handles()[m_handle_id] = m_handle;
        m_handle->result->append("[ ", m_store_error);
    }
    if (m_mode == Mode::ASYNC)
    {
        // The request runs on; the client polls the status handle.
        std::string body = "{" + std::string(m_pretty ? "\n    " : "") + "\"requestID\": \"" +
                           m_request_id + "\", ";
        if (!m_context_id.empty())
        {
            body += "\"clientContextID\": ";
            append_json_string(body, m_context_id);
            body += ", ";
        }
        body += "\"signature\": \"*\", \"status\": \"running\", \"handle\": ";
        append_json_string(body, m_ex->base_url() + "/query/service/status/" + m_handle_id);
        body += ", " + metrics() + (m_pretty ? "\n}\n" : "}\n");
        m_ex->reply(200, std::move(body));
        m_ex.reset();
    }
    else
    {
        std::weak_ptr<QueryRequest> weak = self;
        m_ex->on_close = [weak](bool completed)
        {
            auto r = weak.lock();
            if (r && !completed && r->m_running && r->m_client)
            {
                // The client went away: stop the statement with the session.
                SG_INFO("Request %s: the client disconnected; closing its session",
                        r->m_request_id.c_str());
                SqlClient* c = r->m_client;
                r->m_client = nullptr;
                c->kill_and_close("the HTTP client disconnected");
            }
        };
    }
    if (m_timeout_ms > 0)
    {
        std::weak_ptr<QueryRequest> weak = self;
        m_timer = std::make_unique<Timer>(m_ws.worker(),
                                          [weak]()
                                          {
                                              auto r = weak.lock();
                                              if (r && r->m_running && r->m_client)
                                              {
                                                  r->m_timed_out = true;
                                                  r->m_client->cancel([] {});
                                              }
                                          });
        m_timer->start(static_cast<uint64_t>(m_timeout_ms));
    }
    cmd.sink = self;
    cmd.done = [self](bool ok) { self->done(ok); };
    m_client->execute(std::move(cmd));
}

void QueryRequest::cancel(std::function<void()> done)
{
    if (!m_running || !m_client)
    {
        done();
        return;
    }
    m_cancelled = true;
    m_client->cancel(std::move(done));
}

}  // namespace sqlgate::queryservice
