// Unit tests of regexfilter: a RegexSession in front of a fake downstream that
// records the commands it receives.
#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>
#include <sstream>

#include "mocks/chain.hh"
#include "regexfilter.hh"
#include "sqlgate/mariadb.hh"
#include "sqlgate/service.hh"
#include "sqlgate/session.hh"
#include "sqlgate/worker.hh"

namespace sqlgate::regexfilter
{
namespace
{

namespace db = sqlgate::mariadb;

using Down = mocks::RecordingDownstream;
using Up = mocks::RecordingUpstream;

using mocks::command;

class RegexTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        auto svc = std::make_shared<Service>();
        svc->name = "svc";
        m_service = svc;
    }

    bool make_filter(std::vector<RawParam> params, std::string* error_out = nullptr)
    {
        ObjectConfig cfg;
        std::vector<std::string> errors;
        if (!build_object("test.cnf", "Regex", 1, params, {&spec()}, cfg, errors))
        {
            if (error_out)
            {
                *error_out = errors.empty() ? "" : errors[0];
            }
            return false;
        }
        std::string error;
        m_filter = RegexFilter::create(cfg, error);
        if (error_out)
        {
            *error_out = error;
        }
        return m_filter != nullptr;
    }

    /// Route one command through a session of @c user; returns what went down.
    std::string route(Buffer&& packet, const std::string& user = "alice")
    {
        Session s(1, m_worker, m_service, nullptr, "listener");
        s.set_user(user);
        auto fs = m_filter->new_session(s);
        fs->set_neighbours(&m_down, &m_up);
        EXPECT_TRUE(fs->route_query(std::move(packet)));
        fs.reset();
        return m_down.packets.empty() ? "" : m_down.packets.back();
    }
    /// The SQL text of what went down for @c sql.
    std::string rewritten(std::string_view sql, uint8_t cmd = db::COM_QUERY)
    {
        Buffer out = Buffer::copy_of(route(command(sql, cmd)));
        return db::get_sql(out);
    }

    Worker m_worker{0};
    ServicePtr m_service;
    std::unique_ptr<RegexFilter> m_filter;
    Down m_down;
    Up m_up;
};

TEST_F(RegexTest, ReplacesEveryMatchWithCaptureGroups)
{
    ASSERT_TRUE(make_filter({{"match", "(\\w+)_OLD\\b", 1}, {"replace", "$1_new", 2}}));
    EXPECT_EQ(rewritten("select * from t_old join u_old using (id)"),
              "select * from t_new join u_new using (id)")
        << "ignorecase is the default and matching is global";
    EXPECT_EQ(m_filter->replaced(), 1u);
}

TEST_F(RegexTest, RewrittenPacketKeepsCommandAndSequence)
{
    ASSERT_TRUE(make_filter({{"match", "wrong_table", 1}, {"replace", "t1", 2}}));
    std::string out = route(command("SELECT * FROM wrong_table", db::COM_QUERY, 0));
    EXPECT_EQ(out, command("SELECT * FROM t1", db::COM_QUERY, 0).to_string());
}

TEST_F(RegexTest, CaseOptionMakesMatchingCaseSensitive)
{
    ASSERT_TRUE(
        make_filter({{"match", "select", 1}, {"replace", "SELECT", 2}, {"options", "case", 3}}));
    EXPECT_EQ(rewritten("SELECT 1"), "SELECT 1");
    EXPECT_EQ(m_filter->replaced(), 0u);
    EXPECT_EQ(m_filter->unchanged(), 1u);
    EXPECT_EQ(rewritten("select 1"), "SELECT 1");
}

TEST_F(RegexTest, ExtendedOptionIgnoresPatternWhitespace)
{
    ASSERT_TRUE(make_filter({{"match", "t1 \\s+ AS", 1},
                             {"replace", "t2 AS", 2},
                             {"options", "ignorecase,extended", 3}}));
    EXPECT_EQ(rewritten("select * from t1   as x"), "select * from t2 AS x");
}

TEST_F(RegexTest, NonMatchingStatementsPassUntouched)
{
    ASSERT_TRUE(make_filter({{"match", "nomatch_here", 1}, {"replace", "x", 2}}));
    Buffer in = command("SELECT 1", db::COM_QUERY, 0);
    std::string before = in.to_string();
    EXPECT_EQ(route(std::move(in)), before);
}

TEST_F(RegexTest, OtherCommandsPassUntouched)
{
    ASSERT_TRUE(make_filter({{"match", "test", 1}, {"replace", "prod", 2}}));
    for (uint8_t cmd : {db::COM_INIT_DB, db::COM_FIELD_LIST, db::COM_PING, db::COM_STMT_EXECUTE})
    {
        Buffer in = command("test", cmd);
        std::string before = in.to_string();
        EXPECT_EQ(route(std::move(in)), before) << db::command_name(cmd);
    }
    EXPECT_EQ(m_filter->replaced() + m_filter->unchanged(), 0u);
}

