// sqlgateway values: the Flink logicalType of every MariaDB column type, values in
// rowFormat JSON and PLAIN_TEXT, and statement parameters from executionConfig.
#include <gtest/gtest.h>

#include "sqlgateway_gate.hh"

using namespace sqlgate::test;
using namespace sqlgate::test::gw;

namespace
{

// Column, its definition, the value inserted, its logicalType, and the field in
// rowFormat=JSON.
struct TypeCase
{
    const char* name;
    const char* definition;
    const char* value;
    const char* logical_type;
    const char* json;
};

const TypeCase kTypes[] = {
    {"ti", "tinyint", "-5", R"({"type":"TINYINT","nullable":true})", "-5"},
    {"tiu", "tinyint unsigned", "255", R"({"type":"SMALLINT","nullable":true})", "255"},
    {"si", "smallint", "-300", R"({"type":"SMALLINT","nullable":true})", "-300"},
    {"siu", "smallint unsigned", "65535", R"({"type":"INTEGER","nullable":true})", "65535"},
    {"mi", "mediumint", "-8000000", R"({"type":"INTEGER","nullable":true})", "-8000000"},
    {"i", "int not null", "42", R"({"type":"INTEGER","nullable":false})", "42"},
    {"iu", "int unsigned", "4294967295", R"({"type":"BIGINT","nullable":true})", "4294967295"},
    {"bi", "bigint", "-9223372036854775808", R"({"type":"BIGINT","nullable":true})",
     "-9223372036854775808"},
    {"bu", "bigint unsigned", "18446744073709551615",
     R"({"type":"DECIMAL","nullable":true,"precision":20,"scale":0})", "18446744073709551615"},
    {"d", "decimal(10,3)", "-1234567.891",
     R"({"type":"DECIMAL","nullable":true,"precision":10,"scale":3})", "-1234567.891"},
    {"du", "decimal(5,0) unsigned", "99999",
     R"({"type":"DECIMAL","nullable":true,"precision":5,"scale":0})", "99999"},
    {"d0", "decimal(38,10) not null", "0.0000000001",
     R"({"type":"DECIMAL","nullable":false,"precision":38,"scale":10})", "0.0000000001"},
    {"f", "float", "1.5", R"({"type":"FLOAT","nullable":true})", "1.5"},
    {"db", "double", "-2.25e100", R"({"type":"DOUBLE","nullable":true})", "-2.25e100"},
    {"b1", "bit(1)", "1", R"({"type":"BOOLEAN","nullable":true})", "true"},
    {"b1f", "bit(1)", "0", R"({"type":"BOOLEAN","nullable":true})", "false"},
    {"b8", "bit(8)", "200", R"({"type":"BIGINT","nullable":true})", "200"},
    {"dt", "date", "'2024-02-29'", R"({"type":"DATE","nullable":true})", R"("2024-02-29")"},
    {"tm", "time", "'12:34:56'",
     R"({"type":"TIME_WITHOUT_TIME_ZONE","nullable":true,"precision":0})", R"("12:34:56")"},
    {"tm3", "time(3)", "'01:02:03.456'",
     R"({"type":"TIME_WITHOUT_TIME_ZONE","nullable":true,"precision":3})", R"("01:02:03.456")"},
    {"dt0", "datetime", "'2024-01-02 03:04:05'",
     R"({"type":"TIMESTAMP_WITHOUT_TIME_ZONE","nullable":true,"precision":0})",
     R"("2024-01-02T03:04:05")"},
    {"dt6", "datetime(6)", "'2024-01-02 03:04:05.123456'",
     R"({"type":"TIMESTAMP_WITHOUT_TIME_ZONE","nullable":true,"precision":6})",
     R"("2024-01-02T03:04:05.123456")"},
    {"ts", "timestamp(3) null", "'2024-01-02 03:04:05.120'",
     R"({"type":"TIMESTAMP_WITHOUT_TIME_ZONE","nullable":true,"precision":3})",
     R"("2024-01-02T03:04:05.120")"},
    {"c", "char(5)", "'ab'", R"({"type":"CHAR","nullable":true,"length":5})", R"("ab")"},
    {"vc", "varchar(10)", "'h\xc3\xa9llo\"\\\\'",
     R"({"type":"VARCHAR","nullable":true,"length":10})", "\"h\xc3\xa9llo\\\"\\\\\""},
    {"vcl", "varchar(300) character set latin1", "'x'",
     R"({"type":"VARCHAR","nullable":true,"length":300})", R"("x")"},
    {"tx", "text", "'line\\nnext'", R"({"type":"VARCHAR","nullable":true,"length":2147483647})",
     R"("line\nnext")"},
    {"bin", "binary(4)", "'a\\0b'", R"({"type":"BINARY","nullable":true,"length":4})",
     R"("YQBiAA==")"},
    {"vb", "varbinary(8)", "0xff00fe", R"({"type":"VARBINARY","nullable":true,"length":8})",
     R"("/wD+")"},
    {"bl", "blob", "'blob\\n'", R"({"type":"VARBINARY","nullable":true,"length":2147483647})",
     R"("YmxvYgo=")"},
    {"e", "enum('a','b')", "'b'", R"({"type":"VARCHAR","nullable":true,"length":2147483647})",
     R"("b")"},
};

// The JSON string literal of @c s.
std::string quoted(const std::string& s)
{
    return text(Json(json_stringn(s.data(), s.size())).get());
}

std::string column_list(bool values)
{
    std::string out;
    for (const TypeCase& t : kTypes)
    {
        out += out.empty() ? "" : ", ";
        out += values ? t.value : std::string(t.name) + " " + t.definition;
    }
    return out;
}

}  // namespace

