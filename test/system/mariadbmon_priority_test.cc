// The server parameter priority in mariadbmon's choice of a new primary, on a cluster of
// its own (it switches the primary over): the lowest positive priority wins over the
// server order, a runtime change applies to the next choice, and a negative priority
// is never promoted.
#include <gtest/gtest.h>

#include "admin_gate.hh"

using namespace sqlgate::test;

namespace
{

std::string primary_of(const Http& h)
{
    return h.get("/v1/monitors/Mon").str("/data/attributes/monitor_diagnostics/primary");
}

HttpResult switchover(const Http& h, const std::string& target = "")
{
    return h.post(
        "/v1/maxscale/modules/mariadbmon/switchover?Mon" + (target.empty() ? "" : "&" + target),
        "");
}

}  // namespace

TEST(MariaDBMonPriority, SwitchoverPicksTheBestPriority)
{
    Cluster c;
    int port = free_port();
    ConfigOptions o;
    o.admin_port = free_port();
    o.servers = {};
    o.router_options = "master";
    o.service_extra = "cluster=Mon\n";
    // server2 comes first and is as advanced as server3: without priorities it would win.
    o.server_extra = {{1, "priority=2\n"}, {2, "priority=1\n"}};
    SqlGate gate(config_for(c, port,
                            "[Mon]\ntype=monitor\nmodule=mariadbmon\n"
                            "servers=server1,server2,server3\nuser=monitor\n"
                            "password=monitor_pw\nmonitor_interval=1s\nreplication_user=repl\n"
                            "replication_password=repl_pw\n",
                            o),
                 port);
    ASSERT_TRUE(eventually([&] { return port_accepts(o.admin_port); }, 5s)) << gate.diagnostics();
    Http h(o.admin_port);
    ASSERT_TRUE(eventually([&] { return primary_of(h) == "server1"; }, 5s));

    HttpResult r = switchover(h);
    ASSERT_EQ(r.code, 204) << r.error();
    EXPECT_EQ(primary_of(h), "server3") << "priority 1 beats priority 2";

    // A runtime change: server1 (the old primary, now a replica of server3) gets
    // priority 1 and wins over server2's 2.
    r = h.patch("/v1/servers/server1", R"({"data":{"attributes":{"parameters":{"priority":1}}}})");
    ASSERT_EQ(r.code, 204) << r.error();
    ASSERT_TRUE(eventually(
        [&]
        { return h.get("/v1/servers/server1").str("/data/attributes/state") == "Slave, Running"; },
        10s));
    r = switchover(h);
    ASSERT_EQ(r.code, 204) << r.error();
    EXPECT_EQ(primary_of(h), "server1");

    // A negative priority is never promoted, not even when named.
    r = h.patch("/v1/servers/server2", R"({"data":{"attributes":{"parameters":{"priority":-1}}}})");
    ASSERT_EQ(r.code, 204) << r.error();
    ASSERT_TRUE(eventually(
        [&]
        { return h.get("/v1/servers/server3").str("/data/attributes/state") == "Slave, Running"; },
        10s));
    r = switchover(h, "server2");
    EXPECT_EQ(r.code, 400);
    EXPECT_NE(r.error().find("with a priority of 0 or more"), std::string::npos) << r.error();
    EXPECT_EQ(primary_of(h), "server1");
}
