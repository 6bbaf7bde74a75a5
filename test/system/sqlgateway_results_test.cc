// sqlgateway results: token paging (PAYLOAD, EOS, N-1 replay, bad tokens), nextResultUri
// per API version, NOT_READY, results of statements without rows, statements that run in
// submission order, configure-session.
#include <gtest/gtest.h>

#include "sqlgateway_gate.hh"

using namespace sqlgate::test;
using namespace sqlgate::test::gw;

namespace
{

size_t data_size(const HttpResult& r)
{
    return json_array_size(r.at("/results/data"));
}

}  // namespace

TEST(SqlGatewayResults, TokensPageReplayAndEnd)
{
    GwGate g("page_size=2\n");
    Client c(g.http());
    std::string sh = c.open();
    ASSERT_FALSE(sh.empty());
    std::string oh = c.submit_sql(sh, "select seq, concat('r', seq) from seq_1_to_5");
    ASSERT_EQ(c.wait_done(sh, oh), "FINISHED");
    std::string base = "/v2" + Client::op_path(sh, oh) + "/result/";

    std::vector<size_t> sizes;
    std::string all, page1;
    for (int token = 0; token < 3; ++token)
    {
        HttpResult r = c.fetch(sh, oh, std::to_string(token));
        ASSERT_EQ(r.code, 200) << r.body;
        EXPECT_EQ(r.str("/resultType"), "PAYLOAD") << r.body;
        EXPECT_EQ(r.at("/isQueryResult"), json_true()) << r.body;
        EXPECT_EQ(r.str("/resultKind"), "SUCCESS_WITH_CONTENT");
        EXPECT_EQ(r.str("/results/rowFormat"), "JSON");
        EXPECT_EQ(r.str("/results/columns/0/name"), "seq");
        EXPECT_EQ(r.str("/nextResultUri"), base + std::to_string(token + 1) + "?rowFormat=JSON");
        sizes.push_back(data_size(r));
        all += text(r.at("/results/data"));
        if (token == 1)
        {
            page1 = r.body;
            // N-1 replays the page just sent, identically.
            HttpResult again = c.fetch(sh, oh, "1");
            EXPECT_EQ(again.code, 200);
            EXPECT_EQ(again.body, r.body);
        }
    }
    EXPECT_EQ(sizes, (std::vector<size_t>{2, 2, 1}));
    EXPECT_EQ(all, R"([{"kind":"INSERT","fields":[1,"r1"]},{"kind":"INSERT","fields":[2,"r2"]}])"
                   R"([{"kind":"INSERT","fields":[3,"r3"]},{"kind":"INSERT","fields":[4,"r4"]}])"
                   R"([{"kind":"INSERT","fields":[5,"r5"]}])");

    // Token 3: the end, without a next URI; again for the same token.
    for (int i = 0; i < 2; ++i)
    {
        HttpResult r = c.fetch(sh, oh, "3");
        ASSERT_EQ(r.code, 200) << r.body;
        EXPECT_EQ(r.str("/resultType"), "EOS") << r.body;
        EXPECT_EQ(data_size(r), 0u) << r.body;
        EXPECT_FALSE(r.at("/nextResultUri")) << r.body;
    }
    // The last page still replays as N-1.
    HttpResult r = c.fetch(sh, oh, "2");
    EXPECT_EQ(r.code, 200);
    EXPECT_EQ(text(r.at("/results/data")), R"([{"kind":"INSERT","fields":[5,"r5"]}])");

    for (const std::string bad : {"0", "1", "4", "5", "1000", "99999999999999999999"})
    {
        r = c.fetch(sh, oh, bad);
        EXPECT_EQ(r.code, 400) << bad << ": " << r.body;
        EXPECT_NE(r.body.find("Expecting token to be"), std::string::npos) << r.body;
    }
    for (const std::string bad : {"x", "-1", "+3", "3x", "0x3", "%20"})
    {
        r = c.fetch(sh, oh, bad);
        EXPECT_EQ(r.code, 400) << bad << ": " << r.body;
        EXPECT_TRUE(r.at("/errors/0")) << r.body;
    }
    EXPECT_EQ(c.fetch(sh, oh, "3", "XML").code, 400);

    // The session goes on after a result that filled the pages it buffers.
    oh = c.submit_sql(sh, "select seq from seq_1_to_9");
    std::vector<Json> rows = c.rows(sh, oh);
    EXPECT_EQ(rows.size(), 9u);
    EXPECT_EQ(c.value(sh, "select 'after'"), "after");
}

