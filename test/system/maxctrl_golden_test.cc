// maxctrl's table layouts against golden files (test/system/golden/maxctrl/): objects with
// fixed names and values, created with maxctrl in a sqlgate that has nothing else (no
// cluster servers, random ports or times in the output). The list_* files were written by
// hand from the spec (MaxScale's cli-table: ┌─┬─┐, a separator after the header and between
// all rows, one space of padding, columns as wide as their widest cell + 2); the show_*
// files were written by SQLGATE_UPDATE_GOLDEN=1 and checked by hand.
#include <gtest/gtest.h>

#include "maxctrl_gate.hh"

using namespace sqlgate::test;

namespace
{

using MaxctrlGolden = MaxctrlTest;

// Creates g1, g2 (unmonitored, nothing listens on their ports), filters gf-a and gf-b,
// services gsvc-a (g1, g2, gf-a) and gsvc-b (empty), users gadmin and gbasic.
void create_fixed_objects(const BareMaxctrlGate& g)
{
    ASSERT_TRUE(mc_wrote(g.mc({"create", "server", "g1", "address=127.0.0.1", "port=13301"})));
    ASSERT_TRUE(mc_wrote(g.mc({"create", "server", "g2", "address=127.0.0.1", "port=13302"})));
    ASSERT_TRUE(
        mc_wrote(g.mc({"create", "filter", "gf-a", "regexfilter", "match=foo", "replace=bar"})));
    ASSERT_TRUE(
        mc_wrote(g.mc({"create", "filter", "gf-b", "regexfilter", "match=x", "replace=y"})));
    ASSERT_TRUE(mc_wrote(g.mc({"create", "service", "gsvc-a", "readconnroute", "user=guser",
                               "password=gpw", "--servers", "g1", "g2", "--filters", "gf-a"})));
    ASSERT_TRUE(mc_wrote(
        g.mc({"create", "service", "gsvc-b", "readconnroute", "user=guser", "password=gpw"})));
    ASSERT_TRUE(mc_wrote(g.mc({"create", "user", "gadmin", "pw-admin", "--type=admin"})));
    ASSERT_TRUE(mc_wrote(g.mc({"create", "user", "gbasic", "pw-basic"})));
}

}  // namespace

TEST_F(MaxctrlGolden, ListAndShowTables)
{
    BareMaxctrlGate g;
    Http h = g.http();
    ASSERT_NO_FATAL_FAILURE(create_fixed_objects(g));

    // What the creates did, through the REST API.
    HttpResult s = h.get("/v1/servers/g1");
    ASSERT_EQ(s.code, 200) << s.body;
    EXPECT_EQ(s.str("/data/attributes/parameters/address"), "127.0.0.1");
    EXPECT_EQ(s.num("/data/attributes/parameters/port"), 13301);
    HttpResult svc = h.get("/v1/services/gsvc-a");
    ASSERT_EQ(svc.code, 200) << svc.body;
    EXPECT_EQ(svc.str("/data/attributes/router"), "readconnroute");
    EXPECT_EQ(svc.str("/data/attributes/parameters/user"), "guser");
    EXPECT_EQ(svc.str("/data/relationships/servers/data/0/id"), "g1");
    EXPECT_EQ(svc.str("/data/relationships/servers/data/1/id"), "g2");
    EXPECT_EQ(svc.str("/data/relationships/filters/data/0/id"), "gf-a");
    EXPECT_EQ(h.get("/v1/filters/gf-b").str("/data/attributes/parameters/match"), "x");
    EXPECT_EQ(h.get("/v1/users/inet/gadmin").str("/data/attributes/account"), "admin");
    EXPECT_EQ(h.get("/v1/users/inet/gbasic").str("/data/attributes/account"), "basic");
    EXPECT_EQ(Http(g.admin, "gbasic", "pw-basic").get("/v1/servers").code, 200);

    for (const char* what : {"servers", "services", "filters", "users"})
    {
        SCOPED_TRACE(what);
        MaxctrlResult r = g.mc({"list", what});
        ASSERT_TRUE(mc_ok(r));
        BoxTable t;
        EXPECT_TRUE(well_formed(r, &t));
        EXPECT_TRUE(matches_golden(std::string("list_") + what, r.out));
    }

    // show: two columns, no header, a separator between all rows; paths normalised.
    std::map<std::string, std::string> norm{{g.gate->dir(), "$DIR"}, {g.host(), "$HOST"}};
    for (auto [what, name] : {std::pair{"server", "g1"}, std::pair{"filter", "gf-a"}})
    {
        SCOPED_TRACE(what);
        MaxctrlResult r = g.mc({"show", what, name});
        ASSERT_TRUE(mc_ok(r));
        BoxTable t;
        EXPECT_TRUE(well_formed(r, &t));
        for (const auto& row : t.rows)
        {
            EXPECT_EQ(row.size(), 2u) << r.describe();
        }
        EXPECT_TRUE(
            matches_golden(std::string("show_") + what + "_" + name, normalized(r.out, norm)));
    }
    MaxctrlResult show = g.mc({"show", "server", "g1"});
    auto fields = show_fields(parse_box_table(show.out));
    EXPECT_EQ(fields["Server"], "g1") << show.describe();
    EXPECT_EQ(fields["Address"], "127.0.0.1") << show.describe();
    EXPECT_EQ(fields["Port"], "13301") << show.describe();
    EXPECT_EQ(fields["State"], "Running") << show.describe();
    // Multi-valued fields: one value per line in the cell.
    EXPECT_EQ(fields["Services"], "gsvc-a") << show.describe();
    MaxctrlResult shows = g.mc({"show", "service", "gsvc-a"});
    auto sf = show_fields(parse_box_table(shows.out));
    EXPECT_EQ(sf["Servers"], "g1\ng2") << shows.describe();
    EXPECT_EQ(sf["Filters"], "gf-a") << shows.describe();
    // Object fields: indented JSON lines in the cell.
    EXPECT_EQ(sf["Parameters"].rfind("{\n", 0), 0u) << shows.describe();
    EXPECT_NE(sf["Parameters"].find("\n    \"user\": \"guser\""), std::string::npos)
        << shows.describe();
}

