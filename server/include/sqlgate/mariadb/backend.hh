/**
 * The backend side of a MariaDB session: logs in to the server as the client
 * (with the SHA1(password) recovered at the client's login), sends commands
 * and releases replies up the chain piece by piece as the ReplyTracker finds
 * their ends.
 *
 * Threads: owned by its Session, on the session's worker.
 */
#pragma once

#include <deque>

#include "sqlgate/mariadb.hh"
#include "sqlgate/mariadb/session_data.hh"
#include "sqlgate/protocol.hh"
#include "sqlgate/session.hh"

namespace sqlgate::mariadb
{

class MariaDBBackend : public BackendConnection
{
public:
    MariaDBBackend(Session& session, ServerPtr server, BackendHandler& handler);

    bool write(Buffer&& command) override;
    uint64_t backend_id() const override { return m_backend_id; }
    /// The capabilities agreed with the server (0 until the handshake was answered).
    uint64_t capabilities() const override { return m_caps; }
    std::vector<Buffer> take_unsent() override;
    bool busy() const override { return !m_tracker.idle() || !m_held.empty() || m_change_user; }

    // StreamHandler
    void on_connected(int status) override;
    void on_read(Buffer&& data) override;
    void on_error(int status) override;
    void on_write_high() override;
    void on_write_low() override;

private:
    void process_auth();
    void process_replies();
    bool process_change_user_reply();
    void send(Buffer&& command);
    void start_change_user(Buffer&& command);
    void flush_held();
    void fail(const std::string& reason);
    bool next_packet(Buffer& packet);

    Session& m_session;
    SessionData* m_data;
    ReplyTracker m_tracker;
    Buffer m_in;
    std::deque<Buffer> m_held;  ///< commands waiting for login or a COM_CHANGE_USER
    uint8_t m_scramble[SCRAMBLE_LEN] = {};
    uint64_t m_caps = 0;
    uint64_t m_backend_id = 0;
    bool m_in_continuation = false;
    bool m_change_user = false;  ///< a COM_CHANGE_USER reply is awaited
    bool m_handshake_seen = false;
    bool m_login_done = false;
};

}  // namespace sqlgate::mariadb