TEST(SqlGatewayResults, NextResultUriFollowsTheVersion)
{
    GwGate g("page_size=1\n");
    struct Case
    {
        int version;
        std::string format;  // requested rowFormat ("" = none)
        std::string suffix;  // expected on nextResultUri
    };
    const std::vector<Case> cases = {
        {1, "", ""},
        {1, "PLAIN_TEXT", ""},
        {2, "JSON", "?rowFormat=JSON"},
        {2, "plain_text", "?rowFormat=PLAIN_TEXT"},
        {3, "PLAIN_TEXT", "?rowFormat=PLAIN_TEXT"},
        {3, "", "?rowFormat=JSON"},
        {0, "JSON", "?rowFormat=JSON"},
    };
    for (const Case& k : cases)
    {
        Client c(g.http(), k.version);
        std::string sh = c.open();
        ASSERT_FALSE(sh.empty());
        std::string oh = c.submit_sql(sh, "select 1 union all select 2");
        ASSERT_EQ(c.wait_done(sh, oh), "FINISHED");
        std::string base =
            "/v" + std::to_string(k.version ? k.version : 2) + Client::op_path(sh, oh) + "/result/";
        HttpResult r = c.fetch(sh, oh, "0", k.format);
        ASSERT_EQ(r.code, 200) << r.body;
        EXPECT_EQ(r.str("/nextResultUri"), base + "1" + k.suffix) << k.version << " " << k.format;
        // Following the URI as given works.
        r = c.http().get(r.str("/nextResultUri"));
        EXPECT_EQ(r.str("/resultType"), "PAYLOAD") << r.body;
        EXPECT_EQ(r.str("/nextResultUri"), base + "2" + k.suffix);
        r = c.http().get(r.str("/nextResultUri"));
        EXPECT_EQ(r.str("/resultType"), "EOS") << r.body;
    }
}

TEST(SqlGatewayResults, NotReadyWhileRunningThenPayload)
{
    GwGate g;
    MysqlPtr root = primary_root();
    ASSERT_TRUE(root);
    Client c(g.http());
    std::string sh = c.open();
    ASSERT_FALSE(sh.empty());
    std::string oh = c.submit_sql(sh, "select sleep(5) as gw_not_ready");
    HttpResult r = c.fetch(sh, oh, "0");
    ASSERT_EQ(r.code, 200) << r.body;
    EXPECT_EQ(r.str("/resultType"), "NOT_READY") << r.body;
    EXPECT_EQ(r.str("/nextResultUri"),
              "/v2" + Client::op_path(sh, oh) + "/result/0?rowFormat=JSON");
    EXPECT_FALSE(r.at("/results")) << r.body;
    EXPECT_EQ(json_object_size(r.json.get()), 2u) << r.body;
    // While the backend runs it, it is RUNNING; and the status call answers while the
    // statement still runs there (it does not wait for it).
    ASSERT_TRUE(eventually(
        [&] { return backend_queries(root.get(), "%sleep(5) as gw_not_ready%") == 1; }, 5s));
    EXPECT_EQ(c.status(sh, oh), "RUNNING");
    EXPECT_EQ(backend_queries(root.get(), "%sleep(5) as gw_not_ready%"), 1)
        << "the status call waited for the statement";

    EXPECT_EQ(c.wait_done(sh, oh), "FINISHED");
    r = c.fetch(sh, oh, "0");
    EXPECT_EQ(r.str("/resultType"), "PAYLOAD") << r.body;
    EXPECT_EQ(text(r.at("/results/data")), R"([{"kind":"INSERT","fields":[0]}])");
    EXPECT_EQ(c.fetch(sh, oh, "1").str("/resultType"), "EOS");
}