TEST_F(MaxctrlGolden, TsvHasNoBordersNoHeaderNoTrailingSpaces)
{
    BareMaxctrlGate g;
    ASSERT_NO_FATAL_FAILURE(create_fixed_objects(g));
    MaxctrlResult r = g.mc({"--tsv", "list", "servers"});
    ASSERT_TRUE(mc_ok(r));
    EXPECT_EQ(r.out.find("─"), std::string::npos) << r.describe();
    EXPECT_EQ(r.out.find("│"), std::string::npos) << r.describe();
    auto rows = tsv_rows(r.out);
    ASSERT_EQ(rows.size(), 2u) << r.describe();
    std::vector<std::string> g1{"g1", "127.0.0.1", "13301", "0", "Running", "", ""};
    EXPECT_EQ(rows[0], g1) << r.describe();
    EXPECT_EQ(rows[1][0], "g2") << r.describe();
    for (const auto& line : lines_of(r.out))
    {
        EXPECT_NE(line.back(), ' ') << r.describe();
    }

    // A multi-line cell is joined by spaces.
    MaxctrlResult show = g.mc({"show", "service", "gsvc-a", "--tsv"});
    ASSERT_TRUE(mc_ok(show));
    bool found = false;
    for (const auto& row : tsv_rows(show.out))
    {
        if (row.size() == 2 && row[0] == "Servers")
        {
            found = true;
            EXPECT_EQ(row[1], "g1 g2") << show.describe();
        }
        EXPECT_EQ(row.size(), 2u) << show.describe();
    }
    EXPECT_TRUE(found) << show.describe();
    for (const auto& line : lines_of(show.out))
    {
        EXPECT_TRUE(line.empty() || line.back() != ' ') << show.describe();
    }

    // The same with the option in the config file.
    g.home.write_config("[maxctrl]\ntsv=true\n");
    MaxctrlResult cfg = g.mc({"list", "servers"});
    ASSERT_TRUE(mc_ok(cfg));
    EXPECT_EQ(cfg.out, r.out) << cfg.describe();
}

TEST_F(MaxctrlGolden, MonitorOfUnreachableServers)
{
    BareMaxctrlGate g;
    Http h = g.http();
    ASSERT_NO_FATAL_FAILURE(create_fixed_objects(g));
    ASSERT_TRUE(
        mc_wrote(g.mc({"create", "monitor", "gmon", "mariadbmon", "user=monitor",
                       "password=monitor_pw", "monitor_interval=200ms", "--servers", "g2"})));
    HttpResult m = h.get("/v1/monitors/gmon");
    ASSERT_EQ(m.code, 200) << m.body;
    EXPECT_EQ(m.str("/data/attributes/module"), "mariadbmon");
    EXPECT_EQ(m.str("/data/relationships/servers/data/0/id"), "g2");
    // Nothing listens on 13302: the monitor finds g2 down.
    ASSERT_TRUE(eventually(
        [&] { return h.get("/v1/servers/g2").str("/data/attributes/state") == "Down"; }, 5s));
    MaxctrlResult r = g.mc({"list", "monitors"});
    ASSERT_TRUE(mc_ok(r));
    BoxTable t;
    EXPECT_TRUE(well_formed(r, &t));
    EXPECT_TRUE(matches_golden("list_monitors", r.out));
    MaxctrlResult servers = g.mc({"list", "servers"});
    ASSERT_TRUE(mc_ok(servers));
    EXPECT_TRUE(matches_golden("list_servers_monitored", servers.out));
}
