/**
 * The client end of a sqlgate session that serves an HTTP API: statements go
 * down the session's filter chain and router like a MariaDB client's, and the
 * replies are decoded into rows for a ResultSink instead of being written to a
 * socket (a ReplyDecoder, whose ReplyTracker sees every command sent and every
 * reply byte that comes back up the chain). Statements run one at a time, in the order they were
 * submitted. Statements with parameters run as server-side prepared statements (COM_STMT_PREPARE,
 * COM_STMT_EXECUTE with the values bound, COM_STMT_CLOSE).
 *
 * Threads: owned by its Session, on the session's worker. The protocol
 * (HttpSqlProtocol) is shared by every worker; its members are immutable or
 * thread-safe.
 */
#pragma once

#include <jansson.h>

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sqlgate/httpsql/packets.hh"
#include "sqlgate/httpsql/resultset.hh"
#include "sqlgate/mariadb.hh"
#include "sqlgate/mariadb/accounts.hh"
#include "sqlgate/protocol.hh"
#include "sqlgate/session.hh"

namespace sqlgate::httpsql
{

/// MariaDB's error for a wrong number of statement parameters; the HTTP APIs
/// answer it with 400 (the request is wrong, not the server).
constexpr uint16_t ER_WRONG_ARGUMENTS = 1210;

/// What the SQL-over-HTTP protocols share: the service, its accounts and the
/// MariaDB backend side.
class HttpSqlProtocol : public Protocol
{
public:
    HttpSqlProtocol(std::shared_ptr<const Service> service, std::string listener);

    std::unique_ptr<ClientConnection> new_client(Session&, Stream&) override { return nullptr; }
    std::unique_ptr<BackendConnection> new_backend(Session& session, ServerPtr server,
                                                   BackendHandler& handler) override;
    void start() override { m_users->start(); }
    void service_changed(std::shared_ptr<const Service> service) override;

    std::shared_ptr<const Service> service() const { return std::atomic_load(&m_service); }
    const std::string& listener() const { return m_listener; }
    void reload_users(Worker& worker, std::function<void(bool ok)> done) override
    {
        m_users->reload(worker, 0, std::move(done));
    }
    mariadb::UserManager& users() { return *m_users; }
    /// The module name shown with the sessions ("queryservice", "sqlgateway").
    virtual const char* name() const = 0;

private:
    std::shared_ptr<const Service> m_service;  ///< std::atomic_load/store only
    std::string m_listener;
    std::shared_ptr<mariadb::UserManager> m_users;
};

/// The result of checking HTTP Basic credentials against the database accounts.
struct Login
{
    bool ok = false;
    int http_status = 401;
    std::string message;
    std::string user;
    mariadb::Sha1 sha1{};
    bool has_password = false;
    bool super_priv = false;
};

/**
 * Check @c user / @c password from @c ip against the service's accounts. @c done
 * runs on the calling worker, at once or after an account reload (a user
 * unknown to the last snapshot triggers one, rate-limited like MariaDB logins).
 */
void authenticate(HttpSqlProtocol& protocol, const std::string& user, const std::string& password,
                  const std::string& ip, std::function<void(const Login&)> done);

class SqlClient : public ClientConnection
{
public:
    /// One statement. Without params it is sent as COM_QUERY; with them (even
    /// an empty list when @c prepare is set) as a prepared statement.
    struct Command
    {
        std::string sql;
        std::vector<json_t*> params;  ///< references owned by the command
        bool prepare = false;
        std::shared_ptr<ResultSink> sink;
        /// After the whole reply (or the failure): whether it succeeded.
        std::function<void(bool ok)> done;
        /// Asked when the command's turn comes; false drops it unsent (done(false)).
        std::function<bool()> still_wanted;
        Command() = default;
        Command(Command&&) noexcept = default;
        Command& operator=(Command&&) noexcept = default;
        ~Command();
    };

    /**
     * Start a session for a logged-in user on the calling worker. nullptr with
     * @c error when it cannot start (no usable server, max_connections).
     * Without @c multi_statements, a request holds exactly one statement.
     */
    static SqlClient* open(HttpSqlProtocol& protocol, const Login& login,
                           const std::string& database, const std::string& remote, int port,
                           std::string& error, bool multi_statements = true);

    SqlClient(Session& session, HttpSqlProtocol& protocol);
    ~SqlClient() override;

    Session& session() { return m_session; }
    /// Queue a command; runs after those before it.
    void execute(Command cmd);
    /// Reset the server-side session state (COM_RESET_CONNECTION) before the
    /// next command, so a pooled session starts clean.
    void reset();
    /// True while a command runs or waits.
    bool busy() const { return m_active || !m_queue.empty(); }
    /// KILL QUERY whatever runs now; @c done runs when the kill was answered.
    void cancel(std::function<void()> done);
    /// Stop or resume reading replies (flow control for slow HTTP clients).
    void pause(bool stop) { m_session.throttle_backends(stop); }
    /// End the session.
    void close(const std::string& reason);
    /// End the session, killing a running statement first (a server does not
    /// notice that the connection of a SLEEP or a long scan was closed).
    void kill_and_close(const std::string& reason);
    bool closed() const { return m_closed; }
    /// Runs once when the session ends for any reason (REST DELETE, lost backend, close()).
    std::function<void(const std::string& reason)> on_closed;

    // ClientConnection
    void start() override {}
    bool client_reply(Buffer&& data, const Reply& reply) override;
    void send_error_and_close(int code, const std::string& message) override;
    const char* protocol_name() const override { return m_protocol.name(); }
    void on_read(Buffer&&) override {}
    void on_error(int) override {}

private:
    enum class Phase
    {
        IDLE,
        RESET,
        QUERY,
        PREPARE,
        EXECUTE,
    };
    class PrepareSink;

    void next();
    void send(const std::string& payload);
    /// The reply to the current phase's command was decoded: on to the next phase.
    void reply_done();
    void finish(bool ok);
    /// The command's sink, behind a tap that notes its errors and prepared statement.
    void tap_active();
    void fail_active(uint16_t code, const std::string& message);

    Session& m_session;
    HttpSqlProtocol& m_protocol;
    std::deque<Command> m_queue;
    std::unique_ptr<Command> m_active;
    Phase m_phase = Phase::IDLE;
    bool m_reset_pending = false;
    bool m_closed = false;
    bool m_failed = false;  ///< the active command already reported an error
    std::string m_close_reason;
    Buffer m_in;  ///< reply bytes not decoded yet (a partial packet)
    /// Runs its own ReplyTracker over the replies as they reach this end of the chain.
    std::unique_ptr<ReplyDecoder> m_decoder;
    std::shared_ptr<PrepareSink> m_prepare_sink;
    std::shared_ptr<bool> m_alive = std::make_shared<bool>(true);
    uint64_t m_caps = 0;  ///< agreed with the backend; 0 until its first reply
    uint32_t m_stmt_id = 0;
};

}  // namespace sqlgate::httpsql
