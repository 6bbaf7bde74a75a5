// Runtime changes through the admin REST API against the real sqlgate and real mariadbd:
// PATCH with JSON Patch and with partial documents, validation through the parameter
// specification, servers created, used, persisted across a restart and destroyed.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "admin_gate.hh"

using namespace sqlgate::test;

namespace
{

using Gate = AdminGate;

std::string server_port_of(int port)
{
    MysqlPtr m(connect(port, "app", "app_pw", "test"));
    return m ? query(m.get(), "SELECT @@port").value() : "no connection";
}

}  // namespace

TEST(AdminChanges, PatchServerPartialDocumentAndJsonPatch)
{
    Gate g;
    Http h = g.http();
    HttpResult r =
        h.patch("/v1/servers/server2", R"({"data":{"attributes":{"parameters":{"priority":7}}}})");
    ASSERT_EQ(r.code, 204) << r.error();
    EXPECT_EQ(h.get("/v1/servers/server2").num("/data/attributes/parameters/priority"), 7);
    EXPECT_EQ(h.get("/v1/servers/server2").str("/data/attributes/source/type"), "runtime");

    r = h.json_patch(
        "/v1/servers/server2",
        R"([{"op":"replace","path":"/data/attributes/parameters/priority","value":9}])");
    ASSERT_EQ(r.code, 204) << r.error();
    EXPECT_EQ(h.get("/v1/servers/server2").num("/data/attributes/parameters/priority"), 9);

    // A failed test leaves the object unchanged, and so does a patch whose later op fails.
    r = h.json_patch("/v1/servers/server2",
                     R"([{"op":"test","path":"/data/attributes/parameters/priority","value":1},
                         {"op":"replace","path":"/data/attributes/parameters/priority","value":2}])");
    EXPECT_EQ(r.code, 400);
    EXPECT_NE(r.error().find("operation 0 (test)"), std::string::npos) << r.error();
    r = h.json_patch("/v1/servers/server2",
                     R"([{"op":"replace","path":"/data/attributes/parameters/priority","value":3},
                         {"op":"remove","path":"/data/nosuch"}])");
    EXPECT_EQ(r.code, 400);
    EXPECT_EQ(h.get("/v1/servers/server2").num("/data/attributes/parameters/priority"), 9);
    // Optimistic concurrency with test: the right value applies.
    r = h.json_patch("/v1/servers/server2",
                     R"([{"op":"test","path":"/data/attributes/parameters/priority","value":9},
                         {"op":"replace","path":"/data/attributes/parameters/priority","value":4}])");
    EXPECT_EQ(r.code, 204) << r.error();
    EXPECT_EQ(h.get("/v1/servers/server2").num("/data/attributes/parameters/priority"), 4);

    // The persisted file has the change and no plain secret besides what the static file has.
    std::string persisted = read_file(g.gate->dir() + "/data/sqlgate.cnf.d/server2.cnf");
    EXPECT_NE(persisted.find("priority=4"), std::string::npos) << persisted;
    struct stat st;
    ASSERT_EQ(stat((g.gate->dir() + "/data/sqlgate.cnf.d/server2.cnf").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 077, 0u);
}

TEST(AdminChanges, InvalidChangesNameTheParameterAndChangeNothing)
{
    Gate g;
    Http h = g.http();
    std::string before = h.get("/v1/servers/server1").body;
    struct Case
    {
        std::string body, expect;
    } cases[] = {
        {R"({"data":{"attributes":{"parameters":{"nosuch":1}}}})", "unknown parameter 'nosuch'"},
        {R"({"data":{"attributes":{"parameters":{"protocol":"x"}}}})",
         "parameter 'protocol' cannot be changed at runtime"},
        {R"({"data":{"attributes":{"parameters":{"port":"abc"}}}})", "parameter 'port'"},
        {R"({"data":{"attributes":{"parameters":{"port":70000}}}})", "parameter 'port'"},
        {R"({"data":{"attributes":{"parameters":{"rank":"first"}}}})", "parameter 'rank'"},
        {R"({"data":{"attributes":{"parameters":{"priority":[1]}}}})", "parameter 'priority'"},
        {R"({"data":{"attributes":{"parameters":"x"}}})", "parameters must be an object"},
        {R"({"data":{"relationships":{"services":{"data":[{"id":"nosuch","type":"services"}]}}}})",
         "'nosuch' is not a service"},
        {R"({"nodata":1})", "'data' object"},
    };
    for (const auto& c : cases)
    {
        HttpResult r = h.patch("/v1/servers/server1", c.body);
        EXPECT_EQ(r.code, 400) << c.body;
        EXPECT_NE(r.error().find(c.expect), std::string::npos) << c.body << " -> " << r.error();
    }
    HttpResult r = h.json_patch(
        "/v1/servers/server1", R"([{"op":"replace","path":"/data/attributes/state","value":"x"}])");
    EXPECT_EQ(r.code, 400);
    EXPECT_NE(r.error().find("Only /data/attributes/parameters"), std::string::npos) << r.error();
    // The address of a server that services use cannot change under them.
    r = h.patch("/v1/servers/server1", R"({"data":{"attributes":{"parameters":{"port":1}}}})");
    EXPECT_EQ(r.code, 400);
    EXPECT_NE(r.error().find("used by Read-Write-Service"), std::string::npos) << r.error();
    EXPECT_EQ(h.get("/v1/servers/server1").body, before);
    EXPECT_TRUE(g.gate->running());
}

