// The admin REST API against the real sqlgate and real mariadbd: transport, auth, the
// read resources, sessions and their connections, DELETE of a live session, users.
#include <gtest/gtest.h>

#include "harness.hh"
#include "http_client.hh"

using namespace sqlgate::test;

namespace
{

struct AdminGate
{
    int port = free_port();
    int admin = free_port();
    std::unique_ptr<SqlGate> gate;
    explicit AdminGate(const std::string& extra = "", ConfigOptions o = {})
    {
        o.admin_port = admin;
        gate = std::make_unique<SqlGate>(config_for(shared_cluster(), port, extra, o), port);
        EXPECT_TRUE(eventually([&] { return port_accepts(admin); }, 20s)) << gate->diagnostics();
    }
    Http http() const { return Http(admin); }
};

}  // namespace

TEST(AdminApi, RootAndPrefixAndAuthRequired)
{
    AdminGate g;
    Http h = g.http();
    EXPECT_EQ(h.get("/").code, 200);
    EXPECT_EQ(h.get("/v1/").code, 200);
    EXPECT_EQ(h.get("/v1/servers").code, 200);
    EXPECT_EQ(h.get("/servers").code, 200);  // the /v1 prefix is optional

    Http anon(g.admin);
    anon.no_credentials();
    HttpResult r = anon.get("/v1/servers");
    EXPECT_EQ(r.code, 401);
    EXPECT_EQ(r.headers["www-authenticate"], "Basic realm=\"sqlgate\"");
    EXPECT_EQ(r.str("/errors/0/detail"), "Access denied");
    Http wrong(g.admin, "admin", "wrong");
    EXPECT_EQ(wrong.get("/v1/servers").code, 401);
    EXPECT_NE(g.gate->log_text().find("authentication of 'admin' failed"), std::string::npos);
    // The default user was created with a warning, and the password file holds no plain text.
    EXPECT_NE(g.gate->log_text().find("created the default user 'admin'"), std::string::npos);
    std::string passwd = read_file(g.gate->dir() + "/data/passwd");
    EXPECT_NE(passwd.find("admin"), std::string::npos);
    EXPECT_EQ(passwd.find("mariadb"), std::string::npos);
}

TEST(AdminApi, ErrorsAndMethods)
{
    AdminGate g;
    Http h = g.http();
    HttpResult r = h.get("/v1/servers/nosuch");
    EXPECT_EQ(r.code, 404);
    EXPECT_EQ(r.str("/errors/0/detail"), "'nosuch' is not a server");
    EXPECT_EQ(h.get("/v1/nothing/here").code, 404);
    EXPECT_EQ(h.request("DELETE", "/v1/maxscale").code, 405);
    EXPECT_EQ(h.request("BREW", "/v1/servers").code, 405);
    r = h.request("OPTIONS", "/v1/servers");
    EXPECT_EQ(r.code, 200);
    EXPECT_NE(r.headers["allow"].find("GET"), std::string::npos);
    r = h.post("/v1/users/inet", "{\"data\": ");
    EXPECT_EQ(r.code, 400);
    EXPECT_NE(r.error().find("Invalid JSON in request: line 1 column"), std::string::npos)
        << r.error();
    std::string big(2 * 1024 * 1024, 'x');
    r = h.post("/v1/users/inet", big);
    EXPECT_EQ(r.code, 413) << r.error();
    EXPECT_TRUE(g.gate->running());
}

TEST(AdminApi, ServersDocument)
{
    AdminGate g;
    Http h = g.http();
    HttpResult r = h.get("/v1/servers");
    ASSERT_EQ(r.code, 200) << r.error();
    ASSERT_EQ(json_array_size(r.at("/data")), 3u);
    EXPECT_EQ(r.str("/data/0/id"), "server1");
    EXPECT_EQ(r.str("/data/0/type"), "servers");
    EXPECT_EQ(r.str("/data/0/attributes/parameters/address"), "127.0.0.1");
    EXPECT_EQ(r.num("/data/0/attributes/parameters/port"), shared_cluster().port(0));
    EXPECT_EQ(r.str("/data/0/relationships/services/data/0/id"), "Read-Write-Service");
    EXPECT_NE(r.str("/data/0/links/self").find("/v1/servers/server1/"), std::string::npos);
    EXPECT_NE(r.str("/links/self").find("/v1/servers/"), std::string::npos);
    EXPECT_EQ(r.num("/meta/total"), 3);

    r = h.get("/v1/servers/server2");
    ASSERT_EQ(r.code, 200);
    EXPECT_EQ(r.str("/data/id"), "server2");
    EXPECT_FALSE(r.headers["etag"].empty());
    r = h.get("/v1/servers/server2/relationships/services");
    EXPECT_EQ(r.str("/data/0/id"), "Read-Write-Service");
}

