// Server parameters that act on routing: max_routing_connections (the limit of session
// connections to one server) and rank (readconnroute prefers primary-rank servers).
#include <gtest/gtest.h>

#include "admin_gate.hh"

using namespace sqlgate::test;

namespace
{

// A second definition of server @c index of the shared cluster called @c name, with
// @c extra lines, and a readconnroute service + listener on @c port that use @c servers.
std::string server_and_service(const std::string& name, int index, const std::string& extra,
                               const std::string& servers, int port)
{
    return "[" + name + "]\ntype=server\naddress=127.0.0.1\nport=" +
           std::to_string(shared_cluster().port(index)) + "\n" + extra + "\n[" + name +
           "-Service]\ntype=service\nrouter=readconnroute\nservers=" + servers +
           "\nuser=sqlgate\npassword=sqlgate_pw\n\n[" + name +
           "-Listener]\ntype=listener\nservice=" + name +
           "-Service\naddress=127.0.0.1\nport=" + std::to_string(port) + "\n\n";
}

std::string server_id(MYSQL* m)
{
    return query(m, "SELECT @@server_id").value();
}

}  // namespace

TEST(MaxRoutingConnections, TheServerRefusesConnectionsOverItsLimit)
{
    int only = free_port(), spill = free_port();
    AdminGate g({}, {},
                server_and_service("limited", 0, "max_routing_connections=2\n", "limited", only) +
                    "[Spill-Service]\ntype=service\nrouter=readconnroute\n"
                    "servers=limited,server2\nuser=sqlgate\npassword=sqlgate_pw\n\n"
                    "[Spill-Listener]\ntype=listener\nservice=Spill-Service\n"
                    "address=127.0.0.1\nport=" +
                    std::to_string(spill) + "\n");
    Http h = g.http();
    std::vector<MysqlPtr> open;
    for (int i = 0; i < 2; ++i)
    {
        open.emplace_back(connect(only, "app", "app_pw", "test"));
        ASSERT_TRUE(open.back()) << g.gate->diagnostics();
        EXPECT_EQ(server_id(open.back().get()), "1");
    }
    EXPECT_EQ(h.get("/v1/servers/limited").num("/data/attributes/statistics/connections"), 2);

    // The third is refused at login, with MariaDB's "Too many connections".
    ConnectError e;
    MysqlPtr third(connect(only, "app", "app_pw", "test", 0, &e));
    EXPECT_FALSE(third);
    EXPECT_EQ(e.code, 1040u) << e.message;
    EXPECT_NE(e.message.find("max_routing_connections"), std::string::npos) << e.message;
    EXPECT_NE(g.gate->log_text().find("server limited has max_routing_connections (2) open"),
              std::string::npos);

    // A service with another server goes there instead of refusing.
    MysqlPtr spilled(connect(spill, "app", "app_pw", "test"));
    ASSERT_TRUE(spilled);
    EXPECT_EQ(server_id(spilled.get()), "2");

    // A closed session gives its connection back.
    open.pop_back();
    MysqlPtr again;
    EXPECT_TRUE(eventually(
        [&]
        {
            again.reset(connect(only, "app", "app_pw", "test"));
            return again != nullptr;
        },
        5s));
    ASSERT_TRUE(again);
    open.push_back(std::move(again));

    // A runtime change applies to the next connection.
    HttpResult r =
        h.patch("/v1/servers/limited",
                R"({"data":{"attributes":{"parameters":{"max_routing_connections":3}}}})");
    ASSERT_EQ(r.code, 204) << r.error();
    open.emplace_back(connect(only, "app", "app_pw", "test"));
    ASSERT_TRUE(open.back()) << "a third connection with the limit at 3";
    MysqlPtr fourth(connect(only, "app", "app_pw", "test", 0, &e));
    EXPECT_FALSE(fourth);
    EXPECT_EQ(e.code, 1040u);
    r = h.patch("/v1/servers/limited",
                R"({"data":{"attributes":{"parameters":{"max_routing_connections":0}}}})");
    ASSERT_EQ(r.code, 204) << r.error();
    for (int i = 0; i < 3; ++i)
    {
        open.emplace_back(connect(only, "app", "app_pw", "test"));
        ASSERT_TRUE(open.back()) << "0 means no limit";
    }
}

TEST(ServerRank, ReadConnRoutePrefersPrimaryRankServers)
{
    int port = free_port();
    // sec is server2 with rank=secondary, pri is server3 (rank primary by default).
    AdminGate g({}, {},
                server_and_service("sec", 1, "rank=secondary\n", "sec,pri", port) +
                    "[pri]\ntype=server\naddress=127.0.0.1\nport=" +
                    std::to_string(shared_cluster().port(2)) + "\n");
    Http h = g.http();
    std::vector<MysqlPtr> open;
    auto next_on = [&]
    {
        open.emplace_back(connect(port, "app", "app_pw", "test"));
        return open.back() ? server_id(open.back().get()) : std::string("no connection");
    };
    // Without ranks the least connections would alternate; the primary rank takes all.
    for (int i = 0; i < 3; ++i)
    {
        EXPECT_EQ(next_on(), "3") << "session " << i;
    }
    // A runtime change: now sec is primary and pri secondary, whatever their connections.
    for (const auto& [server, rank] : {std::pair{"sec", "primary"}, {"pri", "secondary"}})
    {
        HttpResult r = h.patch(
            std::string("/v1/servers/") + server,
            std::string(R"({"data":{"attributes":{"parameters":{"rank":")") + rank + R"("}}}})");
        ASSERT_EQ(r.code, 204) << r.error();
    }
    for (int i = 0; i < 5; ++i)
    {
        EXPECT_EQ(next_on(), "2") << "session " << i << " after the change";
    }
    // A secondary server is used when no primary one can take the session.
    ASSERT_EQ(h.put("/v1/servers/sec/set?state=maintenance").code, 204);
    EXPECT_EQ(next_on(), "3");
    ASSERT_EQ(h.put("/v1/servers/sec/clear?state=maintenance").code, 204);
}
