// regexfilter in a session's chain (Session::start_routing() with a mock router and
// client): commands are rewritten on their way to the router, other commands and every
// reply pass unchanged, and its place in the chain is the configured one.
#include <gtest/gtest.h>

#include "mocks/chain.hh"
#include "mocks/loop.hh"
#include "mocks/protocol.hh"
#include "regexfilter.hh"
#include "sqlgate/mariadb.hh"
#include "sqlgate/session.hh"

namespace sqlgate::regexfilter
{
namespace
{

namespace db = sqlgate::mariadb;
using mocks::command;
using mocks::reply_to;

class RegexChainTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        service->name = "svc";
        service->router = router;
    }
    void TearDown() override { w.close_sessions(); }

    void add_regex(const std::string& match, const std::string& replace)
    {
        ObjectConfig cfg;
        std::vector<std::string> errors;
        ASSERT_TRUE(build_object("test.cnf", "Regex", 1,
                                 {{"match", match, 1}, {"replace", replace, 2}}, {&spec()}, cfg,
                                 errors));
        std::string error;
        auto def = std::make_shared<FilterDef>();
        def->name = "Regex";
        def->instance = RegexFilter::create(cfg, error);
        ASSERT_NE(def->instance, nullptr) << error;
        service->filters.push_back(def);
    }
    void add_marker(const std::string& name)
    {
        auto def = std::make_shared<FilterDef>();
        def->name = name;
        def->instance = std::make_shared<mocks::MockFilter>(name, &log);
        service->filters.push_back(def);
    }
    Session* start()
    {
        auto* s = new Session(1, w.worker(), service, protocol, "listener");
        s->set_user("alice");
        s->attach_detached_client(std::make_unique<mocks::MockClient>(*s));
        w.add_session(s);
        EXPECT_TRUE(s->start_routing());
        return s;
    }
    std::string routed_sql(size_t i = 0)
    {
        return db::get_sql(Buffer::copy_of(router->sessions[0]->packets.at(i)));
    }

    mocks::TestWorker w;
    mocks::Log log;
    std::shared_ptr<mocks::MockRouter> router = std::make_shared<mocks::MockRouter>();
    std::shared_ptr<mocks::MockProtocol> protocol = std::make_shared<mocks::MockProtocol>();
    std::shared_ptr<Service> service = std::make_shared<Service>();
};

TEST_F(RegexChainTest, QueriesAreRewrittenOnTheWayAndRepliesPassUnchanged)
{
    add_regex("wrong_table", "t1");
    Session* s = start();
    ASSERT_TRUE(s->route_query(command("SELECT * FROM wrong_table")));
    EXPECT_EQ(router->sessions[0]->packets[0], command("SELECT * FROM t1").to_string());

    std::string reply = db::make_ok(1, 0, 0, db::srv::AUTOCOMMIT, 0, "wrong_table").to_string();
    ASSERT_TRUE(router->sessions[0]->reply(reply, reply_to(db::COM_QUERY, true)));
    auto* client = static_cast<mocks::MockClient*>(s->client());
    EXPECT_EQ(client->data, std::vector<std::string>{reply}) << "replies are not rewritten";
}

TEST_F(RegexChainTest, OtherCommandsPassUnchanged)
{
    add_regex("test", "prod");
    Session* s = start();
    std::string init_db = command("test", db::COM_INIT_DB).to_string();
    std::string ping = command("", db::COM_PING).to_string();
    ASSERT_TRUE(s->route_query(Buffer::copy_of(init_db)));
    ASSERT_TRUE(s->route_query(Buffer::copy_of(ping)));
    EXPECT_EQ(router->sessions[0]->packets, (std::vector<std::string>{init_db, ping}));
}

TEST_F(RegexChainTest, ItsPlaceInTheChainIsTheConfiguredOne)
{
    add_marker("before");
    add_regex("before\\*/", "rewritten*/");
    add_marker("after");
    Session* s = start();
    ASSERT_TRUE(s->route_query(command("SELECT 1")));
    EXPECT_EQ(routed_sql(), "SELECT 1 /*rewritten*/ /*after*/")
        << "the regex saw the first marker's text, not the second's";
}

}  // namespace
}  // namespace sqlgate::regexfilter