TEST(AdminApi, QueryParameters)
{
    AdminGate g;
    Http h = g.http();
    HttpResult r = h.get("/v1/servers?fields[servers]=state,parameters/port");
    ASSERT_EQ(r.code, 200) << r.error();
    EXPECT_TRUE(r.at("/data/0/attributes/state"));
    EXPECT_TRUE(r.at("/data/0/attributes/parameters/port"));
    EXPECT_FALSE(r.at("/data/0/attributes/parameters/address"));
    EXPECT_FALSE(r.at("/data/0/attributes/statistics"));
    r = h.get("/v1/servers?fields=state");  // the seed's plain form
    EXPECT_TRUE(r.at("/data/0/attributes/state"));
    EXPECT_FALSE(r.at("/data/0/attributes/parameters"));

    r = h.get("/v1/servers?page[size]=2&page[number]=1");
    ASSERT_EQ(r.code, 200) << r.error();
    EXPECT_EQ(json_array_size(r.at("/data")), 1u);
    EXPECT_EQ(r.str("/data/0/id"), "server3");
    EXPECT_EQ(r.num("/meta/total"), 3);
    EXPECT_TRUE(r.at("/links/prev"));
    EXPECT_FALSE(r.at("/links/next"));

    r = h.get("/v1/servers?range=1-2");
    EXPECT_EQ(json_array_size(r.at("/data")), 2u);
    EXPECT_EQ(r.str("/data/0/id"), "server2");

    r = h.get("/v1/servers?filter=/id=\"server2\"");
    ASSERT_EQ(json_array_size(r.at("/data")), 1u);
    EXPECT_EQ(r.str("/data/0/id"), "server2");

    EXPECT_EQ(h.get("/v1/servers?page[size]=x").code, 400);
    EXPECT_EQ(h.get("/v1/servers?range=5-1").code, 400);

    r = h.get("/v1/servers/server1?pretty=false");
    EXPECT_EQ(r.body.find('\n'), std::string::npos);
}

TEST(AdminApi, ETags)
{
    AdminGate g;
    Http h = g.http();
    HttpResult r = h.get("/v1/servers/server1");
    std::string etag = r.headers["etag"];
    ASSERT_FALSE(etag.empty());
    r = h.request("GET", "/v1/servers/server1", "", {"If-None-Match: " + etag});
    EXPECT_EQ(r.code, 304);
    r = h.request("PUT", "/v1/servers/server1/set?state=maintenance", "", {"If-Match: \"0000\""});
    EXPECT_EQ(r.code, 412) << r.error();
    r = h.request("PUT", "/v1/servers/server1/set?state=maintenance", "", {"If-Match: " + etag});
    EXPECT_EQ(r.code, 204) << r.error();
    EXPECT_EQ(h.get("/v1/servers/server1").str("/data/attributes/state").find("Maintenance"), 0u);
    EXPECT_EQ(h.put("/v1/servers/server1/clear?state=maintenance").code, 204);
    EXPECT_EQ(h.put("/v1/servers/server1/set?state=bogus").code, 400);
    EXPECT_EQ(h.put("/v1/servers/server1/set").code, 400);
}

