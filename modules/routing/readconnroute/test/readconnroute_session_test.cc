// readconnroute's router session against a session of mock connections: the server
// it picks (router_options, connection counts), the backend's role, commands down and
// replies up, and what it does when its backend fails (another server while nothing
// reached the client, else the end of the session with 1927).
#include <gtest/gtest.h>

#include "mocks/chain.hh"
#include "mocks/loop.hh"
#include "mocks/protocol.hh"
#include "readconnroute.hh"

using namespace sqlgate;
using namespace sqlgate::readconnroute;

namespace
{

using mocks::command;
using mocks::MockBackend;
using mocks::reply_to;

class ReadConnSessionTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        service.name = "svc";
        service.config.values["router_options"].text = "running";
        for (const char* n : {"a", "b", "c"})
        {
            service.servers.push_back(std::make_shared<Server>(n, "127.0.0.1", listener.port()));
        }
        session = new Session(1, w.worker(), svc, protocol, "listener");
        session->attach_detached_client(std::make_unique<mocks::MockClient>(*session));
        w.add_session(session);
    }
    void TearDown() override
    {
        rs.reset();
        w.close_sessions();
    }
    /// A router session of a router with these status bits required and excluded.
    bool start(uint64_t required = 0, uint64_t excluded = 0)
    {
        router = std::make_unique<ReadConnRoute>(service, required, excluded);
        rs = router->new_session(*session);
        rs->set_upstream(&up);
        return rs->start();
    }
    MockBackend* backend(size_t i = 0) { return protocol->backends.at(i); }
    mocks::MockClient& client() { return *static_cast<mocks::MockClient*>(session->client()); }
    Server& srv(int i) { return *service.servers[i]; }

    mocks::TestWorker w;
    std::vector<std::unique_ptr<mocks::Peer>> server_side;
    mocks::Listener listener{w.worker(), [this](Stream* s)
                             {
                                 server_side.push_back(std::make_unique<mocks::Peer>());
                                 server_side.back()->attach(s);
                             }};
    std::shared_ptr<Service> svc = std::make_shared<Service>();
    Service& service = *svc;
    std::shared_ptr<mocks::MockProtocol> protocol = std::make_shared<mocks::MockProtocol>();
    std::unique_ptr<ReadConnRoute> router;
    std::unique_ptr<RouterSession> rs;
    mocks::RecordingUpstream up;
    Session* session = nullptr;
};

TEST_F(ReadConnSessionTest, TheSessionGoesToTheServerWithFewestConnections)
{
    srv(0).stats().connections = 5;
    srv(1).stats().connections = 2;
    srv(2).stats().connections = 2;
    ASSERT_TRUE(start());
    ASSERT_EQ(protocol->backends.size(), 1u) << "one backend per session";
    EXPECT_EQ(backend()->server().name(), "b") << "the first of the least loaded";
    EXPECT_STREQ(backend()->role(), "slave");
    EXPECT_EQ(srv(1).stats().connections, 3);
}

TEST_F(ReadConnSessionTest, RouterOptionsMasterPicksTheMasterAndSaysSo)
{
    for (int i = 0; i < 3; ++i)
    {
        srv(i).set_monitored(true);
        srv(i).set_status_bits(status::RUNNING | (i == 2 ? status::MASTER : status::SLAVE));
    }
    ASSERT_TRUE(start(status::MASTER));
    EXPECT_EQ(backend()->server().name(), "c");
    EXPECT_STREQ(backend()->role(), "master");
}

TEST_F(ReadConnSessionTest, CommandsGoToTheBackendAndRepliesUp)
{
    ASSERT_TRUE(start());
    std::string cmd = command("SELECT 1").to_string();
    ASSERT_TRUE(rs->route_query(Buffer::copy_of(cmd)));
    EXPECT_EQ(backend()->written, std::vector<std::string>{cmd});
    ASSERT_TRUE(backend()->reply("part", reply_to(mariadb::COM_QUERY, false)));
    ASSERT_TRUE(backend()->reply("end", reply_to(mariadb::COM_QUERY, true)));
    EXPECT_EQ(up.data, (std::vector<std::string>{"part", "end"}));
    EXPECT_TRUE(up.replies.back().complete);
}

