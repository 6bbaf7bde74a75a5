// Services, filters and listeners created, changed and destroyed through the admin REST API,
// against the real sqlgate and real mariadbd: POST/DELETE /v1/services, POST/PATCH/DELETE
// /v1/filters, PATCH /v1/listeners/:id. Objects are used by real clients, persisted across a
// restart, and every refusal names the problem and changes nothing.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "admin_gate.hh"

using namespace sqlgate::test;

namespace
{

const std::string kStaticFilter =
    "[Static-Regex]\ntype=filter\nmodule=regexfilter\nmatch=nothing\n"
    "replace=nothing\n";

struct Gate : AdminGate
{
    explicit Gate(const std::vector<std::string>& args = {}, const std::string& extra = "")
        : AdminGate(args, {}, kStaticFilter + extra)
    {
    }
    std::string persisted(const std::string& name) const
    {
        return read_file(gate->dir() + "/data/sqlgate.cnf.d/" + name + ".cnf");
    }
};

std::string service_body(const std::string& id, const std::string& servers,
                         const std::string& more_params = "")
{
    return R"({"data":{"id":")" + id +
           R"(","type":"services","attributes":{"router":"readconnroute","parameters":{"user":"sqlgate","password":"sqlgate_pw")" +
           more_params + R"(}},"relationships":{"servers":{"data":[)" + servers + "]}}}}";
}

std::string server_ref(int i)
{
    return R"({"id":"server)" + std::to_string(i + 1) + R"(","type":"servers"})";
}

std::string listener_body(const std::string& id, int port, const std::string& service)
{
    return R"({"data":{"id":")" + id +
           R"(","type":"listeners","attributes":{"parameters":{"address":"127.0.0.1","port":)" +
           std::to_string(port) + R"(}},"relationships":{"services":{"data":[{"id":")" + service +
           R"(","type":"services"}]}}}})";
}

std::string regex_body(const std::string& id, const std::string& match, const std::string& replace)
{
    return R"({"data":{"id":")" + id +
           R"(","type":"filters","attributes":{"module":"regexfilter","parameters":{"match":")" +
           match + R"(","replace":")" + replace + R"("}}}})";
}

std::string value_of(int port, const std::string& sql)
{
    MysqlPtr m(connect(port, "app", "app_pw", "test"));
    if (!m)
    {
        return "no connection";
    }
    QueryResult r = query(m.get(), sql);
    return r.ok ? r.value() : "error: " + r.message;
}

bool exists(const std::string& path)
{
    struct stat st;
    return stat(path.c_str(), &st) == 0;
}

}  // namespace

