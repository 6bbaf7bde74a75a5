// Monitors and module commands through the admin REST API, against the real sqlgate and
// the shared 3-server cluster (server1 primary, server2 and server3 replicas): roles
// found by mariadbmon, monitor create/patch/stop/start/destroy and persistence, and the
// module command route with qlafilter's log command.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <thread>

#include "admin_gate.hh"

using namespace sqlgate::test;

namespace
{

const char* kMonitor = R"([Mon]
type=monitor
module=mariadbmon
servers=server1,server2,server3
user=monitor
password=monitor_pw
monitor_interval=500ms
)";

std::string state_of(const Http& h, const std::string& server)
{
    return h.get("/v1/servers/" + server).str("/data/attributes/state");
}

bool roles_are(const Http& h, const std::string& s1, const std::string& s2, const std::string& s3)
{
    return state_of(h, "server1") == s1 && state_of(h, "server2") == s2 &&
           state_of(h, "server3") == s3;
}

std::string monitor_body(const std::string& name, const std::string& servers_json,
                         const std::string& extra_params = "")
{
    return R"({"data":{"id":")" + name +
           R"(","type":"monitors","attributes":{"module":"mariadbmon","parameters":{"user":"monitor","password":"monitor_pw","monitor_interval":"300ms")" +
           extra_params + R"(}},"relationships":{"servers":{"data":)" + servers_json + "}}}}";
}

}  // namespace

TEST(AdminMonitors, RolesFoundAndShownAndRoutedTo)
{
    ConfigOptions o;
    o.router_options = "master";
    o.service_extra = "";
    AdminGate g({}, o, kMonitor);
    Http h = g.http();
    // Two ticks at 500 ms, with slack for a loaded machine.
    ASSERT_TRUE(eventually(
        [&] { return roles_are(h, "Master, Running", "Slave, Running", "Slave, Running"); }, 5s))
        << h.get("/v1/servers").body;
    HttpResult m = h.get("/v1/monitors/Mon");
    ASSERT_EQ(m.code, 200);
    EXPECT_EQ(m.str("/data/attributes/state"), "Running");
    EXPECT_EQ(m.str("/data/attributes/module"), "mariadbmon");
    EXPECT_GT(m.num("/data/attributes/ticks"), 0);
    EXPECT_EQ(m.str("/data/attributes/monitor_diagnostics/primary"), "server1");
    EXPECT_EQ(m.str("/data/attributes/monitor_diagnostics/server_info/1/slave_connections/0/"
                    "master_server"),
              "server1");
    EXPECT_EQ(m.str("/data/attributes/monitor_diagnostics/server_info/1/slave_connections/0/"
                    "slave_io_running"),
              "Yes");
    EXPECT_EQ(m.str("/data/relationships/servers/data/2/id"), "server3");
    HttpResult s2 = h.get("/v1/servers/server2");
    EXPECT_EQ(s2.num("/data/attributes/server_id"), 2);
    EXPECT_EQ(s2.num("/data/attributes/replication_lag"), 0);
    EXPECT_EQ(s2.num("/data/attributes/master_id"), 1);
    EXPECT_FALSE(s2.str("/data/attributes/gtid_current_pos").empty());
    EXPECT_EQ(s2.str("/data/relationships/monitors/data/0/id"), "Mon");
    // readconnroute router_options=master follows what the monitor says.
    MysqlPtr c(connect(g.port, "app", "app_pw", "test"));
    ASSERT_TRUE(c);
    EXPECT_EQ(query(c.get(), "SELECT @@port").value(),
              std::to_string(shared_cluster().primary_port()));
    // A monitored server's roles are the monitor's to set.
    HttpResult r = h.put("/v1/servers/server2/set?state=master");
    EXPECT_EQ(r.code, 400);
    EXPECT_NE(r.error().find("monitored"), std::string::npos) << r.error();
}

