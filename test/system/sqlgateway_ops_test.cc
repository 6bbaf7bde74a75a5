// sqlgateway operations and sessions over time: cancel, close and executionTimeout stop
// the backend query; idle sessions expire unless a heartbeat keeps them; the admin REST
// API lists and closes gateway sessions; sessions are used from any routing worker.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "sqlgateway_gate.hh"

using namespace sqlgate::test;
using namespace sqlgate::test::gw;

namespace
{

using Clock = std::chrono::steady_clock;

int64_t ms_since(Clock::time_point start)
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

// Submits a SLEEP(60) tagged with @c tag and waits until the backend runs it.
std::string start_sleep(Client& c, MYSQL* root, const std::string& sh, const std::string& tag,
                        const std::string& extra = "")
{
    std::string oh = c.submit(sh, statement("select sleep(60) as " + tag, extra));
    EXPECT_TRUE(
        eventually([&] { return backend_queries(root, "%sleep(60) as " + tag + "%") == 1; }, 5s))
        << "the backend never ran the sleep";
    EXPECT_EQ(c.status(sh, oh), "RUNNING");
    return oh;
}

}  // namespace

TEST(SqlGatewayCancel, CancelStopsTheBackendQuery)
{
    GwGate g;
    MysqlPtr root = primary_root();
    ASSERT_TRUE(root);
    Client c(g.http());
    std::string sh = c.open();
    ASSERT_FALSE(sh.empty());
    std::string oh = start_sleep(c, root.get(), sh, "gw_cancel");

    auto start = Clock::now();
    HttpResult r = c.post(Client::op_path(sh, oh) + "/cancel", "");
    int64_t took = ms_since(start);
    ASSERT_EQ(r.code, 200) << r.body;
    EXPECT_EQ(r.str("/status"), "CANCELED") << r.body;
    EXPECT_LT(took, 5000);  // long before the SLEEP(60) would end
    EXPECT_EQ(c.status(sh, oh), "CANCELED");
    EXPECT_TRUE(eventually(
        [&] { return backend_queries(root.get(), "%sleep(60) as gw_cancel%") == 0; }, 5s));
    // It has no results now, and cannot be cancelled twice.
    r = c.fetch(sh, oh, "0");
    EXPECT_GE(r.code, 400) << r.body;
    EXPECT_NE(r.body.find("CANCELED"), std::string::npos) << r.body;
    EXPECT_GE(c.post(Client::op_path(sh, oh) + "/cancel", "").code, 400);
    // The session goes on: a queued statement behind a cancelled one runs too.
    std::string slow = start_sleep(c, root.get(), sh, "gw_cancel2");
    std::string next = c.submit_sql(sh, "select 'next'");
    EXPECT_EQ(c.post(Client::op_path(sh, slow) + "/cancel", "").str("/status"), "CANCELED");
    EXPECT_EQ(text(c.rows(sh, next).at(0).get()), R"(["next"])");
    EXPECT_EQ(c.value(sh, "select 1"), "1");
    // Closing a cancelled operation forgets it.
    r = c.del(Client::op_path(sh, oh) + "/close");
    EXPECT_EQ(r.code, 200) << r.body;
    EXPECT_EQ(r.str("/status"), "CLOSED");
    EXPECT_EQ(c.get(Client::op_path(sh, oh) + "/status").code, 404);
}

TEST(SqlGatewayCancel, CloseOfARunningOperationStopsIt)
{
    GwGate g;
    MysqlPtr root = primary_root();
    ASSERT_TRUE(root);
    Client c(g.http());
    std::string sh = c.open();
    ASSERT_FALSE(sh.empty());
    std::string oh = start_sleep(c, root.get(), sh, "gw_close");
    auto start = Clock::now();
    HttpResult r = c.del(Client::op_path(sh, oh) + "/close");
    EXPECT_LT(ms_since(start), 5000);  // long before the SLEEP(60) would end
    ASSERT_EQ(r.code, 200) << r.body;
    EXPECT_EQ(r.str("/status"), "CLOSED") << r.body;
    EXPECT_TRUE(eventually(
        [&] { return backend_queries(root.get(), "%sleep(60) as gw_close%") == 0; }, 5s));
    EXPECT_EQ(c.get(Client::op_path(sh, oh) + "/status").code, 404);
    EXPECT_EQ(c.value(sh, "select 2"), "2");

    // Closing the session stops its running statement too.
    start_sleep(c, root.get(), sh, "gw_close_session");
    r = c.del("/sessions/" + sh);
    EXPECT_EQ(r.str("/status"), "CLOSED") << r.body;
    EXPECT_TRUE(eventually(
        [&] { return backend_queries(root.get(), "%sleep(60) as gw_close_session%") == 0; }, 5s));
}