TEST(AdminObjects, ServiceCreatedUsedPersistedAndDestroyed)
{
    Cluster& cluster = shared_cluster();
    TempDir dd;
    ASSERT_FALSE(dd.path.empty());
    int lport = free_port();
    std::string server3 = std::to_string(cluster.port(2));
    {
        Gate g({"--datadir", dd.path});
        Http h = g.http();
        HttpResult r = h.post("/v1/services", service_body("Runtime-Service", server_ref(2)));
        ASSERT_EQ(r.code, 204) << r.error();
        r = h.get("/v1/services/Runtime-Service");
        ASSERT_EQ(r.code, 200);
        EXPECT_EQ(r.str("/data/attributes/router"), "readconnroute");
        EXPECT_EQ(r.str("/data/attributes/source/type"), "runtime");
        EXPECT_EQ(r.str("/data/relationships/servers/data/0/id"), "server3");
        EXPECT_EQ(r.str("/data/attributes/parameters/password"), "*****");
        EXPECT_NE(dd.persisted("Runtime-Service").find("router=readconnroute"), std::string::npos)
            << dd.persisted("Runtime-Service");

        // A listener on it: real clients reach server3 through it.
        r = h.post("/v1/listeners", listener_body("Runtime-Listener", lport, "Runtime-Service"));
        ASSERT_EQ(r.code, 204) << r.error();
        EXPECT_EQ(value_of(lport, "SELECT @@port"), server3);
        EXPECT_EQ(
            h.get("/v1/services/Runtime-Service").str("/data/relationships/listeners/data/0/id"),
            "Runtime-Listener");

        // In use by a listener: refused without force, naming the listener; nothing changes.
        r = h.del("/v1/services/Runtime-Service");
        EXPECT_EQ(r.code, 400);
        EXPECT_NE(r.error().find("used by listeners Runtime-Listener"), std::string::npos)
            << r.error();
        EXPECT_EQ(h.get("/v1/services/Runtime-Service").code, 200);
        EXPECT_EQ(value_of(lport, "SELECT @@port"), server3);
    }
    {
        // After a restart both are there and work.
        Gate g({"--datadir", dd.path});
        Http h = g.http();
        HttpResult r = h.get("/v1/services/Runtime-Service");
        ASSERT_EQ(r.code, 200) << g.gate->diagnostics();
        EXPECT_EQ(r.str("/data/attributes/source/type"), "runtime");
        EXPECT_EQ(h.get("/v1/listeners/Runtime-Listener").code, 200);
        EXPECT_EQ(value_of(lport, "SELECT @@port"), server3);

        // An open session survives the service's destruction; new clients are refused.
        MysqlPtr open(connect(lport, "app", "app_pw", "test"));
        ASSERT_TRUE(open);
        r = h.del("/v1/services/Runtime-Service?force=yes");
        ASSERT_EQ(r.code, 204) << r.error();
        EXPECT_EQ(h.get("/v1/services/Runtime-Service").code, 404);
        EXPECT_EQ(h.get("/v1/listeners/Runtime-Listener").code, 404);
        EXPECT_FALSE(port_accepts(lport));
        EXPECT_EQ(query(open.get(), "SELECT @@port").value(), server3);
        EXPECT_FALSE(exists(dd.path + "/sqlgate.cnf.d/Runtime-Service.cnf"));
        EXPECT_FALSE(exists(dd.path + "/sqlgate.cnf.d/Runtime-Listener.cnf"));
        // The static service is untouched.
        EXPECT_EQ(value_of(g.port, "SELECT 1"), "1");
    }
    {
        Gate g({"--datadir", dd.path});
        EXPECT_EQ(g.http().get("/v1/services/Runtime-Service").code, 404);
        EXPECT_EQ(g.http().get("/v1/listeners/Runtime-Listener").code, 404);
    }
}

TEST(AdminObjects, ServiceWithoutTargetsOrListenersCreatedAndDestroyed)
{
    TempDir dd;
    Gate g({"--datadir", dd.path});
    Http h = g.http();
    // No relationships at all (MaxScale allows it); targets=, filters as parameters work too.
    HttpResult r =
        h.post("/v1/services", R"({"data":{"id":"Empty","attributes":{"router":"readconnroute",
        "parameters":{"user":"sqlgate","password":"sqlgate_pw"}}}})");
    ASSERT_EQ(r.code, 204) << r.error();
    EXPECT_EQ(json_array_size(h.get("/v1/services/Empty").at("/data/relationships/servers/data")),
              0u);
    r = h.post("/v1/services",
               R"({"data":{"id":"ByParams","attributes":{"parameters":{"router":"readconnroute",
        "user":"sqlgate","password":"sqlgate_pw","targets":"server1,server2","filters":"Static-Regex",
        "max_connections":3}}}})");
    ASSERT_EQ(r.code, 204) << r.error();
    r = h.get("/v1/services/ByParams");
    EXPECT_EQ(r.str("/data/relationships/servers/data/1/id"), "server2");
    EXPECT_EQ(r.str("/data/relationships/filters/data/0/id"), "Static-Regex");
    EXPECT_EQ(r.num("/data/attributes/parameters/max_connections"), 3);
    EXPECT_EQ(h.get("/v1/filters/Static-Regex").str("/data/relationships/services/data/0/id"),
              "ByParams");
    // Both load again after a restart (an empty target list is written as "servers=").
    g.gate.reset();
    Gate again({"--datadir", dd.path});
    h = again.http();
    ASSERT_EQ(h.get("/v1/services/Empty").code, 200) << again.gate->diagnostics();
    ASSERT_EQ(h.get("/v1/services/ByParams").code, 200);
    // No listeners: destroyed without force.
    for (const char* name : {"Empty", "ByParams"})
    {
        r = h.del(std::string("/v1/services/") + name);
        EXPECT_EQ(r.code, 204) << name << ": " << r.error();
        EXPECT_EQ(h.get(std::string("/v1/services/") + name).code, 404);
        EXPECT_FALSE(exists(dd.path + "/sqlgate.cnf.d/" + name + ".cnf"));
    }
    EXPECT_EQ(
        json_array_size(h.get("/v1/filters/Static-Regex").at("/data/relationships/services/data")),
        0u);
}