TEST(AdminMonitors, CreatePatchStopStartDestroyAndPersist)
{
    TempDir dir;
    const std::string& datadir = dir.path;
    {
        AdminGate g({"--datadir", datadir});
        Http h = g.http();
        std::string all =
            R"([{"id":"server1","type":"servers"},{"id":"server2","type":"servers"},{"id":"server3","type":"servers"}])";
        HttpResult r = h.post("/v1/monitors", monitor_body("M1", all));
        ASSERT_EQ(r.code, 204) << r.error();
        EXPECT_EQ(h.post("/v1/monitors", monitor_body("M1", "[]")).code, 409);
        r = h.post("/v1/monitors", monitor_body("M2", R"([{"id":"server1","type":"servers"}])"));
        EXPECT_EQ(r.code, 400);
        EXPECT_NE(r.error().find("already monitored by M1"), std::string::npos) << r.error();
        r = h.post("/v1/monitors", monitor_body("M2", "[]", R"(,"no_such":1)"));
        EXPECT_EQ(r.code, 400);
        EXPECT_NE(r.error().find("no_such"), std::string::npos) << r.error();
        r = h.post("/v1/monitors", monitor_body("M2", "[]", R"(,"monitor_interval":"soon")"));
        EXPECT_EQ(r.code, 400);
        EXPECT_NE(r.error().find("monitor_interval"), std::string::npos) << r.error();
        std::string bad_module = monitor_body("M2", "[]");
        bad_module.replace(bad_module.find("mariadbmon"), 10, "nosuchmon");
        r = h.post("/v1/monitors", bad_module);
        EXPECT_EQ(r.code, 400);
        EXPECT_NE(r.error().find("nosuchmon"), std::string::npos) << r.error();
        r = h.post("/v1/monitors", monitor_body("M2", R"([{"id":"ghost","type":"servers"}])"));
        EXPECT_EQ(r.code, 400);
        EXPECT_NE(r.error().find("ghost"), std::string::npos) << r.error();

        ASSERT_TRUE(eventually(
            [&] { return roles_are(h, "Master, Running", "Slave, Running", "Slave, Running"); },
            5s));
        // Stop: ticks stop counting; start: they count again.
        ASSERT_EQ(h.put("/v1/monitors/M1/stop").code, 204);
        EXPECT_EQ(h.get("/v1/monitors/M1").str("/data/attributes/state"), "Stopped");
        long long ticks = h.get("/v1/monitors/M1").num("/data/attributes/ticks");
        std::this_thread::sleep_for(700ms);
        EXPECT_EQ(h.get("/v1/monitors/M1").num("/data/attributes/ticks"), ticks);
        // A stopped monitor's servers can be set by hand.
        EXPECT_EQ(h.put("/v1/servers/server3/set?state=slave").code, 204);
        ASSERT_EQ(h.put("/v1/monitors/M1/start").code, 204);
        EXPECT_TRUE(eventually(
            [&] { return h.get("/v1/monitors/M1").num("/data/attributes/ticks") > ticks; }, 3s));
        EXPECT_EQ(h.put("/v1/monitors/nosuch/stop").code, 404);

        // PATCH: JSON Patch of a parameter; a static one is refused and nothing changes.
        r = h.json_patch(
            "/v1/monitors/M1",
            R"([{"op":"replace","path":"/data/attributes/parameters/monitor_interval","value":"400ms"}])");
        ASSERT_EQ(r.code, 204) << r.error();
        EXPECT_EQ(h.get("/v1/monitors/M1").str("/data/attributes/parameters/monitor_interval"),
                  "400ms");
        r = h.patch("/v1/monitors/M1",
                    R"({"data":{"attributes":{"parameters":{"module":"othermon"}}}})");
        EXPECT_EQ(r.code, 400);
        EXPECT_EQ(h.get("/v1/monitors/M1").str("/data/attributes/module"), "mariadbmon");
        // Fewer servers: server3 loses its role.
        r = h.request(
            "PATCH", "/v1/monitors/M1/relationships/servers",
            R"({"data":[{"id":"server1","type":"servers"},{"id":"server2","type":"servers"}]})",
            {"Content-Type: application/json"});
        ASSERT_EQ(r.code, 204) << r.error();
        EXPECT_TRUE(eventually(
            [&] { return roles_are(h, "Master, Running", "Slave, Running", "Running"); }, 5s))
            << h.get("/v1/servers").body;
        EXPECT_EQ(h.get("/v1/servers/server3").at("/data/relationships/monitors/data") != nullptr,
                  true);
        EXPECT_EQ(
            json_array_size(h.get("/v1/servers/server3").at("/data/relationships/monitors/data")),
            0u);
    }
    {
        // After a restart the monitor is there, running, with its changes.
        AdminGate g({"--datadir", datadir});
        Http h = g.http();
        HttpResult m = h.get("/v1/monitors/M1");
        ASSERT_EQ(m.code, 200) << g.gate->diagnostics();
        EXPECT_EQ(m.str("/data/attributes/source/type"), "runtime");
        EXPECT_EQ(m.str("/data/attributes/parameters/monitor_interval"), "400ms");
        EXPECT_EQ(m.str("/data/attributes/state"), "Running");
        // In use by servers: destroy needs force.
        HttpResult r = h.del("/v1/monitors/M1");
        EXPECT_EQ(r.code, 400);
        EXPECT_NE(r.error().find("force=yes"), std::string::npos) << r.error();
        ASSERT_EQ(h.del("/v1/monitors/M1?force=yes").code, 204);
        EXPECT_EQ(h.get("/v1/monitors/M1").code, 404);
        EXPECT_TRUE(eventually([&] { return state_of(h, "server1") == "Running"; }, 3s));
    }
    {
        AdminGate g({"--datadir", datadir});
        EXPECT_EQ(g.http().get("/v1/monitors/M1").code, 404);
    }
}