TEST(AdminChanges, ServerCreatedUsedPersistedAndDestroyed)
{
    Cluster& cluster = shared_cluster();
    TempDir dir;  // outlives each gate
    const std::string& datadir = dir.path;
    std::string body =
        R"({"data":{"id":"extra","type":"servers","attributes":{"parameters":{"address":"127.0.0.1","port":)" +
        std::to_string(cluster.port(2)) + "}}}}";
    {
        Gate g({"--datadir", datadir});
        Http h = g.http();
        HttpResult r = h.post("/v1/servers", body);
        ASSERT_EQ(r.code, 204) << r.error();
        EXPECT_EQ(h.post("/v1/servers", body).code, 409);
        std::string reserved = body;
        reserved.replace(reserved.find("\"extra\""), 7, "\"maxscale\"");
        EXPECT_EQ(h.post("/v1/servers", reserved).code, 400);
        EXPECT_EQ(h.get("/v1/servers/extra").num("/data/attributes/parameters/port"),
                  cluster.port(2));
        // Use only the new server: new sessions go to server3's port at once.
        r = h.request("PATCH", "/v1/services/Read-Write-Service/relationships/servers",
                      R"({"data":[{"id":"extra","type":"servers"}]})",
                      {"Content-Type: application/json"});
        ASSERT_EQ(r.code, 204) << r.error();
        for (int i = 0; i < 3; ++i)
        {
            EXPECT_EQ(server_port_of(g.port), std::to_string(cluster.port(2)));
        }
        EXPECT_EQ(h.get("/v1/servers/extra").str("/data/relationships/services/data/0/id"),
                  "Read-Write-Service");
        // In use: DELETE is refused without force.
        r = h.del("/v1/servers/extra");
        EXPECT_EQ(r.code, 400);
        EXPECT_NE(r.error().find("used by Read-Write-Service"), std::string::npos) << r.error();
        // Static servers cannot be destroyed here, not even after a PATCH persisted them.
        ASSERT_EQ(h.patch("/v1/servers/server1",
                          R"({"data":{"attributes":{"parameters":{"priority":2}}}})")
                      .code,
                  204);
        r = h.del("/v1/servers/server1?force=yes");
        EXPECT_EQ(r.code, 400);
        EXPECT_NE(r.error().find("remove it there"), std::string::npos) << r.error();
    }
    {
        // After a restart the runtime server and the changed service are still there.
        Gate g({"--datadir", datadir});
        Http h = g.http();
        HttpResult r = h.get("/v1/servers/extra");
        ASSERT_EQ(r.code, 200) << g.gate->diagnostics();
        EXPECT_EQ(r.str("/data/attributes/source/type"), "runtime");
        EXPECT_EQ(server_port_of(g.port), std::to_string(cluster.port(2)));
        r = h.del("/v1/servers/extra?force=yes");
        ASSERT_EQ(r.code, 204) << r.error();
        EXPECT_EQ(h.get("/v1/servers/extra").code, 404);
        EXPECT_EQ(
            json_array_size(
                h.get("/v1/services/Read-Write-Service").at("/data/relationships/servers/data")),
            0u);
    }
    {
        Gate g({"--datadir", datadir});
        EXPECT_EQ(g.http().get("/v1/servers/extra").code, 404);
    }
}

