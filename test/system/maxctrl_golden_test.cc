// maxctrl's table layouts against golden files (test/system/golden/maxctrl/): objects with
// fixed names and values, created with maxctrl in a sqlgate that has nothing else (no
// cluster servers, random ports or times in the output). The list_* files were written by
// hand from the spec (MaxScale's cli-table: ┌─┬─┐, a separator after the header and between
// all rows, one space of padding, columns as wide as their widest cell + 2); the show_*
// files were written by SQLGATE_UPDATE_GOLDEN=1 and checked by hand.
//
// A golden file only says that the output did not change. So that a wrong one cannot be
// blessed with SQLGATE_UPDATE_GOLDEN=1, every golden table (the stored file, and the output)
// is also checked cell by cell against the REST API documents the table shows: the columns
// and the JSON paths of each cell below are written from MaxScale's maxctrl and REST API
// (not from sqlgate's maxctrl/), and the documents themselves are checked against the
// values the objects were created with.
#include <gtest/gtest.h>

#include <sstream>

#include "maxctrl_gate.hh"

using namespace sqlgate::test;

namespace
{

using MaxctrlGolden = MaxctrlTest;

// ---- what a table must say, from the REST API ------------------------------------------

// A cell's text for a REST value: null or missing is "", numbers are decimal, booleans
// true/false, strings as they are; objects are compared as JSON (see show_agrees).
std::string rest_text(json_t* v)
{
    if (!v || json_is_null(v))
    {
        return "";
    }
    if (json_is_string(v))
    {
        return json_string_value(v);
    }
    if (json_is_integer(v))
    {
        return std::to_string(json_integer_value(v));
    }
    if (json_is_boolean(v))
    {
        return json_is_true(v) ? "true" : "false";
    }
    char* dumped = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    std::string out = dumped ? dumped : "";
    free(dumped);
    return out;
}

// The values at `path` in `v`: a JSON pointer in which "*" stands for every element of an
// array ("/relationships/servers/data/*/id").
void values_at(json_t* v, const std::string& path, std::vector<json_t*>& out)
{
    if (path.empty())
    {
        out.push_back(v);
        return;
    }
    size_t end = path.find('/', 1);
    std::string key = path.substr(1, end == std::string::npos ? std::string::npos : end - 1);
    std::string rest = end == std::string::npos ? "" : path.substr(end);
    if (key == "*")
    {
        size_t i;
        json_t* e;
        json_array_foreach(v, i, e)
        {
            values_at(e, rest, out);
        }
        return;
    }
    json_t* next = json_object_get(v, key.c_str());
    if (!next)
    {
        if (rest.empty())
        {
            out.push_back(nullptr);  // a missing member shows as ""
        }
        return;
    }
    values_at(next, rest, out);
}

// The text of the values at `path`, joined with `separator` (", " in list, "\n" in show).
std::string rest_cell(json_t* resource, const std::string& path, const std::string& separator)
{
    std::vector<json_t*> values;
    values_at(resource, path, values);
    std::string out;
    for (size_t i = 0; i < values.size(); ++i)
    {
        out += (i ? separator : "") + rest_text(values[i]);
    }
    return out;
}

struct Column
{
    std::string header;
    std::string path;  // in a resource of the collection
};

// maxctrl list <what>: the REST collection and the columns (MaxScale's maxctrl list.js).
struct ListSpec
{
    std::string resource;
    std::vector<Column> columns;
};

const std::map<std::string, ListSpec>& list_specs()
{
    static const std::map<std::string, ListSpec> specs{
        {"servers",
         {"/v1/servers",
          {{"Server", "/id"},
           {"Address", "/attributes/parameters/address"},
           {"Port", "/attributes/parameters/port"},
           {"Connections", "/attributes/statistics/connections"},
           {"State", "/attributes/state"},
           {"GTID", "/attributes/gtid_current_pos"},
           {"Monitor", "/relationships/monitors/data/*/id"}}}},
        {"services",
         {"/v1/services",
          {{"Service", "/id"},
           {"Router", "/attributes/router"},
           {"Connections", "/attributes/connections"},
           {"Total Connections", "/attributes/total_connections"},
           {"Targets", "/relationships/servers/data/*/id"}}}},
        {"filters",
         {"/v1/filters",
          {{"Filter", "/id"},
           {"Service", "/relationships/services/data/*/id"},
           {"Module", "/attributes/module"}}}},
        {"monitors",
         {"/v1/monitors",
          {{"Monitor", "/id"},
           {"Module", "/attributes/module"},
           {"State", "/attributes/state"},
           {"Servers", "/relationships/servers/data/*/id"}}}},
        {"users",
         {"/v1/users/inet",
          {{"Name", "/id"}, {"Type", "/type"}, {"Privileges", "/attributes/account"}}}},
    };
    return specs;
}

// `table` (maxctrl list <what>) shows the REST collection: the header, one row per resource
// in the collection's order, each cell the value at its column's path.
::testing::AssertionResult list_agrees(const std::string& what, const BoxTable& table,
                                       const Http& h)
{
    const ListSpec& spec = list_specs().at(what);
    HttpResult doc = h.get(spec.resource);
    json_t* data = doc.at("/data");
    if (doc.code != 200 || !json_is_array(data))
    {
        return ::testing::AssertionFailure()
               << "GET " << spec.resource << ": " << doc.code << " " << doc.body;
    }
    std::vector<std::vector<std::string>> want;
    want.emplace_back();
    for (const Column& c : spec.columns)
    {
        want[0].push_back(c.header);
    }
    size_t i;
    json_t* resource;
    json_array_foreach(data, i, resource)
    {
        want.emplace_back();
        for (const Column& c : spec.columns)
        {
            want.back().push_back(rest_cell(resource, c.path, ", "));
        }
    }
    if (table.rows == want)
    {
        return ::testing::AssertionSuccess();
    }
    std::ostringstream msg;
    msg << "the table is not what GET " << spec.resource << " says:\n";
    for (size_t r = 0; r < std::max(want.size(), table.rows.size()); ++r)
    {
        auto line = [](const std::vector<std::vector<std::string>>& rows, size_t n)
        {
            std::string out;
            if (n < rows.size())
            {
                for (const auto& cell : rows[n])
                {
                    out += "[" + cell + "]";
                }
            }
            return out;
        };
        msg << "  table: " << line(table.rows, r) << "\n  REST:  " << line(want, r) << "\n";
    }
    return ::testing::AssertionFailure() << msg.str();
}

enum class Kind
{
    SCALAR,  // one value
    LIST,    // the values one per line
    OBJECT,  // indented JSON, equal to the REST object ("" for null)
};

struct Field
{
    std::string key;
    std::string path;  // in the resource (/data of GET <resource>)
    Kind kind = Kind::SCALAR;
};

// `table` (maxctrl show ...) has exactly `fields`, in this order, each with the REST value.
::testing::AssertionResult show_agrees(const BoxTable& table, const std::string& resource,
                                       const std::vector<Field>& fields, const Http& h)
{
    HttpResult doc = h.get(resource);
    json_t* data = doc.at("/data");
    if (doc.code != 200 || !data)
    {
        return ::testing::AssertionFailure()
               << "GET " << resource << ": " << doc.code << " " << doc.body;
    }
    if (table.rows.size() != fields.size())
    {
        return ::testing::AssertionFailure()
               << table.rows.size() << " rows, expected " << fields.size();
    }
    for (size_t i = 0; i < fields.size(); ++i)
    {
        const Field& f = fields[i];
        const std::vector<std::string>& row = table.rows[i];
        if (row.size() != 2 || row[0] != f.key)
        {
            return ::testing::AssertionFailure()
                   << "row " << i << " is not '" << f.key << "': [" << row[0] << "]";
        }
        if (f.kind != Kind::OBJECT)
        {
            std::string want = rest_cell(data, f.path, f.kind == Kind::LIST ? "\n" : ", ");
            if (row[1] != want)
            {
                return ::testing::AssertionFailure() << f.key << " is '" << row[1] << "', GET "
                                                     << resource << " says '" << want << "'";
            }
            continue;
        }
        std::vector<json_t*> values;
        values_at(data, f.path, values);
        json_t* want = values.size() == 1 ? values[0] : nullptr;
        if (!want || json_is_null(want))
        {
            if (!row[1].empty())
            {
                return ::testing::AssertionFailure()
                       << f.key << " is '" << row[1] << "', GET " << resource << " has null";
            }
            continue;
        }
        json_error_t err;
        Json shown(json_loads(row[1].c_str(), 0, &err));
        if (!shown || !json_equal(shown.get(), want))
        {
            return ::testing::AssertionFailure()
                   << f.key << " is\n"
                   << row[1] << "\nGET " << resource << " says " << rest_text(want)
                   << (shown ? "" : std::string(" (the cell is no JSON: ") + err.text + ")");
        }
    }
    return ::testing::AssertionSuccess();
}

// The fields of `show server` and `show filter`, with the REST paths of their values.
const std::vector<Field> kShowServer{
    {"Server", "/id"},
    {"Source", "/attributes/source/type"},
    {"Address", "/attributes/parameters/address"},
    {"Port", "/attributes/parameters/port"},
    {"State", "/attributes/state"},
    {"Server ID", "/attributes/server_id"},
    {"Read Only", "/attributes/read_only"},
    {"Replication Lag", "/attributes/replication_lag"},
    {"Master ID", "/attributes/master_id"},
    {"GTID Current", "/attributes/gtid_current_pos"},
    {"GTID Binlog", "/attributes/gtid_binlog_pos"},
    {"Services", "/relationships/services/data/*/id", Kind::LIST},
    {"Monitors", "/relationships/monitors/data/*/id", Kind::LIST},
    {"Statistics", "/attributes/statistics", Kind::OBJECT},
    {"Parameters", "/attributes/parameters", Kind::OBJECT},
};
const std::vector<Field> kShowFilter{
    {"Filter", "/id"},
    {"Module", "/attributes/module"},
    {"Services", "/relationships/services/data/*/id", Kind::LIST},
    {"Parameters", "/attributes/parameters", Kind::OBJECT},
    {"Diagnostics", "/attributes/filter_diagnostics", Kind::OBJECT},
};

// The stored golden file <name>, parsed (with its layout checked).
BoxTable golden_table(const std::string& name)
{
    BoxTable t = parse_box_table(read_file(golden_path(name)));
    EXPECT_EQ(t.layout_error, "") << golden_path(name);
    return t;
}

// The output and the stored file of golden `name` agree with GET <what> (list).
void expect_list_golden(const BareMaxctrlGate& g, const std::string& what, const std::string& name,
                        const MaxctrlResult& r)
{
    EXPECT_TRUE(list_agrees(what, parse_box_table(r.out), g.http())) << "output:\n" << r.out;
    EXPECT_TRUE(list_agrees(what, golden_table(name), g.http())) << golden_path(name);
}

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
    HttpResult gfa = h.get("/v1/filters/gf-a");
    EXPECT_EQ(gfa.str("/data/attributes/module"), "regexfilter");
    EXPECT_EQ(gfa.str("/data/attributes/parameters/match"), "foo");
    EXPECT_EQ(gfa.str("/data/attributes/parameters/replace"), "bar");
    EXPECT_EQ(gfa.str("/data/relationships/services/data/0/id"), "gsvc-a");
    EXPECT_EQ(json_array_size(h.get("/v1/filters/gf-b").at("/data/relationships/services/data")),
              0u);
    EXPECT_EQ(h.get("/v1/servers/g2").num("/data/attributes/parameters/port"), 13302);
    EXPECT_EQ(json_array_size(h.get("/v1/services/gsvc-b").at("/data/relationships/servers/data")),
              0u);
    // Nobody connected to anything.
    EXPECT_EQ(svc.num("/data/attributes/connections"), 0);
    EXPECT_EQ(svc.num("/data/attributes/total_connections"), 0);
    EXPECT_EQ(s.num("/data/attributes/statistics/connections"), 0);
    EXPECT_EQ(h.get("/v1/users/inet").num("/meta/total"), 3);
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
        expect_list_golden(g, what, std::string("list_") + what, r);
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
        std::string golden = std::string("show_") + what + "_" + name;
        EXPECT_TRUE(matches_golden(golden, normalized(r.out, norm)));
        const std::vector<Field>& fields =
            std::string(what) == "server" ? kShowServer : kShowFilter;
        std::string resource = std::string("/v1/") + what + "s/" + name;
        EXPECT_TRUE(show_agrees(t, resource, fields, h)) << r.out;
        EXPECT_TRUE(show_agrees(golden_table(golden), resource, fields, h)) << golden_path(golden);
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
    expect_list_golden(g, "monitors", "list_monitors", r);
    MaxctrlResult servers = g.mc({"list", "servers"});
    ASSERT_TRUE(mc_ok(servers));
    EXPECT_TRUE(matches_golden("list_servers_monitored", servers.out));
    expect_list_golden(g, "servers", "list_servers_monitored", servers);
    // What the REST documents say is what the objects are: g2 is down, watched by gmon.
    EXPECT_EQ(h.get("/v1/monitors/gmon").str("/data/attributes/state"), "Running");
    EXPECT_EQ(h.get("/v1/servers/g2").str("/data/relationships/monitors/data/0/id"), "gmon");
    EXPECT_EQ(h.get("/v1/servers/g1").str("/data/attributes/state"), "Running");
}
