/**
 * HTTP serving on a routing worker: one libmicrohttpd daemon per worker and
 * listener, in external-polling epoll mode, driven from the worker's libuv
 * loop (a uv_poll on MHD's epoll descriptor and a uv_timer for its
 * timeouts). A request is handled on the worker that accepted it, so the SQL
 * session serving it is local and nothing crosses threads.
 *
 * An Exchange is one request and its response. The handler answers at once or
 * later (the connection is suspended meanwhile), either with a whole body or
 * by streaming chunks (chunked transfer encoding) with flow control: the
 * producer stops when buffered() is above the high-water mark and is told by
 * on_drain when the client has taken the data.
 *
 * Threads: HttpServer and every Exchange belong to the worker's thread.
 */
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "sqlgate/protocol.hh"

struct MHD_Daemon;
struct MHD_Connection;

namespace sqlgate
{
class Worker;
}

namespace sqlgate::httpsql
{

class Exchange
{
public:
    std::string method;
    std::string path;  ///< without the query string, percent-decoded by MHD
    std::vector<std::pair<std::string, std::string>> query;
    std::map<std::string, std::string> headers;  ///< names in lower case
    std::string body;
    std::string remote;  ///< peer address
    int port = 0;

    /// The first value of query parameter @c name, or nullptr.
    const std::string* param(const std::string& name) const;
    /// Header value or "".
    std::string header(const std::string& name) const;
    /// "http://host:port" from the Host header (for absolute handles).
    std::string base_url() const;

    /// Answer with a whole body.
    void reply(int status, std::string body,
               const char* content_type = "application/json; charset=utf-8");
    /// Start a streamed answer; then write() chunks and finish().
    void begin(int status, const char* content_type = "application/json; charset=utf-8");
    void write(std::string_view chunk);
    void finish();
    /// Extra response header (before reply() or begin()).
    void add_header(std::string name, std::string value);

    bool answered() const { return m_status != 0; }
    /// The client went away (or the response completed): writes are dropped.
    bool gone() const { return m_gone; }
    /// Bytes written but not yet taken by the client.
    size_t buffered() const { return m_out.size() - m_out_pos; }
    /// Called when buffered() fell to zero after a pause (flow control).
    std::function<void()> on_drain;
    /// Called once when the exchange ends (sent, or the client disconnected).
    std::function<void(bool completed)> on_close;

private:
    friend class HttpServer;
    friend struct MhdGlue;
    void wake();
    void closed(bool completed);

    MHD_Connection* m_conn = nullptr;
    class HttpServer* m_server = nullptr;
    int m_status = 0;
    std::string m_content_type;
    std::vector<std::pair<std::string, std::string>> m_headers;
    bool m_streaming = false;
    bool m_finished = false;
    bool m_suspended = false;
    bool m_queued = false;
    bool m_gone = false;
    bool m_dispatched = false;
    bool m_too_large = false;
    std::string m_out;
    size_t m_out_pos = 0;
};

using ExchangePtr = std::shared_ptr<Exchange>;

class HttpServer : public ListenerServer
{
public:
    using Handler = std::function<void(const ExchangePtr&)>;

    /// The body of an error the server answers itself (413), in the API's shape.
    using ErrorBody = std::function<std::string(const std::string& message)>;

    /// Serve the listening socket @c fd on @c worker (owning @c fd on success).
    static std::unique_ptr<HttpServer> create(Worker& worker, int fd, Handler handler,
                                              size_t max_body, ErrorBody error_body,
                                              std::string& error);
    ~HttpServer() override;

    /// Run MHD soon (after a resume: MHD's own wake-up does not reach an
    /// externally polled epoll set in time).
    void schedule_run();

private:
    friend struct MhdGlue;
    HttpServer(Worker& worker, Handler handler, size_t max_body, ErrorBody error_body);
    void rearm();

    struct Handles;
    Worker& m_worker;
    Handler m_handler;
    size_t m_max_body;
    ErrorBody m_error_body;
    MHD_Daemon* m_daemon = nullptr;
    Handles* m_handles = nullptr;
    int m_fd = -1;
    std::vector<std::weak_ptr<Exchange>> m_live;  ///< resumed before the daemon stops
};

/// A random RFC 4122 version 4 UUID; with @c worker >= 0 its last four hex
/// digits are that worker's id (handles say which worker owns them).
std::string make_uuid(int worker = -1);
/// The worker id make_uuid() put into @c uuid, or -1.
int uuid_worker(const std::string& uuid);

/// Decode application/x-www-form-urlencoded text into name/value pairs.
std::vector<std::pair<std::string, std::string>> parse_form(std::string_view body);

/// User and password from an "Authorization: Basic" header; false if absent or malformed.
bool basic_credentials(const std::string& authorization, std::string& user, std::string& password);

}  // namespace sqlgate::httpsql