TEST(SqlGatewayTypes, LogicalTypesAndValues)
{
    GwGate g;
    MysqlPtr root = primary_root();
    ASSERT_TRUE(root);
    QueryResult q =
        query(root.get(), "CREATE OR REPLACE TABLE test.gw_types (id INT PRIMARY KEY, " +
                              column_list(false) + ")");
    ASSERT_TRUE(q.ok) << q.message;
    q = query(root.get(), "INSERT INTO test.gw_types VALUES (1, " + column_list(true) + ")");
    ASSERT_TRUE(q.ok) << q.message;
    q = query(root.get(), "INSERT INTO test.gw_types (id, i, d0) VALUES (2, 0, 0)");
    ASSERT_TRUE(q.ok) << q.message;

    Client c(g.http());
    std::string sh = c.open();
    ASSERT_FALSE(sh.empty());
    std::string oh = c.submit_sql(sh, "select *, null as n from gw_types order by id");
    ASSERT_EQ(c.wait_done(sh, oh), "FINISHED");

    // rowFormat=JSON; the rows are compared as text: BIGINT UNSIGNED and DECIMAL digits
    // must survive as written (the test's JSON parser would refuse or round them).
    HttpResult r = c.fetch(sh, oh, "0", "JSON");
    ASSERT_EQ(r.code, 200) << r.body;
    EXPECT_EQ(r.body.rfind("{\"resultType\":\"PAYLOAD\",\"isQueryResult\":true,", 0), 0u) << r.body;
    Json columns(json_loads(json_after(r.body, "\"columns\":").c_str(), 0, nullptr));
    size_t n = sizeof(kTypes) / sizeof(kTypes[0]);
    ASSERT_EQ(json_array_size(columns.get()), n + 2) << r.body;
    auto column = [&](size_t i, const char* key)
    { return json_object_get(json_array_get(columns.get(), i), key); };
    std::string expected_row = "[1";
    for (size_t i = 0; i < n; ++i)
    {
        const TypeCase& t = kTypes[i];
        EXPECT_EQ(text(column(i + 1, "name")), "\"" + std::string(t.name) + "\"");
        EXPECT_EQ(text(column(i + 1, "logicalType")), t.logical_type) << t.definition;
        EXPECT_TRUE(json_is_null(column(i + 1, "comment"))) << t.name;
        expected_row += std::string(",") + t.json;
    }
    EXPECT_EQ(text(column(0, "logicalType")), R"({"type":"INTEGER","nullable":false})");
    EXPECT_EQ(text(column(n + 1, "logicalType")), R"({"type":"NULL"})");
    EXPECT_EQ(raw_fields(r.body, 0), expected_row + ",null]");
    // 0 as DECIMAL(38,10) is written by the server as 0.0000000000.
    std::string second = raw_fields(r.body, 1);
    EXPECT_EQ(second.substr(0, 6), "[2,nul") << second;
    Json parsed(json_loads(second.c_str(), JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL, nullptr));
    ASSERT_TRUE(parsed) << second;
    for (size_t i = 0; i < n + 2; ++i)
    {
        json_t* v = json_array_get(parsed.get(), i);
        std::string name = i == 0 ? "id" : i <= n ? kTypes[i - 1].name : "n";
        bool not_null = name == "id" || name == "i" || name == "d0";
        EXPECT_EQ(json_is_null(v), !not_null) << name << ": " << second;
        EXPECT_TRUE(!not_null || json_is_number(v)) << name << ": " << second;
    }

    // rowFormat=PLAIN_TEXT: the same values, every non-null one a string.
    r = c.fetch(sh, oh, "0", "PLAIN_TEXT");
    ASSERT_EQ(r.code, 200) << r.body;
    ASSERT_TRUE(r.json) << r.body;
    EXPECT_EQ(r.str("/results/rowFormat"), "PLAIN_TEXT");
    json_t* row = r.at("/results/data/0/fields");
    ASSERT_EQ(json_array_size(row), n + 2) << r.body;
    EXPECT_EQ(text(json_array_get(row, 0)), R"("1")");
    for (size_t i = 0; i < n; ++i)
    {
        const TypeCase& t = kTypes[i];
        json_t* v = json_array_get(row, i + 1);
        ASSERT_TRUE(json_is_string(v)) << t.name << ": " << text(v);
        std::string want = t.json[0] == '"' ? t.json : "\"" + std::string(t.json) + "\"";
        EXPECT_EQ(text(v), want) << t.name;
    }
    EXPECT_TRUE(json_is_null(json_array_get(row, n + 1)));
    row = r.at("/results/data/1/fields");
    EXPECT_EQ(text(json_array_get(row, 0)), R"("2")");
    EXPECT_TRUE(json_is_null(json_array_get(row, 1)));
    EXPECT_EQ(r.str("/results/data/1/kind"), "INSERT");
}

