#include "sqlgate/stream.hh"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <exception>
#include <vector>

#include "sqlgate/assert.hh"
#include "sqlgate/log.hh"
#include "sqlgate/session.hh"
#include "sqlgate/worker.hh"

namespace sqlgate
{
namespace
{
constexpr size_t MIN_READ_SPACE = 2048;
constexpr size_t INLINE_BUFS = 16;

struct WriteReq
{
    uv_write_t req;
    Buffer data;
    Stream* stream;
};

// Fill @c bufs with the slices of @c data; returns the count.
size_t to_bufs(const Buffer& data, uv_buf_t* inline_bufs, std::vector<uv_buf_t>& heap,
               uv_buf_t*& out)
{
    size_t n = data.slice_count();
    out = inline_bufs;
    if (n > INLINE_BUFS)
    {
        heap.resize(n);
        out = heap.data();
    }
    for (size_t i = 0; i < n; ++i)
    {
        const Slice& s = data.slice(i);
        out[i] =
            uv_buf_init(reinterpret_cast<char*>(const_cast<unsigned char*>(s.data())), s.length);
    }
    return n;
}
}  // namespace

Stream* Stream::create(Worker& worker, StreamHandler* handler)
{
    return new Stream(worker, handler, false);
}

Stream* Stream::create_local(Worker& worker, StreamHandler* handler)
{
    return new Stream(worker, handler, true);
}

Stream::Stream(Worker& worker, StreamHandler* handler, bool local)
    : m_worker(worker), m_handler(handler), m_local(local)
{
    if (local)
    {
        uv_pipe_init(worker.loop(), &m_h.pipe, 0);
    }
    else
    {
        uv_tcp_init(worker.loop(), &m_h.tcp);
    }
    m_h.tcp.data = this;  // uv_handle_t's data: the same field in both members
}

Stream::~Stream()
{
    if (m_read_block)
    {
        m_read_block->unref();
    }
}

int Stream::fd() const
{
    uv_os_fd_t fd = -1;
    uv_fileno(base(), &fd);
    return fd;
}

void Stream::update_peer()
{
    if (m_local)
    {
        m_peer_addr = "localhost";  // as MariaDB names socket clients
        m_peer_port = 0;
        return;
    }
    sockaddr_storage ss;
    int len = sizeof(ss);
    if (uv_tcp_getpeername(&m_h.tcp, reinterpret_cast<sockaddr*>(&ss), &len) != 0)
    {
        return;
    }
    char buf[INET6_ADDRSTRLEN] = "";
    if (ss.ss_family == AF_INET)
    {
        auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
        uv_ip4_name(sin, buf, sizeof(buf));
        m_peer_port = ntohs(sin->sin_port);
    }
    else if (ss.ss_family == AF_INET6)
    {
        auto* sin6 = reinterpret_cast<sockaddr_in6*>(&ss);
        uv_ip6_name(sin6, buf, sizeof(buf));
        m_peer_port = ntohs(sin6->sin6_port);
        // Show IPv4-mapped addresses as plain IPv4, as MaxScale does.
        if (strncmp(buf, "::ffff:", 7) == 0 && strchr(buf + 7, '.'))
        {
            memmove(buf, buf + 7, strlen(buf + 7) + 1);
        }
    }
    m_peer_addr = buf;
}

int Stream::accept_from(uv_stream_t* server)
{
    SG_ASSERT_OWNER(m_worker);
    int rc = uv_accept(server, handle());
    if (rc == 0)
    {
        if (!m_local)
        {
            uv_tcp_nodelay(&m_h.tcp, 1);
            uv_tcp_keepalive(&m_h.tcp, 1, 60);
        }
        update_peer();
    }
    return rc;
}

int Stream::connect(const std::string& host, int port)
{
    SG_ASSERT_OWNER(m_worker);
    sockaddr_storage ss{};
    std::string addr = host == "localhost" ? "127.0.0.1" : host;
    int rc = uv_ip4_addr(addr.c_str(), port, reinterpret_cast<sockaddr_in*>(&ss));
    if (rc != 0)
    {
        rc = uv_ip6_addr(addr.c_str(), port, reinterpret_cast<sockaddr_in6*>(&ss));
    }
    if (rc != 0)
    {
        return rc;
    }
    m_peer_addr = addr;
    m_peer_port = port;
    m_connect_req.data = this;
    return uv_tcp_connect(&m_connect_req, &m_h.tcp, reinterpret_cast<sockaddr*>(&ss),
                          &Stream::connect_cb);
}

int Stream::connect_local(const std::string& path)
{
    SG_ASSERT_OWNER(m_worker);
    if (!m_local)
    {
        return UV_EINVAL;
    }
    m_peer_addr = path;
    m_peer_port = 0;
    m_connect_req.data = this;
    uv_pipe_connect(&m_connect_req, &m_h.pipe, path.c_str(), &Stream::connect_cb);
    return 0;
}

void Stream::connect_cb(uv_connect_t* req, int status)
{
    auto* self = static_cast<Stream*>(req->data);
    if (status == UV_ECANCELED || self->m_closing)
    {
        return;
    }
    if (status == 0 && !self->m_local)
    {
        uv_tcp_nodelay(&self->m_h.tcp, 1);
        uv_tcp_keepalive(&self->m_h.tcp, 1, 60);
    }
    if (StreamHandler* h = self->m_handler)
    {
        self->guard("a connect", [h, status]() { h->on_connected(status); });
    }
}

template <class Fn>
void Stream::guard(const char* event, Fn&& fn)
{
    try
    {
        fn();
    }
    catch (const std::exception& e)
    {
        handler_threw(event, e.what());
    }
    catch (...)
    {
        handler_threw(event, "an exception that is not a std::exception");
    }
}

void Stream::handler_threw(const char* event, const char* what)
{
    if (m_session)
    {
        m_session->handler_threw(event, what);  // closes this stream too
        return;
    }
    SG_ERROR("A connection's handler threw while handling %s: %s; closing the connection", event,
             what);
    m_handler = nullptr;
    close();
}

void Stream::read_start()
{
    SG_ASSERT_OWNER(m_worker);
    if (!m_reading && !m_closing)
    {
        m_reading = true;
        uv_read_start(handle(), &Stream::alloc_cb, &Stream::read_cb);
    }
}

void Stream::read_stop()
{
    SG_ASSERT_OWNER(m_worker);
    if (m_reading)
    {
        m_reading = false;
        uv_read_stop(handle());
    }
}

void Stream::alloc_cb(uv_handle_t* h, size_t, uv_buf_t* buf)
{
    auto* self = static_cast<Stream*>(h->data);
    Block* b = self->m_read_block;
    if (!b || b->capacity - b->used < MIN_READ_SPACE)
    {
        if (b)
        {
            b->unref();
        }
        b = Block::create();
        self->m_read_block = b;
    }
    *buf = uv_buf_init(reinterpret_cast<char*>(b->data() + b->used), b->capacity - b->used);
}

void Stream::read_cb(uv_stream_t* s, ssize_t n, const uv_buf_t*)
{
    auto* self = static_cast<Stream*>(s->data);
    if (n > 0)
    {
        Block* b = self->m_read_block;
        Buffer data;
        data.append(b, b->used, static_cast<uint32_t>(n));
        b->used += n;
        self->m_stats.reads++;
        self->m_stats.bytes_read += n;
        if (StreamHandler* h = self->m_handler)
        {
            self->guard("a read", [h, &data]() { h->on_read(std::move(data)); });
        }
    }
    else if (n < 0)
    {
        self->fail(static_cast<int>(n));
    }
}

void Stream::fail(int status)
{
    read_stop();
    if (StreamHandler* h = m_handler)
    {
        m_handler = nullptr;
        guard("a closed connection", [h, status]() { h->on_error(status); });
    }
}

bool Stream::write(Buffer&& data)
{
    SG_ASSERT_OWNER(m_worker);
    if (m_closing)
    {
        return false;
    }
    if (data.empty())
    {
        return true;
    }
    m_stats.writes++;
    m_stats.bytes_written += data.size();
    size_t written = 0;
    if (m_pending_writes == 0)
    {
        uv_buf_t inline_bufs[INLINE_BUFS];
        std::vector<uv_buf_t> heap;
        uv_buf_t* bufs;
        size_t n = to_bufs(data, inline_bufs, heap, bufs);
        int rc = uv_try_write(handle(), bufs, n);
        if (rc >= 0)
        {
            written = rc;
            if (written == data.size())
            {
                return true;
            }
        }
        else if (rc != UV_EAGAIN && rc != UV_ENOSYS)
        {
            fail(rc);
            return false;
        }
    }
    m_stats.buffered_writes++;
    queue_write(std::move(data), written);
    return true;
}

void Stream::queue_write(Buffer&& data, size_t already_written)
{
    data.consume(already_written);
    auto* wr = new WriteReq;
    wr->data = std::move(data);
    wr->stream = this;
    wr->req.data = wr;
    uv_buf_t inline_bufs[INLINE_BUFS];
    std::vector<uv_buf_t> heap;
    uv_buf_t* bufs;
    size_t n = to_bufs(wr->data, inline_bufs, heap, bufs);
    size_t size = wr->data.size();
    int rc = uv_write(&wr->req, handle(), bufs, n, &Stream::write_cb);
    if (rc != 0)
    {
        delete wr;
        fail(rc);
        return;
    }
    ++m_pending_writes;
    m_queued += size;
    if (!m_above_high && m_queued > m_high)
    {
        m_above_high = true;
        m_stats.high_water_events++;
        if (m_handler)
        {
            m_handler->on_write_high();
        }
    }
}

void Stream::write_cb(uv_write_t* req, int status)
{
    auto* wr = static_cast<WriteReq*>(req->data);
    Stream* self = wr->stream;
    self->m_queued -= wr->data.size();
    --self->m_pending_writes;
    delete wr;

    if (self->m_close_after_flush && (status < 0 || self->m_pending_writes == 0))
    {
        self->finish_close();
        return;
    }
    if (status < 0)
    {
        if (status != UV_ECANCELED)
        {
            self->fail(status);
        }
        return;
    }
    if (self->m_above_high && self->m_queued < self->m_low)
    {
        self->m_above_high = false;
        self->m_stats.low_water_events++;
        if (StreamHandler* h = self->m_handler)
        {
            self->guard("a drained write queue", [h]() { h->on_write_low(); });
        }
    }
}

void Stream::close(bool flush)
{
    SG_ASSERT_OWNER(m_worker);
    if (m_closing)
    {
        return;
    }
    m_closing = true;
    m_handler = nullptr;
    read_stop();
    if (flush && m_pending_writes > 0)
    {
        // write_cb closes once the queue is empty; the timer if it never is.
        m_close_after_flush = true;
        m_flush_timer = new uv_timer_t;
        uv_timer_init(m_worker.loop(), m_flush_timer);
        m_flush_timer->data = this;
        uv_timer_start(
            m_flush_timer, [](uv_timer_t* t) { static_cast<Stream*>(t->data)->finish_close(); },
            FLUSH_TIMEOUT_MS, 0);
        return;
    }
    uv_close(reinterpret_cast<uv_handle_t*>(&m_h), &Stream::close_cb);
}

void Stream::finish_close()
{
    if (!m_close_after_flush)
    {
        return;
    }
    m_close_after_flush = false;
    if (m_flush_timer)
    {
        uv_close(reinterpret_cast<uv_handle_t*>(m_flush_timer),
                 [](uv_handle_t* h) { delete reinterpret_cast<uv_timer_t*>(h); });
        m_flush_timer = nullptr;
    }
    uv_close(reinterpret_cast<uv_handle_t*>(&m_h), &Stream::close_cb);
}

void Stream::close_cb(uv_handle_t* h)
{
    delete static_cast<Stream*>(h->data);
}

}  // namespace sqlgate
