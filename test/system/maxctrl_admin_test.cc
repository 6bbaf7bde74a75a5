// maxctrl's commands on server states, logging, the process, module commands and the raw
// `api` commands, against the real sqlgate in front of the shared cluster watched by a
// mariadbmon monitor. Each effect is checked through the REST API.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>

#include "maxctrl_gate.hh"

using namespace sqlgate::test;

namespace
{

using MaxctrlAdmin = MaxctrlTest;

const char* kMonitor =
    "[Mon]\ntype=monitor\nmodule=mariadbmon\nservers=server1,server2,server3\n"
    "user=monitor\npassword=monitor_pw\nmonitor_interval=300ms\n";

std::string state_of(const Http& h, const std::string& server)
{
    return h.get("/v1/servers/" + server).str("/data/attributes/state");
}

bool flag(const Http& h, const std::string& path, const std::string& pointer)
{
    return json_is_true(h.get(path).at(pointer));
}

Json parse_json(const std::string& text)
{
    json_error_t e;
    return Json(json_loads(text.c_str(), JSON_DECODE_ANY, &e));
}

}  // namespace

TEST_F(MaxctrlAdmin, SetAndClearServerStates)
{
    MaxctrlGate g(kMonitor);
    Http h = g.http();
    ASSERT_TRUE(eventually([&] { return state_of(h, "server2") == "Slave, Running"; }, 10s));

    ASSERT_TRUE(mc_wrote(g.mc({"set", "server", "server2", "maintenance"})));
    EXPECT_TRUE(eventually([&] { return state_of(h, "server2").find("Maintenance") == 0; }, 5s))
        << state_of(h, "server2");
    ASSERT_TRUE(mc_wrote(g.mc({"clear", "server", "server2", "maintenance"})));
    EXPECT_TRUE(eventually([&] { return state_of(h, "server2") == "Slave, Running"; }, 5s))
        << state_of(h, "server2");

    // --force closes the sessions that use it.
    ASSERT_TRUE(mc_wrote(g.mc({"set", "server", "server3", "maintenance", "--force"})));
    EXPECT_TRUE(eventually([&] { return state_of(h, "server3").find("Maintenance") == 0; }, 5s));
    ASSERT_TRUE(mc_wrote(g.mc({"clear", "server", "server3", "maintenance"})));
    EXPECT_TRUE(eventually([&] { return state_of(h, "server3") == "Slave, Running"; }, 5s));

    // The monitor's states cannot be set by hand: the server's refusal, exit 1.
    MaxctrlResult r = g.mc({"set", "server", "server2", "master"});
    EXPECT_TRUE(mc_error(r, "monitored"));
    EXPECT_EQ(state_of(h, "server2"), "Slave, Running");
    // A state that does not exist.
    r = g.mc({"set", "server", "server2", "bogus-state"});
    EXPECT_TRUE(mc_error(r));
    EXPECT_NE((r.err + r.out).find("bogus-state"), std::string::npos) << r.describe();
    EXPECT_TRUE(mc_error(g.mc({"clear", "server", "server2", "bogus-state"})));
    EXPECT_EQ(state_of(h, "server2"), "Slave, Running");
    // An unknown server.
    EXPECT_TRUE(mc_error(g.mc({"set", "server", "nosuch", "maintenance"}), "404"));

    // An unmonitored server: any state.
    ASSERT_TRUE(mc_wrote(g.mc({"create", "server", "u1", "address=127.0.0.1", "port=13311"})));
    ASSERT_TRUE(mc_wrote(g.mc({"set", "server", "u1", "master"})));
    EXPECT_EQ(state_of(h, "u1"), "Master, Running");
    ASSERT_TRUE(mc_wrote(g.mc({"clear", "server", "u1", "master"})));
    EXPECT_EQ(state_of(h, "u1"), "Running");
}

