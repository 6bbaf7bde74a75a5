// modules/protocol/mariadbprotocol/client.cc, COM_CHANGE_USER: checked against the
// accounts like a login (wrong passwords and databases end the connection), routed as
// the client sent it once accepted, an auth switch for clients of other plugins, and
// the backend's answer renumbered in the client's sequence.
#include "client_harness.hh"

namespace sqlgate::mariadbprotocol::test
{
namespace
{

using mocks::reply_to;

class ChangeUserTest : public ClientTest
{
protected:
    void SetUp() override
    {
        ClientTest::SetUp();
        log_in(c);
    }
    /// A COM_CHANGE_USER as the CLI's connection would send it.
    std::string change_user(const std::string& user, const std::string& token,
                            const std::string& db, const std::string& plugin = NATIVE)
    {
        ChangeUser cu;
        cu.user = user;
        cu.auth_token = token;
        cu.database = db;
        cu.charset = 45;
        cu.auth_plugin = plugin;
        return make_packet(0, build_change_user(cu, data_of(c).capabilities)).to_string();
    }
    std::string token(const std::string& password)
    {
        return token_for(password, c.greeting.scramble);
    }
    /// The server's OK for a COM_CHANGE_USER (sequence 3: after its auth switch).
    std::string server_ok() { return mocks::fixture_records("change_user.bin", 'S')[3]; }

    Client c;
};

TEST_F(ChangeUserTest, AnAcceptedChangeIsRoutedAndItsAnswerRenumbered)
{
    std::string cmd = change_user("limited", token("pw"), "test");
    c.peer.send(cmd);
    ASSERT_TRUE(wait_routed(c, 1));
    EXPECT_EQ(router_of(c).packets[0], cmd) << "the backend puts in its own token";
    EXPECT_EQ(c.session->user(), "limited");
    EXPECT_EQ(data_of(c).sha1_password, sha1("pw")) << "what backends log in with now";
    EXPECT_EQ(data_of(c).charset, 45);

    ASSERT_EQ(seq_of(server_ok()), 3);
    router_of(c).reply(server_ok(), reply_to(COM_CHANGE_USER, true));
    std::string ok = mocks::read_packet(w, c.peer);
    EXPECT_EQ(seq_of(ok), 1) << "the answer to the client's packet 0";
    EXPECT_EQ(payload(ok), payload(server_ok()));
}

TEST_F(ChangeUserTest, TheDatabaseChangesWithTheOk)
{
    EXPECT_EQ(c.session->database(), "test");
    c.peer.send(change_user("u", token("secret"), "other"));
    ASSERT_TRUE(wait_routed(c, 1));
    EXPECT_EQ(c.session->database(), "test") << "not before the server agreed";
    router_of(c).reply(server_ok(), reply_to(COM_CHANGE_USER, true));
    ASSERT_FALSE(mocks::read_packet(w, c.peer).empty());
    EXPECT_EQ(c.session->database(), "other");
}

TEST_F(ChangeUserTest, AWrongPasswordEndsTheConnection)
{
    EXPECT_EQ(ask(c, change_user("limited", token("wrong"), "")),
              err(1, 1045, "28000",
                  "Access denied for user 'limited'@'127.0.0.1' (using password: YES)"));
    EXPECT_TRUE(w.run_until([&]() { return c.peer.closed(); }));
}

TEST_F(ChangeUserTest, ADatabaseTheUserMayNotUseEndsTheConnection)
{
    EXPECT_EQ(ask(c, change_user("limited", token("pw"), "other")),
              err(1, 1044, "42000", "Access denied for user 'limited'@'%' to database 'other'"));
    EXPECT_TRUE(w.run_until([&]() { return c.peer.closed(); }));
}

TEST_F(ChangeUserTest, AnotherPluginIsSwitchedToTheNativeOne)
{
    std::string cmd = change_user("limited", std::string(32, '\x01'), "", "caching_sha2_password");
    std::string sw = ask(c, cmd);
    EXPECT_EQ(seq_of(sw), 1);
    std::string plugin, data;
    ASSERT_TRUE(parse_auth_switch(payload(sw), plugin, data));
    EXPECT_EQ(plugin, NATIVE);
    EXPECT_EQ(data, std::string(reinterpret_cast<const char*>(c.greeting.scramble), SCRAMBLE_LEN) +
                        std::string(1, '\0'));
    EXPECT_TRUE(router_of(c).packets.empty()) << "not before the answer";

    c.peer.send(make_packet(2, token("pw")).to_string());
    ASSERT_TRUE(wait_routed(c, 1));
    EXPECT_EQ(router_of(c).packets[0], cmd) << "the command as the client sent it";
    EXPECT_EQ(c.session->user(), "limited");
    router_of(c).reply(server_ok(), reply_to(COM_CHANGE_USER, true));
    EXPECT_EQ(seq_of(mocks::read_packet(w, c.peer)), 3) << "after the client's packet 2";
}

TEST_F(ChangeUserTest, AMalformedCommandIsABadHandshake)
{
    EXPECT_EQ(ask(c, make_packet(0, std::string(1, COM_CHANGE_USER)).to_string()),
              err(1, 1043, "08S01", "Bad handshake"));
    EXPECT_TRUE(w.run_until([&]() { return c.peer.closed(); }));
}

// Known problem: the session's user (and the SHA1 the backends log in with) change
// when sqlgate accepts the COM_CHANGE_USER, before the server does. If the server
// refuses it (its accounts changed since sqlgate loaded them), MariaDB keeps the old
// user on the connection (checked on 10.11: CURRENT_USER() is still the old one) but
// sqlgate goes on as the new one: KILL rights and new backend logins use it.
TEST_F(ChangeUserTest, DISABLED_ARefusalByTheServerKeepsTheOldUser)
{
    c.peer.send(change_user("limited", token("pw"), ""));
    ASSERT_TRUE(wait_routed(c, 1));
    std::string refusal = mocks::fixture_records("change_user.bin", 'S')[8];
    router_of(c).reply(refusal, reply_to(COM_CHANGE_USER, true, true));
    ASSERT_FALSE(mocks::read_packet(w, c.peer).empty());
    EXPECT_EQ(c.session->user(), "u");
    EXPECT_EQ(data_of(c).sha1_password, sha1("secret"));
}

}  // namespace
}  // namespace sqlgate::mariadbprotocol::test
