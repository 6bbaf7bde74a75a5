// The fixture of the MariaDBClient tests: a listener whose connections become
// sessions of a MariaDBProtocol (as a routing worker accepts them), accounts made up
// for the tests, a mock router behind every session, and fake clients (Peers) that
// speak the protocol from raw packets, partly the mariadb CLI's own bytes.
#pragma once

#include <gtest/gtest.h>

#include "mariadbprotocol.hh"
#include "mocks/chain.hh"
#include "mocks/fixture.hh"
#include "mocks/loop.hh"
#include "sqlgate/mariadb.hh"
#include "sqlgate/mariadb/accounts.hh"
#include "sqlgate/mariadb/session_data.hh"

namespace sqlgate::mariadbprotocol::test
{

using namespace sqlgate::mariadb;
constexpr const char* NATIVE = "mysql_native_password";

inline std::string payload(const std::string& packet)
{
    return packet.substr(HEADER_LEN);
}
inline uint8_t seq_of(const std::string& packet)
{
    return packet.size() > 3 ? static_cast<uint8_t>(packet[3]) : 0xff;
}
inline std::string token_for(std::string_view password, const uint8_t* scramble)
{
    if (password.empty())
    {
        return "";
    }
    Sha1 t = native_token(password, scramble);
    return std::string(reinterpret_cast<const char*>(t.data()), t.size());
}
inline std::string err(uint8_t seq, uint16_t code, const char* state, const std::string& msg)
{
    return make_err(seq, code, state, msg).to_string();
}

/// The mariadb CLI's handshake response (user u, database test), for @c scramble.
std::string cli_response(const uint8_t* scramble, std::string_view password = "secret");
/// The accounts of the tests: u/secret (every database), app/app_pw (the capture's
/// user), limited/pw (database test only), nopw (no password), boss/boss (SUPER),
/// ed (another plugin). Databases test and other.
std::shared_ptr<UserSnapshot> accounts();

/// A fake client: its connection and what the greeting told it.
struct Client
{
    mocks::Peer peer;
    Handshake greeting;
    Session* session = nullptr;  ///< the session sqlgate made for it
};

class ClientTest : public ::testing::Test
{
protected:
    void SetUp() override;
    void TearDown() override { w.close_sessions(); }

    /// Connect @c c and read its greeting.
    void connect(Client& c);
    /// Connect and log in with the CLI's response (user u); expects the OK.
    void log_in(Client& c);
    /// Connect and log in as @c user; returns what the login got (OK or ERR).
    std::string log_in_as(Client& c, const std::string& user, const std::string& password,
                          const std::string& db = "", uint64_t caps = 0);
    /// Send @c bytes and return the next packet the client gets ("" on a timeout).
    std::string ask(Client& c, const std::string& bytes);
    /// The mock router session of @c c's session.
    mocks::MockRouterSession& router_of(Client& c);
    /// Run until @c c's router session got @c n commands.
    bool wait_routed(Client& c, size_t n);
    SessionData& data_of(Client& c)
    {
        return *static_cast<SessionData*>(c.session->protocol_data());
    }

    mocks::TestWorker w;
    std::shared_ptr<mocks::MockRouter> router = std::make_shared<mocks::MockRouter>();
    std::shared_ptr<Service> service = std::make_shared<Service>();
    std::shared_ptr<UserManager> users;
    std::shared_ptr<MariaDBProtocol> protocol;
    std::vector<Session*> sessions;  ///< accepted, in order (freed ones dangle)
    uint64_t next_id = 1;
    mocks::Listener listener{
        w.worker(), [this](Stream* s)
        { sessions.push_back(mocks::accept_session(w, s, next_id++, service, protocol)); }};
};

}  // namespace sqlgate::mariadbprotocol::test