TEST(AdminChanges, PatchServiceParametersAndFilters)
{
    Gate g;
    Http h = g.http();
    HttpResult r = h.patch("/v1/services/Read-Write-Service",
                           R"({"data":{"attributes":{"parameters":{"max_connections":5}}}})");
    ASSERT_EQ(r.code, 204) << r.error();
    EXPECT_EQ(
        h.get("/v1/services/Read-Write-Service").num("/data/attributes/parameters/max_connections"),
        5);
    r = h.patch("/v1/services/Read-Write-Service",
                R"({"data":{"attributes":{"parameters":{"router":"other"}}}})");
    EXPECT_EQ(r.code, 400);
    r = h.request("PATCH", "/v1/services/Read-Write-Service/relationships/filters",
                  R"({"data":[{"id":"nosuch","type":"filters"}]})",
                  {"Content-Type: application/json"});
    EXPECT_EQ(r.code, 400);
    EXPECT_NE(r.error().find("nosuch"), std::string::npos) << r.error();
    // Sessions keep working after the rebuild.
    EXPECT_NE(server_port_of(g.port), "no connection");
    // The router's own parameters change too: router_options=master follows the
    // server marked Master (by hand here; no monitor).
    ASSERT_EQ(h.put("/v1/servers/server2/set?state=master").code, 204);
    r = h.json_patch(
        "/v1/services/Read-Write-Service",
        R"([{"op":"replace","path":"/data/attributes/parameters/router_options","value":"master"}])");
    ASSERT_EQ(r.code, 204) << r.error();
    for (int i = 0; i < 3; ++i)
    {
        EXPECT_EQ(server_port_of(g.port), std::to_string(shared_cluster().port(1)));
    }
}

TEST(AdminChanges, ListenerCreatedAtRuntimeStopStartDestroy)
{
    Gate g;
    Http h = g.http();
    int port = free_port();
    std::string body =
        R"({"data":{"id":"Runtime-Listener","type":"listeners","attributes":{"parameters":{"address":"127.0.0.1","port":)" +
        std::to_string(port) +
        R"(}},"relationships":{"services":{"data":[{"id":"Read-Write-Service","type":"services"}]}}}})";
    HttpResult r = h.post("/v1/listeners", body);
    ASSERT_EQ(r.code, 204) << r.error();
    // It accepts clients at once: one connection attempt (no retry) right after the answer.
    EXPECT_NE(server_port_of(port), "no connection");
    EXPECT_EQ(h.get("/v1/listeners/Runtime-Listener").str("/data/attributes/state"), "Running");
    EXPECT_EQ(h.post("/v1/listeners", body).code, 409);

    // Stop: no new clients; start: back.
    ASSERT_EQ(h.put("/v1/listeners/Runtime-Listener/stop").code, 204);
    EXPECT_EQ(h.get("/v1/listeners/Runtime-Listener").str("/data/attributes/state"), "Stopped");
    EXPECT_FALSE(port_accepts(port));
    ASSERT_EQ(h.put("/v1/listeners/Runtime-Listener/start").code, 204);
    EXPECT_NE(server_port_of(port), "no connection");

    // Stopping the service stops all its listeners; force=yes closes its sessions.
    MysqlPtr m(connect(g.port, "app", "app_pw", "test"));
    ASSERT_TRUE(m);
    ASSERT_EQ(h.put("/v1/services/Read-Write-Service/stop?force=yes").code, 204);
    EXPECT_EQ(h.get("/v1/services/Read-Write-Service").str("/data/attributes/state"), "Stopped");
    EXPECT_FALSE(port_accepts(g.port));
    EXPECT_FALSE(port_accepts(port));
    EXPECT_FALSE(query(m.get(), "SELECT 1").ok);
    ASSERT_EQ(h.put("/v1/services/Read-Write-Service/start").code, 204);
    EXPECT_NE(server_port_of(g.port), "no connection");
    EXPECT_NE(server_port_of(port), "no connection");

    // A port that is taken: 400 naming the listener, nothing left behind.
    std::string clash = body;
    clash.replace(clash.find("Runtime-Listener"), 16, "Clash-Listener");
    clash.replace(clash.find(std::to_string(port)), std::to_string(port).size(),
                  std::to_string(g.admin));
    r = h.post("/v1/listeners", clash);
    EXPECT_EQ(r.code, 400);
    EXPECT_NE(r.error().find("Clash-Listener"), std::string::npos) << r.error();
    EXPECT_EQ(h.get("/v1/listeners/Clash-Listener").code, 404);
    // Bad input names the problem.
    r = h.post("/v1/listeners",
               R"({"data":{"id":"L2","attributes":{"parameters":{"port":1,"service":"nosuch"}}}})");
    EXPECT_EQ(r.code, 400);
    EXPECT_NE(r.error().find("'nosuch' is not a service"), std::string::npos) << r.error();

    EXPECT_EQ(h.del("/v1/listeners/Read-Write-Listener").code, 400);  // static
    ASSERT_EQ(h.del("/v1/listeners/Runtime-Listener").code, 204);
    EXPECT_TRUE(eventually([&] { return !port_accepts(port); }, 5s));
    EXPECT_EQ(h.get("/v1/listeners/Runtime-Listener").code, 404);
}

