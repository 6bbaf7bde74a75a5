// The sqlgateway listener (Apache Flink's SQL Gateway REST API over MariaDB SQL) against
// the real sqlgate and the shared cluster: versions and info, the session lifecycle with
// its properties, and how bad requests are answered.
#include <gtest/gtest.h>

#include <regex>

#include "sqlgateway_gate.hh"

using namespace sqlgate::test;
using namespace sqlgate::test::gw;

namespace
{

const std::regex kUuid("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");

bool mentions(const HttpResult& r, const std::string& text)
{
    return r.body.find(text) != std::string::npos;
}

}  // namespace

TEST(SqlGatewayApi, VersionsAndInfoOnEveryPrefix)
{
    GwGate g;
    Http h = g.http();
    for (const std::string prefix : {"", "/v1", "/v2", "/v3", "/V2"})
    {
        HttpResult r = h.get(prefix + "/api_versions");
        ASSERT_EQ(r.code, 200) << prefix << ": " << r.body;
        EXPECT_EQ(text(r.at("/versions")), R"(["V1","V2","V3"])") << prefix;
        EXPECT_EQ(r.headers["content-type"].rfind("application/json", 0), 0u);
        r = h.get(prefix + "/info");
        ASSERT_EQ(r.code, 200) << prefix << ": " << r.body;
        EXPECT_EQ(r.str("/productName"), "sqlgate") << r.body;
        EXPECT_FALSE(r.str("/version").empty()) << r.body;
    }
    // Without credentials too: these two describe the endpoint only.
    Http anonymous(g.gw, "", "");
    EXPECT_EQ(anonymous.get("/v1/info").code, 200);
    EXPECT_EQ(anonymous.get("/api_versions").code, 200);
    for (const std::string prefix : {"/v0", "/v4", "/v99", "/v99999999999"})
    {
        HttpResult r = h.get(prefix + "/info");
        EXPECT_EQ(r.code, 404) << prefix << ": " << r.body;
        EXPECT_TRUE(r.at("/errors/0")) << r.body;
        EXPECT_EQ(h.get(prefix + "/api_versions").code, 404) << prefix;
    }
    EXPECT_EQ(h.get("/v1/nosuch").code, 404);
    EXPECT_EQ(h.get("/v1/info/more").code, 404);
}

TEST(SqlGatewaySessions, PropertiesAppliedShownAndClosed)
{
    GwGate g;
    MysqlPtr root = primary_root();
    ASSERT_TRUE(root);
    ASSERT_TRUE(query(root.get(), "CREATE OR REPLACE TABLE test.gw_dflt (a INT)").ok);
    ASSERT_TRUE(query(root.get(), "INSERT INTO test.gw_dflt VALUES (1), (2), (3)").ok);

    Client c(g.http(), 1);
    std::string sh =
        c.open(R"({"properties":{"default-database":"test","max_statement_time":"30"},)"
               R"("sessionName":"x"})");
    ASSERT_FALSE(sh.empty());
    EXPECT_TRUE(std::regex_match(sh, kUuid)) << sh;
    // The variable is really set, and the table is found unqualified.
    EXPECT_EQ(c.value(sh, "select @@max_statement_time + 0"), "30.0");
    EXPECT_EQ(c.value(sh, "select count(*) from gw_dflt"), "3");
    EXPECT_EQ(c.value(sh, "select database()"), "test");

    HttpResult r = c.get("/sessions/" + sh);
    ASSERT_EQ(r.code, 200) << r.body;
    EXPECT_EQ(text(r.at("/properties")),
              R"({"default-database":"test","max_statement_time":"30"})");

    // Another session without them: the server's default, and no database.
    std::string other = c.open("{}");
    ASSERT_FALSE(other.empty());
    EXPECT_NE(other, sh);
    EXPECT_EQ(c.value(other, "select @@max_statement_time + 0"), "0.0");
    std::string oh = c.submit_sql(other, "select count(*) from gw_dflt");
    EXPECT_EQ(c.wait_done(other, oh), "ERROR");
    r = c.fetch(other, oh, "0", "");
    EXPECT_EQ(r.code, 500) << r.body;
    EXPECT_TRUE(mentions(r, "No database selected")) << r.body;
    EXPECT_EQ(text(c.get("/sessions/" + other).at("/properties")), "{}");

    r = c.post("/sessions/" + sh + "/heartbeat", "");
    EXPECT_EQ(r.code, 200) << r.body;
    EXPECT_EQ(r.body.find('{'), 0u) << r.body;

    r = c.del("/sessions/" + sh);
    ASSERT_EQ(r.code, 200) << r.body;
    EXPECT_EQ(r.str("/status"), "CLOSED") << r.body;
    for (const std::string& path :
         {"/sessions/" + sh, "/sessions/" + sh + "/heartbeat", "/sessions/" + sh + "/statements"})
    {
        r = path == "/sessions/" + sh ? c.get(path) : c.post(path, statement("select 1"));
        EXPECT_EQ(r.code, 404) << path << ": " << r.body;
        EXPECT_TRUE(mentions(r, sh)) << r.body;
        EXPECT_TRUE(mentions(r, "closed")) << r.body;
    }
    EXPECT_EQ(c.del("/sessions/" + sh).code, 404);
    // The other session is unaffected.
    EXPECT_EQ(c.value(other, "select 1 + 1"), "2");
}

