// server/core/mariadb/backend.cc, COM_CHANGE_USER: the backend rebuilds the
// client's command with a token for the server's scramble, answers the auth switch
// MariaDB always sends (change_user.bin), passes the result up as a COM_CHANGE_USER
// reply and holds the commands written meanwhile.
#include <cstring>

#include "backend_fixture.hh"

namespace sqlgate::mariadb::test
{
namespace
{

/// What a client sent: a COM_CHANGE_USER to app with a token for sqlgate's own
/// scramble (which the backend must not pass on).
std::string client_change_user(const std::string& user = "app", const std::string& db = "test")
{
    ChangeUser cu;
    cu.user = user;
    cu.database = db;
    cu.auth_token = std::string(20, '\x5a');
    cu.charset = 33;
    cu.auth_plugin = NATIVE;
    return make_packet(0, build_change_user(cu, cap::SECURE_CONNECTION | cap::PLUGIN_AUTH))
        .to_string();
}

ChangeUser parse(const std::string& packet, uint64_t caps)
{
    ChangeUser cu;
    EXPECT_TRUE(parse_change_user(payload(packet), caps, cu));
    return cu;
}

class BackendChangeUserTest : public BackendTest
{
protected:
    void SetUp() override
    {
        BackendTest::SetUp();
        s = records("change_user.bin", 'S');
        c = records("change_user.bin", 'C');
        log_in("change_user.bin");
        ASSERT_EQ(backend->state(), BackendState::ROUTING);
    }
    // The capture. s: greeting, OK, then for each COM_CHANGE_USER its switch and
    // OK (2, 3 and 4, 5), the query's result (6), the switch and ERR of the wrong
    // password (7, 8). c: login, then each COM_CHANGE_USER and its switch answer
    // (1, 2 and 3, 4), the query (5), the last COM_CHANGE_USER and wrong answer (6, 7).
    std::vector<std::string> s, c;
};

TEST_F(BackendChangeUserTest, TheCommandGetsATokenForTheServersScrambleAndTheSwitchIsAnswered)
{
    std::string sent = write_and_read(client_change_user());
    ASSERT_FALSE(sent.empty());
    ChangeUser cu = parse(sent, backend->capabilities());
    ChangeUser captured = parse(c[1], backend->capabilities());
    EXPECT_EQ(cu.user, "app");
    EXPECT_EQ(cu.database, "test");
    EXPECT_EQ(cu.auth_plugin, NATIVE);
    EXPECT_EQ(cu.charset, data->charset);
    EXPECT_EQ(cu.auth_token, captured.auth_token)
        << "the token for the greeting's scramble, as the capture's client computed it";
    EXPECT_TRUE(backend->busy());

    fake->send(s[2]);  // the auth switch, sequence 1
    std::string answer = mocks::read_packet(w, *fake);
    EXPECT_EQ(answer, c[2]) << "sequence 2 and the capture's token for the switch's scramble";
    EXPECT_TRUE(handler.data.empty()) << "the switch is not the reply";

    fake->send(s[3]);  // OK, sequence 3
    ASSERT_TRUE(wait_replies(1));
    EXPECT_EQ(handler.data, (std::vector<std::string>{s[3]}));
    EXPECT_EQ(handler.replies[0].command, COM_CHANGE_USER);
    EXPECT_FALSE(handler.replies[0].is_error);
    EXPECT_STREQ(handler.replies[0].server, "db1");
    EXPECT_FALSE(backend->busy());
}

TEST_F(BackendChangeUserTest, ASwitchWithAFreshScrambleGetsATokenForIt)
{
    // MariaDB repeats the greeting's scramble; the answer must follow the switch's.
    write_and_read(client_change_user());
    uint8_t fresh[SCRAMBLE_LEN];
    memset(fresh, 'q', SCRAMBLE_LEN);
    std::string data(reinterpret_cast<const char*>(fresh), SCRAMBLE_LEN);
    fake->send(make_packet(1, build_auth_switch(NATIVE, data + '\0')).to_string());
    Sha1 t = native_token("app_pw", fresh);
    std::string expected(reinterpret_cast<const char*>(t.data()), t.size());
    EXPECT_EQ(mocks::read_packet(w, *fake), make_packet(2, expected).to_string());
}

TEST_F(BackendChangeUserTest, CommandsWrittenMeanwhileWaitForItsResult)
{
    std::string query = c[5];  // SELECT CURRENT_USER()
    write_and_read(client_change_user());
    ASSERT_TRUE(backend->write(Buffer::copy_of(query)));
    fake->send(s[2]);
    ASSERT_EQ(mocks::read_packet(w, *fake), c[2]);
    w.run_for(std::chrono::milliseconds(20));
    EXPECT_TRUE(fake->input().empty()) << "the query waits for the COM_CHANGE_USER's result";
    fake->send(s[3]);
    ASSERT_TRUE(w.run_until([&]() { return fake->input() == query; }));
    fake->take_all();
    fake->send(s[6]);  // the query's result set
    ASSERT_TRUE(wait_replies(2));
    EXPECT_EQ(handler.joined(), s[3] + s[6]);
}

TEST_F(BackendChangeUserTest, ItWaitsForTheRepliesInFlight)
{
    std::string query = c[5];
    write_and_read(query);
    ASSERT_TRUE(backend->write(Buffer::copy_of(client_change_user())));
    w.run_for(std::chrono::milliseconds(20));
    EXPECT_TRUE(fake->input().empty()) << "not while the query's reply is under way";
    fake->send(s[6]);
    ASSERT_TRUE(wait_replies(1));
    ASSERT_TRUE(w.run_until([&]() { return fake->has_packet(); }));
    EXPECT_EQ(command_of(Buffer::copy_of(fake->take_packet())), COM_CHANGE_USER);
}

TEST_F(BackendChangeUserTest, AWrongPasswordComesUpAsAnErrorReply)
{
    data->sha1_password = sha1("wrongapp_pw");
    write_and_read(client_change_user());
    fake->send(s[7]);
    EXPECT_EQ(mocks::read_packet(w, *fake), c[7]) << "the capture's wrong token";
    fake->send(s[8]);  // ERR 1045, sequence 3
    ASSERT_TRUE(wait_replies(1));
    EXPECT_EQ(handler.data, (std::vector<std::string>{s[8]}));
    EXPECT_EQ(handler.replies[0].command, COM_CHANGE_USER);
    EXPECT_TRUE(handler.replies[0].is_error);
    EXPECT_TRUE(handler.errors.empty()) << "the client decides what to do with it";
}

TEST_F(BackendChangeUserTest, ASwitchToAnotherPluginFailsTheConnection)
{
    write_and_read(client_change_user());
    fake->send(
        make_packet(1, build_auth_switch("client_ed25519", std::string(32, 'x'))).to_string());
    ASSERT_TRUE(wait_error());
    EXPECT_EQ(handler.errors[0],
              "COM_CHANGE_USER: server asked for unsupported plugin "
              "'client_ed25519'");
}

TEST_F(BackendChangeUserTest, AMalformedCommandFailsTheConnection)
{
    backend->write(make_packet(0, std::string("\x11", 1)));
    ASSERT_TRUE(wait_error());
    EXPECT_EQ(handler.errors[0], "malformed COM_CHANGE_USER");
}

}  // namespace
}  // namespace sqlgate::mariadb::test