// docs/rest-api.md: the four log levels below error change at runtime, each on its own;
// log_error is no parameter (errors are always logged).
TEST(AdminChanges, PatchGlobalsSwitchesEachLogLevel)
{
    Gate g;
    Http h = g.http();
    for (const char* level : {"warning", "notice", "info", "debug"})
    {
        SCOPED_TRACE(level);
        std::string p = std::string("log_") + level;
        bool on = json_is_true(h.get("/v1/maxscale").at("/data/attributes/parameters/" + p));
        std::string patch = "{\"data\":{\"attributes\":{\"parameters\":{\"" + p +
                            "\":" + (on ? "false" : "true") + "}}}}";
        HttpResult r = h.patch("/v1/maxscale", patch);
        ASSERT_EQ(r.code, 204) << r.error();
        HttpResult logs = h.get("/v1/maxscale/logs");
        EXPECT_EQ(json_is_true(logs.at(std::string("/data/attributes/log_priorities/") + level)),
                  !on)
            << logs.body;
        EXPECT_TRUE(json_is_true(logs.at("/data/attributes/log_priorities/error"))) << logs.body;
    }
    HttpResult r =
        h.patch("/v1/maxscale", R"({"data":{"attributes":{"parameters":{"log_error":false}}}})");
    EXPECT_EQ(r.code, 400);
    EXPECT_NE(r.error().find("unknown parameter 'log_error'"), std::string::npos) << r.error();

    // log_notice is now off (it was on): a notice is not logged, and is again once it is on.
    HttpResult quiet =
        h.post("/v1/users/inet",
               R"({"data":{"id":"quiet","type":"inet","attributes":{"password":"q-pw"}}})");
    ASSERT_EQ(quiet.code, 204) << quiet.error();
    ASSERT_EQ(
        h.patch("/v1/maxscale", R"({"data":{"attributes":{"parameters":{"log_notice":true}}}})")
            .code,
        204);
    HttpResult loud =
        h.post("/v1/users/inet",
               R"({"data":{"id":"loud","type":"inet","attributes":{"password":"l-pw"}}})");
    ASSERT_EQ(loud.code, 204) << loud.error();
    EXPECT_TRUE(eventually(
        [&] { return g.gate->log_text().find("user 'loud' created") != std::string::npos; }, 5s))
        << g.gate->log_text();
    EXPECT_EQ(g.gate->log_text().find("user 'quiet' created"), std::string::npos)
        << g.gate->log_text();
}

TEST(AdminChanges, PatchGlobalsAppliesLogLevelAndPersists)
{
    Gate g;
    Http h = g.http();
    EXPECT_FALSE(json_is_true(h.get("/v1/maxscale").at("/data/attributes/parameters/log_info")));
    HttpResult r =
        h.patch("/v1/maxscale", R"({"data":{"attributes":{"parameters":{"log_info":true}}}})");
    ASSERT_EQ(r.code, 204) << r.error();
    EXPECT_TRUE(json_is_true(h.get("/v1/maxscale").at("/data/attributes/parameters/log_info")));
    // Info messages now reach the log (a session's end is logged at info level).
    MysqlPtr m(connect(g.port, "app", "app_pw", "test"));
    m.reset();
    EXPECT_TRUE(eventually(
        [&] { return g.gate->log_text().find("   info    :") != std::string::npos; }, 3s));
    r = h.patch("/v1/maxscale", R"({"data":{"attributes":{"parameters":{"threads":4}}}})");
    EXPECT_EQ(r.code, 400);
    EXPECT_NE(r.error().find("'threads' cannot be changed at runtime"), std::string::npos)
        << r.error();
    EXPECT_NE(read_file(g.gate->dir() + "/data/sqlgate.cnf.d/sqlgate.cnf").find("log_info=true"),
              std::string::npos);
}