TEST_F(RegexTest, PreparedStatementsAreRewritten)
{
    ASSERT_TRUE(make_filter({{"match", "wrong_table", 1}, {"replace", "t1", 2}}));
    std::string out =
        route(command("SELECT * FROM wrong_table WHERE id = ?", db::COM_STMT_PREPARE));
    EXPECT_EQ(out, command("SELECT * FROM t1 WHERE id = ?", db::COM_STMT_PREPARE).to_string());
}

TEST_F(RegexTest, MultiByteText)
{
    ASSERT_TRUE(make_filter({{"match", "käse_(\\d)", 1}, {"replace", "fromage_$1 /* ☃ */", 2}}));
    EXPECT_EQ(rewritten("SELECT 'Grüße' FROM käse_1"), "SELECT 'Grüße' FROM fromage_1 /* ☃ */");
}

TEST_F(RegexTest, LargeStatements)
{
    ASSERT_TRUE(make_filter({{"match", "x{3}", 1}, {"replace", "yyyy", 2}}));
    // 20 KiB: larger than one buffer block; the result grows by a third.
    std::string sql = "SELECT '" + std::string(20 * 1024, 'x') + "'";
    std::string expect =
        "SELECT '" + std::string(20 * 1024 / 3 * 4, 'y') + std::string(20 * 1024 % 3, 'x') + "'";
    EXPECT_EQ(rewritten(sql), expect);

    // Over 16 MiB: the command is a packet train, and so is the result.
    std::string big = "SELECT '" + std::string(db::MAX_PAYLOAD + 100, 'a') + "' FROM xxx";
    std::string out = route(command(big));
    Buffer buf = Buffer::copy_of(out);
    EXPECT_EQ(db::get_sql(buf),
              "SELECT '" + std::string(db::MAX_PAYLOAD + 100, 'a') + "' FROM yyyy");
    EXPECT_EQ(db::payload_length(reinterpret_cast<const unsigned char*>(out.data())),
              db::MAX_PAYLOAD);
}

TEST_F(RegexTest, UserAndSourceLimitSessions)
{
    ASSERT_TRUE(make_filter({{"match", "t_old", 1}, {"replace", "t_new", 2}, {"user", "bob", 3}}));
    EXPECT_EQ(db::get_sql(Buffer::copy_of(route(command("SELECT * FROM t_old"), "alice"))),
              "SELECT * FROM t_old");
    EXPECT_EQ(db::get_sql(Buffer::copy_of(route(command("SELECT * FROM t_old"), "bob"))),
              "SELECT * FROM t_new");

    ASSERT_TRUE(
        make_filter({{"match", "t_old", 1}, {"replace", "t_new", 2}, {"source", "192.0.2.1", 3}}));
    EXPECT_EQ(rewritten("SELECT * FROM t_old"), "SELECT * FROM t_old")
        << "the session has no address";
}

TEST_F(RegexTest, LogFile)
{
    char tmpl[] = "/tmp/regexfilter_test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    std::string path = std::string(tmpl) + "/regex.log";
    ASSERT_TRUE(
        make_filter({{"match", "t_old", 1}, {"replace", "t_new", 2}, {"log_file", path, 3}}));
    rewritten("SELECT * FROM t_old");
    rewritten("SELECT 1");
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    EXPECT_EQ(ss.str(),
              "\nOpened regex filter log\n"
              "Matched t_old: [SELECT * FROM t_old] -> [SELECT * FROM t_new]\n"
              "No match t_old: [SELECT 1]\n");
    unlink(path.c_str());
    rmdir(tmpl);
}

TEST_F(RegexTest, QuotedReplacementKeepsSpaces)
{
    ASSERT_TRUE(make_filter({{"match", ";$", 1}, {"replace", "\" LIMIT 10\"", 2}}));
    EXPECT_EQ(rewritten("SELECT * FROM t;"), "SELECT * FROM t LIMIT 10");
}

TEST_F(RegexTest, ConfigurationErrors)
{
    std::string error;
    EXPECT_FALSE(make_filter({{"match", "a(b", 1}, {"replace", "x", 2}}, &error));
    EXPECT_NE(error.find("match"), std::string::npos) << error;
    EXPECT_FALSE(make_filter({{"match", "a(b)", 1}}, &error));
    EXPECT_NE(error.find("replace"), std::string::npos) << error;
    EXPECT_FALSE(make_filter({{"match", "a(b)", 1}, {"replace", "$2", 2}}, &error));
    EXPECT_NE(error.find("group 2"), std::string::npos) << error;
    EXPECT_TRUE(make_filter({{"match", "a(b)", 1}, {"replace", "$$1 ${1}", 2}}, &error)) << error;
    EXPECT_FALSE(make_filter(
        {{"match", "a", 1}, {"replace", "b", 2}, {"log_file", "/nonexistent/dir/x.log", 3}},
        &error));
    EXPECT_NE(error.find("log_file"), std::string::npos) << error;
}

}  // namespace
}  // namespace sqlgate::regexfilter
