/**
 * The queryservice protocol: AsterixDB's HTTP query API (POST/GET
 * /query/service, status and result handles, /admin/requests/running) over
 * MariaDB SQL, served by libmicrohttpd on every routing worker.
 *
 * Threads: QueryService (one per listener) is shared by all workers; its
 * settings are immutable and its registry of workers is guarded by m_lock
 * (used only to reach another worker's handles and requests). A WorkerState,
 * with its HTTP server, idle sessions, running requests and stored results,
 * belongs to one worker's thread.
 */
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "results.hh"
#include "sqlgate/config.hh"
#include "sqlgate/httpsql/http_server.hh"
#include "sqlgate/httpsql/sql_client.hh"
#include "sqlgate/timer.hh"
#include "sqlgate/worker.hh"

namespace sqlgate::queryservice
{

using httpsql::Exchange;
using httpsql::ExchangePtr;
using httpsql::SqlClient;

struct Settings
{
    size_t max_request_size = 0;
    int64_t result_memory_limit = 0;
    int64_t result_ttl_ms = 0;
    int64_t max_result_reads = 0;
    size_t pool_size = 0;
    int64_t pool_idle_ms = 0;
    size_t stream_buffer = 0;
};

class WorkerState;
class QueryRequest;

/// A deferred or async request's outcome, addressed by its handle.
struct StoredHandle
{
    std::string status = "running";  ///< running, success, failed, fatal, timeout
    std::string errors;              ///< JSON array text when not successful
    std::unique_ptr<StoredResult> result;
    int64_t reads_left = 1;
    uint64_t expires_at_ms = UINT64_MAX;  ///< set when the request ends
    int64_t ttl_ms = 0;
    std::string user;
    std::shared_ptr<QueryRequest> request;  ///< while running
};

class QueryService : public httpsql::HttpSqlProtocol
{
public:
    QueryService(const ObjectConfig& listener, std::shared_ptr<const Service> service);
    const char* name() const override { return "queryservice"; }
    std::unique_ptr<ListenerServer> serve(Worker& worker, int fd, std::string& error) override;
    void start() override;

    const Settings& settings() const { return m_settings; }
    std::atomic<int64_t>& result_bytes() { return m_result_bytes; }
    /// Where results over result_memory_limit go: <datadir>/queryservice/<listener>.
    std::string spill_dir() const;

    /// The workers serving this listener.
    WorkerLocal<WorkerState*>& workers() { return m_workers; }

private:
    Settings m_settings;
    std::atomic<int64_t> m_result_bytes{0};
    WorkerLocal<WorkerState*> m_workers;  ///< each worker's state, set while it serves
};

class WorkerState : public ListenerServer
{
public:
    WorkerState(Worker& worker, QueryService& service);
    ~WorkerState() override;

    Worker& worker() { return m_worker; }
    QueryService& service() { return m_service; }
    void set_http(std::unique_ptr<httpsql::HttpServer> http) { m_http = std::move(http); }

    /// Route one HTTP request.
    void handle(const ExchangePtr& ex);

    /// An idle session of @c key's user, or nullptr.
    SqlClient* take_idle(const std::string& key);
    /// Return a session after a request (kept if the pool has room).
    void give_back(const std::string& key, SqlClient* client);

    uint64_t next_id() { return ++m_seq; }
    std::map<uint64_t, std::shared_ptr<QueryRequest>>& running() { return m_running; }
    std::map<std::string, std::shared_ptr<StoredHandle>>& handles() { return m_handles; }

private:
    void sweep();
    void handle_status(const ExchangePtr& ex, const std::string& id, bool result);
    void handle_running(const ExchangePtr& ex);

    Worker& m_worker;
    QueryService& m_service;
    std::unique_ptr<httpsql::HttpServer> m_http;
    struct Idle
    {
        SqlClient* client;
        uint64_t since_ms;
    };
    std::unordered_map<std::string, std::vector<Idle>> m_pool;
    std::map<uint64_t, std::shared_ptr<QueryRequest>> m_running;
    std::map<std::string, std::shared_ptr<StoredHandle>> m_handles;
    Timer m_sweeper;
    uint64_t m_seq = 0;
};

/// Check the request's HTTP Basic credentials against the database accounts,
/// then run @c fn with the login (or answer 401/503 and not run it).
void with_login(QueryService& service, const ExchangePtr& ex,
                std::function<void(const httpsql::Login&)> fn);

/// {"errors":[{"code":c,"msg":m}], "status": status} bodies and the like.
std::string error_body(const std::string& status, int code, const std::string& msg);
/// AsterixDB's duration strings ("1m30s", "500ms", "2h"); false if malformed.
bool parse_duration(const std::string& text, int64_t& ms);
/// AsterixDB's "20.263371ms" style.
std::string format_duration(double seconds);

}  // namespace sqlgate::queryservice
