// maxctrl's commands that create, change, link and destroy objects (servers, services,
// filters, listeners, monitors, users, sessions), against the real sqlgate in front of the
// shared cluster. Each effect is checked through the REST API and, where it matters, with a
// real client through the objects maxctrl created.
#include <gtest/gtest.h>

#include "maxctrl_gate.hh"

using namespace sqlgate::test;

namespace
{

using MaxctrlObjects = MaxctrlTest;

// The ids of relationships/<type> of an object.
std::vector<std::string> related(const Http& h, const std::string& path, const std::string& type)
{
    std::vector<std::string> ids;
    HttpResult r = h.get(path);
    json_t* data = r.at("/data/relationships/" + type + "/data");
    size_t i;
    json_t* v;
    json_array_foreach(data, i, v)
    {
        const char* id = json_string_value(json_object_get(v, "id"));
        ids.push_back(id ? id : "?");
    }
    return ids;
}

using Ids = std::vector<std::string>;

std::string value_through(int port, const std::string& sql)
{
    MysqlPtr m(connect(port, "app", "app_pw", "test"));
    if (!m)
    {
        return "no connection";
    }
    QueryResult r = query(m.get(), sql);
    return r.ok ? r.value() : "error: " + r.message;
}

}  // namespace

TEST_F(MaxctrlObjects, ServiceFilterServerListenerCreatedUsedChangedDestroyed)
{
    MaxctrlGate g;
    Http h = g.http();
    int primary = shared_cluster().primary_port();
    int lport = free_port();

    ASSERT_TRUE(mc_wrote(
        g.mc({"create", "filter", "F", "regexfilter", "match=mxc-before", "replace=mxc-after"})));
    EXPECT_EQ(h.get("/v1/filters/F").str("/data/attributes/module"), "regexfilter");
    ASSERT_TRUE(mc_wrote(g.mc({"create", "service", "X", "readconnroute", "user=sqlgate",
                               "password=sqlgate_pw", "--servers", "server1", "--filters", "F"})));
    EXPECT_EQ(h.get("/v1/services/X").str("/data/attributes/router"), "readconnroute");
    EXPECT_EQ(related(h, "/v1/services/X", "servers"), Ids{"server1"});
    EXPECT_EQ(related(h, "/v1/services/X", "filters"), Ids{"F"});
    ASSERT_TRUE(mc_wrote(g.mc({"create", "server", "s4", "address=127.0.0.1",
                               "port=" + std::to_string(primary), "--services", "X"})));
    EXPECT_EQ(h.get("/v1/servers/s4").num("/data/attributes/parameters/port"), primary);
    EXPECT_EQ(related(h, "/v1/services/X", "servers"), (Ids{"server1", "s4"}));
    ASSERT_TRUE(mc_wrote(
        g.mc({"create", "listener", "X", "xl", std::to_string(lport), "address=127.0.0.1"})));
    EXPECT_EQ(h.get("/v1/listeners/xl").num("/data/attributes/parameters/port"), lport);
    ASSERT_TRUE(eventually([&] { return port_accepts(lport); }, 5s));
    // Through the new listener, service and filter.
    EXPECT_EQ(value_through(lport, "SELECT @@port"), std::to_string(primary));
    EXPECT_EQ(value_through(lport, "SELECT 'mxc-before'"), "mxc-after");

    // link / unlink service: servers and filters (filters are appended).
    ASSERT_TRUE(mc_wrote(
        g.mc({"create", "filter", "F2", "regexfilter", "match=mxc-after", "replace=mxc-last"})));
    ASSERT_TRUE(mc_wrote(g.mc({"link", "service", "X", "server2", "F2"})));
    EXPECT_EQ(related(h, "/v1/services/X", "servers"), (Ids{"server1", "s4", "server2"}));
    EXPECT_EQ(related(h, "/v1/services/X", "filters"), (Ids{"F", "F2"}));
    EXPECT_EQ(value_through(lport, "SELECT 'mxc-before'"), "mxc-last");
    ASSERT_TRUE(mc_wrote(g.mc({"unlink", "service", "X", "server2", "F2"})));
    EXPECT_EQ(related(h, "/v1/services/X", "servers"), (Ids{"server1", "s4"}));
    EXPECT_EQ(related(h, "/v1/services/X", "filters"), Ids{"F"});

    // alter
    ASSERT_TRUE(mc_wrote(g.mc({"alter", "server", "s4", "priority=7"})));
    EXPECT_EQ(h.get("/v1/servers/s4").num("/data/attributes/parameters/priority"), 7);
    ASSERT_TRUE(mc_wrote(g.mc({"alter", "service", "X", "max_connections=10"})));
    EXPECT_EQ(h.get("/v1/services/X").num("/data/attributes/parameters/max_connections"), 10);
    ASSERT_TRUE(
        mc_wrote(g.mc({"alter", "listener", "xl", "connection_init_sql_file=/tmp/mxc-init.sql"})));
    EXPECT_EQ(h.get("/v1/listeners/xl").str("/data/attributes/parameters/connection_init_sql_file"),
              "/tmp/mxc-init.sql");
    ASSERT_TRUE(mc_wrote(g.mc({"alter", "filter", "F", "replace=mxc-changed"})));
    EXPECT_EQ(h.get("/v1/filters/F").str("/data/attributes/parameters/replace"), "mxc-changed");
    EXPECT_EQ(value_through(lport, "SELECT 'mxc-before'"), "mxc-changed");
    // The server's 400 is shown, and nothing changes.
    MaxctrlResult r = g.mc({"alter", "filter", "F", "nosuch=1"});
    EXPECT_TRUE(mc_error(r, "responded with 400 Bad Request to `PATCH filters/F`"));
    EXPECT_NE(r.err.find("nosuch"), std::string::npos) << r.describe();
    EXPECT_EQ(h.get("/v1/filters/F").str("/data/attributes/parameters/replace"), "mxc-changed");

    // stop / start listener and service
    ASSERT_TRUE(mc_wrote(g.mc({"stop", "listener", "xl"})));
    EXPECT_EQ(h.get("/v1/listeners/xl").str("/data/attributes/state"), "Stopped");
    EXPECT_FALSE(port_accepts(lport));
    ASSERT_TRUE(mc_wrote(g.mc({"start", "listener", "xl"})));
    EXPECT_EQ(h.get("/v1/listeners/xl").str("/data/attributes/state"), "Running");
    EXPECT_TRUE(eventually([&] { return port_accepts(lport); }, 5s));
    ASSERT_TRUE(mc_wrote(g.mc({"stop", "service", "X"})));
    EXPECT_EQ(h.get("/v1/services/X").str("/data/attributes/state"), "Stopped");
    EXPECT_EQ(h.get("/v1/services/Read-Write-Service").str("/data/attributes/state"), "Started");
    ASSERT_TRUE(mc_wrote(g.mc({"start", "service", "X"})));
    EXPECT_EQ(h.get("/v1/services/X").str("/data/attributes/state"), "Started");

    // stop/start services and maxscale: every service
    for (const char* what : {"services", "maxscale"})
    {
        SCOPED_TRACE(what);
        ASSERT_TRUE(mc_wrote(g.mc({"stop", what})));
        EXPECT_EQ(h.get("/v1/services/X").str("/data/attributes/state"), "Stopped");
        EXPECT_EQ(h.get("/v1/services/Read-Write-Service").str("/data/attributes/state"),
                  "Stopped");
        EXPECT_FALSE(port_accepts(g.port));
        ASSERT_TRUE(mc_wrote(g.mc({"start", what})));
        EXPECT_EQ(h.get("/v1/services/X").str("/data/attributes/state"), "Started");
        EXPECT_EQ(h.get("/v1/services/Read-Write-Service").str("/data/attributes/state"),
                  "Started");
        EXPECT_TRUE(eventually([&] { return port_accepts(g.port); }, 5s));
    }

    // destroy
    ASSERT_TRUE(mc_wrote(g.mc({"destroy", "listener", "X", "xl"})));
    EXPECT_EQ(h.get("/v1/listeners/xl").code, 404);
    EXPECT_TRUE(eventually([&] { return !port_accepts(lport); }, 5s));
    ASSERT_TRUE(mc_wrote(g.mc({"destroy", "service", "X"})));
    EXPECT_EQ(h.get("/v1/services/X").code, 404);
    ASSERT_TRUE(mc_wrote(g.mc({"destroy", "filter", "F"})));
    ASSERT_TRUE(mc_wrote(g.mc({"destroy", "filter", "F2"})));
    EXPECT_EQ(h.get("/v1/filters/F").code, 404);
    ASSERT_TRUE(mc_wrote(g.mc({"destroy", "server", "s4"})));
    EXPECT_EQ(h.get("/v1/servers/s4").code, 404);
    // A static object: the server's refusal.
    EXPECT_TRUE(mc_error(g.mc({"destroy", "server", "server1"}), "server1"));
    EXPECT_EQ(h.get("/v1/servers/server1").code, 200);
}