TEST(SqlGatewaySessions, BadPropertiesAreRejected)
{
    GwGate g;
    Client c(g.http());
    HttpResult r = c.open_raw(R"({"properties":{"execution.runtime-mode":"batch"}})");
    EXPECT_EQ(r.code, 400) << r.body;
    EXPECT_TRUE(mentions(r, "execution.runtime-mode")) << r.body;

    r = c.open_raw(R"({"properties":{"nosuch":"1"}})");
    EXPECT_EQ(r.code, 400) << r.body;
    EXPECT_TRUE(mentions(r, "nosuch")) << r.body;
    EXPECT_TRUE(mentions(r, "Unknown system variable")) << r.body;

    r = c.open_raw(R"({"properties":{"default-database":"gw_nosuch_db"}})");
    EXPECT_EQ(r.code, 400) << r.body;
    EXPECT_TRUE(mentions(r, "gw_nosuch_db")) << r.body;

    // A value is bound, never pasted into SQL: an injection attempt is just a bad value.
    r = c.open_raw(R"js({"properties":{"max_statement_time":"1; select sleep(5)"}})js");
    EXPECT_EQ(r.code, 400) << r.body;
    r = c.open_raw(R"({"properties":{"max_statement_time=1,sql_mode":"x"}})");
    EXPECT_EQ(r.code, 400) << r.body;
    r = c.open_raw(R"({"properties":["a"]})");
    EXPECT_EQ(r.code, 400) << r.body;
    r = c.open_raw(R"({"sessionName":5})");
    EXPECT_EQ(r.code, 400) << r.body;

    // None of those left a session behind; a good one still opens.
    HttpResult sessions = g.rest().get("/v1/sessions");
    EXPECT_EQ(json_array_size(sessions.at("/data")), 0u) << sessions.body;
    std::string sh = c.open(R"({"properties":{"sql_mode":"ANSI_QUOTES"}})");
    ASSERT_FALSE(sh.empty());
    EXPECT_EQ(c.value(sh, "select @@sql_mode"), "ANSI_QUOTES");
}

