// maxctrl's read commands (list ..., show ...) against the real sqlgate in front of the
// shared 3-server cluster with a mariadbmon monitor, a qlafilter and an open client session;
// every value shown is compared with what the REST API says. Column names are the spec's
// (MaxScale's); show field names are MaxScale's.
#include <gtest/gtest.h>

#include "maxctrl_gate.hh"

using namespace sqlgate::test;

namespace
{

using MaxctrlRead = MaxctrlTest;

std::string extra_sections(const std::string& qla_dir)
{
    return "[Mon]\ntype=monitor\nmodule=mariadbmon\nservers=server1,server2,server3\n"
           "user=monitor\npassword=monitor_pw\nmonitor_interval=500ms\n\n"
           "[QLA]\ntype=filter\nmodule=qlafilter\nlog_type=unified\nfilebase=" +
           qla_dir + "/qla\n";
}

ConfigOptions with_filter()
{
    ConfigOptions o;
    o.service_extra = "filters=QLA\n";
    return o;
}

struct ReadGate
{
    TempDir qla;
    MaxctrlGate g{extra_sections(qla.path), with_filter()};
    Http h = g.http();
    MysqlPtr client;
    std::string session_id;

    ReadGate()
    {
        EXPECT_TRUE(eventually(
            [&] {
                return h.get("/v1/servers/server1").str("/data/attributes/state") ==
                       "Master, Running";
            },
            10s))
            << h.get("/v1/servers").body;
        client.reset(connect(g.port, "app", "app_pw", "test"));
        EXPECT_TRUE(client) << g.gate->diagnostics();
        if (client)
        {
            session_id = std::to_string(mysql_thread_id(client.get()));
        }
    }
};

std::vector<std::string> header(const BoxTable& t)
{
    return t.rows.empty() ? std::vector<std::string>{} : t.rows[0];
}

// `list WHAT`, checked for layout and header; the parsed table.
BoxTable listed(const MaxctrlGate& g, const std::vector<std::string>& args,
                const std::vector<std::string>& columns)
{
    MaxctrlResult r = g.mc(args);
    BoxTable t;
    EXPECT_TRUE(mc_ok(r));
    EXPECT_TRUE(well_formed(r, &t));
    EXPECT_EQ(header(t), columns) << r.describe();
    return t;
}

// `show ...` as key → value, checked for layout.
std::map<std::string, std::string> shown(const MaxctrlGate& g, const std::vector<std::string>& args,
                                         MaxctrlResult* out = nullptr)
{
    MaxctrlResult r = g.mc(args);
    BoxTable t;
    EXPECT_TRUE(mc_ok(r));
    EXPECT_TRUE(well_formed(r, &t));
    if (out)
    {
        *out = r;
    }
    return show_fields(t);
}

}  // namespace

TEST_F(MaxctrlRead, ListServersServicesListenersMonitors)
{
    ReadGate rg;
    MaxctrlGate& g = rg.g;
    Http& h = rg.h;

    BoxTable t = listed(g, {"list", "servers"},
                        {"Server", "Address", "Port", "Connections", "State", "GTID", "Monitor"});
    ASSERT_EQ(t.data().size(), 3u);
    for (int i = 0; i < 3; ++i)
    {
        std::string name = "server" + std::to_string(i + 1);
        HttpResult s = h.get("/v1/servers/" + name);
        const auto* row = t.row(name);
        ASSERT_TRUE(row) << name;
        EXPECT_EQ((*row)[1], "127.0.0.1");
        EXPECT_EQ((*row)[2], std::to_string(shared_cluster().port(i)));
        EXPECT_EQ((*row)[3], std::to_string(s.num("/data/attributes/statistics/connections")));
        EXPECT_EQ((*row)[4], s.str("/data/attributes/state"));
        EXPECT_EQ((*row)[5], s.str("/data/attributes/gtid_current_pos"));
        EXPECT_EQ((*row)[6], "Mon");
    }

    t = listed(g, {"list", "services"},
               {"Service", "Router", "Connections", "Total Connections", "Targets"});
    ASSERT_EQ(t.data().size(), 1u);
    std::vector<std::string> svc{"Read-Write-Service", "readconnroute", "1", "1",
                                 "server1, server2, server3"};
    EXPECT_EQ(t.data()[0], svc);

    std::vector<std::string> listener{"Read-Write-Listener", std::to_string(g.port), "127.0.0.1",
                                      "Running", "Read-Write-Service"};
    std::vector<std::string> lcols{"Name", "Port", "Host", "State", "Service"};
    t = listed(g, {"list", "listeners"}, lcols);
    ASSERT_EQ(t.data().size(), 1u);
    EXPECT_EQ(t.data()[0], listener);
    t = listed(g, {"list", "listeners", "Read-Write-Service"}, lcols);
    ASSERT_EQ(t.data().size(), 1u);
    EXPECT_EQ(t.data()[0], listener);

    t = listed(g, {"list", "monitors"}, {"Monitor", "Module", "State", "Servers"});
    ASSERT_EQ(t.data().size(), 1u);
    std::vector<std::string> mon{"Mon", "mariadbmon", "Running", "server1, server2, server3"};
    EXPECT_EQ(t.data()[0], mon);
}

