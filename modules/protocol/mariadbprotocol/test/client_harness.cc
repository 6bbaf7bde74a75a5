#include "client_harness.hh"

#include <cstring>

namespace sqlgate::mariadbprotocol::test
{

namespace
{
// Where the auth token sits in handshake_response_mariadb_cli.bin: the header, 32
// fixed bytes, "u\0", the token's length (0x14).
constexpr size_t CLI_TOKEN_AT = HEADER_LEN + 32 + 2 + 1;

Account account(const std::string& user, const std::string& password, bool all_dbs,
                const std::string& plugin = NATIVE)
{
    Account a;
    a.user = user;
    a.host = "%";
    a.plugin = plugin;
    if (!password.empty())
    {
        Sha1 once = sha1(password);
        Sha1 twice = sha1(std::string_view(reinterpret_cast<const char*>(once.data()), 20));
        a.hash.assign(reinterpret_cast<const char*>(twice.data()), twice.size());
    }
    a.global_db_priv = all_dbs;
    return a;
}
}  // namespace

std::string cli_response(const uint8_t* scramble, std::string_view password)
{
    std::string r = mocks::fixture_bytes("handshake_response_mariadb_cli.bin");
    EXPECT_EQ(r.substr(CLI_TOKEN_AT - 3, 3), std::string("u\0\x14", 3));
    r.replace(CLI_TOKEN_AT, SCRAMBLE_LEN, token_for(password, scramble));
    return r;
}

std::shared_ptr<UserSnapshot> accounts()
{
    auto snap = std::make_shared<UserSnapshot>();
    snap->accounts = {account("u", "secret", true),    account("app", "app_pw", true),
                      account("limited", "pw", false), account("nopw", "", true),
                      account("boss", "boss", true),   account("ed", "x", true, "ed25519")};
    snap->accounts[4].super_priv = true;
    snap->grants.push_back(DbGrant{"limited", "%", "test"});
    snap->databases = {"test", "other"};
    snap->sort();
    return snap;
}

void ClientTest::SetUp()
{
    service->name = "svc";
    service->router = router;
    users = std::make_shared<UserManager>(service);
    users->set_snapshot(accounts());
    protocol = std::make_shared<MariaDBProtocol>(service, users);
}

void ClientTest::connect(Client& c)
{
    size_t before = sessions.size();
    c.peer.connect(w.worker(), listener.port());
    std::string greeting = mocks::read_packet(w, c.peer);
    ASSERT_FALSE(greeting.empty()) << "no greeting";
    ASSERT_EQ(sessions.size(), before + 1);
    c.session = sessions.back();
    std::string error;
    ASSERT_TRUE(parse_handshake(payload(greeting), c.greeting, error)) << error;
}

void ClientTest::log_in(Client& c)
{
    connect(c);
    std::string ok = ask(c, cli_response(c.greeting.scramble));
    ASSERT_EQ(ok, make_ok(2).to_string());
}

std::string ClientTest::log_in_as(Client& c, const std::string& user, const std::string& password,
                                  const std::string& db, uint64_t caps)
{
    connect(c);
    HandshakeResponse r;
    r.capabilities = caps ? caps
                          : cap::PROTOCOL_41 | cap::SECURE_CONNECTION | cap::PLUGIN_AUTH |
                                cap::LOCAL_FILES | cap::MULTI_RESULTS |
                                (db.empty() ? 0 : cap::CONNECT_WITH_DB);
    r.user = user;
    r.database = db;
    r.auth_plugin = NATIVE;
    r.auth_token = token_for(password, c.greeting.scramble);
    return ask(c, make_packet(1, build_handshake_response(r)).to_string());
}

std::string ClientTest::ask(Client& c, const std::string& bytes)
{
    c.peer.send(bytes);
    return mocks::read_packet(w, c.peer);
}

mocks::MockRouterSession& ClientTest::router_of(Client& c)
{
    for (mocks::MockRouterSession* rs : router->sessions)
    {
        if (&rs->session == c.session)
        {
            return *rs;
        }
    }
    ADD_FAILURE() << "no router session";
    throw std::runtime_error("no router session");
}

bool ClientTest::wait_routed(Client& c, size_t n)
{
    return w.run_until([&]() { return router_of(c).packets.size() >= n; });
}

}  // namespace sqlgate::mariadbprotocol::test
