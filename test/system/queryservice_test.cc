// The queryservice listener (AsterixDB's /query/service over MariaDB SQL) against the real
// sqlgate and the shared cluster: the seeds' sample exchanges (immediate, deferred, async),
// form, JSON and GET requests, result handles and their limits, and parameter binding.
#include <gtest/gtest.h>

#include <regex>
#include <thread>

#include "queryservice_gate.hh"

using namespace sqlgate::test;

namespace
{

const std::regex kUuid("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
const std::regex kDuration("^[0-9]+(\\.[0-9]+)?(ns|us|ms|s|m|h)$");

// The response's "results" equal @c expected (JSON text).
::testing::AssertionResult results_are(const HttpResult& r, const char* expected)
{
    Json want(json_loads(expected, JSON_DECODE_ANY, nullptr));
    if (!want)
    {
        return ::testing::AssertionFailure() << "bad expectation " << expected;
    }
    if (!json_equal(want.get(), r.at("/results")))
    {
        return ::testing::AssertionFailure()
               << "results are not " << expected << "\nHTTP " << r.code << ": " << r.body;
    }
    return ::testing::AssertionSuccess();
}

std::string escape(const std::string& s)
{
    std::string f = form({{"x", s}});
    return f.substr(2);
}

}  // namespace

// Seed 001: curl --data-urlencode "statement=select 1;" --data pretty=true
// --data client_context_id=xyz .../query/service. MariaDB names the column "1" where
// AsterixDB says "$1" (documented in docs/query-service.md).
TEST(QueryServiceApi, ImmediateSeedSample)
{
    QsGate g;
    Http h = g.http();
    HttpResult r = post_form(
        h, {{"statement", "select 1;"}, {"pretty", "true"}, {"client_context_id", "xyz"}});
    ASSERT_EQ(r.code, 200) << r.body;
    ASSERT_TRUE(r.json) << "not JSON: " << r.body;
    EXPECT_EQ(r.headers["transfer-encoding"], "chunked");
    EXPECT_EQ(r.headers["content-type"].rfind("application/json", 0), 0u);
    EXPECT_TRUE(std::regex_match(r.str("/requestID"), kUuid)) << r.str("/requestID");
    EXPECT_EQ(r.str("/clientContextID"), "xyz");
    EXPECT_EQ(r.str("/signature"), "*");
    EXPECT_TRUE(results_are(r, R"([{"1": 1}])"));
    EXPECT_EQ(r.str("/status"), "success");
    EXPECT_EQ(r.at("/errors"), nullptr);
    EXPECT_TRUE(std::regex_match(r.str("/metrics/elapsedTime"), kDuration)) << r.body;
    EXPECT_TRUE(std::regex_match(r.str("/metrics/executionTime"), kDuration)) << r.body;
    EXPECT_EQ(r.num("/metrics/resultCount"), 1);
    EXPECT_GT(r.num("/metrics/resultSize"), 0);
    EXPECT_EQ(r.num("/metrics/errorCount"), 0);
    EXPECT_EQ(r.num("/metrics/warningCount"), 0);
    EXPECT_NE(r.body.find("\n    \"requestID\": "), std::string::npos) << "not pretty: " << r.body;

    // Every request gets its own ID; without client_context_id there is no clientContextID.
    HttpResult again = post_form(h, {{"statement", "select 1;"}});
    EXPECT_EQ(again.code, 200);
    EXPECT_TRUE(std::regex_match(again.str("/requestID"), kUuid));
    EXPECT_NE(again.str("/requestID"), r.str("/requestID"));
    EXPECT_EQ(again.at("/clientContextID"), nullptr) << again.body;
    EXPECT_EQ(again.body.find("\n  "), std::string::npos) << "pretty by default: " << again.body;
}

TEST(QueryServiceApi, JsonBodyGetAndStatementKinds)
{
    QsGate g;
    Http h = g.http();
    HttpResult r = post_json(
        h,
        R"({"statement": "select 1 as one, 'a' as s", "client_context_id": "j1", "pretty": true})");
    ASSERT_EQ(r.code, 200) << r.body;
    EXPECT_TRUE(results_are(r, R"([{"one": 1, "s": "a"}])"));
    EXPECT_EQ(r.str("/clientContextID"), "j1");
    EXPECT_NE(r.body.find("\n    "), std::string::npos) << "JSON true for pretty: " << r.body;

    // GET is read-only.
    r = h.get("/query/service?statement=" + escape("select 2 as two"));
    ASSERT_EQ(r.code, 200) << r.body;
    EXPECT_TRUE(results_are(r, R"([{"two": 2}])"));
    r = h.get("/query/service?statement=" + escape("create table x(a int)"));
    EXPECT_EQ(r.code, 400) << r.body;
    EXPECT_EQ(r.str("/status"), "fatal");
    EXPECT_NE(r.str("/errors/0/msg").find("read-only"), std::string::npos) << r.body;
    r = post_form(h,
                  {{"statement", "insert into test.qs_nosuch values (1)"}, {"readonly", "true"}});
    EXPECT_EQ(r.code, 400) << r.body;

    // Several statements: the rows of every result set; a warning is counted.
    r = post_form(h, {{"statement", "select 1 as a; select 2 as b"}});
    EXPECT_TRUE(results_are(r, R"([{"a": 1}, {"b": 2}])"));
    EXPECT_EQ(r.num("/metrics/resultCount"), 2);
    r = post_form(h, {{"statement", "select 1/0 as q"}});
    EXPECT_TRUE(results_are(r, R"([{"q": null}])"));
    EXPECT_EQ(r.num("/metrics/warningCount"), 1) << r.body;

    // Statements without a result set: success, no results.
    r = post_form(h, {{"statement",
                       "create or replace table test.qs_api(a int); insert into test.qs_api "
                       "values (1), (2); drop table test.qs_api"}});
    EXPECT_EQ(r.code, 200) << r.body;
    EXPECT_EQ(r.str("/status"), "success") << r.body;
    EXPECT_EQ(r.at("/results"), nullptr) << r.body;

    // Two columns of the same name get AsterixDB's positional key.
    r = post_form(h, {{"statement", "select 1 as a, 2 as a"}});
    EXPECT_TRUE(results_are(r, R"([{"a": 1, "$2": 2}])"));
}

// Seed 001/002: deferred → result handle; the result is a plain JSON array.
TEST(QueryServiceHandles, DeferredResultReadsAndExpiry)
{
    QsGate g;
    Http h = g.http();
    auto deferred = [&](const Params& extra)
    {
        Params p = {{"statement", "select 1;"}, {"mode", "deferred"}};
        p.insert(p.end(), extra.begin(), extra.end());
        HttpResult r = post_form(h, p);
        EXPECT_EQ(r.code, 200) << r.body;
        EXPECT_EQ(r.str("/status"), "success") << r.body;
        EXPECT_EQ(r.at("/results"), nullptr) << r.body;
        std::string url = r.str("/handle");
        EXPECT_EQ(
            url.rfind("http://127.0.0.1:" + std::to_string(g.qs) + "/query/service/result/", 0), 0u)
            << r.body;
        return path_of(url);
    };

    std::string path = deferred({});
    HttpResult r = h.get(path);
    ASSERT_EQ(r.code, 200) << r.body;
    EXPECT_TRUE(json_is_array(r.json.get())) << r.body;
    EXPECT_EQ(r.headers["content-type"].rfind("application/json", 0), 0u);
    Json want(json_loads(R"([{"1": 1}])", 0, nullptr));
    EXPECT_TRUE(json_equal(want.get(), r.json.get())) << r.body;
    // max-result-reads defaults to 1.
    r = h.get(path);
    EXPECT_EQ(r.code, 404) << r.body;
    EXPECT_FALSE(r.str("/errors/0/msg").empty()) << r.body;

    path = deferred({{"max-result-reads", "2"}});
    EXPECT_EQ(h.get(path).code, 200);
    EXPECT_EQ(h.get(path).code, 200);
    EXPECT_EQ(h.get(path).code, 404);

    // Another user neither reads nor uses up the result; its owner still can.
    path = deferred({});
    Http other = g.http("sqlgate", "sqlgate_pw");
    EXPECT_EQ(other.get(path).code, 404);
    EXPECT_EQ(other.get(path).code, 404);
    EXPECT_EQ(other.request("DELETE", path).code, 404);
    EXPECT_EQ(h.get(path).code, 200);

    path = deferred({});
    EXPECT_EQ(h.request("DELETE", path).code, 202);
    EXPECT_EQ(h.get(path).code, 404);

    path = deferred({{"result-ttl", "1s"}, {"max-result-reads", "5"}});
    std::this_thread::sleep_for(1500ms);
    EXPECT_EQ(h.get(path).code, 404);
}

// Seed 002: async → "running" + status handle → "success" + result handle → array.
TEST(QueryServiceHandles, AsyncStatusThenResult)
{
    QsGate g;
    Http h = g.http();
    HttpResult r = post_form(h, {{"statement", "select sleep(1) as s, 'done' as t"},
                                 {"mode", "async"},
                                 {"client_context_id", "a1"}});
    ASSERT_EQ(r.code, 200) << r.body;
    EXPECT_LT(r.body.size(), 1000u);
    EXPECT_EQ(r.str("/status"), "running") << r.body;
    EXPECT_TRUE(std::regex_match(r.str("/requestID"), kUuid));
    std::string status_url = r.str("/handle");
    ASSERT_NE(status_url.find("/query/service/status/"), std::string::npos) << r.body;
    std::string status = path_of(status_url);

    r = h.get(status);
    ASSERT_EQ(r.code, 200) << r.body;
    EXPECT_EQ(r.str("/status"), "running") << r.body;
    EXPECT_EQ(g.http("sqlgate", "sqlgate_pw").get(status).code, 404);

    EXPECT_TRUE(eventually([&] { return h.get(status).str("/status") == "success"; }, 5s));
    r = h.get(status);
    EXPECT_EQ(r.str("/status"), "success");
    std::string result_url = r.str("/handle");
    ASSERT_NE(result_url.find("/query/service/result/"), std::string::npos) << r.body;
    r = h.get(path_of(result_url));
    ASSERT_EQ(r.code, 200) << r.body;
    Json want(json_loads(R"([{"s": 0, "t": "done"}])", 0, nullptr));
    EXPECT_TRUE(json_equal(want.get(), r.json.get())) << r.body;
    EXPECT_EQ(h.get(path_of(result_url)).code, 404);

    // A failing statement: status "fatal" with the error, and no result.
    r = post_form(h, {{"statement", "select * from test.qs_nosuch_table"}, {"mode", "async"}});
    ASSERT_EQ(r.code, 200) << r.body;
    status = path_of(r.str("/handle"));
    std::string final_status;
    EXPECT_TRUE(eventually(
        [&]
        {
            r = h.get(status);
            final_status = r.str("/status");
            return final_status != "running";
        },
        5s));
    EXPECT_EQ(final_status, "fatal") << r.body;
    EXPECT_EQ(r.num("/errors/0/code"), 1146) << r.body;
    EXPECT_EQ(r.at("/handle"), nullptr) << r.body;
}

TEST(QueryServiceArgs, PositionalAndNamedParametersAreBound)
{
    QsGate g;
    Http h = g.http();
    MysqlPtr root = primary_root();
    ASSERT_TRUE(root);
    ASSERT_TRUE(
        query(root.get(), "CREATE OR REPLACE TABLE test.qs_victim(id INT, name VARCHAR(20))").ok);
    ASSERT_TRUE(query(root.get(), "INSERT INTO test.qs_victim VALUES (1, 'a'), (2, 'b')").ok);

    HttpResult r = post_json(h, R"({"statement": "select ? + 1 as a", "args": [41]})");
    ASSERT_EQ(r.code, 200) << r.body;
    EXPECT_TRUE(results_are(r, R"([{"a": 42}])"));
    r = post_form(h, {{"statement", "select ? + 1 as a"}, {"args", "[41]"}});
    EXPECT_TRUE(results_are(r, R"([{"a": 42}])"));

    r = post_json(h, R"({"statement": "select $x as x, $y as y, $x as again",
                         "$x": "hello", "$y": "wörld"})");
    EXPECT_TRUE(results_are(r, R"([{"x": "hello", "y": "wörld", "again": "hello"}])"));
    r = post_form(h, {{"statement", "select $x as x"}, {"$x", "\"str\""}});
    EXPECT_TRUE(results_are(r, R"([{"x": "str"}])"));