TEST_F(MaxctrlRead, ListSessionsFiltersModulesThreadsUsersCommands)
{
    ReadGate rg;
    MaxctrlGate& g = rg.g;
    Http& h = rg.h;
    ASSERT_FALSE(rg.session_id.empty());

    BoxTable t =
        listed(g, {"list", "sessions"}, {"Id", "User", "Host", "Connected", "Idle", "Service"});
    ASSERT_EQ(t.data().size(), 1u);
    const auto* s = t.row(rg.session_id);
    ASSERT_TRUE(s) << "no row for session " << rg.session_id;
    EXPECT_EQ((*s)[1], "app");
    EXPECT_NE((*s)[2].find("127.0.0.1"), std::string::npos) << (*s)[2];
    EXPECT_FALSE((*s)[3].empty());
    EXPECT_EQ((*s)[5], "Read-Write-Service");

    t = listed(g, {"list", "filters"}, {"Filter", "Service", "Module"});
    ASSERT_EQ(t.data().size(), 1u);
    std::vector<std::string> qla{"QLA", "Read-Write-Service", "qlafilter"};
    EXPECT_EQ(t.data()[0], qla);

    t = listed(g, {"list", "modules"}, {"Module", "Type", "Version"});
    HttpResult mods = h.get("/v1/maxscale/modules");
    ASSERT_EQ(mods.code, 200);
    EXPECT_EQ(t.data().size(), json_array_size(mods.at("/data")));
    for (const char* m : {"readconnroute", "mariadbmon", "qlafilter"})
    {
        HttpResult one = h.get(std::string("/v1/maxscale/modules/") + m);
        const auto* row = t.row(m);
        ASSERT_TRUE(row) << m;
        EXPECT_EQ((*row)[1], one.str("/data/attributes/module_type")) << m;
        EXPECT_EQ((*row)[2], one.str("/data/attributes/version")) << m;
    }

    t = listed(g, {"list", "threads"}, {"Id", "State", "Sessions", "Accepts"});
    ASSERT_EQ(t.data().size(), 2u);  // threads=2
    long sessions = 0;
    int si = t.column("Sessions");
    int ai = t.column("Accepts");
    ASSERT_GE(si, 0);
    ASSERT_GE(ai, 0);
    for (const auto& row : t.data())
    {
        HttpResult th = h.get("/v1/maxscale/threads/" + row[0]);
        ASSERT_EQ(th.code, 200) << row[0];
        EXPECT_EQ(row[si], std::to_string(th.num("/data/attributes/stats/sessions")));
        EXPECT_EQ(row[ai], std::to_string(th.num("/data/attributes/stats/accepts")));
        sessions += std::atol(row[si].c_str());
    }
    EXPECT_EQ(sessions, 1);

    t = listed(g, {"list", "users"}, {"Name", "Type", "Privileges"});
    ASSERT_EQ(t.data().size(), 1u);
    std::vector<std::string> admin{"admin", "inet", "admin"};
    EXPECT_EQ(t.data()[0], admin);

    t = listed(g, {"list", "commands"}, {"Module", "Commands"});
    const auto* mon = t.row("mariadbmon");
    ASSERT_TRUE(mon);
    EXPECT_NE((*mon)[1].find("switchover"), std::string::npos) << (*mon)[1];
    EXPECT_NE((*mon)[1].find("failover"), std::string::npos) << (*mon)[1];
    const auto* q = t.row("qlafilter");
    ASSERT_TRUE(q);
    EXPECT_NE((*q)[1].find("log"), std::string::npos) << (*q)[1];
}

