// queryservice value mapping (docs/query-service.md): every MariaDB column type from a real
// table, through a plain statement (text protocol), through args (a prepared statement:
// binary protocol) and through a deferred result. All must give the same JSON, byte for byte.
// Big numbers are compared as text: BIGINT UNSIGNED and DECIMAL digits must be exact.
#include <gtest/gtest.h>

#include "queryservice_gate.hh"

using namespace sqlgate::test;

namespace
{

const char* const kTable =
    "CREATE OR REPLACE TABLE test.qs_types(id INT PRIMARY KEY, ti TINYINT, tu TINYINT UNSIGNED, "
    "si SMALLINT, mi MEDIUMINT, i INT, iu INT UNSIGNED, bi BIGINT, ub BIGINT UNSIGNED, "
    "d DECIMAL(30,10), f FLOAT, db DOUBLE, b1 BIT(1), b8 BIT(8), dt DATE, dtt DATETIME(6), "
    "ts TIMESTAMP(3) NULL, tm TIME, tm3 TIME(3), y YEAR, c CHAR(5), vc VARCHAR(50), tx TEXT, "
    "bn BINARY(3), vb VARBINARY(10), bl BLOB, j JSON, e ENUM('a','b'), st SET('x','y'), n INT) "
    "DEFAULT CHARSET=utf8mb4";

const char* const kRows =
    "INSERT INTO test.qs_types VALUES (1, -128, 255, -32768, -8388608, -2147483648, 4294967295, "
    "-9223372036854775808, 18446744073709551615, 12345678901234567890.0123456789, 1.5, 0.1, 1, "
    "255, '2024-02-29', '2024-02-29 13:14:15.123456', '2024-03-01 01:02:03.456', '-838:59:59', "
    "'12:34:56.789', 2024, 'ab', 'h\xC3\xA9llo \xE2\x82\xAC', '\xC3\xBCn\xC3\xAF \xE2\x98\x83', "
    "0x000102, 0xfffe, 'blob', '{\"k\": [1, 2]}', 'b', 'x,y', NULL), "
    "(2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL, "
    "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)";

// "column":value as the compact (not pretty) output writes them, for row 1.
const std::vector<std::pair<const char*, const char*>> kRow1 = {
    {"ti", "-128"},
    {"tu", "255"},
    {"si", "-32768"},
    {"mi", "-8388608"},
    {"i", "-2147483648"},
    {"iu", "4294967295"},
    {"bi", "-9223372036854775808"},
    {"ub", "18446744073709551615"},
    {"d", "12345678901234567890.0123456789"},
    {"f", "1.5"},
    {"db", "0.1"},
    {"b1", "true"},
    {"b8", "255"},
    {"dt", "\"2024-02-29\""},
    {"dtt", "\"2024-02-29T13:14:15.123456\""},
    {"ts", "\"2024-03-01T01:02:03.456\""},
    {"tm", "\"-838:59:59\""},
    {"tm3", "\"12:34:56.789\""},
    {"y", "2024"},
    {"c", "\"ab\""},
    {"vc", "\"h\xC3\xA9llo \xE2\x82\xAC\""},
    {"tx", "\"\xC3\xBCn\xC3\xAF \xE2\x98\x83\""},
    {"bn", "\"AAEC\""},
    {"vb", "\"//4=\""},
    {"bl", "\"YmxvYg==\""},
    {"j", "\"{\\\"k\\\": [1, 2]}\""},
    {"e", "\"b\""},
    {"st", "\"x,y\""},
    {"n", "null"},
};

// The text between the outer brackets of a JSON array, without surrounding blanks.
std::string inner(const std::string& array)
{
    size_t open = array.find('[');
    size_t close = array.rfind(']');
    if (open == std::string::npos || close == std::string::npos || close < open)
    {
        return "<not an array: " + array + ">";
    }
    std::string s = array.substr(open + 1, close - open - 1);
    s.erase(0, s.find_first_not_of(" \n"));
    s.erase(s.find_last_not_of(" \n") + 1);
    return s;
}

bool valid_json(const std::string& text)
{
    Json j(json_loadb(text.data(), text.size(), JSON_DECODE_INT_AS_REAL, nullptr));
    return j != nullptr;
}

class QueryServiceTypes : public ::testing::Test
{
protected:
    void SetUp() override
    {
        root = primary_root();
        ASSERT_TRUE(root);
        ASSERT_TRUE(query(root.get(), "SET NAMES utf8mb4").ok);
        QueryResult q = query(root.get(), kTable);
        ASSERT_TRUE(q.ok) << q.message;
        q = query(root.get(), kRows);
        ASSERT_TRUE(q.ok) << q.message;
    }
    void TearDown() override { query(root.get(), "DROP TABLE IF EXISTS test.qs_types"); }

    QsGate g;
    MysqlPtr root;
};

}  // namespace

