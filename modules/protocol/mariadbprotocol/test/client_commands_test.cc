// modules/protocol/mariadbprotocol/client.cc, after the login: command framing
// (several commands in one read, one command over many reads, 16 MiB packet trains),
// replies back to the client, COM_INIT_DB, LOAD DATA LOCAL INFILE forwarding (the
// capture's packets) and COM_QUIT.
#include "client_harness.hh"
#include "mocks/protocol.hh"

namespace sqlgate::mariadbprotocol::test
{
namespace
{

using mocks::command;
using mocks::reply_to;
using Packets = std::vector<std::string>;

TEST_F(ClientTest, SeveralCommandsInOneReadAreRoutedOneByOne)
{
    Client c;
    log_in(c);
    Packets sent = {command("SELECT 1").to_string(), command("", COM_PING).to_string(),
                    command("SELECT 'x'").to_string()};
    c.peer.send(sent[0] + sent[1] + sent[2]);
    ASSERT_TRUE(wait_routed(c, 3));
    EXPECT_EQ(router_of(c).packets, sent);
}

TEST_F(ClientTest, ACommandSplitOverManyReadsIsRoutedOnceWhole)
{
    Client c;
    log_in(c);
    std::string cmd = command("SELECT a, b FROM t ORDER BY a").to_string();
    uint64_t base = c.session->client_stream()->stats().bytes_read;
    for (size_t i = 0; i < cmd.size(); ++i)
    {
        c.peer.send(cmd.substr(i, 1));
        ASSERT_TRUE(w.run_until(
            [&]() { return c.session->client_stream()->stats().bytes_read >= base + i + 1; }));
        if (i + 1 < cmd.size())
        {
            ASSERT_TRUE(router_of(c).packets.empty()) << "routed before byte " << i + 1;
        }
    }
    ASSERT_TRUE(wait_routed(c, 1));
    EXPECT_EQ(router_of(c).packets, Packets{cmd});
}

TEST_F(ClientTest, ACommandOver16MiBIsRoutedAsItsPackets)
{
    Client c;
    log_in(c);
    std::string sql(MAX_PAYLOAD + 100, 'x');
    sql[MAX_PAYLOAD - 1] = COM_QUIT;  // the second packet starts like a COM_QUIT
    std::string train = command(sql).to_string();
    c.peer.send(train + command("SELECT 2").to_string());
    ASSERT_TRUE(
        w.run_until([&]() { return router_of(c).packets.size() == 3; }, std::chrono::seconds(20)));
    const Packets& got = router_of(c).packets;
    EXPECT_EQ(got[0].size(), HEADER_LEN + MAX_PAYLOAD);
    EXPECT_TRUE(got[0] + got[1] == train) << "the packets of the train, unchanged";
    EXPECT_EQ(got[2], command("SELECT 2").to_string()) << "the next command is one again";
    EXPECT_EQ(c.session->state(), SessionState::STARTED);
}

TEST_F(ClientTest, RepliesGoToTheClientAsTheyCome)
{
    Client c;
    log_in(c);
    std::vector<mocks::FixtureRecord> recs = mocks::fixture_records("select.eof.bin");
    c.peer.send(recs[0].data);
    ASSERT_TRUE(wait_routed(c, 1));
    const std::string& reply = recs[1].data;
    ASSERT_TRUE(router_of(c).reply(reply.substr(0, 40), reply_to(COM_QUERY, false)));
    ASSERT_TRUE(w.run_until([&]() { return c.peer.input().size() == 40; }));
    ASSERT_TRUE(router_of(c).reply(reply.substr(40), reply_to(COM_QUERY, true)));
    ASSERT_TRUE(w.run_until([&]() { return c.peer.input().size() == reply.size(); }));
    EXPECT_EQ(c.peer.take_all(), reply) << "passed through unchanged";
}

TEST_F(ClientTest, InitDbChangesTheSessionsDatabaseOnlyWhenItWorked)
{
    Client c;
    ASSERT_EQ(log_in_as(c, "u", "secret"), make_ok(2).to_string());
    EXPECT_EQ(c.session->database(), "");
    // misc.eof.bin: COM_INIT_DB nonexistent (ERR 1049), then test (OK).
    std::vector<mocks::FixtureRecord> recs = mocks::fixture_records("misc.eof.bin");
    ASSERT_EQ(recs[8].data, command("nonexistent", COM_INIT_DB).to_string());
    c.peer.send(recs[8].data);
    ASSERT_TRUE(wait_routed(c, 1));
    router_of(c).reply(recs[9].data, reply_to(COM_INIT_DB, true, true));
    ASSERT_EQ(mocks::read_packet(w, c.peer), recs[9].data);
    EXPECT_EQ(c.session->database(), "");

    c.peer.send(recs[10].data);
    ASSERT_TRUE(wait_routed(c, 2));
    router_of(c).reply(recs[11].data, reply_to(COM_INIT_DB, true));
    ASSERT_EQ(mocks::read_packet(w, c.peer), recs[11].data);
    EXPECT_EQ(c.session->database(), "test");
}

TEST_F(ClientTest, LoadDataLocalFileContentsAreForwardedAsTheyAre)
{
    Client c;
    log_in(c);
    // load_data.eof.bin: the query (C), the server's request (P), the file's packets
    // (N, the last one empty) and the result (S).
    std::vector<mocks::FixtureRecord> recs = mocks::fixture_records("load_data.eof.bin");
    c.peer.send(recs[0].data);
    ASSERT_TRUE(wait_routed(c, 1));
    Reply request = reply_to(COM_QUERY, false);
    request.local_infile = true;
    router_of(c).reply(recs[1].data, request);
    ASSERT_EQ(mocks::read_packet(w, c.peer), recs[1].data);

    // A file whose lines look like commands: none of them is one.
    Packets file = {recs[2].data, make_packet(3, "\x01quit?\n").to_string(),
                    make_packet(4, "\x03KILL 1\n").to_string(),
                    make_packet(5, std::string("\x11root\0", 6)).to_string(), recs[4].data};
    file.back()[3] = 6;
    std::string all;
    for (const std::string& p : file)
    {
        all += p;
    }
    c.peer.send(all);
    ASSERT_TRUE(wait_routed(c, 1 + file.size()));
    EXPECT_EQ(Packets(router_of(c).packets.begin() + 1, router_of(c).packets.end()), file);
    router_of(c).reply(recs[5].data, reply_to(COM_QUERY, true));
    ASSERT_EQ(mocks::read_packet(w, c.peer), recs[5].data);

    // After the empty packet commands are commands again: this one closes the session.
    c.peer.send(command("", COM_QUIT).to_string());
    EXPECT_TRUE(w.run_until([&]() { return c.peer.closed() && router->sessions.empty(); }));
}

TEST_F(ClientTest, AClientThatDoesNotReadStopsTheBackendsUntilItDoes)
{
    Client c;
    log_in(c);
    mocks::Peer server_end;
    mocks::Listener fake_server(w.worker(), [&](Stream* s) { server_end.attach(s); });
    mocks::RecordingHandler handler;
    auto server = std::make_shared<Server>("db1", "127.0.0.1", fake_server.port());
    BackendConnection* b = c.session->connect(server, handler);
    ASSERT_TRUE(w.run_until([&]() { return b->stream() && b->stream()->reading(); }));
    c.peer.stream()->read_stop();

    std::string chunk(64 * 1024, 'r');
    size_t sent = 0;
    while (b->stream()->reading() && sent < (64u << 20))
    {
        router_of(c).reply(chunk, reply_to(COM_QUERY, false));
        sent += chunk.size();
        w.run_for(std::chrono::milliseconds(0));
    }
    EXPECT_FALSE(b->stream()->reading()) << "the client's write queue passed its high mark";
    c.peer.stream()->read_start();
    ASSERT_TRUE(w.run_until([&]() { return c.peer.input().size() == sent; }));
    EXPECT_TRUE(w.run_until([&]() { return b->stream()->reading(); }));
    w.close_sessions();  // before the handler goes
}

TEST_F(ClientTest, QuitClosesTheSessionAndWhatFollowsIsIgnored)
{
    Client c;
    log_in(c);
    mocks::Log log;
    router->log = &log;
    c.peer.send(command("", COM_QUIT).to_string() + command("SELECT 1").to_string());
    ASSERT_TRUE(w.run_until([&]() { return c.peer.closed(); }));
    EXPECT_EQ(log, mocks::Log{"router: session freed"}) << "COM_QUIT and what follows: not routed";
    EXPECT_TRUE(c.peer.input().empty()) << "and not answered";
    router->log = nullptr;
}

TEST_F(ClientTest, AClientThatGoesAwayClosesTheSession)
{
    Client c;
    log_in(c);
    c.peer.close();
    ASSERT_TRUE(w.run_until([&]() { return router->sessions.empty(); }));
    EXPECT_EQ(w.session_count(), 0u);
}

}  // namespace
}  // namespace sqlgate::mariadbprotocol::test