TEST_F(MaxctrlObjects, ListenerAndServerDestroyedWithForce)
{
    MaxctrlGate g;
    Http h = g.http();
    int lport = free_port();
    ASSERT_TRUE(mc_wrote(
        g.mc({"create", "service", "Y", "readconnroute", "user=sqlgate", "password=sqlgate_pw"})));
    ASSERT_TRUE(mc_wrote(
        g.mc({"create", "server", "s5", "address=127.0.0.1", "port=13305", "--services", "Y"})));
    ASSERT_TRUE(mc_wrote(g.mc({"create", "listener", "Y", "yl", std::to_string(lport)})));
    // In use: refused without --force, done with it.
    MaxctrlResult r = g.mc({"destroy", "server", "s5"});
    EXPECT_TRUE(mc_error(r, "s5"));
    EXPECT_EQ(h.get("/v1/servers/s5").code, 200);
    ASSERT_TRUE(mc_wrote(g.mc({"destroy", "server", "s5", "--force"})));
    EXPECT_EQ(h.get("/v1/servers/s5").code, 404);
    // destroy listener <name>, the one-argument form.
    int lport2 = free_port();
    ASSERT_TRUE(mc_wrote(g.mc({"create", "listener", "Y", "yl2", std::to_string(lport2)})));
    EXPECT_EQ(h.get("/v1/listeners/yl2").code, 200);
    ASSERT_TRUE(mc_wrote(g.mc({"destroy", "listener", "yl2"})));
    EXPECT_EQ(h.get("/v1/listeners/yl2").code, 404);
    EXPECT_TRUE(mc_error(g.mc({"destroy", "service", "Y"}), "yl"));
    ASSERT_TRUE(mc_wrote(g.mc({"destroy", "service", "Y", "--force"})));
    EXPECT_EQ(h.get("/v1/services/Y").code, 404);
    EXPECT_EQ(h.get("/v1/listeners/yl").code, 404);
}