TEST_F(ReadConnSessionTest, AServerNeverReachedIsReplacedAndGetsNothingLost)
{
    ASSERT_TRUE(start());
    MockBackend* first = backend(0);
    EXPECT_EQ(first->server().name(), "a");
    std::string c1 = command("SET @x = 1").to_string(), c2 = command("SELECT @x").to_string();
    first->unsent = {c1, c2};  // written before its login finished
    first->fail("cannot connect: connection refused", false);
    ASSERT_EQ(protocol->backends.size(), 2u);
    EXPECT_EQ(backend(1)->server().name(), "b");
    EXPECT_EQ(backend(1)->written, (std::vector<std::string>{c1, c2})) << "in their order";
    EXPECT_EQ(client().error_code, 0) << "the client notices nothing";
    ASSERT_TRUE(rs->route_query(command("SELECT 2")));
    EXPECT_EQ(backend(1)->written.size(), 3u);

    first->fail("again", false);  // a connection it gave up: ignored
    EXPECT_EQ(protocol->backends.size(), 2u);
    EXPECT_EQ(client().error_code, 0);
}

TEST_F(ReadConnSessionTest, AServerThatCannotEvenBeConnectedToIsSkipped)
{
    service.servers[0] = std::make_shared<Server>("a", "not-an-address", 3306);
    ASSERT_TRUE(start());
    // (The protocol made a backend for a too, which Session::connect() dropped.)
    ASSERT_EQ(session->backends().size(), 1u);
    EXPECT_EQ(session->backends()[0]->server().name(), "b");
    EXPECT_EQ(client().error_code, 0);
}

TEST_F(ReadConnSessionTest, ABackendLostInAReplyEndsTheSession)
{
    ASSERT_TRUE(start());
    rs->route_query(command("SELECT SLEEP(10)"));
    backend()->reply("part", reply_to(mariadb::COM_QUERY, false));
    backend()->fail("connection closed by server", true);
    EXPECT_EQ(client().error_code, 1927);
    EXPECT_EQ(client().error_message,
              "Lost connection to backend server 'a': connection closed by server");
    EXPECT_EQ(protocol->backends.size(), 1u) << "no retry: part of the reply went up";
    EXPECT_FALSE(rs->route_query(command("SELECT 1"))) << "nothing to route to any more";
}

TEST_F(ReadConnSessionTest, ABackendThatTalkedToUsIsNotReplaced)
{
    ASSERT_TRUE(start());
    ASSERT_TRUE(w.run_until([&]() { return server_side.size() == 1; }));
    server_side[0]->send("greeting");
    ASSERT_TRUE(w.run_until([&]() { return backend()->input == "greeting"; }));
    backend()->fail("login refused", false);
    EXPECT_EQ(client().error_code, 1927) << "the server was reached: its verdict stands";
    EXPECT_EQ(protocol->backends.size(), 1u);
}

TEST_F(ReadConnSessionTest, WhenEveryServerFailsTheClientIsTold)
{
    ASSERT_TRUE(start());
    backend(0)->fail("refused", false);
    backend(1)->fail("refused", false);
    EXPECT_EQ(client().error_code, 0);
    backend(2)->fail("refused too", false);
    EXPECT_EQ(client().error_code, 1927);
    EXPECT_EQ(client().error_message, "Lost connection to backend server 'c': refused too");
}

TEST_F(ReadConnSessionTest, WithoutACandidateTheSessionDoesNotStart)
{
    service.config.values["router_options"].text = "master";
    EXPECT_FALSE(start(status::MASTER)) << "no server is a master";
    EXPECT_TRUE(protocol->backends.empty());
    EXPECT_EQ(client().error_code, 1927);
    EXPECT_EQ(client().error_message,
              "No server of service 'svc' is available for router_options=master");
}

}  // namespace