TEST(AdminApi, ServicesListenersFiltersMonitorsModules)
{
    AdminGate g("[QLA]\ntype=filter\nmodule=qlafilter\nfilebase=/tmp/sqlgate-qla-admin-test\n");
    Http h = g.http();
    HttpResult r = h.get("/v1/services/Read-Write-Service");
    ASSERT_EQ(r.code, 200) << r.error();
    EXPECT_EQ(r.str("/data/attributes/router"), "readconnroute");
    EXPECT_EQ(r.str("/data/attributes/parameters/password"), "*****");
    EXPECT_EQ(json_array_size(r.at("/data/relationships/servers/data")), 3u);
    EXPECT_EQ(r.str("/data/relationships/listeners/data/0/id"), "Read-Write-Listener");
    r = h.get("/v1/listeners/Read-Write-Listener");
    EXPECT_EQ(r.num("/data/attributes/parameters/port"), g.port);
    r = h.get("/v1/services/Read-Write-Service/listeners");
    EXPECT_EQ(r.str("/data/0/id"), "Read-Write-Listener");
    r = h.get("/v1/filters/QLA");
    EXPECT_EQ(r.str("/data/attributes/module"), "qlafilter");
    EXPECT_EQ(h.get("/v1/monitors").code, 200);
    r = h.get("/v1/maxscale");
    EXPECT_EQ(r.str("/data/attributes/version"), "0.1.0");
    EXPECT_GE(r.num("/data/attributes/uptime"), 0);
    r = h.get("/v1/maxscale/threads");
    EXPECT_EQ(json_array_size(r.at("/data")), 2u);
    EXPECT_EQ(h.get("/v1/maxscale/threads/1").str("/data/id"), "1");
    EXPECT_EQ(h.get("/v1/maxscale/threads/7").code, 404);
    r = h.get("/v1/maxscale/modules/readconnroute");
    EXPECT_EQ(r.str("/data/attributes/module_type"), "Router");
    EXPECT_GT(json_array_size(r.at("/data/attributes/parameters")), 0u);
    EXPECT_EQ(r.num("/data/attributes/api"), 5) << "SQLGATE_ABI (docs/rest-api.md)";
    r = h.get("/v1/maxscale/modules/servers");
    EXPECT_EQ(r.str("/data/attributes/module_type"), "Core");
    EXPECT_EQ(r.num("/data/attributes/api"), 5) << "the core sets show SQLGATE_ABI too";
    EXPECT_EQ(h.get("/v1/maxscale/modules/nosuch").code, 404);
}

TEST(AdminApi, SessionsConnectionsAndDelete)
{
    AdminGate g;
    Http h = g.http();
    MysqlPtr m(connect(g.port, "app", "app_pw", "test"));
    ASSERT_TRUE(m);
    ASSERT_EQ(query(m.get(), "SELECT 1").value(), "1");
    HttpResult r = h.get("/v1/sessions");
    ASSERT_EQ(r.code, 200) << r.error();
    ASSERT_EQ(json_array_size(r.at("/data")), 1u);
    std::string id = r.str("/data/0/id");
    EXPECT_EQ(std::to_string(mysql_thread_id(m.get())), id);
    // CONNECTION_ID() is the backend's: the id of the session's backend connection.
    long long backend_id = r.num("/data/0/attributes/connections/0/connection_id");
    EXPECT_GT(backend_id, 0) << r.body;
    EXPECT_EQ(query(m.get(), "SELECT CONNECTION_ID()").value(), std::to_string(backend_id));
    EXPECT_EQ(r.str("/data/0/attributes/user"), "app");
    EXPECT_EQ(r.str("/data/0/attributes/address"), "127.0.0.1");
    EXPECT_EQ(r.str("/data/0/attributes/service"), "/services/Read-Write-Service");
    EXPECT_GE(r.num("/data/0/attributes/idle"), 0);
    EXPECT_FALSE(r.str("/data/0/attributes/connected").empty());
    EXPECT_GT(r.num("/data/0/attributes/port"), 0);
    EXPECT_GE(r.num("/data/0/attributes/thread"), 0);
    EXPECT_EQ(r.str("/data/0/relationships/services/data/0/id"), "Read-Write-Service");

    r = h.get("/v1/sessions/" + id + "/connections");
    ASSERT_EQ(r.code, 200) << r.error();
    ASSERT_EQ(json_array_size(r.at("/data")), 1u);
    EXPECT_EQ(r.str("/data/0/attributes/state"), "Routing");
    EXPECT_EQ(r.str("/data/0/attributes/server").rfind("/servers/server", 0), 0u);
    EXPECT_GT(r.num("/data/0/attributes/statistics/reads"), 0);
    EXPECT_GT(r.num("/data/0/attributes/statistics/writes"), 0);
    EXPECT_EQ(r.num("/data/0/attributes/statistics/high_water_events"), 0);
    EXPECT_TRUE(r.at("/data/0/attributes/statistics/buffered_writes"));
    EXPECT_TRUE(r.at("/data/0/attributes/statistics/low_water_events"));

    EXPECT_EQ(h.get("/v1/sessions/999999").code, 404);
    EXPECT_EQ(h.get("/v1/sessions/abc").code, 404);
    EXPECT_EQ(h.del("/v1/sessions/" + id).code, 204);
    QueryResult q = query(m.get(), "SELECT 1");
    EXPECT_FALSE(q.ok);
    EXPECT_TRUE(
        eventually([&] { return json_array_size(h.get("/v1/sessions").at("/data")) == 0; }, 5s));
    EXPECT_EQ(h.del("/v1/sessions/" + id).code, 404);
}