TEST(AdminObjects, ServiceUsesAMonitorsServersThroughCluster)
{
    Cluster& cluster = shared_cluster();
    Gate g({},
           "\n[Cluster-Monitor]\ntype=monitor\nmodule=mariadbmon\nservers=server1,server2,server3\n"
           "user=monitor\npassword=monitor_pw\nmonitor_interval=200ms\n");
    Http h = g.http();
    std::string params = R"({"data":{"id":"Clustered","attributes":{"router":"readconnroute",
        "parameters":{"user":"sqlgate","password":"sqlgate_pw","router_options":"master",)";
    HttpResult r = h.post("/v1/services", params + R"("cluster":"nosuch"}}}})");
    EXPECT_EQ(r.code, 400);
    EXPECT_NE(r.error().find("'nosuch' is not a monitor"), std::string::npos) << r.error();
    r = h.post("/v1/services", params + R"("cluster":"Cluster-Monitor","servers":"server1"}}}})");
    EXPECT_EQ(r.code, 400);
    EXPECT_NE(r.error().find("'cluster' cannot be used together with 'servers'"), std::string::npos)
        << r.error();
    EXPECT_EQ(h.get("/v1/services/Clustered").code, 404);

    r = h.post("/v1/services", params + R"("cluster":"Cluster-Monitor"}}}})");
    ASSERT_EQ(r.code, 204) << r.error();
    EXPECT_EQ(h.get("/v1/services/Clustered").str("/data/attributes/parameters/cluster"),
              "Cluster-Monitor");
    int lport = free_port();
    ASSERT_EQ(h.post("/v1/listeners", listener_body("Clustered-Listener", lport, "Clustered")).code,
              204);
    // The monitor finds the primary; the service routes to it.
    std::string primary = std::to_string(cluster.primary_port());
    EXPECT_TRUE(eventually([&] { return value_of(lport, "SELECT @@port") == primary; }, 5s))
        << value_of(lport, "SELECT @@port") << "\n"
        << g.gate->diagnostics();
    EXPECT_NE(g.persisted("Clustered").find("cluster=Cluster-Monitor"), std::string::npos);
    EXPECT_EQ(g.persisted("Clustered").find("servers="), std::string::npos)
        << "cluster and servers together would not load again";
}

