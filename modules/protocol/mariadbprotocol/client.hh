/**
 * The client side of a MariaDB session: greeting, authentication against the
 * accounts loaded from the backends, command framing, KILL and
 * COM_CHANGE_USER handling, and replies back to the client.
 *
 * Threads: owned by its Session, on the session's worker.
 */
#pragma once

#include <string>

#include <memory>

#include "mariadbprotocol.hh"
#include "sqlgate/timer.hh"

namespace sqlgate::mariadbprotocol
{

class MariaDBClient : public ClientConnection
{
public:
    MariaDBClient(Session& session, Stream& stream, MariaDBProtocol& protocol);
    ~MariaDBClient() override;

    void start() override;
    bool client_reply(Buffer&& data, const Reply& reply) override;
    void send_error_and_close(int code, const std::string& message) override;

    // StreamHandler
    void on_read(Buffer&& data) override;
    void on_error(int status) override;
    void on_write_high() override;
    void on_write_low() override;

    /// The answer to a KILL this client asked for (posted back by the target).
    void kill_done(bool ok, uint16_t code, const std::string& message);

private:
    enum class State
    {
        GREETING_SENT,
        AUTH_SWITCH_SENT,
        AUTH_WAITING,  ///< waiting for accounts to (re)load
        ROUTING,
        KILL_WAITING,
        CHANGE_USER_SWITCH_SENT,
        CLOSED,
    };

    void process_input();
    void handle_handshake_response(Buffer&& packet);
    void handle_auth_switch_response(Buffer&& packet);
    /// Check the token; may wait for a reload. Finishes the login or fails it.
    void authenticate(bool reloaded);
    void finish_login();
    void fail_login(uint16_t code, const char* state, const std::string& message);
    bool route_command(Buffer&& packet);
    bool handle_kill(uint64_t id, bool query_only);
    bool handle_change_user(Buffer&& packet);
    void finish_change_user();
    void write_packet(Buffer&& packet);
    void send_err(uint8_t seq, uint16_t code, const char* state, const std::string& msg);

    /// Clients that do not finish logging in within this time are dropped, as
    /// MariaDB does with its connect_timeout (default 10 s).
    static constexpr uint64_t LOGIN_TIMEOUT_MS = 10000;

    Session& m_session;
    Stream& m_stream;
    std::unique_ptr<Timer> m_login_timer;
    MariaDBProtocol& m_protocol;
    mariadb::SessionData* m_data;
    State m_state = State::GREETING_SENT;
    Buffer m_in;
    uint8_t m_seq = 0;               ///< sequence number of the last packet from the client
    bool m_in_continuation = false;  ///< routing the rest of a >16 MiB packet
    bool m_load_data = false;        ///< forwarding LOAD DATA LOCAL file contents
    bool m_tried_reload = false;

    // Login in progress.
    std::string m_user;
    std::string m_token;
    std::string m_db;

    // COM_INIT_DB / COM_CHANGE_USER bookkeeping.
    std::string m_pending_db;
    bool m_init_db_pending = false;
    Buffer m_change_user_packet;
};

}  // namespace sqlgate::mariadbprotocol