TEST_F(MaxctrlAdmin, LogPrioritiesLoggingAndRotation)
{
    MaxctrlGate g;
    Http h = g.http();
    const std::string info = "/data/attributes/parameters/log_info";
    const std::string debug = "/data/attributes/parameters/log_debug";
    ASSERT_FALSE(flag(h, "/v1/maxscale", info));

    ASSERT_TRUE(mc_wrote(g.mc({"enable", "log-priority", "info"})));
    EXPECT_TRUE(flag(h, "/v1/maxscale", info));
    ASSERT_TRUE(mc_wrote(g.mc({"disable", "log-priority", "info"})));
    EXPECT_FALSE(flag(h, "/v1/maxscale", info));
    ASSERT_TRUE(mc_wrote(g.mc({"enable", "log-priority", "debug"})));
    EXPECT_TRUE(flag(h, "/v1/maxscale", debug));
    ASSERT_TRUE(mc_wrote(g.mc({"disable", "log-priority", "debug"})));
    EXPECT_FALSE(flag(h, "/v1/maxscale", debug));
    // notice and warning, shown in /v1/maxscale/logs
    for (std::string level : {"notice", "warning", "info", "debug"})
    {
        SCOPED_TRACE(level);
        std::string pointer = "/data/attributes/log_priorities/" + level;
        ASSERT_TRUE(mc_wrote(g.mc({"disable", "log-priority", level})));
        EXPECT_FALSE(flag(h, "/v1/maxscale/logs", pointer));
        ASSERT_TRUE(mc_wrote(g.mc({"enable", "log-priority", level})));
        EXPECT_TRUE(flag(h, "/v1/maxscale/logs", pointer));
    }
    ASSERT_TRUE(mc_wrote(g.mc({"disable", "log-priority", "info"})));
    ASSERT_TRUE(mc_wrote(g.mc({"disable", "log-priority", "debug"})));
    EXPECT_TRUE(mc_error(g.mc({"enable", "log-priority", "nosuch"})));

    ASSERT_TRUE(mc_wrote(g.mc({"alter", "maxscale", "log_info=true"})));
    EXPECT_TRUE(flag(h, "/v1/maxscale", info));
    ASSERT_TRUE(mc_wrote(g.mc({"alter", "logging", "log_debug=true"})));
    EXPECT_TRUE(flag(h, "/v1/maxscale", debug));
    ASSERT_TRUE(mc_wrote(g.mc({"alter", "maxscale", "log_info=false", "log_debug=false"})));
    EXPECT_FALSE(flag(h, "/v1/maxscale", info));
    EXPECT_FALSE(flag(h, "/v1/maxscale", debug));
    EXPECT_TRUE(mc_error(g.mc({"alter", "maxscale", "threads=4"}), "threads"));

    // rotate logs: the log file moved away is reopened at its path.
    std::string log = g.gate->log_path();
    ASSERT_EQ(rename(log.c_str(), (log + ".1").c_str()), 0);
    ASSERT_TRUE(mc_wrote(g.mc({"rotate", "logs"})));
    struct stat st;
    EXPECT_TRUE(eventually([&] { return stat(log.c_str(), &st) == 0; }, 5s));
}

TEST_F(MaxctrlAdmin, CallCommandPrintsTheResultJson)
{
    TempDir qla;
    ConfigOptions o;
    o.service_extra = "filters=QLA\n";
    MaxctrlGate g(
        "[QLA]\ntype=filter\nmodule=qlafilter\nlog_type=unified\nflush=true\n"
        "filebase=" +
            qla.path + "/qla\n",
        o);
    {
        MysqlPtr m(connect(g.port, "app", "app_pw", "test"));
        ASSERT_TRUE(m);
        ASSERT_TRUE(query(m.get(), "SELECT 'mxc-logged'").ok);
    }
    MaxctrlResult r = g.mc({"call", "command", "qlafilter", "log", "QLA"});
    ASSERT_TRUE(mc_ok(r));
    Json j = parse_json(r.out);
    ASSERT_TRUE(j && json_is_array(j.get())) << r.describe();
    EXPECT_STREQ(json_string_value(json_array_get(j.get(), 0)), "Date,User@Host,Query");
    EXPECT_NE(r.out.find("SELECT 'mxc-logged'"), std::string::npos) << r.describe();
    // Arguments after the command are passed on.
    r = g.mc({"call", "command", "qlafilter", "log", "QLA", "0", "1"});
    ASSERT_TRUE(mc_ok(r));
    j = parse_json(r.out);
    ASSERT_TRUE(j && json_is_array(j.get())) << r.describe();
    EXPECT_EQ(json_array_size(j.get()), 1u) << r.describe();

    EXPECT_TRUE(mc_error(g.mc({"call", "command", "qlafilter", "nosuch"}), "nosuch"));
    EXPECT_TRUE(mc_error(g.mc({"call", "command", "qlafilter", "log", "nosuchfilter"}), "400"));
}