TEST(SqlGatewayTypes, ExecutionConfigParametersAreBound)
{
    GwGate g;
    Client c(g.http());
    std::string sh = c.open();
    ASSERT_FALSE(sh.empty());
    const std::string evil = "x'); drop table gw_params; -- \" \\ `";
    MysqlPtr root = primary_root();
    ASSERT_TRUE(root);
    ASSERT_TRUE(query(root.get(), "CREATE OR REPLACE TABLE test.gw_params (a VARCHAR(100))").ok);

    // args: a JSON array in a string (executionConfig values are strings).
    Json args(json_pack("[i,s,n,b,f]", 7, evil.c_str(), 1, 2.5));
    std::string config = "\"executionConfig\":{\"args\":" + quoted(text(args.get())) + "}";
    std::string oh = c.submit(sh, statement("select ?, ?, ?, ?, ?", config));
    std::vector<Json> rows = c.rows(sh, oh);
    ASSERT_EQ(rows.size(), 1u);
    Json want(json_pack("[i,s,n,i,f]", 7, evil.c_str(), 1, 2.5));
    EXPECT_TRUE(json_equal(rows[0].get(), want.get())) << text(rows[0].get());

    // $name parameters, and a value written into a table comes back verbatim.
    Json named(json_object());
    json_object_set_new(named.get(), "$v", json_string(quoted(evil).c_str()));
    json_object_set_new(named.get(), "execution.runtime-mode", json_string("batch"));
    oh = c.submit(sh, statement("insert into gw_params values ($v)",
                                "\"executionConfig\":" + text(named.get())));
    EXPECT_EQ(c.wait_done(sh, oh), "FINISHED");
    EXPECT_EQ(c.value(sh, "select a from gw_params"), evil);
    EXPECT_EQ(query(root.get(), "SELECT COUNT(*) FROM test.gw_params").value(), "1");

    // $N refers to args by position; a plain value (not JSON text) is taken as a string.
    oh = c.submit(
        sh, statement("select concat($2, $1)", R"("executionConfig":{"args":"[\"a\",\"b\"]"})"));
    EXPECT_EQ(text(c.rows(sh, oh).at(0).get()), R"(["ba"])");
    oh = c.submit(sh, statement("select $p", R"("executionConfig":{"$p":"not json"})"));
    EXPECT_EQ(text(c.rows(sh, oh).at(0).get()), R"(["not json"])");

    // Wrong counts and missing names are refused up front.
    for (const std::string& body :
         {statement("select ?", R"("executionConfig":{"args":"[1,2]"})"),
          statement("select ?, ?", R"("executionConfig":{"args":"[1]"})"),
          statement("select $missing", R"("executionConfig":{"$other":"1"})"),
          statement("select ?", R"("executionConfig":{"args":"{\"a\":1}"})")})
    {
        HttpResult r = c.post("/sessions/" + sh + "/statements", body);
        EXPECT_EQ(r.code, 400) << body << ": " << r.body;
        EXPECT_TRUE(r.at("/errors/0")) << r.body;
    }
    EXPECT_EQ(c.value(sh, "select count(*) from gw_params"), "1");
}