TEST(AdminObjects, InvalidServicesAreRefusedAndChangeNothing)
{
    Gate g;
    Http h = g.http();
    std::string services_before = h.get("/v1/services").body;
    struct Case
    {
        int code;
        std::string body, expect;
    } cases[] = {
        {409, service_body("server1", server_ref(0)), "An object called 'server1' already exists"},
        {409, service_body("Read-Write-Service", server_ref(0)), "already exists"},
        {409, service_body("Static-Regex", server_ref(0)), "already exists"},
        {400, service_body("maxscale", server_ref(0)), "reserved"},
        {400, service_body("bad name", server_ref(0)), "not a valid name"},
        {400, service_body("S", server_ref(0), R"(,"nosuch":1)"), "nosuch"},
        {400, service_body("S", server_ref(0), R"(,"max_connections":"many")"),
         "parameter 'max_connections'"},
        {400, service_body("S", server_ref(0), R"(,"router_options":"sideways")"),
         "parameter 'router_options'"},
        {400, service_body("S", server_ref(0), R"(,"enable_root_user":[1])"),
         "parameter 'enable_root_user': expected a string, number or boolean"},
        {400, service_body("S", R"({"id":"nosuch","type":"servers"})"), "'nosuch' is not a server"},
        {400, service_body("S", server_ref(0), R"(,"servers":"server2")"),
         "/data/relationships/servers"},
        {400, R"({"data":{"id":"S","attributes":{"router":"nosuchrouter","parameters":{}}}})",
         "/data/attributes/router"},
        {400, R"({"data":{"id":"S","attributes":{"parameters":{"user":"u","password":"p"}}}})",
         "Missing /data/attributes/router"},
        {400,
         R"({"data":{"id":"S","attributes":{"router":"readconnroute","parameters":{"user":"u"}}}})",
         "password"},
        {400, R"({"data":{"id":"S","type":"servers","attributes":{"router":"readconnroute"}}})",
         "/data/type: expected 'services'"},
        {400,
         R"({"data":{"id":"S","attributes":{"router":"readconnroute","parameters":{"user":"u","password":"p"}},
             "relationships":{"filters":{"data":[{"id":"nosuch","type":"filters"}]}}}})",
         "'nosuch' is not a filter"},
        {400,
         R"({"data":{"id":"S","attributes":{"router":"readconnroute","parameters":{"user":"u","password":"p"}},
             "relationships":{"listeners":{"data":[{"id":"Read-Write-Listener"}]}}}})",
         "/data/relationships/listeners: cannot be set here"},
        {400, R"({"nodata":1})", "'data' object"},
    };
    for (const auto& c : cases)
    {
        HttpResult r = h.post("/v1/services", c.body);
        EXPECT_EQ(r.code, c.code) << c.body << " -> " << r.error();
        EXPECT_NE(r.error().find(c.expect), std::string::npos) << c.body << " -> " << r.error();
    }
    EXPECT_EQ(h.get("/v1/services").body, services_before);
    EXPECT_FALSE(exists(g.gate->dir() + "/data/sqlgate.cnf.d/S.cnf"));

    // Destroying: 404 for no such service; a static service is refused even with force.
    EXPECT_EQ(h.del("/v1/services/nosuch").code, 404);
    HttpResult r = h.del("/v1/services/Read-Write-Service?force=yes");
    EXPECT_EQ(r.code, 400);
    EXPECT_NE(r.error().find("Service Read-Write-Service is defined in"), std::string::npos)
        << r.error();
    EXPECT_NE(r.error().find("remove it there"), std::string::npos) << r.error();
    EXPECT_EQ(h.get("/v1/listeners/Read-Write-Listener").code, 200);
    EXPECT_EQ(value_of(g.port, "SELECT 1"), "1");
    EXPECT_TRUE(g.gate->running());
}

