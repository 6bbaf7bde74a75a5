/**
 * Protocol modules: the client side (handshake, authentication, command
 * decoding) and the backend side (authentication as the client, reply
 * tracking) of a wire protocol.
 *
 * Threads: a Protocol instance (one per listener) is created by the main
 * thread and used from every worker (const, thread-safe). Connections belong
 * to their session's worker.
 */
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sqlgate/buffer.hh"
#include "sqlgate/routing.hh"
#include "sqlgate/server.hh"
#include "sqlgate/stream.hh"

struct json_t;

namespace sqlgate
{

class Session;
class Worker;

/// The client end of a session. Owned by the Session.
class ClientConnection : public Upstream, public StreamHandler
{
public:
    /// Begin the protocol (send the greeting). Called once after accept.
    virtual void start() = 0;
    /// Send a protocol error to the client and close (e.g. on shutdown or a
    /// lost backend). @c code follows the protocol's numbering.
    virtual void send_error_and_close(int code, const std::string& message) = 0;
    /// Protocol-specific details for the admin API.
    virtual json_t* diagnostics() const { return nullptr; }
    /// The protocol module's name, shown with the session in the admin API.
    virtual const char* protocol_name() const { return "mariadbprotocol"; }
};

/// What a protocol that serves its listening socket itself (HTTP) runs on one
/// worker. Created and destroyed on that worker's thread.
class ListenerServer
{
public:
    virtual ~ListenerServer() = default;
};

enum class BackendState
{
    CONNECTING,
    AUTHENTICATING,
    ROUTING,
    FAILED,
    CLOSED,
};
const char* to_string(BackendState s);

class BackendConnection;

/// Receives what a backend connection produces: the router session.
class BackendHandler
{
public:
    virtual ~BackendHandler() = default;
    virtual bool backend_reply(BackendConnection& conn, Buffer&& data, const Reply& reply) = 0;
    /// The connection failed or was closed by the server. @c reply_started tells
    /// whether part of a reply already went up the chain.
    virtual void backend_error(BackendConnection& conn, const std::string& reason,
                               bool reply_started) = 0;
};

/// One connection to a backend server. Owned by the Session.
class BackendConnection : public StreamHandler
{
public:
    BackendConnection(ServerPtr server, BackendHandler& handler)
        : m_server(std::move(server)), m_handler(&handler)
    {
    }
    /// Send a command. Commands routed before authentication finishes are
    /// queued and sent in order afterwards.
    virtual bool write(Buffer&& command) = 0;
    /// Role of this connection for the admin API ("master", "slave", ...).
    virtual const char* role() const { return m_role; }
    void set_role(const char* r) { m_role = r; }
    /// The server's id for this connection (e.g. MariaDB's thread id).
    virtual uint64_t backend_id() const { return 0; }
    /// The protocol capabilities agreed with the server (for MariaDB the
    /// CLIENT_* bits, MariaDB's extended ones shifted by 32); 0 until known.
    virtual uint64_t capabilities() const { return 0; }
    /// True while a command is outstanding (reply not complete).
    virtual bool busy() const = 0;
    /// Commands accepted by write() that never reached the server (e.g. the
    /// connection failed before login finished). The caller may route them
    /// elsewhere; the connection forgets them.
    virtual std::vector<Buffer> take_unsent() { return {}; }

    Server& server() { return *m_server; }
    const ServerPtr& server_ptr() const { return m_server; }
    BackendState state() const { return m_state; }
    Stream* stream() { return m_stream; }
    const StreamStats* stats() const { return m_stream ? &m_stream->stats() : &m_final_stats; }
    void set_stream(Stream* s) { m_stream = s; }

    /// Close the socket (without telling the handler).
    void close();
    virtual ~BackendConnection() { close(); }

protected:
    ServerPtr m_server;
    BackendHandler* m_handler;
    Stream* m_stream = nullptr;
    BackendState m_state = BackendState::CONNECTING;
    const char* m_role = "slave";
    StreamStats m_final_stats;
};

class Service;

/// Protocols are held in shared_ptrs; a session of a protocol that creates its
/// own sessions (HTTP) keeps its protocol alive with shared_from_this().
class Protocol : public std::enable_shared_from_this<Protocol>
{
public:
    virtual ~Protocol() = default;
    /// Called once on the main thread when the first listener using this
    /// protocol instance starts (after the log is open; never for
    /// --config-check). Background work such as loading accounts starts here.
    virtual void start() {}
    /// The listener's service was rebuilt at runtime (main thread). Sessions
    /// started from now on use @c service.
    virtual void service_changed(std::shared_ptr<const Service> service) {}
    /**
     * Protocols that serve their listening socket themselves (HTTP) return
     * the server that does so on @c worker, which then owns @c fd (a bound,
     * listening, non-blocking socket). Called on the worker's thread, or on
     * the main thread before the workers start. nullptr with @c error set is
     * a failure; nullptr with @c error empty (the default) means the worker
     * accepts streams and calls new_client().
     */
    virtual std::unique_ptr<ListenerServer> serve(Worker& worker, int fd, std::string& error)
    {
        return nullptr;
    }
    /// Load the accounts that logins are checked against again (`POST
    /// /v1/services/:id/reload`, `maxctrl reload service`). Called on @c worker (the
    /// main worker); @c done runs there, with false if they could not be loaded.
    virtual void reload_users(Worker& worker, std::function<void(bool ok)> done) { done(true); }
    /// A client connection for a freshly accepted stream.
    virtual std::unique_ptr<ClientConnection> new_client(Session& session, Stream& stream) = 0;
    /// A backend connection (not yet connected: the session attaches the stream
    /// and starts connecting).
    virtual std::unique_ptr<BackendConnection> new_backend(Session& session, ServerPtr server,
                                                           BackendHandler& handler) = 0;
};

}  // namespace sqlgate
