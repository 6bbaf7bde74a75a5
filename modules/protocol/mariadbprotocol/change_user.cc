// COM_CHANGE_USER on the client side: the new credentials are checked against
// the accounts like a login, then the command goes to the backends, which log in
// again with a token for their own scramble.
#define SQLGATE_MODULE_NAME "mariadbprotocol"
#include "client.hh"

namespace sqlgate::mariadbprotocol
{
using namespace mariadb;

namespace
{
constexpr const char* NATIVE = "mysql_native_password";

std::string payload_of(const Buffer& packet)
{
    return packet.to_string().substr(HEADER_LEN);
}
}  // namespace

bool MariaDBClient::handle_change_user(Buffer&& packet)
{
    ChangeUser cu;
    if (!parse_change_user(payload_of(packet), m_data->capabilities, cu))
    {
        send_error_and_close(1043, "Bad handshake");
        return false;
    }
    m_user = cu.user;
    m_token = cu.auth_token;
    m_pending_db = cu.database;
    m_change_user_packet = std::move(packet);
    if (cu.charset)
    {
        m_data->charset = static_cast<uint8_t>(cu.charset);
    }
    if ((m_data->capabilities & cap::PLUGIN_AUTH) && !cu.auth_plugin.empty() &&
        cu.auth_plugin != NATIVE)
    {
        std::string data(reinterpret_cast<const char*>(m_data->scramble), SCRAMBLE_LEN);
        data.push_back('\0');
        write_packet(make_packet(m_seq + 1, build_auth_switch(NATIVE, data)));
        m_state = State::CHANGE_USER_SWITCH_SENT;
        return true;
    }
    finish_change_user();
    return m_state == State::ROUTING;
}

void MariaDBClient::finish_change_user()
{
    auto snap = m_protocol.users().snapshot();
    const std::string& ip = m_session.remote();
    const Account* acc = snap ? snap->find(m_user, ip) : nullptr;
    Sha1 sha1{};
    if (!acc || acc->plugin != NATIVE || !check_native(m_data->scramble, m_token, acc->hash, sha1))
    {
        send_error_and_close(1045, "Access denied for user '" + m_user + "'@'" + ip +
                                       "' (using password: " + (m_token.empty() ? "NO" : "YES") +
                                       ")");
        return;
    }
    if (!m_pending_db.empty() &&
        (!snap->databases.count(m_pending_db) || !snap->can_use_db(*acc, m_pending_db)))
    {
        send_error_and_close(1044, "Access denied for user '" + m_user + "'@'" + acc->host +
                                       "' to database '" + m_pending_db + "'");
        return;
    }
    m_data->sha1_password = sha1;
    m_data->has_password = !acc->hash.empty();
    m_data->super_priv = acc->super_priv;
    m_session.set_user(m_user);
    m_token.clear();
    m_state = State::ROUTING;
    // The backend side replaces the token with one for its own scramble.
    if (!m_session.route_query(std::move(m_change_user_packet)))
    {
        m_state = State::CLOSED;
        m_session.close("routing failed");
    }
}

}  // namespace sqlgate::mariadbprotocol
