#include "sqlgate/mariadb/backend.hh"

#include <cstring>

#include "sqlgate/assert.hh"
#include "sqlgate/log.hh"
#include "sqlgate/worker.hh"

namespace sqlgate::mariadb
{

namespace
{
constexpr const char* NATIVE = "mysql_native_password";

std::string err_message(const std::string& payload)
{
    // 0xff, code(2), '#', sqlstate(5), message
    if (payload.size() >= 9 && payload[3] == '#')
    {
        uint16_t code = static_cast<uint8_t>(payload[1]) | (static_cast<uint8_t>(payload[2]) << 8);
        return std::to_string(code) + " " + payload.substr(9);
    }
    return payload.size() > 3 ? payload.substr(3) : std::string("unknown error");
}
}  // namespace

MariaDBBackend::MariaDBBackend(Session& session, ServerPtr server, BackendHandler& handler)
    : BackendConnection(std::move(server), handler),
      m_session(session),
      m_data(static_cast<SessionData*>(session.protocol_data()))
{
}

bool MariaDBBackend::write(Buffer&& command)
{
    SG_ASSERT_OWNER(m_session.worker());
    switch (m_state)
    {
        case BackendState::CONNECTING:
        case BackendState::AUTHENTICATING:
            m_held.push_back(std::move(command));
            return true;
        case BackendState::ROUTING:
            if (!m_held.empty() || m_change_user)
            {
                m_held.push_back(std::move(command));
                return true;
            }
            send(std::move(command));
            return m_stream != nullptr;
        default:
            return false;
    }
}

void MariaDBBackend::send(Buffer&& command)
{
    uint32_t len = static_cast<uint32_t>(command.size() - HEADER_LEN);
    if (m_tracker.in_load_data())
    {
        m_tracker.command_sent(command);
    }
    else if (!m_in_continuation)
    {
        if (command_of(command) == COM_CHANGE_USER)
        {
            if (!m_tracker.idle())
            {
                m_held.push_back(std::move(command));  // after the replies in flight
                return;
            }
            start_change_user(std::move(command));
            return;
        }
        m_tracker.command_sent(command);
    }
    m_in_continuation = len == MAX_PAYLOAD;
    m_stream->write(std::move(command));
}

std::vector<Buffer> MariaDBBackend::take_unsent()
{
    std::vector<Buffer> out;
    // Once logged in, held commands wait behind sent ones: not safe to move.
    if (!m_login_done)
    {
        for (Buffer& b : m_held)
        {
            out.push_back(std::move(b));
        }
        m_held.clear();
    }
    return out;
}

void MariaDBBackend::flush_held()
{
    while (!m_held.empty() && m_state == BackendState::ROUTING && !m_change_user && m_stream)
    {
        Buffer cmd = std::move(m_held.front());
        m_held.pop_front();
        if (command_of(cmd) == COM_CHANGE_USER && !m_in_continuation && !m_tracker.idle())
        {
            m_held.push_front(std::move(cmd));
            return;
        }
        send(std::move(cmd));
    }
}

void MariaDBBackend::start_change_user(Buffer&& command)
{
    std::string s = command.to_string();
    ChangeUser cu;
    if (!parse_change_user(std::string_view(s).substr(HEADER_LEN), m_data->capabilities, cu))
    {
        fail("malformed COM_CHANGE_USER");
        return;
    }
    cu.auth_plugin = NATIVE;
    cu.auth_token.clear();
    if (m_data->has_password)
    {
        Sha1 t = native_token_from_sha1(m_data->sha1_password, m_scramble);
        cu.auth_token.assign(reinterpret_cast<const char*>(t.data()), t.size());
    }
    cu.charset = m_data->charset;
    m_change_user = true;
    m_stream->write(make_packet(0, build_change_user(cu, m_caps)));
}

void MariaDBBackend::on_connected(int status)
{
    if (status != 0)
    {
        m_server->stats().failed_connections.fetch_add(1, std::memory_order_relaxed);
        fail(std::string("cannot connect: ") + uv_strerror(status));
        return;
    }
    m_state = BackendState::AUTHENTICATING;
    m_stream->read_start();
}

bool MariaDBBackend::next_packet(Buffer& packet)
{
    if (m_in.size() < HEADER_LEN)
    {
        return false;
    }
    unsigned char hdr[HEADER_LEN];
    m_in.copy_out(0, hdr, HEADER_LEN);
    size_t total = HEADER_LEN + payload_length(hdr);
    if (m_in.size() < total)
    {
        return false;
    }
    packet = m_in.split(total);
    return true;
}

void MariaDBBackend::on_read(Buffer&& data)
{
    m_in.append(std::move(data));
    if (m_state == BackendState::AUTHENTICATING)
    {
        process_auth();
    }
    if (m_state == BackendState::ROUTING)
    {
        process_replies();
    }
}

void MariaDBBackend::process_auth()
{
    Buffer packet;
    while (m_state == BackendState::AUTHENTICATING && next_packet(packet))
    {
        std::string s = packet.to_string();
        std::string_view payload = std::string_view(s).substr(HEADER_LEN);
        uint8_t seq = static_cast<uint8_t>(s[3]);
        if (!m_handshake_seen)
        {
            m_handshake_seen = true;
            Handshake hs;
            std::string error;
            if (!payload.empty() && static_cast<uint8_t>(payload[0]) == 0xff)
            {
                fail("server refused the connection: " + err_message(std::string(payload)));
                return;
            }
            if (!parse_handshake(payload, hs, error))
            {
                fail("bad handshake from server: " + error);
                return;
            }
            m_backend_id = hs.connection_id;
            memcpy(m_scramble, hs.scramble, SCRAMBLE_LEN);
            HandshakeResponse r;
            m_caps = (m_data->capabilities & hs.capabilities) | cap::PROTOCOL_41 |
                     cap::SECURE_CONNECTION | cap::PLUGIN_AUTH;
            if (!(hs.capabilities & cap::LONG_PASSWORD))
            {
                m_caps &= ~cap::LONG_PASSWORD;  // keep MariaDB's extended capabilities
            }
            r.user = m_session.user();
            r.database = m_session.database();
            m_caps = r.database.empty() ? (m_caps & ~cap::CONNECT_WITH_DB)
                                        : (m_caps | cap::CONNECT_WITH_DB);
            r.capabilities = m_caps;
            r.charset = m_data->charset;
            r.auth_plugin = NATIVE;
            if (m_data->has_password)
            {
                Sha1 t = native_token_from_sha1(m_data->sha1_password, m_scramble);
                r.auth_token.assign(reinterpret_cast<const char*>(t.data()), t.size());
            }
            if (m_caps & cap::CONNECT_ATTRS)
            {
                r.attributes = m_data->attributes;
            }
            m_tracker.set_capabilities(m_caps);
            m_stream->write(make_packet(seq + 1, build_handshake_response(r)));
            continue;
        }
        uint8_t first = payload.empty() ? 0 : static_cast<uint8_t>(payload[0]);
        if (first == 0x00)
        {
            m_state = BackendState::ROUTING;
            m_login_done = true;
            flush_held();
        }
        else if (first == 0xff)
        {
            fail("login refused: " + err_message(std::string(payload)));
        }
        else if (first == 0xfe)
        {
            std::string plugin, data;
            if (!parse_auth_switch(payload, plugin, data) || plugin != NATIVE ||
                data.size() < SCRAMBLE_LEN)
            {
                fail("server asked for unsupported authentication plugin '" + plugin + "'");
                return;
            }
            memcpy(m_scramble, data.data(), SCRAMBLE_LEN);
            std::string token;
            if (m_data->has_password)
            {
                Sha1 t = native_token_from_sha1(m_data->sha1_password, m_scramble);
                token.assign(reinterpret_cast<const char*>(t.data()), t.size());
            }
            m_stream->write(make_packet(seq + 1, token));
        }
        else
        {
            fail("unexpected packet during login");
        }
    }
}

void MariaDBBackend::process_replies()
{
    while (m_stream && !m_in.empty())
    {
        if (m_change_user)
        {
            if (!process_change_user_reply())
            {
                return;
            }
            continue;
        }
        if (m_tracker.idle())
        {
            // Nothing was asked: the server is telling us something (e.g. it
            // is shutting down or killed the connection).
            Buffer packet;
            if (!next_packet(packet))
            {
                return;
            }
            std::string s = packet.to_string();
            fail(s.size() > HEADER_LEN && static_cast<uint8_t>(s[HEADER_LEN]) == 0xff
                     ? "server sent: " + err_message(s.substr(HEADER_LEN))
                     : std::string("server sent unexpected data"));
            return;
        }
        Reply reply;
        size_t n = m_tracker.process(m_in, reply);
        if (n == 0)
        {
            return;
        }
        Buffer piece = m_in.split(n);
        reply.server = m_server->name().c_str();
        reply.local_infile = m_tracker.in_load_data() && !reply.complete;
        if (!m_handler->backend_reply(*this, std::move(piece), reply))
        {
            return;
        }
        if (reply.complete && !m_held.empty())
        {
            flush_held();
        }
    }
}

bool MariaDBBackend::process_change_user_reply()
{
    Buffer packet;
    if (!next_packet(packet))
    {
        return false;
    }
    std::string s = packet.to_string();
    uint8_t first = s.size() > HEADER_LEN ? static_cast<uint8_t>(s[HEADER_LEN]) : 0;
    if (first == 0xfe)
    {
        std::string plugin, data;
        if (!parse_auth_switch(std::string_view(s).substr(HEADER_LEN), plugin, data) ||
            plugin != NATIVE || data.size() < SCRAMBLE_LEN)
        {
            fail("COM_CHANGE_USER: server asked for unsupported plugin '" + plugin + "'");
            return false;
        }
        memcpy(m_scramble, data.data(), SCRAMBLE_LEN);
        std::string token;
        if (m_data->has_password)
        {
            Sha1 t = native_token_from_sha1(m_data->sha1_password, m_scramble);
            token.assign(reinterpret_cast<const char*>(t.data()), t.size());
        }
        m_stream->write(make_packet(static_cast<uint8_t>(s[3]) + 1, token));
        return true;
    }
    m_change_user = false;
    Reply reply;
    reply.command = COM_CHANGE_USER;
    reply.complete = true;
    reply.is_error = first == 0xff;
    reply.bytes = packet.size();
    reply.server = m_server->name().c_str();
    if (!m_handler->backend_reply(*this, std::move(packet), reply))
    {
        return false;
    }
    flush_held();
    return true;
}

void MariaDBBackend::on_error(int status)
{
    fail(status == UV_EOF ? "connection closed by server"
                          : std::string("connection error: ") + uv_strerror(status));
}

void MariaDBBackend::fail(const std::string& reason)
{
    if (m_state == BackendState::FAILED || m_state == BackendState::CLOSED)
    {
        return;
    }
    bool started = m_tracker.reply_started();
    SG_INFO("Session %lu: server %s: %s", (unsigned long)m_session.id(), m_server->name().c_str(),
            reason.c_str());
    m_state = BackendState::FAILED;
    close();
    m_handler->backend_error(*this, reason, started);
}

void MariaDBBackend::on_write_high()
{
    m_session.throttle_client(true);
}
void MariaDBBackend::on_write_low()
{
    m_session.throttle_client(false);
}

}  // namespace sqlgate::mariadb