TEST_F(MaxctrlRead, ShowOneObject)
{
    ReadGate rg;
    MaxctrlGate& g = rg.g;
    Http& h = rg.h;
    ASSERT_FALSE(rg.session_id.empty());

    auto f = shown(g, {"show", "server", "server1"});
    EXPECT_EQ(f["Server"], "server1");
    EXPECT_EQ(f["Address"], "127.0.0.1");
    EXPECT_EQ(f["Port"], std::to_string(shared_cluster().primary_port()));
    EXPECT_EQ(f["State"], "Master, Running");
    EXPECT_EQ(f["Services"], "Read-Write-Service");
    EXPECT_EQ(f["Monitors"], "Mon");

    f = shown(g, {"show", "service", "Read-Write-Service"});
    EXPECT_EQ(f["Service"], "Read-Write-Service");
    EXPECT_EQ(f["Router"], "readconnroute");
    EXPECT_EQ(f["State"], "Started");
    EXPECT_EQ(f["Servers"], "server1\nserver2\nserver3");
    EXPECT_EQ(f["Filters"], "QLA");
    EXPECT_EQ(f["Current Connections"], "1");

    f = shown(g, {"show", "monitor", "Mon"});
    EXPECT_EQ(f["Monitor"], "Mon");
    EXPECT_EQ(f["Module"], "mariadbmon");
    EXPECT_EQ(f["State"], "Running");
    EXPECT_EQ(f["Servers"], "server1\nserver2\nserver3");

    f = shown(g, {"show", "session", rg.session_id});
    EXPECT_EQ(f["Id"], rg.session_id);
    EXPECT_EQ(f["Service"], "Read-Write-Service");
    EXPECT_EQ(f["User"], "app");

    f = shown(g, {"show", "filter", "QLA"});
    EXPECT_EQ(f["Filter"], "QLA");
    EXPECT_EQ(f["Module"], "qlafilter");
    EXPECT_EQ(f["Services"], "Read-Write-Service");
    EXPECT_NE(f["Parameters"].find("\"log_type\": \"unified\""), std::string::npos)
        << f["Parameters"];

    f = shown(g, {"show", "listener", "Read-Write-Listener"});
    EXPECT_EQ(f["Name"], "Read-Write-Listener");
    EXPECT_EQ(f["Service"], "Read-Write-Service");
    EXPECT_EQ(f["State"], "Running");
    EXPECT_NE(f["Parameters"].find("\"port\": " + std::to_string(g.port)), std::string::npos)
        << f["Parameters"];

    f = shown(g, {"show", "module", "readconnroute"});
    EXPECT_EQ(f["Module"], "readconnroute");
    EXPECT_EQ(f["Type"], "Router");
    EXPECT_EQ(f["Version"],
              h.get("/v1/maxscale/modules/readconnroute").str("/data/attributes/version"));

    MaxctrlResult r;
    f = shown(g, {"show", "thread", "0"}, &r);
    EXPECT_NE(r.out.find("Accepts"), std::string::npos) << r.describe();

    f = shown(g, {"show", "maxscale"});
    EXPECT_EQ(f["Version"], h.get("/v1/maxscale").str("/data/attributes/version"));
    EXPECT_NE(f["Parameters"].find("\"admin_port\": " + std::to_string(g.admin)), std::string::npos)
        << f["Parameters"];

    f = shown(g, {"show", "logging"}, &r);
    std::string log_file = h.get("/v1/maxscale/logs").str("/data/attributes/log_file");
    ASSERT_FALSE(log_file.empty());
    EXPECT_NE(r.out.find(log_file), std::string::npos) << r.describe();

    r = g.mc({"show", "commands", "mariadbmon"});
    EXPECT_TRUE(mc_ok(r));
    EXPECT_NE(r.out.find("switchover"), std::string::npos) << r.describe();
    EXPECT_NE(r.out.find("rejoin"), std::string::npos) << r.describe();
}

TEST_F(MaxctrlRead, ShowEveryObjectOfAKind)
{
    ReadGate rg;
    MaxctrlGate& g = rg.g;
    ASSERT_FALSE(rg.session_id.empty());
    struct Case
    {
        const char* what;
        std::vector<std::string> names;
    };
    std::vector<Case> cases{{"servers", {"server1", "server2", "server3"}},
                            {"services", {"Read-Write-Service"}},
                            {"monitors", {"Mon"}},
                            {"sessions", {rg.session_id}},
                            {"filters", {"QLA"}},
                            {"listeners", {"Read-Write-Listener"}},
                            {"modules", {"readconnroute", "mariadbmon", "qlafilter"}},
                            {"threads", {"0", "1"}}};
    for (const auto& c : cases)
    {
        SCOPED_TRACE(c.what);
        MaxctrlResult r = g.mc({"show", c.what});
        EXPECT_TRUE(mc_ok(r));
        EXPECT_EQ(r.out.rfind("┌", 0), 0u) << r.describe();
        for (const auto& name : c.names)
        {
            EXPECT_NE(r.out.find("│ " + name + " "), std::string::npos) << name << "\n"
                                                                        << r.describe();
        }
    }
}
