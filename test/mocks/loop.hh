// A routing worker for unit tests that drive sessions and connections over real
// loopback sockets, and the test's own ends of those sockets.
//
// TestWorker is the only routing worker while it lives. Its loop runs on the test's
// thread inside run_until(), as Worker::run() runs it in the daemon: Worker::current(),
// Session::find_local(), posted messages and timers work as there, and a session the
// code under test closes is freed at the end of that loop iteration. Outside
// run_until() nothing runs: the test may touch what the worker owns.
//
// Built into the sqlgate-test-mocks library (it needs the core's RoutingWorker); its
// interface is only public headers, so module tests use it too.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "sqlgate/protocol.hh"
#include "sqlgate/service.hh"
#include "sqlgate/session.hh"
#include "sqlgate/stream.hh"
#include "sqlgate/worker.hh"

namespace sqlgate::mocks
{

class TestWorker
{
public:
    TestWorker();
    /// Closes the sessions left and runs the loop until every handle is closed.
    ~TestWorker();
    TestWorker(const TestWorker&) = delete;
    TestWorker& operator=(const TestWorker&) = delete;

    Worker& worker();
    /// Run the loop until @c done() is true (checked every millisecond) or the
    /// timeout passes; returns done().
    bool run_until(const std::function<bool()>& done,
                   std::chrono::milliseconds timeout = std::chrono::seconds(5));
    /// Run the loop for @c time (to see that nothing happens, or to let things settle).
    void run_for(std::chrono::milliseconds time);

    /// Register @c session (heap-allocated) as an accepted one: find_local(), KILL and
    /// close() then work on it, and the worker frees it once it is closed.
    void add_session(Session* session);
    /// The registered session @c id that is not closing, or nullptr.
    Session* find_session(uint64_t id);
    size_t session_count() const;
    /// Close every registered session and run the loop until they are freed. Tests
    /// call it before destroying what the sessions' connections call into.
    void close_sessions();

private:
    struct Impl;
    std::unique_ptr<Impl> m;
};

/// A TCP listener on 127.0.0.1 and a free port. Each connection is accepted into a
/// Stream (without a handler) given to @c on_accept.
class Listener
{
public:
    Listener(Worker& worker, std::function<void(Stream*)> on_accept);
    ~Listener();
    Listener(const Listener&) = delete;
    Listener& operator=(const Listener&) = delete;
    int port() const { return m_port; }

private:
    struct Handle;
    Handle* m_handle;
    int m_port = 0;
};

/// The test's end of a loopback connection (a fake client or server): records what
/// it reads and whether the other end closed.
class Peer : public StreamHandler
{
public:
    Peer() = default;
    ~Peer() override { close(); }
    Peer(const Peer&) = delete;
    Peer& operator=(const Peer&) = delete;

    /// Connect to 127.0.0.1:@c port; reading starts once connected.
    void connect(Worker& worker, int port);
    /// Use @c stream (just accepted) and start reading.
    void attach(Stream* stream);
    void send(std::string_view bytes);
    void close();

    /// Bytes read and not taken yet.
    const std::string& input() const { return m_in; }
    /// Remove and return the first whole MariaDB packet read (header included), or
    /// "" when none is complete yet.
    std::string take_packet();
    bool has_packet() const;
    /// Remove and return everything read so far.
    std::string take_all();
    /// The other end closed (or the connection failed).
    bool closed() const { return m_error != 0; }
    int error() const { return m_error; }
    bool connected() const { return m_connected; }
    Stream* stream() { return m_stream; }

    void on_read(Buffer&& data) override;
    void on_error(int status) override;
    void on_connected(int status) override;

private:
    Stream* m_stream = nullptr;
    std::string m_in;
    int m_error = 0;
    bool m_connected = false;
};

/// Run @c worker until @c peer has a whole packet and take it ("" on timeout).
std::string read_packet(TestWorker& worker, Peer& peer,
                        std::chrono::milliseconds timeout = std::chrono::seconds(5));

/// What RoutingWorker::accept_client() does with a stream it accepted: a session @c id
/// of @c service with a client of @c protocol, registered with @c worker, its client
/// started (a MariaDB client sends its greeting).
Session* accept_session(TestWorker& worker, Stream* stream, uint64_t id, ServicePtr service,
                        std::shared_ptr<Protocol> protocol);

}  // namespace sqlgate::mocks