TEST(SqlGatewayResults, StatementsWithoutRowsAnswerOk)
{
    GwGate g;
    Client c(g.http());
    std::string sh = c.open();
    ASSERT_FALSE(sh.empty());
    for (const std::string sql :
         {"create or replace table gw_ok (id int auto_increment primary key, a int)",
          "insert into gw_ok (a) values (1), (2)", "update gw_ok set a = a + 1", "set @y = 5",
          "use test", "delete from gw_ok where a = 3", "do 1"})
    {
        std::string oh = c.submit_sql(sh, sql);
        EXPECT_EQ(c.wait_done(sh, oh), "FINISHED") << sql;
        HttpResult r = c.fetch(sh, oh, "0");
        ASSERT_EQ(r.code, 200) << sql << ": " << r.body;
        EXPECT_EQ(r.str("/resultType"), "PAYLOAD") << r.body;
        EXPECT_EQ(r.at("/isQueryResult"), json_false()) << r.body;
        EXPECT_EQ(r.str("/resultKind"), "SUCCESS") << r.body;
        EXPECT_EQ(json_array_size(r.at("/results/columns")), 1u) << r.body;
        EXPECT_EQ(r.str("/results/columns/0/name"), "result");
        EXPECT_EQ(r.str("/results/columns/0/logicalType/type"), "VARCHAR") << r.body;
        EXPECT_EQ(text(r.at("/results/data")), R"([{"kind":"INSERT","fields":["OK"]}])");
        r = c.fetch(sh, oh, "1");
        EXPECT_EQ(r.str("/resultType"), "EOS") << r.body;
        EXPECT_EQ(r.at("/isQueryResult"), json_false()) << r.body;
    }
    EXPECT_EQ(c.value(sh, "select group_concat(a order by id) from gw_ok"), "2");
}

TEST(SqlGatewayResults, StatementsRunInSubmissionOrder)
{
    GwGate g;
    Client c(g.http());
    std::string sh = c.open();
    ASSERT_FALSE(sh.empty());
    // Nothing is awaited between the submissions.
    std::vector<std::string> ops;
    ops.push_back(c.submit_sql(sh,
                               "create or replace table gw_order "
                               "(id int auto_increment primary key, a int)"));
    ops.push_back(c.submit_sql(sh, "insert into gw_order (a) select sleep(0.3)"));
    for (int i = 1; i <= 10; ++i)
    {
        ops.push_back(
            c.submit_sql(sh, "insert into gw_order (a) values (" + std::to_string(i) + ")"));
    }
    std::string last = c.submit_sql(sh, "select group_concat(a order by id) from gw_order");
    // Later operations wait for the earlier ones.
    EXPECT_EQ(c.status(sh, ops.back()), "PENDING");
    std::vector<Json> rows = c.rows(sh, last);
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(text(rows[0].get()), R"(["0,1,2,3,4,5,6,7,8,9,10"])");
    for (const std::string& oh : ops)
    {
        EXPECT_EQ(c.status(sh, oh), "FINISHED");
    }
}

TEST(SqlGatewayResults, ConfigureSession)
{
    GwGate g;
    MysqlPtr root = primary_root();
    ASSERT_TRUE(root);
    ASSERT_TRUE(query(root.get(), "CREATE OR REPLACE TABLE test.gw_conf (a INT)").ok);
    ASSERT_TRUE(query(root.get(), "INSERT INTO test.gw_conf VALUES (7)").ok);
    Client c(g.http());
    std::string sh = c.open("{}");
    ASSERT_FALSE(sh.empty());
    for (const std::string route : {"/configure-session", "/configure_session"})
    {
        HttpResult r = c.post("/sessions/" + sh + route, statement("SET @x = 1"));
        EXPECT_EQ(r.code, 200) << route << ": " << r.body;
        EXPECT_EQ(r.body.find("{}"), 0u) << r.body;
    }
    HttpResult r = c.post("/sessions/" + sh + "/configure-session", statement("USE test"));
    EXPECT_EQ(r.code, 200) << r.body;
    EXPECT_EQ(c.value(sh, "select @x"), "1");
    EXPECT_EQ(c.value(sh, "select a from gw_conf"), "7");

    r = c.post("/sessions/" + sh + "/configure-session", statement("SET @x = = 2"));
    EXPECT_GE(r.code, 400) << r.body;
    EXPECT_LT(r.code, 600) << r.body;
    EXPECT_NE(r.body.find("You have an error in your SQL syntax"), std::string::npos) << r.body;
    r = c.post("/sessions/" + sh + "/configure-session", statement("USE gw_nosuch_db"));
    EXPECT_GE(r.code, 400) << r.body;
    EXPECT_NE(r.body.find("gw_nosuch_db"), std::string::npos) << r.body;
    EXPECT_EQ(c.post("/sessions/" + sh + "/configure-session", "{}").code, 400);
    // The failed ones changed nothing.
    EXPECT_EQ(c.value(sh, "select @x"), "1");
    EXPECT_EQ(c.value(sh, "select database()"), "test");
}
