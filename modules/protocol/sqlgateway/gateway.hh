/**
 * The sqlgateway protocol: Apache Flink's SQL Gateway REST API (sessions,
 * statements as operations, results fetched page by page with tokens) over
 * MariaDB SQL, served by libmicrohttpd on every routing worker.
 *
 * A gateway session is one sqlgate session (a SqlClient) on the worker that
 * opened it; its handle (a UUID) names that worker, and a request for it that
 * arrives on another worker runs there and is answered from there. The
 * statements of one session run in order, one at a time. A query's rows are
 * buffered up to two pages; beyond that the server is not read until the
 * client fetches, so memory stays bounded whatever the result's size.
 *
 * Threads: Gateway (one per listener) is shared by all workers (immutable
 * settings, the worker registry and an atomic session count). A WorkerState
 * with its sessions and operations belongs to one worker's thread.
 */
#pragma once

#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sqlgate/config.hh"
#include "sqlgate/httpsql/http_server.hh"
#include "sqlgate/httpsql/resultset.hh"
#include "sqlgate/httpsql/sql_client.hh"
#include "sqlgate/timer.hh"
#include "sqlgate/worker.hh"

namespace sqlgate::sqlgateway
{

using httpsql::Exchange;
using httpsql::ExchangePtr;
using httpsql::SqlClient;

struct Settings
{
    size_t max_request_size = 0;
    int64_t idle_timeout_ms = 0;
    size_t page_size = 0;
    int64_t max_sessions = 0;
};

class WorkerState;

class Gateway : public httpsql::HttpSqlProtocol
{
public:
    Gateway(const ObjectConfig& listener, std::shared_ptr<const Service> service);
    const char* name() const override { return "sqlgateway"; }
    std::unique_ptr<ListenerServer> serve(Worker& worker, int fd, std::string& error) override;

    const Settings& settings() const { return m_settings; }
    WorkerLocal<WorkerState*>& workers() { return m_workers; }
    std::atomic<int64_t>& session_count() { return m_sessions; }

private:
    Settings m_settings;
    WorkerLocal<WorkerState*> m_workers;  ///< each worker's state, set while it serves
    std::atomic<int64_t> m_sessions{0};
};

/// An answer computed on the owning worker: HTTP status and JSON body.
using Answer = std::function<void(int status, std::string body)>;

/// One statement and its result, fetched by tokens.
class Operation : public httpsql::ResultSink, public std::enable_shared_from_this<Operation>
{
public:
    Operation(std::string handle, size_t page_size) : handle(std::move(handle)), m_page(page_size)
    {
    }

    const std::string handle;
    std::string status = "PENDING";  ///< RUNNING, FINISHED, ERROR, CANCELED, TIMEOUT, CLOSED
    std::string error;               ///< the server's message when ERROR
    uint16_t error_code = 0;
    SqlClient* client = nullptr;  ///< while the statement may still run
    std::unique_ptr<Timer> timer;

    /// The next page for @c token, written as Flink's FetchResults.
    void fetch(int64_t token, bool plain_text, const std::string& uri_base, int version,
               const Answer& answer);
    bool running() const { return status == "PENDING" || status == "RUNNING"; }
    /// The statement ended (FINISHED unless something else was decided).
    void finished(bool ok);
    /// Stop reading: the operation was cancelled or closed.
    void discard();

    // ResultSink
    void on_columns(const std::vector<httpsql::Column>& cols) override;
    void on_row(const std::vector<httpsql::Field>& row) override;
    void on_end(const httpsql::EndInfo& end) override;
    void on_error(uint16_t code, std::string_view state, std::string_view msg) override;

private:
    void render(std::string& out, const std::vector<std::string>& rows, bool plain_text) const;

    size_t m_page;
    bool m_query = false;       ///< a result set (not an OK)
    bool m_has_result = false;  ///< columns or an OK arrived
    bool m_discard = false;
    bool m_paused = false;
    std::vector<httpsql::Column> m_columns;
    std::deque<std::string>
        m_rows;  ///< encoded: per field 0xFF (NULL) or 0x00 + u32 length + bytes
    std::vector<std::string> m_last;  ///< the last page, for a replay of token N-1
    int64_t m_token = 0;
    bool m_eos = false;
};

struct GatewaySession
{
    std::string handle;
    std::string name;
    std::string user;
    SqlClient* client = nullptr;
    std::map<std::string, std::string> properties;
    std::map<std::string, std::shared_ptr<Operation>> operations;
    uint64_t last_access_ms = 0;
};

class WorkerState : public ListenerServer
{
public:
    WorkerState(Worker& worker, Gateway& gateway);
    ~WorkerState() override;

    Worker& worker() { return m_worker; }
    void set_http(std::unique_ptr<httpsql::HttpServer> http) { m_http = std::move(http); }
    void handle(const ExchangePtr& ex);

private:
    struct Route;
    void open_session(const ExchangePtr& ex, const httpsql::Login& login, json_t* body);
    void session_call(const ExchangePtr& ex, const std::string& user, const Route& route,
                      json_t* body);
    void run_in_session(GatewaySession& s, const Route& route, json_t* body, const Answer& answer);
    void submit(GatewaySession& s, json_t* body, bool configure, const Answer& answer);
    /// End a session; @c why completes "Session '<handle>' ..." for later calls.
    void close_session(const std::string& handle, const std::string& why, bool client_gone = false);
    /// 404 text for a handle that is not (or no longer) a session here.
    std::string missing(const std::string& handle) const;
    void sweep();

    Worker& m_worker;
    Gateway& m_gateway;
    std::unique_ptr<httpsql::HttpServer> m_http;
    std::map<std::string, std::unique_ptr<GatewaySession>> m_sessions;
    std::map<std::string, std::string> m_gone;  ///< ended sessions: handle → why
    std::deque<std::string> m_gone_order;
    Timer m_sweeper;
};

/// Flink's error document: {"errors":[...]} with a readable message.
std::string error_body(const std::string& message);

}  // namespace sqlgate::sqlgateway
