// server/core/mariadb/backend.cc, the connection phase: the login MariaDBBackend
// sends for a real MariaDB 10.11 greeting (scrambled with the SHA1 of the client's
// password), the server's auth switch, refusals, and commands held until the login is
// done. The server's side comes from capture_login.py captures.
#include "backend_fixture.hh"

namespace sqlgate::mariadb::test
{
namespace
{

Handshake greeting_of(const std::string& packet)
{
    Handshake hs;
    std::string error;
    EXPECT_TRUE(parse_handshake(payload(packet), hs, error)) << error;
    return hs;
}

HandshakeResponse login_of(const std::string& packet)
{
    HandshakeResponse r;
    bool ssl = false;
    std::string error;
    EXPECT_TRUE(parse_handshake_response(payload(packet), r, ssl, error)) << error;
    return r;
}

std::string token(std::string_view password, const uint8_t* scramble)
{
    Sha1 t = native_token(password, scramble);
    return std::string(reinterpret_cast<const char*>(t.data()), t.size());
}

TEST_F(BackendTest, TheGreetingIsAnsweredWithTheClientsLogin)
{
    std::string greeting = records("login_ok.bin", 'S')[0];
    connect();
    EXPECT_EQ(backend->state(), BackendState::AUTHENTICATING);
    EXPECT_EQ(backend->capabilities(), 0u) << "nothing agreed before the greeting";
    fake->send(greeting);
    std::string packet = mocks::read_packet(w, *fake);
    ASSERT_FALSE(packet.empty());
    EXPECT_EQ(static_cast<uint8_t>(packet[3]), 1) << "the greeting's sequence number + 1";

    Handshake hs = greeting_of(greeting);
    HandshakeResponse r = login_of(packet);
    EXPECT_EQ(r.user, "app");
    EXPECT_EQ(r.database, "test");
    EXPECT_EQ(r.auth_plugin, NATIVE);
    EXPECT_EQ(r.charset, data->charset);
    EXPECT_EQ(r.auth_token, token("app_pw", hs.scramble));
    // The capture's client computed the same token for that scramble with the password.
    EXPECT_EQ(r.auth_token, login_of(records("login_ok.bin", 'C')[0]).auth_token);
    uint64_t expected = (data->capabilities & hs.capabilities) | cap::PROTOCOL_41 |
                        cap::SECURE_CONNECTION | cap::PLUGIN_AUTH | cap::CONNECT_WITH_DB;
    EXPECT_EQ(r.capabilities, expected);
    EXPECT_EQ(backend->capabilities(), expected);
    EXPECT_TRUE(r.capabilities & cap::MARIADB_EXTENDED_TYPE_INFO)
        << "MariaDB's extended capabilities are kept";
    EXPECT_EQ(r.attributes, data->attributes) << "both sides have CONNECT_ATTRS";
    EXPECT_EQ(backend->backend_id(), hs.connection_id);
}

TEST_F(BackendTest, WithoutPasswordOrDatabaseTheLoginSaysSo)
{
    data->has_password = false;
    session->set_database("");
    HandshakeResponse r = login_of(log_in());
    EXPECT_TRUE(r.auth_token.empty());
    EXPECT_FALSE(r.capabilities & cap::CONNECT_WITH_DB);
    EXPECT_TRUE(r.database.empty());
}

TEST_F(BackendTest, CommandsWrittenBeforeTheLoginFollowTheOkInOrder)
{
    std::vector<std::string> s = records("login_ok.bin", 'S');
    std::string ping = make_packet(0, "\x0e").to_string();
    std::string query = make_packet(0, "\x03SELECT 1").to_string();
    backend = static_cast<MariaDBBackend*>(session->connect(server, handler));
    ASSERT_EQ(backend->state(), BackendState::CONNECTING);
    ASSERT_TRUE(backend->write(Buffer::copy_of(ping)));
    connect();
    ASSERT_TRUE(backend->write(Buffer::copy_of(query)));
    EXPECT_TRUE(backend->busy()) << "held commands make the connection busy";
    fake->send(s[0]);
    ASSERT_FALSE(mocks::read_packet(w, *fake).empty());
    w.run_for(std::chrono::milliseconds(20));
    EXPECT_TRUE(fake->input().empty()) << "nothing but the login before the OK";

    fake->send(s[1]);
    ASSERT_TRUE(w.run_until([&]() { return fake->input().size() >= ping.size() + query.size(); }));
    EXPECT_EQ(fake->take_all(), ping + query);
    EXPECT_EQ(backend->state(), BackendState::ROUTING);
    EXPECT_TRUE(backend->take_unsent().empty()) << "sent ones are not handed back";
}

TEST_F(BackendTest, AnAuthSwitchIsAnsweredForTheNewScramble)
{
    std::vector<std::string> s = records("login_auth_switch.bin", 'S');
    std::vector<std::string> c = records("login_auth_switch.bin", 'C');
    connect();
    fake->send(s[0]);
    ASSERT_FALSE(mocks::read_packet(w, *fake).empty());
    fake->send(s[1]);  // fe mysql_native_password\0 <scramble>\0, sequence 2
    std::string answer = mocks::read_packet(w, *fake);
    EXPECT_EQ(answer, c[1]) << "sequence 3 and the token the capture's client sent";
    fake->send(s[2]);
    ASSERT_TRUE(w.run_until([&]() { return backend->state() == BackendState::ROUTING; }));
    EXPECT_TRUE(handler.errors.empty());
}

TEST_F(BackendTest, AnAuthSwitchWithAFreshScrambleGetsATokenForIt)
{
    // MariaDB's switch repeats the greeting's scramble (login_auth_switch.bin); a
    // server may send a new one, and the answer must be for that one.
    connect();
    fake->send(records("login_ok.bin", 'S')[0]);
    ASSERT_FALSE(mocks::read_packet(w, *fake).empty());
    uint8_t fresh[SCRAMBLE_LEN];
    for (size_t i = 0; i < SCRAMBLE_LEN; ++i)
    {
        fresh[i] = static_cast<uint8_t>('a' + i);
    }
    std::string data(reinterpret_cast<const char*>(fresh), SCRAMBLE_LEN);
    fake->send(make_packet(2, build_auth_switch(NATIVE, data + '\0')).to_string());
    EXPECT_EQ(mocks::read_packet(w, *fake), make_packet(3, token("app_pw", fresh)).to_string());
}

TEST_F(BackendTest, AnAuthSwitchToAnotherPluginFailsTheConnection)
{
    connect();
    fake->send(records("login_ok.bin", 'S')[0]);
    ASSERT_FALSE(mocks::read_packet(w, *fake).empty());
    backend->write(make_packet(0, "\x0e"));
    fake->send(
        make_packet(2, build_auth_switch("client_ed25519", std::string(32, 'x'))).to_string());
    ASSERT_TRUE(wait_error());
    EXPECT_EQ(handler.errors[0],
              "server asked for unsupported authentication plugin 'client_ed25519'");
    EXPECT_FALSE(handler.reply_started[0]);
    EXPECT_EQ(backend->state(), BackendState::FAILED);
    EXPECT_EQ(backend->take_unsent().size(), 1u) << "the held command can go elsewhere";
    EXPECT_TRUE(w.run_until([&]() { return fake->closed(); }));
}

TEST_F(BackendTest, ARefusedLoginHandsTheHeldCommandsBack)
{
    std::string ping = make_packet(0, "\x0e").to_string();
    std::string query = make_packet(0, "\x03SELECT 1").to_string();
    std::vector<std::string> unsent;
    handler.on_error = [&](BackendConnection& conn)
    {
        for (Buffer& b : conn.take_unsent())
        {
            unsent.push_back(b.to_string());
        }
    };
    connect();
    backend->write(Buffer::copy_of(ping));
    backend->write(Buffer::copy_of(query));
    log_in("login_denied.bin");
    ASSERT_TRUE(wait_error());
    EXPECT_EQ(handler.errors[0],
              "login refused: 1045 Access denied for user 'app'@'127.0.0.1' (using password: "
              "YES)");
    EXPECT_EQ(unsent, (std::vector<std::string>{ping, query}));
    EXPECT_TRUE(backend->take_unsent().empty()) << "handed back once";
    EXPECT_FALSE(backend->write(make_packet(0, "\x0e"))) << "a failed connection takes nothing";
    EXPECT_EQ(handler.errors.size(), 1u);
}

TEST_F(BackendTest, AnErrInsteadOfTheGreetingIsAFailure)
{
    connect();
    fake->send(make_err(0, 1040, "08004", "Too many connections").to_string());
    ASSERT_TRUE(wait_error());
    EXPECT_EQ(handler.errors[0], "server refused the connection: 1040 Too many connections");
    EXPECT_TRUE(w.run_until([&]() { return fake->closed(); }));
}

TEST_F(BackendTest, AGreetingThatCannotBeParsedIsAFailure)
{
    connect();
    fake->send(make_packet(0, std::string("\x09garbage", 8)).to_string());
    ASSERT_TRUE(wait_error());
    EXPECT_EQ(handler.errors[0].rfind("bad handshake from server: ", 0), 0u) << handler.errors[0];
}

TEST_F(BackendTest, AnUnexpectedPacketDuringTheLoginIsAFailure)
{
    connect();
    fake->send(records("login_ok.bin", 'S')[0]);
    ASSERT_FALSE(mocks::read_packet(w, *fake).empty());
    fake->send(make_packet(2, "\x01whatever").to_string());
    ASSERT_TRUE(wait_error());
    EXPECT_EQ(handler.errors[0], "unexpected packet during login");
}

TEST_F(BackendTest, TheServerClosingDuringTheLoginIsAFailure)
{
    connect();
    fake->send(records("login_ok.bin", 'S')[0]);
    ASSERT_FALSE(mocks::read_packet(w, *fake).empty());
    fake->close();
    ASSERT_TRUE(wait_error());
    EXPECT_EQ(handler.errors[0], "connection closed by server");
    EXPECT_EQ(backend->state(), BackendState::FAILED);
}

TEST_F(BackendTest, AServerNobodyListensAtIsACountedConnectFailure)
{
    int port = 0;
    {
        mocks::Listener gone(w.worker(), [](Stream* s) { s->close(); });
        port = gone.port();
    }
    w.run_for(std::chrono::milliseconds(5));
    auto nowhere = std::make_shared<Server>("nowhere", "127.0.0.1", port);
    backend = static_cast<MariaDBBackend*>(session->connect(nowhere, handler));
    ASSERT_NE(backend, nullptr) << "connecting starts; it fails later";
    backend->write(make_packet(0, "\x0e"));
    ASSERT_TRUE(wait_error());
    EXPECT_EQ(handler.errors[0], "cannot connect: connection refused");
    EXPECT_EQ(nowhere->stats().failed_connections, 1);
    EXPECT_EQ(nowhere->stats().connections, 0);
    EXPECT_EQ(backend->take_unsent().size(), 1u);
}

}  // namespace
}  // namespace sqlgate::mariadb::test