// A service's counters belong to the service, not to one configuration snapshot: a PATCH
// (which builds a new snapshot) keeps the sessions opened before it counted, so
// max_connections still holds and `connections` goes back to 0 when they close.
TEST(AdminChanges, PatchOfServiceKeepsConnectionsAndMaxConnections)
{
    ConfigOptions o;
    o.service_extra = "max_connections=2\n";
    Gate g({}, o);
    Http h = g.http();
    const std::string svc = "/v1/services/Read-Write-Service";
    std::vector<MysqlPtr> open;
    for (int i = 0; i < 2; ++i)
    {
        open.emplace_back(connect(g.port, "app", "app_pw", "test"));
        ASSERT_TRUE(open.back()) << g.gate->diagnostics();
        ASSERT_TRUE(query(open.back().get(), "SELECT 1").ok);
    }
    EXPECT_EQ(h.get(svc).num("/data/attributes/connections"), 2);
    EXPECT_EQ(h.get(svc).num("/data/attributes/total_connections"), 2);
    HttpResult r = h.patch(svc, R"({"data":{"attributes":{"parameters":{"version_string":"x"}}}})");
    ASSERT_EQ(r.code, 204) << r.error();
    EXPECT_EQ(h.get(svc).num("/data/attributes/connections"), 2);
    EXPECT_EQ(h.get(svc).num("/data/attributes/total_connections"), 2);

    // A third session is refused as before the PATCH, and the count stays right.
    ConnectError e;
    MysqlPtr third(connect(g.port, "app", "app_pw", "test", 0, &e));
    EXPECT_FALSE(third);
    EXPECT_EQ(e.code, 1040u) << e.message;
    third.reset();
    EXPECT_TRUE(eventually([&] { return h.get(svc).num("/data/attributes/connections") == 2; }, 5s))
        << h.get(svc).body;
    // Sessions opened before the PATCH, closed after it, are released on the same counter.
    open.clear();
    EXPECT_TRUE(eventually([&] { return h.get(svc).num("/data/attributes/connections") == 0; }, 5s))
        << h.get(svc).body;
    MysqlPtr again(connect(g.port, "app", "app_pw", "test"));
    ASSERT_TRUE(again);
    EXPECT_TRUE(query(again.get(), "SELECT 1").ok);
    EXPECT_EQ(h.get(svc).num("/data/attributes/connections"), 1);
}

// PATCH /v1/maxscale changes what the whole process uses (global_config()), not a copy
// in the admin layer: with users_refresh_time=1h a login of a new account is refused
// without a reload; after the PATCH to 0s the next failed login reloads and succeeds.
TEST(AdminChanges, PatchOfGlobalParametersReachesTheRoutingWorkers)
{
    ConfigOptions o;
    o.global_extra = "users_refresh_time=1h\n";
    Gate g({}, o);
    Http h = g.http();
    ASSERT_TRUE(create_account_everywhere("globalpatch", "g_pw"));
    ConnectError err;
    EXPECT_FALSE(MysqlPtr(connect(g.port, "globalpatch", "g_pw", "", 0, &err)));
    EXPECT_EQ(err.code, 1045u) << err.message;

    HttpResult r = h.patch("/v1/maxscale",
                           R"({"data":{"attributes":{"parameters":{"users_refresh_time":"0s"}}}})");
    ASSERT_EQ(r.code, 204) << r.error();
    EXPECT_EQ(h.get("/v1/maxscale").str("/data/attributes/parameters/users_refresh_time"), "0ms");
    MysqlPtr after(connect(g.port, "globalpatch", "g_pw", "", 0, &err));
    EXPECT_TRUE(after) << err.code << " " << err.message;
    // Persisted: the global file holds it.
    EXPECT_NE(
        read_file(g.gate->dir() + "/data/sqlgate.cnf.d/sqlgate.cnf").find("users_refresh_time"),
        std::string::npos);
    drop_account("globalpatch");
}