TEST_F(QueryServiceTypes, TextBinaryAndDeferredGiveTheSameJson)
{
    Http h = g.http();
    HttpResult text =
        post_form(h, {{"statement", "select * from test.qs_types where id > 0 order by id"}});
    ASSERT_EQ(text.code, 200) << text.body;
    EXPECT_TRUE(valid_json(text.body)) << text.body;
    EXPECT_NE(text.body.find("\"status\": \"success\""), std::string::npos) << text.body;
    std::string rows = results_text(text.body);
    ASSERT_FALSE(rows.empty()) << text.body;
    for (const auto& [col, value] : kRow1)
    {
        std::string want =
            "\"" + std::string(col) + "\":" + value + (std::string(col) == "n" ? "}" : ",");
        EXPECT_NE(rows.find(want), std::string::npos) << "expected " << want << " in " << rows;
        std::string null = "\"" + std::string(col) + "\":null";
        if (std::string(col) != "b1")
        {
            EXPECT_NE(rows.find(null, rows.find("\"id\":2")), std::string::npos)
                << "expected " << null << " in row 2: " << rows;
        }
    }
    EXPECT_NE(rows.find("\"id\":2,"), std::string::npos) << rows;
    EXPECT_NE(rows.find("\"b1\":false"), std::string::npos) << rows;

    // The same rows through a prepared statement (binary protocol).
    HttpResult binary = post_json(
        h, R"({"statement": "select * from test.qs_types where id > ? order by id", "args": [0]})");
    ASSERT_EQ(binary.code, 200) << binary.body;
    EXPECT_EQ(results_text(binary.body), rows);

    // And through a deferred result (the plain array of the result handle).
    HttpResult deferred =
        post_form(h, {{"statement", "select * from test.qs_types where id > 0 order by id"},
                      {"mode", "deferred"}});
    ASSERT_EQ(deferred.code, 200) << deferred.body;
    HttpResult stored = h.get(path_of(deferred.str("/handle")));
    ASSERT_EQ(stored.code, 200) << stored.body;
    EXPECT_TRUE(valid_json(stored.body)) << stored.body;
    EXPECT_EQ(inner(stored.body), inner(rows));
}

TEST_F(QueryServiceTypes, ExpressionsAndEdgeValues)
{
    Http h = g.http();
    // Edge values of the numeric and temporal types, each through both protocols.
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"cast(18446744073709551615 as unsigned)", "18446744073709551615"},
        {"cast(-9223372036854775808 as signed)", "-9223372036854775808"},
        {"cast(-0.0000000001 as decimal(30,10))", "-0.0000000001"},
        {"cast(12.5 as decimal(5,2))", "12.50"},
        {"cast(1.7976931348623157e308 as double)", "1.7976931348623157e308"},
        {"cast('2020-01-02 03:04:05' as datetime)", "\"2020-01-02T03:04:05\""},
        {"cast('2020-01-02' as date)", "\"2020-01-02\""},
        {"cast('-00:00:01' as time)", "\"-00:00:01\""},
        {"x'00ff'", "\"AP8=\""},
        {"b'1'", "\"AQ==\""},
        {"'tab\\there \"q\" back\\\\slash'", "\"tab\\there \\\"q\\\" back\\\\slash\""},
        {"json_object('a', 1)", "\"{\\\"a\\\": 1}\""},
        {"null", "null"},
    };
    for (const auto& [expr, want] : cases)
    {
        HttpResult plain = post_form(h, {{"statement", "select " + expr + " as v"}});
        EXPECT_EQ(results_text(plain.body), "[{\"v\":" + want + "}]") << expr << ": " << plain.body;
        Json body(json_pack("{s:s, s:[i]}", "statement",
                            ("select " + expr + " as v where ?").c_str(), "args", 1));
        char* text = json_dumps(body.get(), 0);
        HttpResult prepared = post_json(h, text);
        free(text);
        EXPECT_EQ(results_text(prepared.body), results_text(plain.body))
            << expr << " (prepared): " << prepared.body;
    }
}

// Characters outside the Basic Multilingual Plane (4-byte UTF-8, e.g. emoji) in a utf8mb4
// column. DISABLED: fails until the HTTP sessions use utf8mb4 (httpsql's SqlClient::open()
// leaves SessionData::charset at 0x21 = utf8mb3_general_ci, so the server sends '?').
TEST_F(QueryServiceTypes, FourByteUtf8)
{
    Http h = g.http();
    ASSERT_TRUE(
        query(root.get(), "UPDATE test.qs_types SET tx = 'emoji \xF0\x9F\x98\x80' WHERE id = 1")
            .ok);
    HttpResult r = post_form(h, {{"statement", "select tx from test.qs_types where id = 1"}});
    EXPECT_EQ(results_text(r.body), "[{\"tx\":\"emoji \xF0\x9F\x98\x80\"}]") << r.body;
    r = post_json(h, "{\"statement\": \"select ? as e\", \"args\": [\"\xF0\x9F\x98\x80\"]}");
    EXPECT_EQ(results_text(r.body), "[{\"e\":\"\xF0\x9F\x98\x80\"}]") << r.body;
}
