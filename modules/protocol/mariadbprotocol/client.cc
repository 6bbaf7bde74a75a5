#define SQLGATE_MODULE_NAME "mariadbprotocol"
#include "client.hh"

#include <cstring>

#include "kill.hh"
#include "sqlgate/config.hh"
#include "sqlgate/log.hh"
#include "sqlgate/worker.hh"

namespace sqlgate::mariadbprotocol
{
using namespace mariadb;

namespace
{
constexpr const char* NATIVE = "mysql_native_password";
constexpr const char* DEFAULT_VERSION = "10.11.0-sqlgate";
constexpr size_t MAX_LOGIN_PACKET = 65536;

std::string payload_of(const Buffer& packet)
{
    std::string s = packet.to_string();
    return s.substr(HEADER_LEN);
}

}  // namespace

MariaDBClient::MariaDBClient(Session& session, Stream& stream, MariaDBProtocol& protocol)
    : m_session(session), m_stream(stream), m_protocol(protocol)
{
    auto data = std::make_unique<SessionData>();
    m_data = data.get();
    m_session.set_protocol_data(std::move(data));
}

MariaDBClient::~MariaDBClient() = default;

void MariaDBClient::start()
{
    Handshake hs;
    auto snap = m_protocol.users().snapshot();
    const std::string& configured = m_session.service().config.get_string("version_string");
    if (!configured.empty())
    {
        hs.server_version = configured;
    }
    else
    {
        hs.server_version =
            "5.5.5-" + (snap && !snap->server_version.empty() ? snap->server_version
                                                              : std::string(DEFAULT_VERSION));
    }
    hs.connection_id = static_cast<uint32_t>(m_session.id());
    random_scramble(m_data->scramble, SCRAMBLE_LEN);
    memcpy(hs.scramble, m_data->scramble, SCRAMBLE_LEN);
    // Clearing the lowest bit tells clients we speak MariaDB's extensions.
    hs.capabilities = SUPPORTED_CAPS & ~cap::LONG_PASSWORD;
    hs.charset = 45;  // utf8mb4_general_ci
    hs.auth_plugin = NATIVE;
    write_packet(make_packet(0, build_handshake(hs)));
    m_state = State::GREETING_SENT;
    m_stream.read_start();
    m_login_timer = std::make_unique<Timer>(
        m_session.worker(),
        [this]()
        {
            SG_INFO("Session %lu: no login from %s within %lu ms", (unsigned long)m_session.id(),
                    m_session.remote().c_str(), (unsigned long)LOGIN_TIMEOUT_MS);
            m_state = State::CLOSED;
            m_session.close("login timeout");
        });
    m_login_timer->start(LOGIN_TIMEOUT_MS);
}

void MariaDBClient::write_packet(Buffer&& packet)
{
    m_stream.write(std::move(packet));
}

void MariaDBClient::send_err(uint8_t seq, uint16_t code, const char* state, const std::string& msg)
{
    write_packet(make_err(seq, code, state, msg));
}

void MariaDBClient::on_read(Buffer&& data)
{
    m_in.append(std::move(data));
    process_input();
}

void MariaDBClient::process_input()
{
    while (m_state != State::CLOSED && m_state != State::AUTH_WAITING &&
           m_state != State::KILL_WAITING && m_in.size() >= HEADER_LEN)
    {
        unsigned char hdr[HEADER_LEN];
        m_in.copy_out(0, hdr, HEADER_LEN);
        size_t total = HEADER_LEN + payload_length(hdr);
        if (m_state != State::ROUTING && total > MAX_LOGIN_PACKET)
        {
            // Nobody needs a large packet to log in: don't buffer one for a
            // client we don't know yet.
            fail_login(1153, "08S01", "Got a packet bigger than 'max_allowed_packet' bytes");
            return;
        }
        if (m_in.size() < total)
        {
            break;
        }
        Buffer packet = m_in.split(total);
        m_seq = hdr[3];
        switch (m_state)
        {
            case State::GREETING_SENT:
                handle_handshake_response(std::move(packet));
                break;
            case State::AUTH_SWITCH_SENT:
                handle_auth_switch_response(std::move(packet));
                break;
            case State::CHANGE_USER_SWITCH_SENT:
                m_token = payload_of(packet);
                finish_change_user();
                break;
            case State::ROUTING:
                if (!route_command(std::move(packet)))
                {
                    return;
                }
                break;
            default:
                return;
        }
        if (m_session.state() == SessionState::STOPPING)
        {
            m_state = State::CLOSED;
        }
    }
}

void MariaDBClient::handle_handshake_response(Buffer&& packet)
{
    HandshakeResponse r;
    bool ssl = false;
    std::string error;
    if (!parse_handshake_response(payload_of(packet), r, ssl, error))
    {
        fail_login(1043, "08S01", "Bad handshake");
        return;
    }
    if (ssl)
    {
        fail_login(1043, "08S01", "SSL is not enabled on this listener");
        return;
    }
    m_data->capabilities = r.capabilities & SUPPORTED_CAPS;
    m_data->charset = r.charset;
    m_data->attributes = r.attributes;
    m_user = r.user;
    m_token = r.auth_token;
    m_db = (r.capabilities & cap::CONNECT_WITH_DB) ? r.database : "";
    if ((r.capabilities & cap::PLUGIN_AUTH) && !r.auth_plugin.empty() && r.auth_plugin != NATIVE)
    {
        // The client starts with another plugin: ask it to use ours.
        std::string data(reinterpret_cast<const char*>(m_data->scramble), SCRAMBLE_LEN);
        data.push_back('\0');
        write_packet(make_packet(m_seq + 1, build_auth_switch(NATIVE, data)));
        m_state = State::AUTH_SWITCH_SENT;
        return;
    }
    authenticate(false);
}

void MariaDBClient::handle_auth_switch_response(Buffer&& packet)
{
    m_token = payload_of(packet);
    authenticate(false);
}

void MariaDBClient::authenticate(bool reloaded)
{
    auto snap = m_protocol.users().snapshot();
    uint64_t id = m_session.id();
    Worker& worker = m_session.worker();
    if (m_state == State::AUTH_WAITING)
    {
        m_stream.read_start();  // back from a wait for the accounts
    }
    if (!snap)
    {
        if (reloaded)
        {
            // The accounts could not be loaded (the reason is in the log).
            SG_WARNING(
                "Login of '%s'@'%s' refused: the user accounts of service %s are not "
                "loaded",
                m_user.c_str(), m_session.remote().c_str(), m_session.service().name.c_str());
            m_session.service().stats().failed_auths.fetch_add(1, std::memory_order_relaxed);
            fail_login(1045, "28000",
                       "Access denied for user '" + m_user + "'@'" + m_session.remote() +
                           "' (using password: " + (m_token.empty() ? "NO" : "YES") + ")");
            return;
        }
        // The first load is still running, or failed: wait for (another) one.
        m_tried_reload = true;
        m_state = State::AUTH_WAITING;
        m_stream.read_stop();
        int64_t interval = global_config()->get_duration_ms("users_refresh_time");
        m_protocol.users().reload(
            worker, interval,
            [id](bool)
            {
                if (Session* s = Session::find_local(id))
                {
                    static_cast<MariaDBClient*>(s->client())->authenticate(true);
                }
            });
        return;
    }

    const std::string& ip = m_session.remote();
    const Account* acc = snap->find(m_user, ip);
    Sha1 sha1{};
    bool ok =
        acc && acc->plugin == NATIVE && check_native(m_data->scramble, m_token, acc->hash, sha1);
    bool db_unknown = ok && !m_db.empty() && !snap->databases.count(m_db);

    if ((!ok || db_unknown) && !reloaded && !m_tried_reload)
    {
        // A new account or database may have appeared: reload (rate-limited) and retry.
        m_tried_reload = true;
        m_state = State::AUTH_WAITING;
        m_stream.read_stop();
        int64_t interval = global_config()->get_duration_ms("users_refresh_time");
        m_protocol.users().reload(
            worker, interval,
            [id](bool done)
            {
                if (Session* s = Session::find_local(id))
                {
                    static_cast<MariaDBClient*>(s->client())->authenticate(true);
                }
            });
        return;
    }
    if (!ok)
    {
        if (acc && acc->plugin != NATIVE)
        {
            SG_WARNING(
                "Login of '%s'@'%s' refused: account '%s'@'%s' uses plugin '%s'; only %s "
                "is supported",
                m_user.c_str(), ip.c_str(), acc->user.c_str(), acc->host.c_str(),
                acc->plugin.c_str(), NATIVE);
        }
        m_session.service().stats().failed_auths.fetch_add(1, std::memory_order_relaxed);
        fail_login(1045, "28000",
                   "Access denied for user '" + m_user + "'@'" + ip +
                       "' (using password: " + (m_token.empty() ? "NO" : "YES") + ")");
        return;
    }
    if (db_unknown)
    {
        fail_login(1049, "42000", "Unknown database '" + m_db + "'");
        return;
    }
    if (!m_db.empty() && !snap->can_use_db(*acc, m_db))
    {
        fail_login(1044, "42000",
                   "Access denied for user '" + m_user + "'@'" + acc->host + "' to database '" +
                       m_db + "'");
        return;
    }
    m_data->sha1_password = sha1;
    m_data->has_password = !acc->hash.empty();
    m_data->super_priv = acc->super_priv;
    finish_login();
}

void MariaDBClient::fail_login(uint16_t code, const char* state, const std::string& message)
{
    SG_INFO("Session %lu: login failed: %s", (unsigned long)m_session.id(), message.c_str());
    send_err(m_seq + 1, code, state, message);
    m_state = State::CLOSED;
    m_session.close("authentication failed");
}

void MariaDBClient::finish_login()
{
    m_login_timer.reset();
    m_session.set_user(m_user);
    m_session.set_database(m_db);
    m_state = State::ROUTING;
    m_token.clear();
    // The session may still refuse the login (max_connections: 1040): the
    // client gets its OK only once routing has started, as MariaDB refuses
    // the login itself rather than the first statement.
    if (!m_session.start_routing())
    {
        m_state = State::CLOSED;
        return;
    }
    write_packet(make_ok(m_seq + 1));
    process_input();
}

bool MariaDBClient::route_command(Buffer&& packet)
{
    uint32_t len = static_cast<uint32_t>(packet.size() - HEADER_LEN);
    bool plain = !m_in_continuation && !m_load_data && len < MAX_PAYLOAD;
    if (m_load_data)
    {
        m_load_data = len != 0;  // the empty packet ends the file
    }
    m_in_continuation = len == MAX_PAYLOAD;
    if (plain && len > 0)
    {
        uint8_t cmd = packet.at(HEADER_LEN);
        switch (cmd)
        {
            case COM_QUIT:
                m_state = State::CLOSED;
                m_session.close("client quit");
                return false;
            case COM_PROCESS_KILL:
                if (len >= 5)
                {
                    unsigned char b[4];
                    packet.copy_out(HEADER_LEN + 1, b, 4);
                    return handle_kill(b[0] | (b[1] << 8) | (b[2] << 16) | ((uint64_t)b[3] << 24),
                                       false);
                }
                break;
            case COM_QUERY:
                if (len < 64 && looks_like_kill(packet))
                {
                    uint64_t id;
                    bool query_only;
                    if (parse_kill(get_sql(packet), id, query_only))
                    {
                        return handle_kill(id, query_only);
                    }
                }
                break;
            case COM_INIT_DB:
                m_pending_db = payload_of(packet).substr(1);
                m_init_db_pending = true;
                break;
            case COM_CHANGE_USER:
                return handle_change_user(std::move(packet));
            default:
                break;
        }
    }
    if (!m_session.route_query(std::move(packet)))
    {
        m_state = State::CLOSED;
        m_session.close("routing failed");
        return false;
    }
    return true;
}

bool MariaDBClient::client_reply(Buffer&& data, const Reply& reply)
{
    if (reply.complete)
    {
        if (reply.command == COM_INIT_DB && m_init_db_pending)
        {
            m_init_db_pending = false;
            if (!reply.is_error)
            {
                m_session.set_database(m_pending_db);
            }
        }
        else if (reply.command == COM_CHANGE_USER && !data.empty())
        {
            // The backend answered with its own numbering; continue ours.
            data.make_contiguous()[3] = m_seq + 1;
            if (!reply.is_error)
            {
                m_session.set_database(m_pending_db);
            }
        }
    }
    if (reply.local_infile)
    {
        m_load_data = true;
    }
    return m_stream.write(std::move(data));
}

void MariaDBClient::send_error_and_close(int code, const std::string& message)
{
    if (m_state != State::CLOSED)
    {
        send_err(m_seq + 1, static_cast<uint16_t>(code), sqlstate_of(static_cast<uint16_t>(code)),
                 message);
        m_state = State::CLOSED;
    }
    m_session.close(message);
}

void MariaDBClient::on_error(int status)
{
    m_state = State::CLOSED;
    m_session.close(status == UV_EOF
                        ? "client closed the connection"
                        : std::string("client connection error: ") + uv_strerror(status));
}

void MariaDBClient::on_write_high()
{
    m_session.throttle_backends(true);
}
void MariaDBClient::on_write_low()
{
    m_session.throttle_backends(false);
}

bool MariaDBClient::handle_kill(uint64_t id, bool query_only)
{
    m_state = State::KILL_WAITING;
    m_stream.read_stop();
    start_kill(m_session, id, query_only);
    return false;
}

void MariaDBClient::kill_done(bool ok, uint16_t code, const std::string& message)
{
    if (m_state != State::KILL_WAITING)
    {
        return;
    }
    if (ok)
    {
        write_packet(make_ok(m_seq + 1));
    }
    else
    {
        send_err(m_seq + 1, code, sqlstate_of(code), message);
    }
    m_state = State::ROUTING;
    m_stream.read_start();
    process_input();
}

}  // namespace sqlgate::mariadbprotocol