TEST_F(MaxctrlObjects, MonitorCreatedLinkedStoppedAlteredDestroyed)
{
    MaxctrlGate g;
    Http h = g.http();
    // Servers nothing listens on: the monitor never touches the shared cluster.
    for (const char* d : {"d1", "d2"})
    {
        ASSERT_TRUE(mc_wrote(g.mc(
            {"create", "server", d, "address=127.0.0.1", "port=" + std::to_string(free_port())})));
    }
    ASSERT_TRUE(
        mc_wrote(g.mc({"create", "monitor", "M2", "mariadbmon", "user=monitor",
                       "password=monitor_pw", "monitor_interval=200ms", "--servers", "d1"})));
    EXPECT_EQ(h.get("/v1/monitors/M2").str("/data/attributes/module"), "mariadbmon");
    EXPECT_EQ(related(h, "/v1/monitors/M2", "servers"), Ids{"d1"});
    EXPECT_TRUE(eventually(
        [&] { return h.get("/v1/servers/d1").str("/data/attributes/state") == "Down"; }, 5s));

    ASSERT_TRUE(mc_wrote(g.mc({"link", "monitor", "M2", "d2"})));
    EXPECT_EQ(related(h, "/v1/monitors/M2", "servers"), (Ids{"d1", "d2"}));
    ASSERT_TRUE(mc_wrote(g.mc({"unlink", "monitor", "M2", "d1"})));
    EXPECT_EQ(related(h, "/v1/monitors/M2", "servers"), Ids{"d2"});

    ASSERT_TRUE(mc_wrote(g.mc({"stop", "monitor", "M2"})));
    EXPECT_EQ(h.get("/v1/monitors/M2").str("/data/attributes/state"), "Stopped");
    ASSERT_TRUE(mc_wrote(g.mc({"start", "monitor", "M2"})));
    EXPECT_EQ(h.get("/v1/monitors/M2").str("/data/attributes/state"), "Running");
    ASSERT_TRUE(mc_wrote(g.mc({"alter", "monitor", "M2", "monitor_interval=1500ms"})));
    EXPECT_EQ(h.get("/v1/monitors/M2").str("/data/attributes/parameters/monitor_interval"),
              "1500ms");

    // With servers: refused without --force.
    EXPECT_TRUE(mc_error(g.mc({"destroy", "monitor", "M2"}), "d2"));
    EXPECT_EQ(h.get("/v1/monitors/M2").code, 200);
    ASSERT_TRUE(mc_wrote(g.mc({"destroy", "monitor", "M2", "--force"})));
    EXPECT_EQ(h.get("/v1/monitors/M2").code, 404);
    ASSERT_TRUE(mc_wrote(g.mc({"destroy", "server", "d1"})));
    ASSERT_TRUE(mc_wrote(g.mc({"destroy", "server", "d2"})));
}