TEST(AdminMonitors, StaticMonitorUsedByAServiceCannotBeDestroyed)
{
    ConfigOptions o;
    o.servers = {};
    o.service_extra = "cluster=Mon\n";
    AdminGate g({}, o, kMonitor);
    Http h = g.http();
    HttpResult r = h.del("/v1/monitors/Mon?force=yes");
    EXPECT_EQ(r.code, 400);
    EXPECT_NE(r.error().find("Read-Write-Service"), std::string::npos) << r.error();
    EXPECT_EQ(h.get("/v1/monitors/Mon").str("/data/relationships/services/data/0/id"),
              "Read-Write-Service");
    EXPECT_EQ(
        h.get("/v1/services/Read-Write-Service").str("/data/relationships/monitors/data/0/id"),
        "Mon");
    // The service routes to the monitor's servers.
    EXPECT_EQ(json_array_size(
                  h.get("/v1/services/Read-Write-Service").at("/data/relationships/servers/data")),
              3u);
    // Its servers are the monitor's: linking servers to it directly is refused.
    r = h.request("PATCH", "/v1/services/Read-Write-Service/relationships/servers",
                  R"({"data":[{"id":"server1","type":"servers"}]})",
                  {"Content-Type: application/json"});
    EXPECT_EQ(r.code, 400);
    EXPECT_NE(r.error().find("takes its servers from monitor Mon"), std::string::npos) << r.error();
    r = h.request("PATCH", "/v1/servers/server1/relationships/services", R"({"data":[]})",
                  {"Content-Type: application/json"});
    EXPECT_EQ(r.code, 400);
    EXPECT_NE(r.error().find("add the server to that monitor"), std::string::npos) << r.error();
    EXPECT_EQ(h.get("/v1/services/Read-Write-Service").str("/data/attributes/parameters/cluster"),
              "Mon");
}

TEST(AdminMonitors, MonitoredServerEndpointAndCredentials)
{
    AdminGate g({}, {}, kMonitor);
    Http h = g.http();
    ASSERT_TRUE(eventually(
        [&] { return roles_are(h, "Master, Running", "Slave, Running", "Slave, Running"); }, 5s));
    // A monitored server's address cannot move under its monitor.
    HttpResult r =
        h.patch("/v1/servers/server3", R"({"data":{"attributes":{"parameters":{"port":1}}}})");
    EXPECT_EQ(r.code, 400);
    EXPECT_NE(r.error().find("monitored by Mon"), std::string::npos) << r.error();
    // monitoruser/monitorpw reach the running monitor at once.
    r = h.patch(
        "/v1/servers/server3",
        R"({"data":{"attributes":{"parameters":{"monitoruser":"monitor","monitorpw":"wrong"}}}})");
    ASSERT_EQ(r.code, 204) << r.error();
    EXPECT_TRUE(eventually([&] { return state_of(h, "server3") == "Auth Error, Down"; }, 5s))
        << state_of(h, "server3");
    r = h.patch("/v1/servers/server3",
                R"({"data":{"attributes":{"parameters":{"monitorpw":"monitor_pw"}}}})");
    ASSERT_EQ(r.code, 204) << r.error();
    EXPECT_TRUE(eventually([&] { return state_of(h, "server3") == "Slave, Running"; }, 5s))
        << state_of(h, "server3");
}

