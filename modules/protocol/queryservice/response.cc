// QueryRequest: what the request writes back (the AsterixDB response envelope,
// streamed rows, stored results) and how it ends.
#define SQLGATE_MODULE_NAME "queryservice"
#include "request.hh"
#include "sqlgate/httpsql/values.hh"
#include "sqlgate/worker.hh"

namespace sqlgate::queryservice
{

using Clock = std::chrono::steady_clock;
using namespace sqlgate::httpsql;

namespace
{
// MariaDB errors that mean the request itself is wrong (AsterixDB answers 400).
bool is_request_error(int code)
{
    return code == 1064 || code == 1149 || code == ER_WRONG_ARGUMENTS;
}

/// MariaDB's "Query execution was interrupted".
constexpr int ER_QUERY_INTERRUPTED = 1317;
}  // namespace

void QueryRequest::on_columns(const std::vector<Column>& cols)
{
    m_columns = cols;
    m_keys.clear();
    for (size_t i = 0; i < cols.size(); ++i)
    {
        // Row objects need distinct keys: a repeated name gets AsterixDB's
        // positional "$N" instead.
        bool dup = false;
        for (size_t j = 0; j < i; ++j)
        {
            dup = dup || cols[j].name == cols[i].name;
        }
        std::string key;
        append_json_string(key, dup ? "$" + std::to_string(i + 1) : cols[i].name);
        key += m_pretty ? ": " : ":";
        m_keys.push_back(std::move(key));
    }
    if (!m_results_open)
    {
        begin_results();
    }
}

void QueryRequest::begin_results()
{
    m_results_open = true;
    if (m_mode == Mode::IMMEDIATE && m_ex)
    {
        m_ex->begin(200);
        emit(envelope_head() + (m_pretty ? ",\n    \"results\": [ " : ",\"results\":["));
    }
}

void QueryRequest::on_row(const std::vector<Field>& row)
{
    m_row.clear();
    if (!m_first_row)
    {
        m_row += m_pretty ? ",\n      " : ",";
    }
    m_first_row = false;
    m_row += m_pretty ? "{ " : "{";
    for (size_t i = 0; i < row.size() && i < m_columns.size(); ++i)
    {
        if (i > 0)
        {
            m_row += m_pretty ? ", " : ",";
        }
        m_row += m_keys[i];
        append_value(m_row, m_columns[i], row[i]);
    }
    m_row += m_pretty ? " }" : "}";
    ++m_result_count;
    m_result_size += static_cast<int64_t>(m_row.size());
    emit(m_row);
}

void QueryRequest::on_end(const EndInfo& end)
{
    m_warning_count += end.warnings;
    // An open transaction holds locks: such a session is closed (rolled back), not pooled.
    constexpr uint16_t SERVER_STATUS_IN_TRANS = 1;
    m_in_transaction = (end.status & SERVER_STATUS_IN_TRANS) != 0;
}

void QueryRequest::on_error(uint16_t code, std::string_view, std::string_view msg)
{
    if (m_error_count++ == 0)
    {
        m_error_code = code;
    }
    if (!m_errors.empty())
    {
        m_errors += ", ";
    }
    m_errors += "{\"code\": " + std::to_string(code) + ", \"msg\": ";
    append_json_string(m_errors, msg);
    m_errors += "}";
}

void QueryRequest::emit(std::string_view text)
{
    if (m_mode != Mode::IMMEDIATE)
    {
        if (m_handle && m_handle->result && m_store_error.empty())
        {
            m_handle->result->append(text, m_store_error);
        }
        return;
    }
    if (!m_ex || m_ex->gone())
    {
        return;
    }
    m_ex->write(text);
    if (!m_paused && m_client && m_ex->buffered() > m_ws.service().settings().stream_buffer)
    {
        // The client reads slower than the server sends: stop reading the
        // server until the client has taken what is buffered.
        m_paused = true;
        m_client->pause(true);
        std::weak_ptr<QueryRequest> weak = shared_from_this();
        m_ex->on_drain = [weak]()
        {
            auto r = weak.lock();
            if (r && r->m_paused)
            {
                r->m_paused = false;
                if (r->m_client)
                {
                    r->m_client->pause(false);
                }
            }
        };
    }
}

std::string QueryRequest::envelope_head() const
{
    const char* nl = m_pretty ? "\n    " : "";
    const char* colon = m_pretty ? ": " : ":";
    std::string out = "{";
    out += nl;
    out += "\"requestID\"" + std::string(colon) + "\"" + m_request_id + "\"";
    if (!m_context_id.empty())
    {
        out += std::string(",") + nl + "\"clientContextID\"" + colon;
        append_json_string(out, m_context_id);
    }
    out += std::string(",") + nl + "\"signature\"" + colon + "\"*\"";
    return out;
}

std::string QueryRequest::metrics() const
{
    double elapsed = std::chrono::duration<double>(Clock::now() - m_received).count();
    std::string out = "\"metrics\": {\"elapsedTime\": \"" + format_duration(elapsed) +
                      "\", \"executionTime\": \"" + format_duration(m_exec_seconds) +
                      "\", \"resultCount\": " + std::to_string(m_result_count) +
                      ", \"resultSize\": " + std::to_string(m_result_size) +
                      ", \"errorCount\": " + std::to_string(m_error_count) +
                      ", \"warningCount\": " + std::to_string(m_warning_count) + "}";
    return out;
}

std::string QueryRequest::envelope_tail(const std::string& status) const
{
    const char* nl = m_pretty ? "\n    " : "";
    std::string out;
    if (!m_errors.empty())
    {
        out += std::string(",") + nl + "\"errors\": [" + m_errors + "]";
    }
    out += std::string(",") + nl + "\"status\": \"" + status + "\"";
    out += std::string(",") + nl + metrics();
    out += m_pretty ? "\n}\n" : "}\n";
    return out;
}

std::string QueryRequest::final_status() const
{
    if (m_timed_out)
    {
        return "timeout";
    }
    if (m_cancelled)
    {
        return "failed";
    }
    return m_error_count > 0 || !m_store_error.empty() ? "fatal" : "success";
}

int QueryRequest::http_status() const
{
    std::string status = final_status();
    if (status == "success" || status == "timeout")
    {
        return 200;
    }
    if (status == "failed")
    {
        return 500;
    }
    if (is_request_error(m_error_code))
    {
        return 400;
    }
    return m_error_code == 2003 ? 503 : 500;
}

void QueryRequest::fail(int http_status, const std::string& status, int code,
                        const std::string& msg)
{
    on_error(static_cast<uint16_t>(code), "HY000", msg);
    if (m_ex)
    {
        m_ex->reply(http_status, envelope_head() + envelope_tail(status));
        m_ex.reset();
    }
}

void QueryRequest::release_client()
{
    if (SqlClient* c = m_client)
    {
        m_client = nullptr;
        if (m_paused)
        {
            c->pause(false);
            m_paused = false;
        }
        if (c->closed())
        {
            return;
        }
        if (m_reusable && !m_in_transaction)
        {
            m_ws.give_back(m_pool_key, c);
        }
        else
        {
            c->close("the request changed the session (USE, or a transaction left open)");
        }
    }
}

void QueryRequest::abandon()
{
    m_abandoned = true;
    m_running = false;
    m_timer.reset();
    if (SqlClient* c = m_client)
    {
        m_client = nullptr;
        c->close("the listener stopped");
    }
}

void QueryRequest::done(bool)
{
    if (m_finished || m_abandoned)
    {
        return;
    }
    m_finished = true;
    m_running = false;
    m_timer.reset();
    m_exec_seconds = std::chrono::duration<double>(Clock::now() - m_exec_start).count();
    auto self = shared_from_this();  // the registry may hold the last reference
    m_ws.running().erase(m_id);
    release_client();
    if (m_timed_out)
    {
        on_error(ER_QUERY_INTERRUPTED, "70100",
                 "the request exceeded its timeout of " + std::to_string(m_timeout_ms) + " ms");
    }
    else if (m_cancelled)
    {
        on_error(ER_QUERY_INTERRUPTED, "70100", "the request was cancelled");
    }
    if (!m_store_error.empty())
    {
        on_error(1, "HY000", m_store_error);
    }
    std::string status = final_status();
    if (m_mode == Mode::IMMEDIATE)
    {
        if (!m_ex)
        {
            return;
        }
        if (m_results_open)
        {
            m_ex->write(m_pretty ? " ]" : "]");
            m_ex->write(envelope_tail(status));
            m_ex->finish();
        }
        else
        {
            m_ex->reply(http_status(), envelope_head() + envelope_tail(status));
        }
        m_ex->on_drain = nullptr;
        m_ex->on_close = nullptr;
        m_ex.reset();
        return;
    }
    // Deferred and async: the stored result is complete.
    std::string ignored;
    if (m_handle->result)
    {
        m_handle->result->append(" ]\n", ignored);
    }
    m_handle->status = status;
    m_handle->errors = m_errors;
    m_handle->request = nullptr;
    m_handle->expires_at_ms = m_ws.worker().now_ms() + static_cast<uint64_t>(m_ttl_ms);
    if (status != "success")
    {
        m_handle->result.reset();
    }
    if (m_mode == Mode::DEFERRED && m_ex)
    {
        if (status != "success")
        {
            m_ws.handles().erase(m_handle_id);
            m_ex->reply(http_status(), envelope_head() + envelope_tail(status));
        }
        else
        {
            const char* nl = m_pretty ? "\n    " : "";
            std::string body = envelope_head() + "," + nl + "\"handle\": ";
            append_json_string(body, m_ex->base_url() + "/query/service/result/" + m_handle_id);
            body += envelope_tail(status);
            m_ex->reply(200, std::move(body));
        }
        m_ex->on_close = nullptr;
        m_ex.reset();
    }
}

json_t* QueryRequest::running_json() const
{
    double elapsed = std::chrono::duration<double>(Clock::now() - m_received).count();
    json_t* o = json_object();
    json_object_set_new(o, "uuid", json_string(m_request_id.c_str()));
    json_object_set_new(o, "requestTime", json_integer(m_request_time));
    json_object_set_new(o, "elapsedTime", json_real(elapsed));
    json_object_set_new(o, "state", json_string("running"));
    json_object_set_new(o, "userAgent", json_string(m_user_agent.c_str()));
    json_object_set_new(o, "remoteAddr", json_string(m_remote.c_str()));
    json_object_set_new(o, "cancellable", json_true());
    json_object_set_new(o, "statement", json_stringn(m_statement.data(), m_statement.size()));
    json_object_set_new(o, "user", json_string(m_user.c_str()));
    if (!m_context_id.empty())
    {
        json_object_set_new(o, "clientContextID", json_string(m_context_id.c_str()));
    }
    return o;
}

}  // namespace sqlgate::queryservice