TEST_F(MaxctrlObjects, CreateServerWithMonitors)
{
    MaxctrlGate g;
    Http h = g.http();
    ASSERT_TRUE(mc_wrote(g.mc(
        {"create", "server", "d1", "address=127.0.0.1", "port=" + std::to_string(free_port())})));
    ASSERT_TRUE(mc_wrote(g.mc({"create", "monitor", "M3", "mariadbmon", "user=monitor",
                               "password=monitor_pw", "--servers", "d1"})));
    // --monitors adds the new server to the monitor (sqlgate's POST /v1/servers takes no
    // monitors: they are changed through the monitor).
    EXPECT_TRUE(mc_wrote(g.mc({"create", "server", "d2", "address=127.0.0.1",
                               "port=" + std::to_string(free_port()), "--monitors", "M3"})));
    EXPECT_EQ(related(h, "/v1/monitors/M3", "servers"), (Ids{"d1", "d2"}));
    EXPECT_EQ(related(h, "/v1/servers/d2", "monitors"), Ids{"M3"});
}

TEST_F(MaxctrlObjects, UsersCreatedAlteredDestroyed)
{
    MaxctrlGate g;
    Http h = g.http();
    ASSERT_TRUE(mc_wrote(g.mc({"create", "user", "mxc-basic", "pw-one"})));
    EXPECT_EQ(h.get("/v1/users/inet/mxc-basic").str("/data/attributes/account"), "basic");
    ASSERT_TRUE(mc_wrote(g.mc({"create", "user", "mxc-admin", "pw-adm", "--type=admin"})));
    EXPECT_EQ(h.get("/v1/users/inet/mxc-admin").str("/data/attributes/account"), "admin");
    ASSERT_TRUE(mc_wrote(g.mc({"create", "user", "mxc-basic2", "pw-two", "--type=basic"})));
    EXPECT_EQ(h.get("/v1/users/inet/mxc-basic2").str("/data/attributes/account"), "basic");

    // maxctrl as the new users: a basic one may read, not write.
    MaxctrlResult r =
        run_maxctrl({"-h", g.host(), "-u", "mxc-basic", "-p", "pw-one", "list", "servers"},
                    home_at(g.home.path));
    EXPECT_TRUE(mc_ok(r));
    r = run_maxctrl({"-h", g.host(), "-u", "mxc-basic", "-p", "pw-one", "create", "server", "zz",
                     "address=127.0.0.1", "port=13399"},
                    home_at(g.home.path));
    EXPECT_TRUE(mc_error(r));
    EXPECT_EQ(h.get("/v1/servers/zz").code, 404);
    r = run_maxctrl({"-h", g.host(), "-u", "mxc-admin", "-p", "pw-adm", "create", "server", "zz",
                     "address=127.0.0.1", "port=13399"},
                    home_at(g.home.path));
    EXPECT_TRUE(mc_wrote(r));
    EXPECT_EQ(h.get("/v1/servers/zz").code, 200);

    ASSERT_TRUE(mc_wrote(g.mc({"alter", "user", "mxc-basic", "pw-new"})));
    EXPECT_EQ(Http(g.admin, "mxc-basic", "pw-new").get("/v1/servers").code, 200);
    EXPECT_EQ(Http(g.admin, "mxc-basic", "pw-one").get("/v1/servers").code, 401);

    ASSERT_TRUE(mc_wrote(g.mc({"destroy", "user", "mxc-basic"})));
    EXPECT_EQ(h.get("/v1/users/inet/mxc-basic").code, 404);
    EXPECT_EQ(Http(g.admin, "mxc-basic", "pw-new").get("/v1/servers").code, 401);
    EXPECT_TRUE(mc_error(g.mc({"destroy", "user", "mxc-nosuch"}), "mxc-nosuch"));
}

TEST_F(MaxctrlObjects, SessionDestroyed)
{
    MaxctrlGate g;
    Http h = g.http();
    MysqlPtr client(connect(g.port, "app", "app_pw", "test"));
    ASSERT_TRUE(client) << g.gate->diagnostics();
    std::string id = std::to_string(mysql_thread_id(client.get()));
    ASSERT_EQ(h.get("/v1/sessions/" + id).code, 200);
    ASSERT_TRUE(mc_wrote(g.mc({"destroy", "session", id})));
    EXPECT_TRUE(eventually([&] { return h.get("/v1/sessions/" + id).code == 404; }, 5s));
    EXPECT_FALSE(query(client.get(), "SELECT 1").ok);
    MaxctrlResult r = g.mc({"destroy", "session", "999999"});
    EXPECT_TRUE(mc_error(r, "404"));
}
