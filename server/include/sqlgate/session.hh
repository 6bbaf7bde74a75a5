/**
 * A client session: the client connection, the filter and router sessions
 * and the backend connections, all on one routing worker.
 *
 * Threads: a Session belongs to the worker that accepted it and never moves.
 * Everything here must be called on that worker's thread. Other threads reach
 * a session only by posting to its worker.
 */
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sqlgate/buffer.hh"
#include "sqlgate/protocol.hh"
#include "sqlgate/routing.hh"
#include "sqlgate/service.hh"

namespace sqlgate
{

class Worker;
class ListenerDef;

enum class SessionState
{
    CREATED,   ///< accepted, authenticating
    STARTED,   ///< routing
    STOPPING,  ///< closing
    FAILED,    ///< creation failed
};
const char* to_string(SessionState s);

/// Per-session data that a protocol module keeps for both its sides.
class ProtocolData
{
public:
    virtual ~ProtocolData() = default;
};

class Session : public Upstream
{
public:
    Session(uint64_t id, Worker& worker, ServicePtr service, std::shared_ptr<Protocol> protocol,
            std::string listener);
    ~Session() override;

    uint64_t id() const { return m_id; }
    Worker& worker() { return m_worker; }
    const Service& service() const { return *m_service; }
    const ServicePtr& service_ptr() const { return m_service; }
    Protocol& protocol() { return *m_protocol; }
    const std::string& listener() const { return m_listener; }
    SessionState state() const { return m_state; }

    const std::string& user() const { return m_user; }
    void set_user(std::string u) { m_user = std::move(u); }
    const std::string& database() const { return m_database; }
    void set_database(std::string db) { m_database = std::move(db); }
    const std::string& remote() const { return m_remote; }
    int port() const { return m_port; }
    int64_t connected_at() const { return m_connected_at; }  ///< unix seconds
    uint64_t last_activity_ms() const { return m_last_activity; }

    ProtocolData* protocol_data() { return m_protocol_data.get(); }
    void set_protocol_data(std::unique_ptr<ProtocolData> d) { m_protocol_data = std::move(d); }

    /// Authentication succeeded: build the filter chain and the router
    /// session and connect backends. False: the session could not start (the
    /// client was told why).
    bool start_routing();
    /// A command from the client into the head of the chain.
    bool route_query(Buffer&& packet);
    /// The end of the upward chain: writes to the client.
    bool client_reply(Buffer&& data, const Reply& reply) override;

    /// Open a connection to @c server for the router. The session owns it.
    BackendConnection* connect(const ServerPtr& server, BackendHandler& handler);
    /// Close and forget one backend connection.
    void release(BackendConnection* conn);
    const std::vector<std::unique_ptr<BackendConnection>>& backends() const { return m_backends; }

    /// End the session: close every connection and free it at the end of the
    /// current loop iteration. Safe to call more than once and from callbacks.
    void close(const std::string& reason);
    /// A module threw from a stream callback of one of this session's
    /// connections (@c event says which): log it, tell the client (MariaDB's
    /// 1815 Internal error) and close the session. The process goes on.
    void handler_threw(const char* event, const char* what);
    ClientConnection* client() { return m_client.get(); }
    /// Why close() was called ("" while the session runs).
    const std::string& close_reason() const { return m_close_reason; }
    Stream* client_stream() { return m_client_stream; }

    /// Close the session when it has been idle for longer than its service's
    /// wait_timeout: nothing from the client and no reply for that long, and
    /// no command outstanding on a backend (a long query is not idleness).
    /// Only sessions with a client socket of their own (SQL-over-HTTP sessions
    /// have their own idle timeouts). Called by the routing worker once a second.
    void close_if_idle(uint64_t now_ms);

    /// Flow control: stop/resume reading from every backend (client writes are
    /// backed up) or from the client (backend writes are backed up).
    void throttle_backends(bool stop);
    void throttle_client(bool stop);

    /// The session @c id if it lives on the calling worker (else nullptr).
    static Session* find_local(uint64_t id);
    /**
     * Run @c fn on the worker that owns session @c id (the id names it, see
     * session_owner()), with that session, or with nullptr when it is gone.
     * One message, no broadcast. Any thread.
     */
    static void run_on_owner(uint64_t id, std::function<void(Session*)> fn);

    // Used by the worker that accepts the connection.
    void attach_client(Stream* stream, std::unique_ptr<ClientConnection> client);

    /**
     * A session whose client is not a socket of its own (SQL over HTTP),
     * registered on the calling routing worker like an accepted one. The
     * caller attaches the client with attach_detached_client() and then calls
     * start_routing().
     */
    static Session* create_detached(ServicePtr service, std::shared_ptr<Protocol> protocol,
                                    std::string listener, std::string remote, int port);
    void attach_detached_client(std::unique_ptr<ClientConnection> client)
    {
        m_client = std::move(client);
    }

private:
    uint64_t m_id;
    Worker& m_worker;
    ServicePtr m_service;
    std::shared_ptr<Protocol> m_protocol;
    std::string m_listener;
    SessionState m_state = SessionState::CREATED;
    std::string m_user;
    std::string m_database;
    std::string m_remote;
    int m_port = 0;
    int64_t m_connected_at = 0;
    uint64_t m_last_activity = 0;
    Stream* m_client_stream = nullptr;
    std::unique_ptr<ClientConnection> m_client;
    std::unique_ptr<ProtocolData> m_protocol_data;
    std::vector<std::unique_ptr<FilterSession>> m_filters;
    std::unique_ptr<RouterSession> m_router;
    Downstream* m_head = nullptr;
    std::vector<std::unique_ptr<BackendConnection>> m_backends;
    bool m_counted = false;
    std::string m_close_reason;
};

}  // namespace sqlgate