TEST(AdminMonitors, ModuleCommandsQlafilterLog)
{
    ConfigOptions o;
    TempDir dir;
    const std::string& qla_dir = dir.path;
    o.service_extra = "filters=Q\n";
    AdminGate g({}, o,
                "[Q]\ntype=filter\nmodule=qlafilter\nlog_type=unified\nfilebase=" + qla_dir +
                    "/qla\n[P]\ntype=filter\nmodule=qlafilter\nlog_type=session\nfilebase=" +
                    qla_dir + "/s\n");
    Http h = g.http();
    {
        MysqlPtr c(connect(g.port, "app", "app_pw", "test"));
        ASSERT_TRUE(c);
        ASSERT_TRUE(query(c.get(), "SELECT 'first'").ok);
        ASSERT_TRUE(query(c.get(), "SELECT 'second'").ok);
    }
    // The module lists its command.
    HttpResult mod = h.get("/v1/maxscale/modules/qlafilter");
    EXPECT_EQ(mod.str("/data/attributes/commands/0/id"), "log");
    EXPECT_EQ(mod.str("/data/attributes/commands/0/attributes/method"), "GET");
    EXPECT_EQ(mod.num("/data/attributes/commands/0/attributes/arg_min"), 1);
    // Positional and key=value arguments.
    HttpResult r = h.get("/v1/maxscale/modules/qlafilter/log?Q");
    ASSERT_EQ(r.code, 200) << r.error();
    ASSERT_EQ(json_array_size(r.at("/meta")), 3u) << r.body;
    EXPECT_NE(r.str("/meta/1").find("SELECT 'first'"), std::string::npos) << r.body;
    // API parameters are not arguments.
    EXPECT_EQ(h.get("/v1/maxscale/modules/qlafilter/log?Q&pretty=false").code, 200);
    r = h.get("/v1/maxscale/modules/qlafilter/log?filter=Q&start=2&end=3");
    ASSERT_EQ(r.code, 200) << r.error();
    ASSERT_EQ(json_array_size(r.at("/meta")), 1u);
    EXPECT_NE(r.str("/meta/0").find("SELECT 'second'"), std::string::npos) << r.body;
    // Errors: each names what is wrong.
    struct Case
    {
        const char* method;
        std::string path;
        long code;
        const char* says;
    };
    for (const Case& c : std::vector<Case>{
             {"GET", "qlafilter/log", 400, "Missing argument 'filter'"},
             {"GET", "qlafilter/log?Q&1&2&3", 400, "Too many arguments"},
             {"GET", "qlafilter/log?nosuch", 400, "'nosuch' is not a filter"},
             {"GET", "qlafilter/log?P", 400, "log_type=unified"},
             {"GET", "qlafilter/log?Q&x", 400, "not a line number"},
             {"GET", "qlafilter/log?Q&-1", 400, "not a line number"},
             {"GET", "qlafilter/log?filter=Q&bogus=1", 400, "Unknown argument 'bogus'"},
             {"POST", "qlafilter/log?Q", 404, "call it with GET"},
             {"GET", "qlafilter/nosuch", 404, "has no command 'nosuch'"},
             {"GET", "nosuchmodule/log", 404, "nosuchmodule"},
             {"GET", "servers/log", 404, "has no command"},
         })
    {
        r = h.request(c.method, "/v1/maxscale/modules/" + c.path);
        EXPECT_EQ(r.code, c.code) << c.path;
        EXPECT_NE(r.error().find(c.says), std::string::npos) << c.path << ": " << r.error();
    }
    // A basic (read-only) user may call read-only commands only.
    ASSERT_EQ(
        h.post(
             "/v1/users/inet",
             R"({"data":{"id":"viewer","type":"inet","attributes":{"password":"pw","account":"basic"}}})")
            .code,
        204);
    Http viewer(g.admin, "viewer", "pw");
    EXPECT_EQ(viewer.get("/v1/maxscale/modules/qlafilter/log?Q").code, 200);
}