TEST(SqlGatewayErrors, BadRequestsGetClearAnswers)
{
    GwGate g;
    Client c(g.http());
    std::string sh = c.open();
    ASSERT_FALSE(sh.empty());

    // A SQL error: the POST succeeds, the operation fails, the fetch says why.
    std::string oh = c.submit_sql(sh, "select nosuch_column from gw_nosuch_table");
    EXPECT_EQ(c.wait_done(sh, oh), "ERROR");
    HttpResult r = c.fetch(sh, oh, "0");
    EXPECT_EQ(r.code, 500) << r.body;
    EXPECT_TRUE(mentions(r, "gw_nosuch_table")) << r.body;
    EXPECT_TRUE(mentions(r, "1146")) << r.body;

    std::string stmts = "/sessions/" + sh + "/statements";
    r = c.post(stmts, "{\"statement\": ");
    EXPECT_EQ(r.code, 400) << r.body;
    EXPECT_TRUE(mentions(r, "invalid JSON")) << r.body;
    EXPECT_EQ(c.post(stmts, "[1]").code, 400);
    r = c.post(stmts, "{}");
    EXPECT_EQ(r.code, 400) << r.body;
    EXPECT_TRUE(mentions(r, "statement")) << r.body;
    EXPECT_EQ(c.post(stmts, R"({"statement":""})").code, 400);
    EXPECT_EQ(c.post(stmts, R"({"statement":5})").code, 400);
    EXPECT_EQ(c.post(stmts, "").code, 400);
    EXPECT_EQ(c.post(stmts, statement("select 1", R"("executionTimeout":"x")")).code, 400);
    EXPECT_EQ(c.post("/sessions", "not json").code, 400);

    // Unknown operation and session handles, malformed ones.
    std::string fake_oh = "00000000-0000-4000-8000-000000000001";
    r = c.get(Client::op_path(sh, fake_oh) + "/status");
    EXPECT_EQ(r.code, 404) << r.body;
    EXPECT_TRUE(mentions(r, fake_oh)) << r.body;
    EXPECT_EQ(c.fetch(sh, fake_oh, "0").code, 404);
    EXPECT_EQ(c.post(Client::op_path(sh, fake_oh) + "/cancel", "").code, 404);
    EXPECT_EQ(c.del(Client::op_path(sh, fake_oh) + "/close").code, 404);
    for (const std::string& bad : std::vector<std::string>{
             "00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-00000000ffff",
             "not-a-handle", "../" + sh, sh + "x", "00000000-0000-4000-8000-00000000000G"})
    {
        r = c.get("/sessions/" + bad);
        EXPECT_EQ(r.code, 404) << bad << ": " << r.body;
        // A handle with a path in it is no session route at all (the path is not resolved).
        std::string why = bad[0] == '.' ? "no such resource: /v2/sessions/" + bad
                                        : "Session '" + bad + "' does not exist.";
        EXPECT_TRUE(mentions(r, why)) << r.body;
        EXPECT_EQ(c.post("/sessions/" + bad + "/statements", statement("select 1")).code, 404);
    }

    // Authentication: none, a wrong password, another account (the session is not its).
    Client anonymous(Http(g.gw, "", ""));
    r = anonymous.get("/sessions/" + sh);
    EXPECT_EQ(r.code, 401) << r.body;
    EXPECT_TRUE(r.headers.count("www-authenticate")) << r.body;
    EXPECT_EQ(anonymous.open_raw("{}").code, 401);
    Client wrong(g.http("app", "wrong"));
    EXPECT_EQ(wrong.get("/sessions/" + sh).code, 401);
    EXPECT_EQ(wrong.open_raw("{}").code, 401);
    Client other(g.http("sqlgate", "sqlgate_pw"));
    r = other.get("/sessions/" + sh);
    EXPECT_EQ(r.code, 404) << r.body;

    // Wrong methods.
    r = c.get("/sessions");
    EXPECT_EQ(r.code, 405) << r.body;
    EXPECT_EQ(r.headers["allow"], "POST");
    EXPECT_EQ(c.http().request("POST", "/v1/info").code, 405);
    EXPECT_EQ(c.http().request("DELETE", "/api_versions").code, 405);
    EXPECT_EQ(c.post("/sessions/" + sh, "{}").code, 405);
    EXPECT_EQ(c.get("/sessions/" + sh + "/heartbeat").code, 405);
    EXPECT_EQ(c.get(stmts).code, 405);
    EXPECT_EQ(c.http().request("PUT", c.prefix() + "/sessions/" + sh).code, 405);

    // The session survived all of it.
    EXPECT_EQ(c.value(sh, "select 6 * 7"), "42");
}
