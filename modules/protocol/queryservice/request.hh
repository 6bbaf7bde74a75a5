/**
 * One POST/GET /query/service request: its parameters, the statement run in
 * a session of the requesting user, and the response in AsterixDB's shape.
 * Immediate results stream to the client as rows arrive (the backend is
 * paused while the client lags); deferred and async results go to a
 * StoredResult behind a handle.
 *
 * Threads: belongs to the worker that received the request.
 */
#pragma once

#include <jansson.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "queryservice.hh"
#include "sqlgate/httpsql/resultset.hh"

namespace sqlgate::queryservice
{

class QueryRequest : public httpsql::ResultSink, public std::enable_shared_from_this<QueryRequest>
{
public:
    enum class Mode
    {
        IMMEDIATE,
        DEFERRED,
        ASYNC
    };

    QueryRequest(WorkerState& ws, ExchangePtr ex);
    ~QueryRequest() override;

    /// Parse, authenticate and run. Answers the exchange (now or later).
    void start();
    /// Cancel (KILL QUERY); @c done runs when the kill was answered.
    void cancel(std::function<void()> done);
    /// The listener stops: end the statement and never touch the worker state again.
    void abandon();
    /// The /admin/requests/running entry.
    json_t* running_json() const;

    const std::string& request_id() const { return m_request_id; }
    const std::string& client_context_id() const { return m_context_id; }
    const std::string& user() const { return m_user; }
    bool super_priv() const { return m_super; }

    // ResultSink
    void on_columns(const std::vector<httpsql::Column>& cols) override;
    void on_row(const std::vector<httpsql::Field>& row) override;
    void on_end(const httpsql::EndInfo& end) override;
    void on_error(uint16_t code, std::string_view state, std::string_view msg) override;

private:
    bool parse(std::string& error);
    void run(const httpsql::Login& login);
    void done(bool ok);
    void fail(int http_status, const std::string& status, int code, const std::string& msg);
    void emit(std::string_view text);
    void begin_results();
    std::string envelope_head() const;
    std::string envelope_tail(const std::string& status) const;
    std::string metrics() const;
    std::string final_status() const;
    int http_status() const;
    void release_client();

    WorkerState& m_ws;
    ExchangePtr m_ex;
    uint64_t m_id;
    std::string m_request_id;
    std::string m_context_id;
    std::string m_statement;
    std::string m_user;
    std::string m_remote;
    std::string m_user_agent;
    std::string m_pool_key;
    bool m_super = false;

    // Parameters.
    Mode m_mode = Mode::IMMEDIATE;
    bool m_pretty = false;
    bool m_readonly = false;
    int64_t m_timeout_ms = 0;
    int64_t m_max_reads = 1;
    int64_t m_ttl_ms = 0;
    json_t* m_args = nullptr;                              ///< array or nullptr
    std::vector<std::pair<std::string, json_t*>> m_named;  ///< "$name" → value

    // Execution.
    SqlClient* m_client = nullptr;
    std::unique_ptr<Timer> m_timer;
    std::shared_ptr<StoredHandle> m_handle;
    std::string m_handle_id;
    std::chrono::steady_clock::time_point m_received;
    std::chrono::steady_clock::time_point m_exec_start;
    double m_exec_seconds = 0;
    int64_t m_request_time = 0;  ///< unix ms
    bool m_running = false;
    bool m_abandoned = false;
    bool m_finished = false;
    bool m_timed_out = false;
    bool m_cancelled = false;
    bool m_paused = false;
    bool m_reusable = true;         ///< the session can go back to the pool afterwards
    bool m_in_transaction = false;  ///< the last statement left a transaction open
    bool m_results_open = false;    ///< "results":[ written
    bool m_first_row = true;
    std::vector<std::string> m_keys;  ///< "name": per column, JSON-escaped
    std::vector<httpsql::Column> m_columns;
    std::string m_row;
    std::string m_errors;  ///< JSON array items
    int m_error_code = 0;
    int m_error_count = 0;
    int64_t m_warning_count = 0;
    int64_t m_result_count = 0;
    int64_t m_result_size = 0;
    std::string m_store_error;
};

}  // namespace sqlgate::queryservice