TEST(AdminObjects, FilterCreatedAttachedPatchedAndDestroyed)
{
    Gate g;
    Http h = g.http();
    const std::string sql = "SELECT 'before_marker'";
    ASSERT_EQ(value_of(g.port, sql), "before_marker");
    HttpResult r = h.post("/v1/filters", regex_body("Rewrite", "before_marker", "after_marker"));
    ASSERT_EQ(r.code, 204) << r.error();
    r = h.get("/v1/filters/Rewrite");
    EXPECT_EQ(r.str("/data/attributes/module"), "regexfilter");
    EXPECT_EQ(r.str("/data/attributes/parameters/replace"), "after_marker");
    EXPECT_EQ(r.str("/data/attributes/source/type"), "runtime");
    EXPECT_NE(g.persisted("Rewrite").find("module=regexfilter"), std::string::npos);
    EXPECT_EQ(value_of(g.port, sql), "before_marker") << "not attached yet";

    // Attached through the service: new sessions rewrite.
    r = h.request("PATCH", "/v1/services/Read-Write-Service/relationships/filters",
                  R"({"data":[{"id":"Rewrite","type":"filters"}]})",
                  {"Content-Type: application/json"});
    ASSERT_EQ(r.code, 204) << r.error();
    EXPECT_EQ(value_of(g.port, sql), "after_marker");
    EXPECT_EQ(h.get("/v1/filters/Rewrite").str("/data/relationships/services/data/0/id"),
              "Read-Write-Service");

    // PATCH of a parameter builds a new filter instance: new sessions use it at once,
    // in both forms; a session opened before keeps the chain it started with.
    MysqlPtr older(connect(g.port, "app", "app_pw", "test"));
    ASSERT_TRUE(older);
    r = h.patch("/v1/filters/Rewrite",
                R"({"data":{"attributes":{"parameters":{"replace":"other_marker"}}}})");
    ASSERT_EQ(r.code, 204) << r.error();
    EXPECT_EQ(value_of(g.port, sql), "other_marker");
    EXPECT_EQ(query(older.get(), sql).value(), "after_marker");
    EXPECT_NE(g.persisted("Rewrite").find("replace=other_marker"), std::string::npos);
    r = h.json_patch(
        "/v1/filters/Rewrite",
        R"([{"op":"replace","path":"/data/attributes/parameters/replace","value":"after_marker"}])");
    ASSERT_EQ(r.code, 204) << r.error();
    EXPECT_EQ(value_of(g.port, sql), "after_marker");
    // Refusals change nothing: a bad regex, a static parameter, an unknown one.
    std::string before = h.get("/v1/filters/Rewrite").body;
    r = h.json_patch(
        "/v1/filters/Rewrite",
        R"([{"op":"replace","path":"/data/attributes/parameters/match","value":"("}])");
    EXPECT_EQ(r.code, 400);
    EXPECT_NE(r.error().find("match"), std::string::npos) << r.error();
    r = h.patch("/v1/filters/Rewrite",
                R"({"data":{"attributes":{"parameters":{"module":"qlafilter"}}}})");
    EXPECT_EQ(r.code, 400);
    EXPECT_NE(r.error().find("module"), std::string::npos) << r.error();
    r = h.patch("/v1/filters/Rewrite", R"({"data":{"attributes":{"parameters":{"nosuch":1}}}})");
    EXPECT_EQ(r.code, 400);
    EXPECT_NE(r.error().find("unknown parameter 'nosuch'"), std::string::npos) << r.error();
    r = h.patch("/v1/filters/Rewrite", R"({"data":{"relationships":{"services":{"data":[]}}}})");
    EXPECT_EQ(r.code, 400);
    EXPECT_NE(r.error().find("through the service"), std::string::npos) << r.error();
    r = h.json_patch("/v1/filters/Rewrite",
                     R"([{"op":"test","path":"/data/attributes/parameters/replace","value":"x"}])");
    EXPECT_EQ(r.code, 400);
    EXPECT_EQ(h.get("/v1/filters/Rewrite").body, before);
    r = h.patch("/v1/filters/Rewrite",
                R"({"data":{"attributes":{"parameters":{"replace":"after_marker"}}}})");
    EXPECT_EQ(r.code, 204) << r.error();
    r = h.json_patch(
        "/v1/filters/Rewrite",
        R"([{"op":"test","path":"/data/attributes/parameters/replace","value":"after_marker"}])");
    EXPECT_EQ(r.code, 204) << r.error();
    EXPECT_EQ(h.patch("/v1/filters/nosuch", R"({"data":{}})").code, 404);
    EXPECT_EQ(value_of(g.port, sql), "after_marker");

    // In use: DELETE refused without force; with force the service drops it first.
    r = h.del("/v1/filters/Rewrite");
    EXPECT_EQ(r.code, 400);
    EXPECT_NE(r.error().find("used by Read-Write-Service"), std::string::npos) << r.error();
    EXPECT_EQ(value_of(g.port, sql), "after_marker");
    MysqlPtr open(connect(g.port, "app", "app_pw", "test"));
    ASSERT_TRUE(open);
    r = h.del("/v1/filters/Rewrite?force=yes");
    ASSERT_EQ(r.code, 204) << r.error();
    EXPECT_EQ(h.get("/v1/filters/Rewrite").code, 404);
    EXPECT_FALSE(exists(g.gate->dir() + "/data/sqlgate.cnf.d/Rewrite.cnf"));
    EXPECT_EQ(json_array_size(
                  h.get("/v1/services/Read-Write-Service").at("/data/relationships/filters/data")),
              0u);
    EXPECT_EQ(value_of(g.port, sql), "before_marker");
    // A session opened before keeps the chain it started with.
    EXPECT_EQ(query(open.get(), sql).value(), "after_marker");
    // An unused runtime filter goes without force.
    ASSERT_EQ(h.post("/v1/filters", regex_body("Unused", "a", "b")).code, 204);
    EXPECT_EQ(h.del("/v1/filters/Unused").code, 204);
}

TEST(AdminObjects, InvalidFiltersAreRefusedAndChangeNothing)
{
    Gate g;
    Http h = g.http();
    std::string filters_before = h.get("/v1/filters").body;
    struct Case
    {
        int code;
        std::string body, expect;
    } cases[] = {
        {409, regex_body("Static-Regex", "a", "b"),
         "An object called 'Static-Regex' already exists"},
        {409, regex_body("server2", "a", "b"), "already exists"},
        {400, regex_body("sqlgate", "a", "b"), "reserved"},
        {400, regex_body("F", "(unclosed", "b"), "parameter 'match'"},
        {400,
         R"({"data":{"id":"F","attributes":{"module":"regexfilter","parameters":{"match":"a"}}}})",
         "replace"},
        {400,
         R"({"data":{"id":"F","attributes":{"module":"regexfilter","parameters":{"match":"a","replace":"b","nosuch":1}}}})",
         "nosuch"},
        {400,
         R"({"data":{"id":"F","attributes":{"module":"regexfilter","parameters":{"match":"a","replace":"b","log_trace":"maybe"}}}})",
         "parameter 'log_trace'"},
        {400, R"({"data":{"id":"F","attributes":{"module":"nosuchfilter"}}})",
         "/data/attributes/module"},
        {400, R"({"data":{"id":"F","attributes":{"module":"readconnroute"}}})",
         "/data/attributes/module"},
        {400, R"({"data":{"id":"F","attributes":{"parameters":{"match":"a","replace":"b"}}}})",
         "Missing /data/attributes/module"},
        {400,
         R"({"data":{"id":"F","attributes":{"module":"regexfilter","parameters":{"match":"a","replace":"b"}},
             "relationships":{"services":{"data":[{"id":"Read-Write-Service","type":"services"}]}}}})",
         "through the service"},
        {400, R"({"data":{"id":"F","type":"services","attributes":{"module":"regexfilter"}}})",
         "/data/type: expected 'filters'"},
    };
    for (const auto& c : cases)
    {
        HttpResult r = h.post("/v1/filters", c.body);
        EXPECT_EQ(r.code, c.code) << c.body << " -> " << r.error();
        EXPECT_NE(r.error().find(c.expect), std::string::npos) << c.body << " -> " << r.error();
    }
    EXPECT_EQ(h.get("/v1/filters").body, filters_before);
    EXPECT_FALSE(exists(g.gate->dir() + "/data/sqlgate.cnf.d/F.cnf"));
    EXPECT_EQ(h.del("/v1/filters/nosuch").code, 404);
    HttpResult r = h.del("/v1/filters/Static-Regex?force=yes");
    EXPECT_EQ(r.code, 400);
    EXPECT_NE(r.error().find("Filter Static-Regex is defined in"), std::string::npos) << r.error();
    EXPECT_EQ(h.get("/v1/filters/Static-Regex").code, 200);
}

