// server/core/session.cc: the session's connections. connect() and release() of
// backends and their counters, close() (idempotent, from callbacks, closing every
// socket), handler_threw(), and flow control between client and backends.
#include "session_fixture.hh"

namespace sqlgate::test
{
namespace
{

namespace db = sqlgate::mariadb;
using mocks::command;
using mocks::MockBackend;

TEST_F(SessionTest, ConnectOpensABackendToTheServer)
{
    Session* s = new_session();
    ServerPtr srv = fake_server();
    mocks::RecordingHandler handler;
    BackendConnection* b = s->connect(srv, handler);
    ASSERT_NE(b, nullptr);
    ASSERT_EQ(s->backends().size(), 1u);
    EXPECT_EQ(s->backends()[0].get(), b);
    EXPECT_EQ(srv->stats().connections, 1);
    EXPECT_EQ(srv->stats().total_connections, 1);
    ASSERT_TRUE(w.run_until([&]() { return server_side.size() == 1; }));
    auto* mock = static_cast<MockBackend*>(b);
    ASSERT_TRUE(w.run_until([&]() { return mock->connect_status == 0; }));
    server_side[0]->send("hello");
    ASSERT_TRUE(w.run_until([&]() { return mock->input == "hello"; }));
}

TEST_F(SessionTest, ConnectToAnAddressThatCannotBeUsedFailsAtOnce)
{
    Session* s = new_session();
    auto srv = std::make_shared<Server>("bad", "not-an-address", 3306);
    mocks::RecordingHandler handler;
    EXPECT_EQ(s->connect(srv, handler), nullptr);
    EXPECT_TRUE(s->backends().empty());
    EXPECT_EQ(srv->stats().connections, 0) << "counted, then released";
    EXPECT_EQ(srv->stats().total_connections, 1);
    EXPECT_EQ(srv->stats().failed_connections, 1);
}

TEST_F(SessionTest, ReleaseClosesTheBackendButKeepsTheObject)
{
    Session* s = new_session();
    ServerPtr srv = fake_server();
    mocks::RecordingHandler handler;
    BackendConnection* b = s->connect(srv, handler);
    ASSERT_TRUE(w.run_until([&]() { return server_side.size() == 1; }));
    bool freed = false;
    static_cast<MockBackend*>(b)->destroyed = &freed;
    s->release(b);
    EXPECT_EQ(b->state(), BackendState::CLOSED);
    EXPECT_EQ(b->stream(), nullptr);
    EXPECT_EQ(srv->stats().connections, 0);
    ASSERT_EQ(s->backends().size(), 1u) << "the router may still be on its stack";
    EXPECT_FALSE(freed);
    ASSERT_TRUE(w.run_until([&]() { return server_side[0]->closed(); }))
        << "the server sees the connection close";
    EXPECT_TRUE(handler.errors.empty()) << "a released backend tells its handler nothing";

    s->release(b);  // again: nothing more happens
    EXPECT_EQ(srv->stats().connections, 0);
    s->close("done");
    ASSERT_TRUE(w.run_until([&]() { return freed; })) << "freed with the session";
}

TEST_F(SessionTest, CloseClosesEverySocketOnceAndKeepsTheFirstReason)
{
    mocks::Peer client;
    Session* s = new_connected_session(client);
    ASSERT_TRUE(s->start_routing());
    mocks::RecordingHandler handler;
    ServerPtr srv = fake_server();
    s->connect(srv, handler);
    s->connect(srv, handler);
    ASSERT_TRUE(w.run_until([&]() { return server_side.size() == 2; }));
    EXPECT_EQ(srv->stats().connections, 2);

    s->close("first");
    s->close("second");
    EXPECT_EQ(s->state(), SessionState::STOPPING);
    EXPECT_EQ(s->close_reason(), "first");
    EXPECT_EQ(s->client_stream(), nullptr);
    EXPECT_EQ(srv->stats().connections, 0);
    ASSERT_TRUE(w.run_until(
        [&]() { return client.closed() && server_side[0]->closed() && server_side[1]->closed(); }));
    EXPECT_EQ(w.session_count(), 0u);
}

TEST_F(SessionTest, CloseFromInsideTheChainIsSafe)
{
    Session* s = new_session();
    ASSERT_TRUE(s->start_routing());
    bool freed = false;
    client_of(s).destroyed = &freed;
    router->on_query = [](mocks::MockRouterSession& rs, const std::string&)
    {
        rs.session.close("the router gave up");
        rs.session.close("and again");
    };
    s->route_query(command("SELECT 1"));
    EXPECT_EQ(s->close_reason(), "the router gave up");
    EXPECT_FALSE(freed) << "the router's call has not returned yet when close() runs";
    ASSERT_TRUE(w.run_until([&]() { return freed; }));
}

TEST_F(SessionTest, AModuleThatThrewGetsTheClient1815AndTheSessionCloses)
{
    Session* s = new_session();
    ASSERT_TRUE(s->start_routing());
    s->handler_threw("a read", "boom");
    EXPECT_EQ(client_of(s).error_code, 1815);
    EXPECT_EQ(client_of(s).error_message, "Internal error: boom");
    EXPECT_EQ(s->state(), SessionState::STOPPING);
    EXPECT_EQ(s->close_reason(), "Internal error: boom") << "the client closed it first";
    s->handler_threw("a read", "again");
    EXPECT_EQ(client_of(s).error_message, "Internal error: boom")
        << "a closing session's client is not told twice";
}

TEST_F(SessionTest, ThrottleStopsAndResumesReadingOnEverySocketOfOneSide)
{
    mocks::Peer client;
    Session* s = new_connected_session(client);
    mocks::RecordingHandler handler;
    ServerPtr srv = fake_server();
    auto* b1 = static_cast<MockBackend*>(s->connect(srv, handler));
    auto* b2 = static_cast<MockBackend*>(s->connect(srv, handler));
    ASSERT_TRUE(w.run_until([&]() { return b1->connect_status == 0 && b2->connect_status == 0; }));
    s->client_stream()->read_start();
    EXPECT_TRUE(b1->stream()->reading() && b2->stream()->reading());

    s->throttle_backends(true);
    EXPECT_FALSE(b1->stream()->reading() || b2->stream()->reading());
    EXPECT_TRUE(s->client_stream()->reading()) << "the client side is not touched";
    s->throttle_backends(false);
    EXPECT_TRUE(b1->stream()->reading() && b2->stream()->reading());

    s->throttle_client(true);
    EXPECT_FALSE(s->client_stream()->reading());
    EXPECT_TRUE(b1->stream()->reading());
    s->throttle_client(false);
    EXPECT_TRUE(s->client_stream()->reading());

    s->release(b1);
    s->throttle_backends(true);  // a released backend has no stream: skipped
    EXPECT_FALSE(b2->stream()->reading());
}

TEST_F(SessionTest, ASlowClientStopsTheBackendsUntilItReadsAgain)
{
    mocks::Peer client;
    Session* s = new_connected_session(client);
    mocks::RecordingHandler handler;
    auto* b = static_cast<MockBackend*>(s->connect(fake_server(), handler));
    ASSERT_TRUE(w.run_until([&]() { return b->connect_status == 0; }));
    client.stream()->read_stop();  // the client stops reading

    // Replies pile up in the client's write queue until it passes its high water mark.
    std::string chunk(64 * 1024, 'r');
    size_t sent = 0;
    while (b->stream()->reading() && sent < (64u << 20))
    {
        s->client_reply(Buffer::copy_of(chunk), mocks::reply_to(db::COM_QUERY, false));
        sent += chunk.size();
        w.run_for(std::chrono::milliseconds(0));
    }
    ASSERT_FALSE(b->stream()->reading()) << "the backend is not read while the client lags";
    EXPECT_GT(s->client_stream()->write_queue_size(), 0u);

    client.stream()->read_start();
    ASSERT_TRUE(w.run_until([&]() { return client.input().size() == sent; }));
    EXPECT_TRUE(w.run_until([&]() { return b->stream()->reading(); }))
        << "below the low water mark the backends are read again";
}

}  // namespace
}  // namespace sqlgate::test