TEST(SqlGatewayCancel, ExecutionTimeout)
{
    GwGate g;
    MysqlPtr root = primary_root();
    ASSERT_TRUE(root);
    Client c(g.http());
    std::string sh = c.open();
    ASSERT_FALSE(sh.empty());
    auto start = Clock::now();
    std::string oh =
        c.submit(sh, statement("select sleep(10) as gw_timeout", "\"executionTimeout\":1000"));
    std::string st = c.wait_done(sh, oh, 10s);
    int64_t took = ms_since(start);
    EXPECT_EQ(st, "TIMEOUT");
    // Stopped by the 1 s timeout, long before the 10 s SLEEP would end.
    EXPECT_GE(took, 900);
    EXPECT_LT(took, 5000);
    EXPECT_TRUE(eventually(
        [&] { return backend_queries(root.get(), "%sleep(10) as gw_timeout%") == 0; }, 5s));
    EXPECT_GE(c.fetch(sh, oh, "0").code, 400);
    // A statement that ends in time is not affected.
    oh = c.submit(sh, statement("select 'quick'", "\"executionTimeout\":1000"));
    EXPECT_EQ(text(c.rows(sh, oh).at(0).get()), R"(["quick"])");
    EXPECT_EQ(c.status(sh, oh), "FINISHED");
    std::this_thread::sleep_for(1200ms);
    EXPECT_EQ(c.status(sh, oh), "FINISHED");
}

TEST(SqlGatewaySessions, IdleSessionsExpireHeartbeatsKeepThemAlive)
{
    // The sweep runs every second: an idle session goes 4 to 5 s after its last use. The kept
    // one gets a heartbeat every 500 ms, 3.5 s less than the timeout.
    GwGate g("session_idle_timeout=4s\n");
    Client c(g.http());
    auto idle_used = Clock::now();  // no later than the session's last use
    std::string idle = c.open();
    std::string kept = c.open();
    ASSERT_FALSE(idle.empty());
    ASSERT_FALSE(kept.empty());
    // The admin API's list does not touch the sessions (a gateway request on the idle
    // session would keep it alive).
    auto sessions = [&] { return json_array_size(g.rest().get("/v1/sessions").at("/data")); };
    EXPECT_EQ(sessions(), 2u);
    auto deadline = Clock::now() + 30s;
    int64_t idle_for = 0;
    while (Clock::now() < deadline)
    {
        std::this_thread::sleep_for(500ms);
        HttpResult r = c.post("/sessions/" + kept + "/heartbeat", "");
        ASSERT_EQ(r.code, 200) << "heartbeat after " << ms_since(idle_used) << " ms: " << r.body;
        if (sessions() < 2)
        {
            idle_for = ms_since(idle_used);
            break;
        }
    }
    ASSERT_GT(idle_for, 0) << "the idle session did not expire within 30 s";
    // Not before the timeout (less 500 ms: the workers' clock is their loop's cached time).
    EXPECT_GE(idle_for, 3500) << "the idle session expired before session_idle_timeout";
    auto expired = [&](const HttpResult& r)
    {
        EXPECT_EQ(r.code, 404) << r.body;
        EXPECT_NE(r.body.find("expired"), std::string::npos) << r.body;
        EXPECT_NE(r.body.find(idle), std::string::npos) << r.body;
    };
    expired(c.get("/sessions/" + idle));
    expired(c.post("/sessions/" + idle + "/heartbeat", ""));
    expired(c.post("/sessions/" + idle + "/statements", statement("select 1")));
    EXPECT_EQ(c.value(kept, "select 'alive'"), "alive");
    // Only the kept session is left in sqlgate.
    EXPECT_EQ(json_array_size(g.rest().get("/v1/sessions").at("/data")), 1u);
}