TEST(AdminApi, UsersAndReadOnlyAccounts)
{
    AdminGate g;
    Http h = g.http();
    HttpResult r = h.post(
        "/v1/users/inet",
        R"({"data":{"id":"viewer","type":"inet","attributes":{"password":"v-pw","account":"basic"}}})");
    ASSERT_EQ(r.code, 204) << r.error();
    EXPECT_EQ(h.get("/v1/users/inet/viewer").str("/data/attributes/account"), "basic");
    EXPECT_EQ(json_array_size(h.get("/v1/users").at("/data")), 2u);
    // Duplicate, bad account type, missing password.
    EXPECT_EQ(
        h.post("/v1/users/inet", R"({"data":{"id":"viewer","attributes":{"password":"x"}}})").code,
        409);
    EXPECT_EQ(h.post("/v1/users/inet",
                     R"({"data":{"id":"x","attributes":{"password":"x","account":"root"}}})")
                  .code,
              400);
    EXPECT_EQ(h.post("/v1/users/inet", R"({"data":{"id":"x"}})").code, 400);

    Http viewer(g.admin, "viewer", "v-pw");
    EXPECT_EQ(viewer.get("/v1/servers").code, 200);
    r = viewer.put("/v1/servers/server1/set?state=maintenance");
    EXPECT_EQ(r.code, 401);
    EXPECT_EQ(r.str("/errors/0/detail"), "Administrative access required");

    // JWT: a token for the basic user is refused writes with 403.
    r = viewer.get("/v1/auth");
    ASSERT_EQ(r.code, 200) << r.error();
    std::string token = r.str("/meta/token");
    ASSERT_FALSE(token.empty());
    Http bearer(g.admin);
    bearer.set_token(token);
    EXPECT_EQ(bearer.get("/v1/servers").code, 200);
    EXPECT_EQ(bearer.put("/v1/servers/server1/set?state=maintenance").code, 403);
    Http forged(g.admin);
    forged.set_token(token.substr(0, token.size() - 2) + "xx");
    EXPECT_EQ(forged.get("/v1/servers").code, 401);

    // Password change, then the old one fails.
    EXPECT_EQ(
        h.patch("/v1/users/inet/viewer", R"({"data":{"attributes":{"password":"new"}}})").code,
        204);
    EXPECT_EQ(viewer.get("/v1/servers").code, 401);
    EXPECT_EQ(Http(g.admin, "viewer", "new").get("/v1/servers").code, 200);

    // The last admin cannot be deleted; the basic user can.
    r = h.del("/v1/users/inet/admin");
    EXPECT_EQ(r.code, 400);
    EXPECT_EQ(h.del("/v1/users/inet/viewer").code, 204);
    EXPECT_EQ(bearer.get("/v1/servers").code, 401);  // the user's tokens die with it
    EXPECT_EQ(h.del("/v1/users/inet/viewer").code, 404);
}

TEST(AdminApi, LogsAndFlush)
{
    AdminGate g;
    Http h = g.http();
    HttpResult r = h.get("/v1/maxscale/logs/data?page[size]=5");
    ASSERT_EQ(r.code, 200) << r.error();
    EXPECT_LE(json_array_size(r.at("/data/attributes/log")), 5u);
    EXPECT_GT(json_array_size(r.at("/data/attributes/log")), 0u);
    r = h.get("/v1/maxscale/logs/data?priority=warning");
    size_t n = json_array_size(r.at("/data/attributes/log"));
    for (size_t i = 0; i < n; ++i)
    {
        EXPECT_EQ(r.str("/data/attributes/log/" + std::to_string(i) + "/priority"), "warning");
    }
    // logrotate: move the file away, flush, and the log continues in a new file.
    std::string log = g.gate->log_path();
    ASSERT_EQ(rename(log.c_str(), (log + ".1").c_str()), 0);
    EXPECT_EQ(h.request("POST", "/v1/maxscale/logs/flush").code, 204);
    EXPECT_NE(read_file(log).find("flushed and reopened"), std::string::npos);
    EXPECT_EQ(h.get("/v1/maxscale/logs").str("/data/attributes/log_file"), log);
}