TEST_F(MaxctrlAdmin, ApiGetPostPatch)
{
    MaxctrlGate g;
    Http h = g.http();
    MaxctrlResult r = g.mc({"api", "get", "servers", "data[].attributes.state"});
    ASSERT_TRUE(mc_ok(r));
    Json states = parse_json(r.out);
    ASSERT_TRUE(states && json_is_array(states.get())) << r.describe();
    ASSERT_EQ(json_array_size(states.get()), 3u) << r.describe();
    for (size_t i = 0; i < 3; ++i)
    {
        EXPECT_EQ(json_string_value(json_array_get(states.get(), i)),
                  h.get("/v1/servers").str("/data/" + std::to_string(i) + "/attributes/state"));
    }
    r = g.mc({"api", "get", "servers/server1", "data.id"});
    ASSERT_TRUE(mc_ok(r));
    Json id = parse_json(r.out);
    ASSERT_TRUE(id) << r.describe();
    EXPECT_STREQ(json_string_value(id.get()), "server1") << r.describe();
    r = g.mc({"api", "get", "maxscale"});
    ASSERT_TRUE(mc_ok(r));
    Json whole = parse_json(r.out);
    ASSERT_TRUE(whole) << r.describe();
    EXPECT_STREQ(json_string_value(json_object_get(json_object_get(whole.get(), "data"), "id")),
                 "maxscale");

    r = g.mc({"api", "post", "servers",
              R"({"data":{"id":"apis","type":"servers","attributes":{"parameters":)"
              R"({"address":"127.0.0.1","port":13399}}}})"});
    EXPECT_EQ(r.exit_code(), 0) << r.describe();
    EXPECT_EQ(h.get("/v1/servers/apis").num("/data/attributes/parameters/port"), 13399);
    r = g.mc({"api", "patch", "servers/apis",
              R"({"data":{"attributes":{"parameters":{"priority":3}}}})"});
    EXPECT_EQ(r.exit_code(), 0) << r.describe();
    EXPECT_EQ(h.get("/v1/servers/apis").num("/data/attributes/parameters/priority"), 3);

    EXPECT_TRUE(mc_error(g.mc({"api", "get", "servers/nosuch"}), "404"));
    EXPECT_TRUE(mc_error(g.mc({"api", "post", "servers", "{not json"})));
}

TEST_F(MaxctrlAdmin, ReloadServiceLoadsNewDatabaseAccounts)
{
    // With users_refresh_time=1h a failed login does not reload the accounts (one load
    // was made at startup), so only `reload service` makes a new account usable.
    ConfigOptions o;
    o.global_extra = "users_refresh_time=1h\n";
    MaxctrlGate g("", o);
    ASSERT_TRUE(create_account_everywhere("reloaded", "r_pw"));
    ConnectError err;
    MysqlPtr before(connect(g.port, "reloaded", "r_pw", "", 0, &err));
    EXPECT_FALSE(before) << "the account was known before the reload";
    EXPECT_EQ(err.code, 1045u) << err.message;

    MaxctrlResult r = g.mc({"reload", "service", "Read-Write-Service"});
    EXPECT_TRUE(mc_wrote(r));
    MysqlPtr after(connect(g.port, "reloaded", "r_pw", "", 0, &err));
    EXPECT_TRUE(after) << err.code << " " << err.message;
    EXPECT_NE(g.gate->log_text().find("Reloading the user accounts of service Read-Write-Service"),
              std::string::npos);

    EXPECT_TRUE(mc_error(g.mc({"reload", "service", "nosuch"}), "nosuch"));
    drop_account("reloaded");
}

TEST_F(MaxctrlAdmin, QuietWritesPrintNothing)
{
    MaxctrlGate g;
    Http h = g.http();
    MaxctrlResult r = g.mc({"-q", "create", "server", "q1", "address=127.0.0.1", "port=13321"});
    EXPECT_TRUE(mc_ok(r));
    EXPECT_EQ(r.out, "") << r.describe();
    EXPECT_EQ(h.get("/v1/servers/q1").code, 200);
    r = g.mc({"alter", "server", "q1", "priority=2", "--quiet"});
    EXPECT_TRUE(mc_ok(r));
    EXPECT_EQ(r.out, "") << r.describe();
    // list still prints
    r = g.mc({"-q", "list", "servers"});
    EXPECT_TRUE(mc_ok(r));
    EXPECT_NE(r.out.find("│ q1 "), std::string::npos) << r.describe();
    // errors are still shown
    EXPECT_TRUE(mc_error(g.mc({"-q", "destroy", "server", "nosuch"}), "nosuch"));
    // quiet=true from the config file
    g.home.write_config("[maxctrl]\nquiet=true\n");
    r = g.mc({"destroy", "server", "q1"});
    EXPECT_TRUE(mc_ok(r));
    EXPECT_EQ(r.out, "") << r.describe();
    EXPECT_EQ(h.get("/v1/servers/q1").code, 404);
}