TEST(SqlGatewayAdmin, SessionsListedAndClosedThroughTheRestApi)
{
    GwGate g;
    Client c(g.http());
    std::string sh = c.open();
    ASSERT_FALSE(sh.empty());
    Http rest = g.rest();
    HttpResult r = rest.get("/v1/sessions");
    ASSERT_EQ(r.code, 200) << r.body;
    ASSERT_EQ(json_array_size(r.at("/data")), 1u) << r.body;
    EXPECT_EQ(r.str("/data/0/attributes/protocol"), "sqlgateway") << r.body;
    EXPECT_EQ(r.str("/data/0/attributes/listener"), "GW") << r.body;
    EXPECT_EQ(r.str("/data/0/attributes/user"), "app") << r.body;
    EXPECT_EQ(r.str("/data/0/attributes/service"), "/services/Read-Write-Service");
    std::string id = r.str("/data/0/id");
    ASSERT_FALSE(id.empty());

    EXPECT_EQ(rest.del("/v1/sessions/" + id).code, 204);
    EXPECT_TRUE(
        eventually([&] { return json_array_size(rest.get("/v1/sessions").at("/data")) == 0; }, 5s));
    r = c.get("/sessions/" + sh);
    EXPECT_EQ(r.code, 404) << r.body;
    EXPECT_NE(r.body.find("closed"), std::string::npos) << r.body;
    r = c.post("/sessions/" + sh + "/statements", statement("select 1"));
    EXPECT_EQ(r.code, 404) << r.body;
    EXPECT_NE(r.body.find("closed"), std::string::npos) << r.body;
    std::string fresh = c.open();
    ASSERT_FALSE(fresh.empty());
    EXPECT_EQ(c.value(fresh, "select 'fresh'"), "fresh");
}

TEST(SqlGatewayWorkers, SessionsWorkFromEveryWorker)
{
    GwGate g("page_size=3\n");
    Client c(g.http());
    // Each request is a new TCP connection; the kernel spreads them over the workers.
    std::vector<std::string> sessions;
    std::set<std::string> owners;  // the worker id at the end of a handle
    for (int i = 0; i < 40 && (owners.size() < 2 || sessions.size() < 6); ++i)
    {
        std::string sh = c.open();
        ASSERT_FALSE(sh.empty());
        sessions.push_back(sh);
        owners.insert(sh.substr(32));
    }
    ASSERT_GE(owners.size(), 2u) << "every session opened on the same worker";
    std::vector<std::string> ops;
    for (size_t i = 0; i < sessions.size(); ++i)
    {
        ops.push_back(
            c.submit_sql(sessions[i], "select seq + " + std::to_string(i) + " from seq_1_to_10"));
    }
    for (size_t i = 0; i < sessions.size(); ++i)
    {
        std::vector<Json> rows = c.rows(sessions[i], ops[i]);
        ASSERT_EQ(rows.size(), 10u) << sessions[i];
        EXPECT_EQ(text(rows[9].get()), "[" + std::to_string(10 + i) + "]");
        EXPECT_EQ(c.value(sessions[i], "select " + std::to_string(i)), std::to_string(i));
        EXPECT_EQ(c.post("/sessions/" + sessions[i] + "/heartbeat", "").code, 200);
    }
    // The admin API sees them on both threads.
    HttpResult r = g.rest().get("/v1/sessions");
    std::set<long long> threads;
    size_t k;
    json_t* s;
    json_array_foreach(r.at("/data"), k, s)
    {
        threads.insert(
            json_integer_value(json_object_get(json_object_get(s, "attributes"), "thread")));
    }
    EXPECT_EQ(json_array_size(r.at("/data")), sessions.size());
    EXPECT_EQ(threads.size(), 2u) << r.body;
    for (const std::string& sh : sessions)
    {
        EXPECT_EQ(c.del("/sessions/" + sh).str("/status"), "CLOSED");
    }
    EXPECT_TRUE(eventually(
        [&] { return json_array_size(g.rest().get("/v1/sessions").at("/data")) == 0; }, 5s));
}
