// server/core/session.cc: start_routing() builds the router session and the filter
// chain in order and links it; commands go down through it and replies come back up;
// max_connections refuses sessions with MariaDB's 1040.
#include "session_fixture.hh"

namespace sqlgate::test
{
namespace
{

namespace db = sqlgate::mariadb;
using mocks::command;
using mocks::Log;
using mocks::reply_to;

TEST_F(SessionTest, StartRoutingMakesTheRouterSessionThenTheFiltersInChainOrder)
{
    add_filter("f1");
    add_filter("f2");
    Session* s = new_session();
    EXPECT_EQ(s->state(), SessionState::CREATED);
    ASSERT_TRUE(s->start_routing());
    EXPECT_EQ(s->state(), SessionState::STARTED);
    EXPECT_EQ(log,
              (Log{"router: new session", "f1: new session", "f2: new session", "router: start"}))
        << "the chain is complete before the router connects anything";
    ASSERT_EQ(router->sessions.size(), 1u);
    EXPECT_EQ(&router->sessions[0]->session, s);
    EXPECT_EQ(service->stats().connections, 1);
    EXPECT_EQ(service->stats().total_connections, 1);
}

TEST_F(SessionTest, CommandsGoDownTheChainAndRepliesComeBackUpInReverse)
{
    add_filter("f1");
    add_filter("f2");
    Session* s = new_session();
    ASSERT_TRUE(s->start_routing());
    log.clear();
    ASSERT_TRUE(s->route_query(command("SELECT 1")));
    ASSERT_EQ(router->sessions[0]->packets.size(), 1u);
    EXPECT_EQ(router->sessions[0]->packets[0], command("SELECT 1 /*f1*/ /*f2*/").to_string());

    ASSERT_TRUE(router->sessions[0]->reply("part", reply_to(db::COM_QUERY, false)));
    ASSERT_TRUE(router->sessions[0]->reply("end", reply_to(db::COM_QUERY, true)));
    auto& client = client_of(s);
    EXPECT_EQ(client.data, (std::vector<std::string>{"part<f2><f1>", "end<f2><f1>"}));
    ASSERT_EQ(client.replies.size(), 2u);
    EXPECT_FALSE(client.replies[0].complete);
    EXPECT_TRUE(client.replies[1].complete);
    EXPECT_EQ(log, (Log{"f1: query", "f2: query", "router: query", "f2: reply", "f1: reply",
                        "f2: reply", "f1: reply"}));
}

TEST_F(SessionTest, WithoutFiltersTheRouterIsBetweenClientAndSession)
{
    Session* s = new_session();
    ASSERT_TRUE(s->start_routing());
    EXPECT_EQ(router->sessions[0]->upstream(), s);
    ASSERT_TRUE(s->route_query(command("SELECT 2")));
    EXPECT_EQ(router->sessions[0]->packets[0], command("SELECT 2").to_string());
    ASSERT_TRUE(router->sessions[0]->reply("ok", reply_to(db::COM_QUERY, true)));
    EXPECT_EQ(client_of(s).data, (std::vector<std::string>{"ok"}));
}

TEST_F(SessionTest, RefusalsOfTheChainReachTheCaller)
{
    add_filter("f1");
    Session* s = new_session();
    ASSERT_TRUE(s->start_routing());
    router->route_result = false;
    EXPECT_FALSE(s->route_query(command("SELECT 1"))) << "the client closes the session on false";
    client_of(s).reply_result = false;
    EXPECT_FALSE(router->sessions[0]->reply("x", reply_to(db::COM_QUERY, true)));
}

TEST_F(SessionTest, NothingIsRoutedBeforeRoutingStarted)
{
    Session* s = new_session();
    EXPECT_FALSE(s->route_query(command("SELECT 1")));
    EXPECT_TRUE(log.empty());
}

TEST_F(SessionTest, ARouterThatCannotStartFailsTheSession)
{
    add_filter("f1");
    router->start_result = false;
    Session* s = new_session();
    EXPECT_FALSE(s->start_routing());
    EXPECT_EQ(s->state(), SessionState::FAILED);
}

TEST_F(SessionTest, MaxConnectionsRefusesTheSessionOverTheLimitWith1040)
{
    service->config.values["max_connections"].number = 1;
    Session* first = new_session(1);
    ASSERT_TRUE(first->start_routing());
    Session* second = new_session(2);
    bool freed = false;
    client_of(second).destroyed = &freed;
    EXPECT_FALSE(second->start_routing());
    EXPECT_EQ(client_of(second).error_code, 1040);
    EXPECT_EQ(client_of(second).error_message, "Too many connections");
    EXPECT_EQ(router->sessions.size(), 1u) << "no router session for the refused one";
    EXPECT_EQ(service->stats().total_connections, 1);

    // The refused session counts until it is freed; then only the first one does.
    EXPECT_EQ(service->stats().connections, 2);
    ASSERT_TRUE(w.run_until([&]() { return freed; }));
    EXPECT_EQ(service->stats().connections, 1);
    first->close("done");
    w.run_for(std::chrono::milliseconds(5));
    EXPECT_EQ(service->stats().connections, 0);

    Session* third = new_session(3);
    EXPECT_TRUE(third->start_routing()) << "room again once the first one is gone";
}

TEST_F(SessionTest, MaxConnectionsZeroMeansNoLimit)
{
    for (uint64_t id = 1; id <= 5; ++id)
    {
        EXPECT_TRUE(new_session(id)->start_routing());
    }
    EXPECT_EQ(service->stats().connections, 5);
}

TEST_F(SessionTest, ClosingFreesTheChainAfterTheLoopIteration)
{
    add_filter("f1");
    Session* s = new_session();
    ASSERT_TRUE(s->start_routing());
    bool freed = false;
    client_of(s).destroyed = &freed;
    log.clear();
    s->close("test");
    EXPECT_FALSE(freed) << "a caller may still be on the session's stack";
    EXPECT_EQ(w.find_session(1), nullptr) << "a closing session is not found any more";
    ASSERT_TRUE(w.run_until([&]() { return freed; }));
    EXPECT_EQ(log, (Log{"router: session freed", "f1: session freed"}))
        << "the router session goes first, then the filters";
}

}  // namespace
}  // namespace sqlgate::test