    // NULL, booleans (MariaDB has no BOOLEAN: TINYINT 1/0), a JSON object and an array
    // (bound as their JSON text), big integers and a double.
    r = post_json(h,
                  R"({"statement": "select ? as n, ? as t, ? as f, ? as o, ? as l, ? as b, ? as d",
                         "args": [null, true, false, {"k": [1, 2]}, [1, "a"],
                                  -9223372036854775808, 1.5]})");
    EXPECT_TRUE(
        results_are(r, R"([{"n": null, "t": 1, "f": 0, "o": "{\"k\":[1,2]}", "l": "[1,\"a\"]",
               "b": -9223372036854775808, "d": 1.5}])"));

    // Values that would change the statement if they were spliced into it come back verbatim.
    const char* evil = "x'; DROP TABLE test.qs_victim; -- ? $x \\' \"";
    Json args(json_pack("{s:s, s:[s]}", "statement", "select ? as s", "args", evil));
    char* body = json_dumps(args.get(), 0);
    r = post_json(h, body);
    free(body);
    ASSERT_EQ(r.code, 200) << r.body;
    EXPECT_EQ(r.str("/results/0/s"), evil) << r.body;
    r = post_json(h, R"({"statement": "select count(*) as c from test.qs_victim where name = $n",
                         "$n": "' OR '1'='1"})");
    EXPECT_TRUE(results_are(r, R"([{"c": 0}])"));
    r = post_json(h,
                  R"({"statement": "select name from test.qs_victim where id = ?", "args": [2]})");
    EXPECT_TRUE(results_are(r, R"([{"name": "b"}])"));
    EXPECT_EQ(query(root.get(), "SELECT COUNT(*) FROM test.qs_victim").value(), "2");

    // Markers inside literals, comments and quoted names are not parameters.
    r = post_json(h,
                  R"({"statement": "select '?' as q, '$x' as d, ? as `?` /* ? */", "args": [1]})");
    EXPECT_TRUE(results_are(r, R"([{"q": "?", "d": "$x", "?": 1}])"));

    // Wrong counts and missing names: 400 with a message.
    for (const char* bad : {R"({"statement": "select ? as a, ? as b", "args": [1]})",
                            R"({"statement": "select ? as a", "args": [1, 2]})",
                            R"({"statement": "select 1 as a", "args": [1]})",
                            R"({"statement": "select $nope as a", "$x": 1})",
                            R"({"statement": "select ? as a", "args": {"0": 1}})"})
    {
        r = post_json(h, bad);
        EXPECT_EQ(r.code, 400) << bad << " -> " << r.body;
        EXPECT_EQ(r.str("/status"), "fatal") << r.body;
        EXPECT_FALSE(r.str("/errors/0/msg").empty()) << r.body;
    }
    r = post_json(h, R"({"statement": "select $nope as a", "$x": 1})");
    EXPECT_NE(r.str("/errors/0/msg").find("$nope"), std::string::npos) << r.body;
    r = post_form(h, {{"statement", "select $x as x"}, {"$x", "unquoted"}});
    EXPECT_EQ(r.code, 400) << r.body;
    EXPECT_NE(r.str("/errors/0/msg").find("quoted"), std::string::npos) << r.body;

    query(root.get(), "DROP TABLE test.qs_victim");
}