TEST(AdminObjects, ListenerPatchChangesOnlyRuntimeParameters)
{
    Gate g;
    Http h = g.http();
    const std::string url = "/v1/listeners/Read-Write-Listener";
    std::string before = h.get(url).body;
    struct Case
    {
        std::string body, expect;
    } cases[] = {
        {R"({"data":{"attributes":{"parameters":{"port":1234}}}})",
         "parameter 'port' cannot be changed at runtime"},
        {R"({"data":{"attributes":{"parameters":{"address":"0.0.0.0"}}}})",
         "parameter 'address' cannot be changed at runtime"},
        {R"({"data":{"attributes":{"parameters":{"sql_mode":"oracle"}}}})",
         "parameter 'sql_mode' cannot be changed at runtime"},
        {R"({"data":{"attributes":{"parameters":{"nosuch":1}}}})", "unknown parameter 'nosuch'"},
        {R"({"data":{"attributes":{"parameters":{"connection_init_sql_file":{"a":1}}}}})",
         "parameter 'connection_init_sql_file': expected a string, number or boolean"},
        {R"({"data":{"relationships":{"services":{"data":[]}}}})",
         "A listener's service cannot be changed"},
        {R"({"data":{"id":"Other"}})", "/data/id does not match"},
    };
    for (const auto& c : cases)
    {
        HttpResult r = h.patch(url, c.body);
        EXPECT_EQ(r.code, 400) << c.body;
        EXPECT_NE(r.error().find(c.expect), std::string::npos) << c.body << " -> " << r.error();
    }
    HttpResult r = h.json_patch(
        url, R"([{"op":"replace","path":"/data/attributes/parameters/port","value":1}])");
    EXPECT_EQ(r.code, 400);
    EXPECT_NE(r.error().find("parameter 'port' cannot be changed at runtime"), std::string::npos)
        << r.error();
    EXPECT_EQ(h.get(url).body, before);
    EXPECT_EQ(h.patch("/v1/listeners/nosuch", R"({"data":{}})").code, 404);

    // The runtime-modifiable parameter, in both forms; persisted; clients still get in.
    std::string file = g.gate->dir() + "/init.sql";
    r = h.patch(url, R"({"data":{"attributes":{"parameters":{"connection_init_sql_file":")" + file +
                         R"("}}}})");
    ASSERT_EQ(r.code, 204) << r.error();
    EXPECT_EQ(h.get(url).str("/data/attributes/parameters/connection_init_sql_file"), file);
    EXPECT_EQ(h.get(url).str("/data/attributes/source/type"), "runtime");
    EXPECT_NE(g.persisted("Read-Write-Listener").find("connection_init_sql_file=" + file),
              std::string::npos)
        << g.persisted("Read-Write-Listener");
    EXPECT_EQ(value_of(g.port, "SELECT 1"), "1");
    r = h.json_patch(
        url,
        R"([{"op":"replace","path":"/data/attributes/parameters/connection_init_sql_file","value":")" +
            file + R"(2"}])");
    ASSERT_EQ(r.code, 204) << r.error();
    EXPECT_EQ(h.get(url).str("/data/attributes/parameters/connection_init_sql_file"), file + "2");
    EXPECT_EQ(h.get(url).num("/data/attributes/parameters/port"), g.port);
    EXPECT_EQ(value_of(g.port, "SELECT 1"), "1");
    // A stopped listener keeps the change when it starts again.
    ASSERT_EQ(h.put(url + "/stop").code, 204);
    r = h.patch(url, R"({"data":{"attributes":{"parameters":{"connection_init_sql_file":")" + file +
                         R"(3"}}}})");
    ASSERT_EQ(r.code, 204) << r.error();
    ASSERT_EQ(h.put(url + "/start").code, 204);
    EXPECT_EQ(h.get(url).str("/data/attributes/parameters/connection_init_sql_file"), file + "3");
    EXPECT_EQ(h.get(url).str("/data/attributes/state"), "Running");
    EXPECT_EQ(value_of(g.port, "SELECT 1"), "1");
}
