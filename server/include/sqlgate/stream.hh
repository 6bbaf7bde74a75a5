/**
 * A TCP stream: socket I/O with a flow-controlled write queue.
 *
 * Writes try uv_try_write() first and queue only what the kernel did not
 * take; the queued bytes stay in their original blocks. When the queue grows
 * past the high water mark the handler's on_write_high() runs (it stops
 * reading the peer); when it drains below the low water mark on_write_low()
 * runs. Both are counted in the statistics.
 *
 * Threads: a Stream belongs to the worker that created it. It is destroyed
 * only through close(), which frees it once libuv has released the handle.
 */
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <uv.h>

#include "sqlgate/buffer.hh"

namespace sqlgate
{

class Session;

class Worker;

struct StreamStats
{
    uint64_t reads = 0;            ///< read events delivered
    uint64_t writes = 0;           ///< write calls (each a whole buffer)
    uint64_t buffered_writes = 0;  ///< writes that had to be queued in part or whole
    uint64_t high_water_events = 0;
    uint64_t low_water_events = 0;
    uint64_t bytes_read = 0;
    uint64_t bytes_written = 0;
};

class StreamHandler
{
public:
    virtual ~StreamHandler() = default;
    /// New bytes. The handler takes ownership.
    virtual void on_read(Buffer&& data) = 0;
    /// The peer closed (status UV_EOF) or an error occurred. No more reads follow.
    virtual void on_error(int status) = 0;
    /// connect() finished; status 0 on success.
    virtual void on_connected(int status) {}
    virtual void on_write_high() {}
    virtual void on_write_low() {}
};

class Stream
{
public:
    /// A stream for an accepted socket (fd) or a new one to connect().
    static Stream* create(Worker& worker, StreamHandler* handler);
    Stream(const Stream&) = delete;
    Stream& operator=(const Stream&) = delete;

    /// A stream over a Unix domain socket instead of TCP.
    static Stream* create_local(Worker& worker, StreamHandler* handler);
    /// Accept a pending connection from @c server (of the same family).
    /// Returns 0 or a libuv error.
    int accept_from(uv_stream_t* server);
    /// Start connecting to a numeric address (IPv4 or IPv6) or "localhost".
    int connect(const std::string& host, int port);
    /// Start connecting to a Unix domain socket (streams made by create_local()).
    int connect_local(const std::string& path);
    bool is_local() const { return m_local; }

    void set_handler(StreamHandler* h) { m_handler = h; }
    /// The session whose connection this is: a handler that throws from a
    /// stream callback closes that session (with an error to its client and a
    /// log line) instead of the process. Without one, only the stream closes.
    void set_session(Session* s) { m_session = s; }
    void set_water_marks(size_t high, size_t low)
    {
        m_high = high;
        m_low = low;
    }
    void read_start();
    void read_stop();
    bool reading() const { return m_reading; }

    /// Send @c data. Returns false if the stream is closed or failed.
    bool write(Buffer&& data);
    size_t write_queue_size() const { return m_queued; }

    /// Stop all I/O and release the stream when libuv is done with it. The
    /// handler is not called again. Queued writes are flushed first when
    /// @c flush is true: the socket closes when they finish, or after
    /// FLUSH_TIMEOUT_MS if the peer does not read them.
    void close(bool flush = false);
    bool closed() const { return m_closing; }

    const StreamStats& stats() const { return m_stats; }
    const std::string& peer_address() const { return m_peer_addr; }
    int peer_port() const { return m_peer_port; }
    int fd() const;

private:
    Stream(Worker& worker, StreamHandler* handler, bool local);
    uv_stream_t* handle() { return reinterpret_cast<uv_stream_t*>(&m_h); }
    const uv_handle_t* base() const { return reinterpret_cast<const uv_handle_t*>(&m_h); }
    ~Stream();
    static void alloc_cb(uv_handle_t* h, size_t suggested, uv_buf_t* buf);
    static void read_cb(uv_stream_t* s, ssize_t n, const uv_buf_t* buf);
    static void write_cb(uv_write_t* req, int status);
    static void connect_cb(uv_connect_t* req, int status);
    static void close_cb(uv_handle_t* h);
    static constexpr uint64_t FLUSH_TIMEOUT_MS = 2000;
    void queue_write(Buffer&& data, size_t already_written);
    void finish_close();
    void fail(int status);
    void update_peer();
    /// Calls into the handler go through here (the exception guard).
    template <class Fn>
    void guard(const char* event, Fn&& fn);
    void handler_threw(const char* event, const char* what);

    Worker& m_worker;
    StreamHandler* m_handler;
    Session* m_session = nullptr;
    union
    {
        uv_tcp_t tcp;
        uv_pipe_t pipe;
    } m_h;
    bool m_local = false;
    uv_connect_t m_connect_req;
    uv_timer_t* m_flush_timer = nullptr;  ///< only while a flushing close waits
    Block* m_read_block = nullptr;
    size_t m_high = 65536;
    size_t m_low = 8192;
    size_t m_queued = 0;
    int m_pending_writes = 0;
    bool m_above_high = false;
    bool m_reading = false;
    bool m_closing = false;
    bool m_close_after_flush = false;
    StreamStats m_stats;
    std::string m_peer_addr;
    int m_peer_port = 0;
};

}  // namespace sqlgate
