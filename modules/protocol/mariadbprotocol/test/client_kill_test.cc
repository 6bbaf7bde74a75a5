// modules/protocol/mariadbprotocol/client.cc and kill.cc: KILL [QUERY|CONNECTION] <id>
// and COM_PROCESS_KILL are answered by sqlgate (ids are its session ids), never
// routed; the owner and SUPER rules; commands after a KILL wait for its answer.
#include "client_harness.hh"

namespace sqlgate::mariadbprotocol::test
{
namespace
{

using mocks::command;

std::string kill(const std::string& how, uint64_t id)
{
    return command(how + std::to_string(id)).to_string();
}

TEST_F(ClientTest, KillClosesAnotherSessionOfTheSameUser)
{
    Client a, b;
    log_in(a);
    log_in(b);
    EXPECT_EQ(ask(a, kill("KILL ", b.session->id())), make_ok(1).to_string());
    std::string told = mocks::read_packet(w, b.peer);
    EXPECT_EQ(payload(told), payload(err(0, 1927, "70100", "Connection was killed")));
    EXPECT_TRUE(w.run_until([&]() { return b.peer.closed(); }));
    EXPECT_TRUE(router_of(a).packets.empty()) << "a KILL is not routed";
    EXPECT_EQ(a.session->state(), SessionState::STARTED);
}

TEST_F(ClientTest, KillSpellingsAndTheBinaryCommand)
{
    Client a, b, c, d;
    log_in(a);
    log_in(b);
    log_in(c);
    log_in(d);
    EXPECT_EQ(ask(a, kill("  kill connection ", b.session->id())), make_ok(1).to_string());
    uint32_t id = static_cast<uint32_t>(c.session->id());
    std::string binary(5, COM_PROCESS_KILL);
    memcpy(&binary[1], &id, 4);
    EXPECT_EQ(ask(a, make_packet(0, binary).to_string()), make_ok(1).to_string());
    std::string semicolon = command("Kill " + std::to_string(d.session->id()) + " ; ").to_string();
    EXPECT_EQ(ask(a, semicolon), make_ok(1).to_string());
    EXPECT_TRUE(
        w.run_until([&]() { return b.peer.closed() && c.peer.closed() && d.peer.closed(); }));
}

TEST_F(ClientTest, KillQueryLeavesTheSessionOpen)
{
    Client a, b;
    log_in(a);
    log_in(b);
    EXPECT_EQ(ask(a, kill("KILL QUERY ", b.session->id())), make_ok(1).to_string())
        << "nothing runs on its backends (it has none): done at once";
    w.run_for(std::chrono::milliseconds(20));
    EXPECT_FALSE(b.peer.closed());
    EXPECT_TRUE(b.peer.input().empty());
}

TEST_F(ClientTest, KillOfAnUnknownIdIsAnError)
{
    Client a;
    log_in(a);
    EXPECT_EQ(ask(a, kill("KILL ", 999)), err(1, 1094, "HY000", "Unknown thread id: 999"));
}

TEST_F(ClientTest, OnlyTheOwnerOrSuperMayKill)
{
    Client u, other, boss;
    log_in(u);
    ASSERT_EQ(log_in_as(other, "limited", "pw"), make_ok(2).to_string());
    uint64_t id = other.session->id();
    EXPECT_EQ(ask(u, kill("KILL ", id)),
              err(1, 1095, "HY000", "You are not owner of thread " + std::to_string(id)));
    EXPECT_FALSE(other.peer.closed());
    ASSERT_EQ(log_in_as(boss, "boss", "boss"), make_ok(2).to_string());
    EXPECT_EQ(ask(boss, kill("KILL ", id)), make_ok(1).to_string());
    EXPECT_TRUE(w.run_until([&]() { return other.peer.closed(); }));
}

TEST_F(ClientTest, KillingTheOwnConnectionClosesIt)
{
    Client a;
    log_in(a);
    std::string answer = ask(a, kill("KILL ", a.session->id()));
    EXPECT_EQ(answer, err(1, 1927, "70100", "Connection was killed"));
    EXPECT_TRUE(w.run_until([&]() { return a.peer.closed(); }));
}

TEST_F(ClientTest, CommandsAfterAKillWaitForItsAnswer)
{
    Client a;
    log_in(a);
    std::string next = command("SELECT 1").to_string();
    a.peer.send(kill("KILL ", 999) + next);
    EXPECT_EQ(mocks::read_packet(w, a.peer), err(1, 1094, "HY000", "Unknown thread id: 999"));
    ASSERT_TRUE(wait_routed(a, 1));
    EXPECT_EQ(router_of(a).packets, std::vector<std::string>{next});
}

TEST_F(ClientTest, StatementsThatOnlyLookLikeKillAreRouted)
{
    Client a;
    log_in(a);
    std::vector<std::string> sent = {command("KILL 1 2").to_string(),
                                     command("KILLER_QUERY()").to_string(),
                                     command("KILL USER bob").to_string()};
    a.peer.send(sent[0] + sent[1] + sent[2]);
    ASSERT_TRUE(wait_routed(a, 3));
    EXPECT_EQ(router_of(a).packets, sent) << "MariaDB answers these itself";
}

}  // namespace
}  // namespace sqlgate::mariadbprotocol::test
