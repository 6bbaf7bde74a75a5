// modules/protocol/mariadbprotocol/client.cc, the connection phase: the greeting and
// the capabilities it offers, the mariadb CLI's real handshake response, right and
// wrong passwords, unknown users and databases, the auth switch, and logins that are
// refused before they start (bad packets, SSL, oversized packets).
#include "client_harness.hh"

namespace sqlgate::mariadbprotocol::test
{
namespace
{

TEST_F(ClientTest, TheGreetingOffersMariaDBsCapabilitiesAndTheNativePlugin)
{
    Client c;
    c.peer.connect(w.worker(), listener.port());
    std::string packet = mocks::read_packet(w, c.peer);
    ASSERT_FALSE(packet.empty());
    EXPECT_EQ(seq_of(packet), 0);
    EXPECT_EQ(static_cast<uint8_t>(packet[4]), 10) << "protocol version 10";
    Handshake hs;
    std::string error;
    ASSERT_TRUE(parse_handshake(payload(packet), hs, error)) << error;
    EXPECT_EQ(hs.server_version, "5.5.5-10.11.0-sqlgate") << "no version from the servers yet";
    EXPECT_EQ(hs.connection_id, sessions.back()->id());
    EXPECT_EQ(hs.capabilities, SUPPORTED_CAPS & ~cap::LONG_PASSWORD)
        << "the lowest bit clear: MariaDB's extended capabilities follow";
    EXPECT_TRUE(hs.capabilities & cap::MARIADB_STMT_BULK_OPERATIONS);
    EXPECT_FALSE(hs.capabilities & cap::SSL) << "no TLS on this listener";
    EXPECT_FALSE(hs.capabilities & cap::COMPRESS);
    EXPECT_EQ(hs.charset, 45) << "utf8mb4_general_ci";
    EXPECT_EQ(hs.auth_plugin, NATIVE);
    EXPECT_EQ(memchr(hs.scramble, 0, SCRAMBLE_LEN), nullptr);
    EXPECT_EQ(
        memcmp(hs.scramble, static_cast<SessionData*>(sessions.back()->protocol_data())->scramble,
               SCRAMBLE_LEN),
        0)
        << "the scramble the login is checked against";

    Client other;
    connect(other);
    EXPECT_NE(memcmp(hs.scramble, other.greeting.scramble, SCRAMBLE_LEN), 0)
        << "every connection has its own scramble";
}

TEST_F(ClientTest, TheGreetingNamesTheServersVersionOrTheConfiguredOne)
{
    auto snap = accounts();
    snap->server_version = "10.11.19-MariaDB-log";
    users->set_snapshot(snap);
    Client a;
    connect(a);
    EXPECT_EQ(a.greeting.server_version, "5.5.5-10.11.19-MariaDB-log");
    service->config.values["version_string"].text = "8.0.0-custom";
    Client b;
    connect(b);
    EXPECT_EQ(b.greeting.server_version, "8.0.0-custom");
}

TEST_F(ClientTest, TheCliLogsInAndTheSessionStartsRouting)
{
    Client c;
    connect(c);
    std::string ok = ask(c, cli_response(c.greeting.scramble));
    // Byte for byte what MariaDB 10.11 answered the same login (login_ok.bin).
    EXPECT_EQ(ok, mocks::fixture_records("login_ok.bin", 'S')[1]);
    EXPECT_EQ(c.session->user(), "u");
    EXPECT_EQ(c.session->database(), "test");
    EXPECT_EQ(c.session->state(), SessionState::STARTED);
    ASSERT_EQ(router->sessions.size(), 1u);
    EXPECT_TRUE(router->sessions[0]->started);

    SessionData& d = data_of(c);
    HandshakeResponse cli;
    bool ssl = false;
    std::string error;
    ASSERT_TRUE(
        parse_handshake_response(payload(cli_response(c.greeting.scramble)), cli, ssl, error));
    EXPECT_EQ(d.capabilities, cli.capabilities & SUPPORTED_CAPS);
    EXPECT_EQ(d.charset, cli.charset);
    EXPECT_EQ(d.attributes, cli.attributes) << "passed on to the backends";
    EXPECT_EQ(d.sha1_password, sha1("secret")) << "what the backends log in with";
    EXPECT_TRUE(d.has_password);
}

TEST_F(ClientTest, AWrongPasswordIsRefusedAsMariaDBRefusesIt)
{
    Client c;
    std::string answer = log_in_as(c, "app", "wrongapp_pw", "test");
    // Byte for byte MariaDB's answer to the same mistake (login_denied.bin).
    EXPECT_EQ(answer, mocks::fixture_records("login_denied.bin", 'S')[1]);
    EXPECT_TRUE(w.run_until([&]() { return c.peer.closed(); }));
    EXPECT_TRUE(router->sessions.empty());
    EXPECT_EQ(service->stats().failed_auths, 1);
}

TEST_F(ClientTest, TheCliWithAWrongPasswordIsRefused)
{
    Client c;
    connect(c);
    EXPECT_EQ(
        ask(c, cli_response(c.greeting.scramble, "wrong")),
        err(2, 1045, "28000", "Access denied for user 'u'@'127.0.0.1' (using password: YES)"));
}

TEST_F(ClientTest, UnknownUsersAndMissingPasswordsAreRefused)
{
    Client a, b, c;
    EXPECT_EQ(
        log_in_as(a, "nobody", "secret"),
        err(2, 1045, "28000", "Access denied for user 'nobody'@'127.0.0.1' (using password: YES)"));
    EXPECT_EQ(log_in_as(b, "u", ""),
              err(2, 1045, "28000", "Access denied for user 'u'@'127.0.0.1' (using password: NO)"));
    EXPECT_EQ(
        log_in_as(c, "ed", "x"),
        err(2, 1045, "28000", "Access denied for user 'ed'@'127.0.0.1' (using password: YES)"))
        << "an account of another plugin cannot log in";
}

TEST_F(ClientTest, AnAccountWithoutPasswordLogsInWithoutOne)
{
    Client c;
    EXPECT_EQ(log_in_as(c, "nopw", ""), make_ok(2).to_string());
    EXPECT_FALSE(data_of(c).has_password);
}

TEST_F(ClientTest, TheDatabaseMustExistAndBeAllowed)
{
    Client a, b, c;
    EXPECT_EQ(log_in_as(a, "u", "secret", "nosuch"),
              err(2, 1049, "42000", "Unknown database 'nosuch'"));
    EXPECT_EQ(log_in_as(b, "limited", "pw", "other"),
              err(2, 1044, "42000", "Access denied for user 'limited'@'%' to database 'other'"));
    EXPECT_EQ(log_in_as(c, "limited", "pw", "test"), make_ok(2).to_string());
    EXPECT_EQ(c.session->database(), "test");
}

TEST_F(ClientTest, AClientStartingWithAnotherPluginIsSwitchedToTheNativeOne)
{
    Client c;
    connect(c);
    HandshakeResponse r;
    r.capabilities = cap::PROTOCOL_41 | cap::SECURE_CONNECTION | cap::PLUGIN_AUTH;
    r.user = "u";
    r.auth_plugin = "caching_sha2_password";
    r.auth_token = std::string(32, '\x01');
    std::string sw = ask(c, make_packet(1, build_handshake_response(r)).to_string());
    // As MariaDB switches (login_auth_switch.bin): sequence 2, the plugin, the scramble
    // of the greeting, a NUL.
    std::string real = mocks::fixture_records("login_auth_switch.bin", 'S')[1];
    EXPECT_EQ(sw.size(), real.size());
    EXPECT_EQ(sw.substr(0, 27), real.substr(0, 27));
    EXPECT_EQ(sw.substr(27, SCRAMBLE_LEN),
              std::string(reinterpret_cast<const char*>(c.greeting.scramble), SCRAMBLE_LEN));
    EXPECT_EQ(sw.back(), '\0');

    std::string ok = ask(c, make_packet(3, token_for("secret", c.greeting.scramble)).to_string());
    EXPECT_EQ(ok, make_ok(4).to_string());
    EXPECT_EQ(c.session->state(), SessionState::STARTED);
}

TEST_F(ClientTest, AWrongAnswerToTheSwitchIsRefused)
{
    Client c;
    connect(c);
    HandshakeResponse r;
    r.capabilities = cap::PROTOCOL_41 | cap::SECURE_CONNECTION | cap::PLUGIN_AUTH;
    r.user = "u";
    r.auth_plugin = "client_ed25519";
    ASSERT_EQ(
        static_cast<uint8_t>(ask(c, make_packet(1, build_handshake_response(r)).to_string())[4]),
        0xfe);
    EXPECT_EQ(
        ask(c, make_packet(3, token_for("nope", c.greeting.scramble)).to_string()),
        err(4, 1045, "28000", "Access denied for user 'u'@'127.0.0.1' (using password: YES)"));
}

TEST_F(ClientTest, BrokenLoginsAreRefusedWithoutRouting)
{
    Client a, b;
    connect(a);
    EXPECT_EQ(ask(a, make_packet(1, "\x01\x02").to_string()),
              err(2, 1043, "08S01", "Bad handshake"));
    connect(b);
    std::string ssl_request(32, '\0');
    uint32_t caps = cap::PROTOCOL_41 | cap::SSL | cap::SECURE_CONNECTION;
    memcpy(ssl_request.data(), &caps, 4);
    EXPECT_EQ(ask(b, make_packet(1, ssl_request).to_string()),
              err(2, 1043, "08S01", "SSL is not enabled on this listener"));
    EXPECT_TRUE(w.run_until([&]() { return a.peer.closed() && b.peer.closed(); }));
    EXPECT_TRUE(router->sessions.empty());
}

TEST_F(ClientTest, AnOversizedLoginPacketIsRefusedWithoutWaitingForIt)
{
    Client c;
    connect(c);
    // Only the header of a 16 MiB packet: refused without waiting for the rest.
    std::string answer = ask(c, std::string("\xff\xff\xff\x01", 4));
    EXPECT_EQ(payload(answer), payload(err(0, 1153, "08S01",
                                           "Got a packet bigger than 'max_allowed_packet' bytes")));
    EXPECT_TRUE(w.run_until([&]() { return c.peer.closed(); }));
}

// Known problem: the ERR answering an oversized login packet has sequence 1 (the
// greeting's + 1), not the refused packet's + 1 (2): process_input() checks the size
// before it takes the packet's sequence number, so a client sees packets out of order.
TEST_F(ClientTest, DISABLED_AnOversizedLoginPacketIsAnsweredInSequence)
{
    Client c;
    connect(c);
    EXPECT_EQ(seq_of(ask(c, std::string("\xff\xff\xff\x01", 4))), 2);
}

TEST_F(ClientTest, OverMaxConnectionsTheLoginEndsWith1040)
{
    service->config.values["max_connections"].number = 1;
    Client a, b;
    log_in(a);
    connect(b);
    b.peer.send(cli_response(b.greeting.scramble));
    ASSERT_TRUE(w.run_until([&]() { return b.peer.closed(); }));
    std::string all = b.peer.take_all();
    std::string refusal = err(2, 1040, "08004", "Too many connections");
    EXPECT_NE(all.find(payload(refusal)), std::string::npos) << "the client is told why";
    EXPECT_EQ(router->sessions.size(), 1u);
}

// Known problem: over max_connections the client first gets the OK of its login and
// then ERR 1040 with the same sequence number (finish_login() sends the OK before
// Session::start_routing() counts the session). MariaDB sends the ERR instead of the
// OK; a client now believes it is logged in and reads the ERR as its first reply.
TEST_F(ClientTest, DISABLED_OverMaxConnectionsTheErrTakesThePlaceOfTheOk)
{
    service->config.values["max_connections"].number = 1;
    Client a, b;
    log_in(a);
    connect(b);
    EXPECT_EQ(ask(b, cli_response(b.greeting.scramble)),
              err(2, 1040, "08004", "Too many connections"));
}

/// Publishes accounts with "late" (u's password) once the client @c stream stops being
/// read, from a check handle: after the read that started the wait, before the wait ends.
class LateAccount
{
public:
    LateAccount(Worker& worker, Stream* stream, UserManager& users)
        : m_h(new Handle{{}, stream, &users, false})
    {
        uv_check_init(worker.loop(), &m_h->check);
        m_h->check.data = m_h;
        uv_check_start(&m_h->check,
                       [](uv_check_t* c)
                       {
                           auto* h = static_cast<Handle*>(c->data);
                           if (!h->published && !h->stream->reading())
                           {
                               auto snap = accounts();
                               snap->accounts[0].user = "late";
                               h->users->set_snapshot(snap);
                               h->published = true;
                           }
                       });
    }
    ~LateAccount()
    {
        uv_close(reinterpret_cast<uv_handle_t*>(&m_h->check),
                 [](uv_handle_t* c) { delete static_cast<Handle*>(c->data); });
    }
    bool published() const { return m_h->published; }

private:
    struct Handle
    {
        uv_check_t check;
        Stream* stream;
        UserManager* users;
        bool published;
    };
    Handle* m_h;
};

TEST_F(ClientTest, AnAccountThatAppearsWithTheReloadLogsIn)
{
    // An unknown user makes the login wait for a reload of the accounts (the client
    // is not read meanwhile); the accounts change before it is retried.
    Client c;
    connect(c);
    users->set_snapshot(std::make_shared<UserSnapshot>());
    LateAccount late(w.worker(), c.session->client_stream(), *users);
    std::string query = mocks::command("SELECT 1").to_string();
    HandshakeResponse r;
    r.capabilities = cap::PROTOCOL_41 | cap::SECURE_CONNECTION | cap::PLUGIN_AUTH;
    r.user = "late";
    r.auth_plugin = NATIVE;
    r.auth_token = token_for("secret", c.greeting.scramble);
    EXPECT_EQ(ask(c, make_packet(1, build_handshake_response(r)).to_string() + query),
              make_ok(2).to_string());
    EXPECT_TRUE(late.published());
    ASSERT_TRUE(wait_routed(c, 1)) << "what came with the login is routed after the wait";
    EXPECT_EQ(router_of(c).packets, (std::vector<std::string>{query}));
}

TEST_F(ClientTest, CommandsSentWithTheLoginAreRoutedAfterIt)
{
    Client c;
    connect(c);
    std::string query = mocks::command("SELECT 1").to_string();
    ASSERT_EQ(ask(c, cli_response(c.greeting.scramble) + query), make_ok(2).to_string());
    ASSERT_TRUE(wait_routed(c, 1));
    EXPECT_EQ(router_of(c).packets, (std::vector<std::string>{query}));
}

}  // namespace
}  // namespace sqlgate::mariadbprotocol::test
