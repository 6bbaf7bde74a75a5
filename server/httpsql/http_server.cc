#define SQLGATE_MODULE_NAME "httpsql"
#include "sqlgate/httpsql/http_server.hh"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <unistd.h>
#include <uv.h>

#include <cstring>

#include "sqlgate/log.hh"
#include "sqlgate/worker.hh"

namespace sqlgate::httpsql
{

namespace
{
/// A connection with nothing to do (idle keep-alive, or a client that half
/// closed in the middle of a request: libmicrohttpd in epoll mode sometimes
/// misses that EOF) is closed after this many seconds.
constexpr unsigned IDLE_TIMEOUT_S = 30;
}  // namespace

struct HttpServer::Handles
{
    uv_poll_t poll;
    uv_timer_t timer;
    HttpServer* owner;
    int open = 2;
};

/// The C callbacks MHD calls; friends of HttpServer and Exchange.
struct MhdGlue
{
    static MHD_Result on_request(void* cls, MHD_Connection* conn, const char* url,
                                 const char* method, const char*, const char* upload,
                                 size_t* upload_size, void** con_cls);
    static void on_completed(void*, MHD_Connection*, void** con_cls,
                             MHD_RequestTerminationCode code);
    static ssize_t read_stream(void* cls, uint64_t, char* buf, size_t max);
    static MHD_Result queue(Exchange& ex);
    static void run(HttpServer& s)
    {
        MHD_run(s.m_daemon);
        s.rearm();
    }
};

namespace
{
MHD_Result collect_query(void* cls, MHD_ValueKind, const char* key, const char* value)
{
    static_cast<Exchange*>(cls)->query.emplace_back(key, value ? value : "");
    return MHD_YES;
}

MHD_Result collect_header(void* cls, MHD_ValueKind, const char* key, const char* value)
{
    std::string k = key;
    for (char& c : k)
    {
        c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
    }
    static_cast<Exchange*>(cls)->headers[k] = value ? value : "";
    return MHD_YES;
}

}  // namespace

const std::string* Exchange::param(const std::string& name) const
{
    for (const auto& [k, v] : query)
    {
        if (k == name)
        {
            return &v;
        }
    }
    return nullptr;
}

std::string Exchange::header(const std::string& name) const
{
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
}

std::string Exchange::base_url() const
{
    std::string host = header("host");
    return "http://" + (host.empty() ? std::string("localhost") : host);
}

void Exchange::add_header(std::string name, std::string value)
{
    m_headers.emplace_back(std::move(name), std::move(value));
}

void Exchange::reply(int status, std::string body, const char* content_type)
{
    if (m_status != 0 || m_gone)
    {
        return;
    }
    m_status = status;
    m_content_type = content_type;
    m_out = std::move(body);
    m_out_pos = 0;
    m_finished = true;
    wake();
}

void Exchange::begin(int status, const char* content_type)
{
    if (m_status != 0 || m_gone)
    {
        return;
    }
    m_status = status;
    m_content_type = content_type;
    m_streaming = true;
    wake();
}

void Exchange::write(std::string_view chunk)
{
    if (m_gone || m_finished)
    {
        return;
    }
    m_out.append(chunk);
    if (m_queued)
    {
        wake();
    }
}

void Exchange::finish()
{
    if (m_finished)
    {
        return;
    }
    m_finished = true;
    wake();
}

void Exchange::wake()
{
    if (m_suspended && m_conn)
    {
        m_suspended = false;
        MHD_resume_connection(m_conn);
        m_server->schedule_run();
    }
}

void Exchange::closed(bool completed)
{
    m_gone = true;
    m_conn = nullptr;
    m_out.clear();
    m_out_pos = 0;
    on_drain = nullptr;
    if (auto fn = std::move(on_close))
    {
        on_close = nullptr;
        fn(completed);
    }
}

ssize_t MhdGlue::read_stream(void* cls, uint64_t, char* buf, size_t max)
{
    auto* ex = static_cast<Exchange*>(cls);
    size_t n = std::min(max, ex->buffered());
    if (n > 0)
    {
        memcpy(buf, ex->m_out.data() + ex->m_out_pos, n);
        ex->m_out_pos += n;
        if (ex->m_out_pos == ex->m_out.size())
        {
            ex->m_out.clear();
            ex->m_out_pos = 0;
            if (ex->on_drain && !ex->m_finished)
            {
                auto fn = ex->on_drain;
                fn();
            }
        }
        return static_cast<ssize_t>(n);
    }
    if (ex->m_finished)
    {
        return MHD_CONTENT_READER_END_OF_STREAM;
    }
    // Nothing to send yet: wait (without spinning) until the producer writes.
    ex->m_suspended = true;
    MHD_suspend_connection(ex->m_conn);
    return 0;
}

MHD_Result MhdGlue::queue(Exchange& ex)
{
    ex.m_queued = true;
    MHD_Response* resp = nullptr;
    if (ex.m_streaming)
    {
        resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024, &read_stream, &ex,
                                                 nullptr);
    }
    else
    {
        resp = MHD_create_response_from_buffer(ex.m_out.size(), ex.m_out.data(),
                                               MHD_RESPMEM_MUST_COPY);
        ex.m_out.clear();
    }
    if (!resp)
    {
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", ex.m_content_type.c_str());
    for (const auto& [k, v] : ex.m_headers)
    {
        MHD_add_response_header(resp, k.c_str(), v.c_str());
    }
    MHD_Result rc = MHD_queue_response(ex.m_conn, static_cast<unsigned>(ex.m_status), resp);
    MHD_destroy_response(resp);
    return rc;
}

MHD_Result MhdGlue::on_request(void* cls, MHD_Connection* conn, const char* url, const char* method,
                               const char*, const char* upload, size_t* upload_size, void** con_cls)
{
    auto* server = static_cast<HttpServer*>(cls);
    if (!*con_cls)
    {
        auto ex = std::make_shared<Exchange>();
        ex->m_conn = conn;
        ex->m_server = server;
        ex->method = method;
        ex->path = url;
        MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, &collect_query, ex.get());
        MHD_get_connection_values(conn, MHD_HEADER_KIND, &collect_header, ex.get());
        if (const MHD_ConnectionInfo* ci =
                MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS))
        {
            char buf[INET6_ADDRSTRLEN] = "";
            const sockaddr* sa = ci->client_addr;
            if (sa->sa_family == AF_INET)
            {
                auto* in = reinterpret_cast<const sockaddr_in*>(sa);
                inet_ntop(AF_INET, &in->sin_addr, buf, sizeof(buf));
                ex->port = ntohs(in->sin_port);
            }
            else if (sa->sa_family == AF_INET6)
            {
                auto* in = reinterpret_cast<const sockaddr_in6*>(sa);
                inet_ntop(AF_INET6, &in->sin6_addr, buf, sizeof(buf));
                ex->port = ntohs(in->sin6_port);
            }
            ex->remote = buf[0] ? buf : "localhost";
            if (ex->remote.rfind("::ffff:", 0) == 0)
            {
                ex->remote = ex->remote.substr(7);  // IPv4-mapped: as MariaDB shows it
            }
        }
        server->m_live.push_back(ex);
        *con_cls = new ExchangePtr(std::move(ex));
        return MHD_YES;
    }
    Exchange& ex = **static_cast<ExchangePtr*>(*con_cls);
    if (*upload_size > 0)
    {
        if (ex.body.size() + *upload_size > server->m_max_body)
        {
            ex.m_too_large = true;
        }
        else
        {
            ex.body.append(upload, *upload_size);
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (!ex.m_dispatched)
    {
        ex.m_dispatched = true;
        if (ex.m_too_large)
        {
            ex.reply(413, server->m_error_body("the request body is larger than " +
                                               std::to_string(server->m_max_body) + " bytes"));
        }
        else
        {
            server->m_handler(*static_cast<ExchangePtr*>(*con_cls));
        }
    }
    if (ex.m_queued)
    {
        return MHD_YES;
    }
    if (ex.answered())
    {
        return queue(ex);
    }
    ex.m_suspended = true;
    MHD_suspend_connection(conn);
    return MHD_YES;
}

void MhdGlue::on_completed(void*, MHD_Connection*, void** con_cls, MHD_RequestTerminationCode code)
{
    auto* holder = static_cast<ExchangePtr*>(*con_cls);
    if (!holder)
    {
        return;
    }
    *con_cls = nullptr;
    ExchangePtr ex = std::move(*holder);
    delete holder;
    ex->closed(code == MHD_REQUEST_TERMINATED_COMPLETED_OK);
}

HttpServer::HttpServer(Worker& worker, Handler handler, size_t max_body, ErrorBody error_body)
    : m_worker(worker),
      m_handler(std::move(handler)),
      m_max_body(max_body),
      m_error_body(std::move(error_body))
{
}

std::unique_ptr<HttpServer> HttpServer::create(Worker& worker, int fd, Handler handler,
                                               size_t max_body, ErrorBody error_body,
                                               std::string& error)
{
    std::unique_ptr<HttpServer> s(
        new HttpServer(worker, std::move(handler), max_body, std::move(error_body)));
    s->m_daemon = MHD_start_daemon(
        MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_TURBO, 0, nullptr, nullptr,
        &MhdGlue::on_request, s.get(), MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_NOTIFY_COMPLETED,
        &MhdGlue::on_completed, nullptr, MHD_OPTION_CONNECTION_TIMEOUT, IDLE_TIMEOUT_S,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, static_cast<size_t>(64 * 1024), MHD_OPTION_END);
    if (!s->m_daemon)
    {
        error = "libmicrohttpd could not start on the listening socket";
        return nullptr;
    }
    s->m_fd = fd;
    const MHD_DaemonInfo* info = MHD_get_daemon_info(s->m_daemon, MHD_DAEMON_INFO_EPOLL_FD);
    s->m_handles = new Handles;
    s->m_handles->owner = s.get();
    uv_poll_init(worker.loop(), &s->m_handles->poll, info->epoll_fd);
    uv_timer_init(worker.loop(), &s->m_handles->timer);
    s->m_handles->poll.data = s->m_handles;
    s->m_handles->timer.data = s->m_handles;
    uv_poll_start(&s->m_handles->poll, UV_READABLE,
                  [](uv_poll_t* h, int, int)
                  {
                      auto* hs = static_cast<Handles*>(h->data);
                      MhdGlue::run(*hs->owner);
                  });
    s->rearm();
    return s;
}

void HttpServer::schedule_run()
{
    uv_timer_start(
        &m_handles->timer,
        [](uv_timer_t* t)
        {
            auto* hs = static_cast<Handles*>(t->data);
            MhdGlue::run(*hs->owner);
        },
        0, 0);
}

void HttpServer::rearm()
{
    // Drop the records of finished exchanges now and then.
    if (m_live.size() > 64)
    {
        std::erase_if(m_live, [](const std::weak_ptr<Exchange>& w) { return w.expired(); });
    }
    MHD_UNSIGNED_LONG_LONG ms = 0;
    if (MHD_get_timeout(m_daemon, &ms) == MHD_YES)
    {
        uv_timer_start(
            &m_handles->timer,
            [](uv_timer_t* t)
            {
                auto* hs = static_cast<Handles*>(t->data);
                MhdGlue::run(*hs->owner);
            },
            ms, 0);
    }
    else
    {
        uv_timer_stop(&m_handles->timer);
    }
}

HttpServer::~HttpServer()
{
    if (m_handles)
    {
        auto on_closed = [](uv_handle_t* h)
        {
            auto* hs = static_cast<Handles*>(h->data);
            if (--hs->open == 0)
            {
                delete hs;
            }
        };
        uv_close(reinterpret_cast<uv_handle_t*>(&m_handles->poll), on_closed);
        uv_close(reinterpret_cast<uv_handle_t*>(&m_handles->timer), on_closed);
    }
    if (m_daemon)
    {
        // MHD must not stop with suspended connections.
        for (const auto& w : m_live)
        {
            if (auto ex = w.lock(); ex && ex->m_suspended && ex->m_conn)
            {
                ex->m_suspended = false;
                MHD_resume_connection(ex->m_conn);
            }
        }
        MHD_stop_daemon(m_daemon);
    }
}

}  // namespace sqlgate::httpsql
