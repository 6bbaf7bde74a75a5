/**
 * A routing worker: a Worker that accepts clients on its own SO_REUSEPORT
 * socket for every listener and owns the sessions it accepted.
 *
 * Threads: created by the main thread; everything else on its own thread.
 * The session registry is touched only on the worker's thread.
 */
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "objects.hh"
#include "sqlgate/session.hh"
#include "sqlgate/timer.hh"
#include "sqlgate/worker.hh"

namespace sqlgate
{

class RoutingWorker : public Worker
{
public:
    explicit RoutingWorker(int id);
    ~RoutingWorker() override;

    static RoutingWorker* current() { return static_cast<RoutingWorker*>(Worker::current()); }
    static RoutingWorker& of(Worker& w) { return static_cast<RoutingWorker&>(w); }

    /// All routing workers (set once at startup, read-only afterwards).
    static void set_all(std::vector<RoutingWorker*> workers);
    static const std::vector<RoutingWorker*>& all();

    /// Open this worker's listening socket for @c listener: on the main thread
    /// before the worker thread starts, on the worker's own thread afterwards
    /// (runtime listeners). Returns false with @c error set.
    bool add_listener(const std::shared_ptr<ListenerDef>& listener, std::string& error);

    /// Stop listening on the sockets of listener @c name (worker thread).
    /// Returns false when this worker had none.
    bool remove_listener(const std::string& name);

    /// Use @c def (a new snapshot of a listener, e.g. with a rebuilt service)
    /// for the clients accepted from now on. Worker thread.
    void replace_listener(const std::shared_ptr<ListenerDef>& def);

    Session* find_session(uint64_t id);
    size_t session_count() const { return m_sessions.size(); }
    template <class Fn>
    void for_each_session(Fn fn)
    {
        for (auto& [id, s] : m_sessions)
        {
            fn(*s);
        }
    }
    /// Queue a closed session for deletion after the current loop iteration.
    void add_zombie(Session* s);
    /// Register a session this worker did not accept (Session::create_detached).
    void add_session(Session* s)
    {
        SG_ASSERT_OWNER(*this);
        m_sessions[s->id()] = s;
    }

    /// Stats for the admin API.
    std::atomic<uint64_t> accepts{0};

protected:
    void on_stop() override;

private:
    struct ListenSocket
    {
        union
        {
            uv_tcp_t tcp;
            uv_pipe_t pipe;
        } handle;
        std::shared_ptr<ListenerDef> listener;
        RoutingWorker* worker;
        /// Set when the protocol serves the socket itself; the handle is then unused.
        std::unique_ptr<ListenerServer> server;
    };
    static void close_listen_socket(ListenSocket* ls);
    static void on_connection(uv_stream_t* server, int status);
    static void on_check(uv_check_t* h);
    void accept_client(ListenSocket& ls);
    void reap();
    /// Once a second: close the sessions idle for longer than their wait_timeout.
    void close_idle_sessions();

    std::vector<ListenSocket*> m_listeners;
    std::unordered_map<uint64_t, Session*> m_sessions;
    std::vector<Session*> m_zombies;
    uv_check_t m_check;
    std::unique_ptr<Timer> m_idle_timer;
};

/// A new id for a session of the calling routing worker: ids name their
/// worker (see session_owner() in sqlgate/worker.hh). Routing worker threads.
uint64_t next_session_id();

/// Make @c workers the routing workers (index i must have id i). Main thread,
/// before any worker thread starts.
void set_routing_workers(std::vector<Worker*> workers);

/// Create, bind and listen on the Unix socket at @c path (a stale socket file
/// is replaced; any other existing file is an error). Main thread, at startup;
/// the workers then listen on duplicates of the returned descriptor.
int open_local_listener(const std::string& path, std::string& error);

}  // namespace sqlgate
