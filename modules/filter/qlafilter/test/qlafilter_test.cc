// Unit tests of qlafilter: a QlaSession between a fake downstream (records
// commands) and a fake upstream (records replies), writing to a temporary directory.
#include <gtest/gtest.h>

#include <dirent.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "mocks/chain.hh"
#include "qlafilter.hh"
#include "qlasession.hh"
#include "sqlgate/mariadb.hh"
#include "sqlgate/service.hh"
#include "sqlgate/session.hh"
#include "sqlgate/worker.hh"

namespace sqlgate::qlafilter
{
namespace
{

namespace db = sqlgate::mariadb;

using Down = mocks::RecordingDownstream;
using Up = mocks::RecordingUpstream;

std::string slurp(const std::string& path)
{
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::vector<std::string> lines_of(const std::string& text)
{
    std::vector<std::string> out;
    std::stringstream ss(text);
    std::string line;
    while (std::getline(ss, line))
    {
        out.push_back(line);
    }
    return out;
}

Buffer query(std::string_view sql, uint8_t cmd = db::COM_QUERY)
{
    return mocks::command(sql, cmd);
}

Reply ok_reply(uint64_t rows = 0, uint64_t bytes = 11)
{
    Reply r;
    r.command = db::COM_QUERY;
    r.complete = true;
    r.rows = rows;
    r.bytes = bytes;
    r.server = "server1";
    return r;
}

class QlaTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        char tmpl[] = "/tmp/qlafilter_test.XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        m_dir = tmpl;
        auto svc = std::make_shared<Service>();
        svc->name = "RW-Service";
        m_service = svc;
    }
    void TearDown() override
    {
        m_sessions.clear();
        m_filter.reset();
        std::string cmd = "rm -rf '" + m_dir + "'";
        ASSERT_EQ(system(cmd.c_str()), 0);
    }

    std::string base() const { return m_dir + "/qla"; }

    /// Build the filter from key=value pairs (filebase is added).
    bool make_filter(std::vector<RawParam> params, std::string* error_out = nullptr)
    {
        params.push_back(RawParam{"filebase", base(), 1});
        ObjectConfig cfg;
        std::vector<std::string> errors;
        if (!build_object("test.cnf", "QLA", 1, params, {&spec()}, cfg, errors))
        {
            if (error_out)
            {
                *error_out = errors.empty() ? "" : errors[0];
            }
            return false;
        }
        std::string error;
        m_filter = QlaFilter::create(cfg, error);
        if (error_out)
        {
            *error_out = error;
        }
        return m_filter != nullptr;
    }

    /// A session with its QLA filter session linked to m_down/m_up.
    QlaSession& open(uint64_t id = 42, const std::string& user = "alice")
    {
        auto s = std::make_unique<Session>(id, m_worker, m_service, nullptr, "listener");
        s->set_user(user);
        s->set_database("test");
        auto fs = m_filter->new_session(*s);
        fs->set_neighbours(&m_down, &m_up);
        auto* qs = static_cast<QlaSession*>(fs.get());
        m_sessions.push_back({std::move(s), std::move(fs)});
        return *qs;
    }
    void close_all() { m_sessions.clear(); }

    Worker m_worker{0};
    ServicePtr m_service;
    std::string m_dir;
    std::unique_ptr<QlaFilter> m_filter;
    struct Pair
    {
        std::unique_ptr<Session> session;
        std::unique_ptr<FilterSession> filter;  // destroyed first
    };
    std::vector<Pair> m_sessions;
    Down m_down;
    Up m_up;
};

const std::regex DATE("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d");

TEST_F(QlaTest, DefaultsWriteHeaderAndDateUserQuery)
{
    ASSERT_TRUE(make_filter({}));
    QlaSession& qs = open();
    ASSERT_TRUE(qs.route_query(query("SELECT 1")));
    ASSERT_TRUE(qs.client_reply(Buffer::copy_of("reply"), ok_reply(1)));
    close_all();

    auto lines = lines_of(slurp(base() + ".42"));
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0], "Date,User@Host,Query");
    std::smatch m;
    ASSERT_TRUE(std::regex_match(lines[1], m, std::regex("(.*),alice@,SELECT 1"))) << lines[1];
    EXPECT_TRUE(std::regex_match(m[1].str(), DATE)) << m[1];
    // Both directions passed through untouched.
    ASSERT_EQ(m_down.packets.size(), 1u);
    EXPECT_EQ(m_down.packets[0], query("SELECT 1").to_string());
    ASSERT_EQ(m_up.data.size(), 1u);
    EXPECT_EQ(m_up.data[0], "reply");
}

TEST_F(QlaTest, LineIsWrittenWhenTheReplyCompletes)
{
    ASSERT_TRUE(make_filter({{"flush", "true", 2}, {"log_data", "query,num_rows", 3}}));
    QlaSession& qs = open();
    qs.route_query(query("SELECT * FROM t"));
    EXPECT_EQ(slurp(base() + ".42"), "Query,Num_rows\n");
    Reply partial = ok_reply(2);
    partial.complete = false;
    qs.client_reply(Buffer::copy_of("part"), partial);
    EXPECT_EQ(slurp(base() + ".42"), "Query,Num_rows\n");
    qs.client_reply(Buffer::copy_of("end"), ok_reply(3));
    EXPECT_EQ(slurp(base() + ".42"), "Query,Num_rows\nSELECT * FROM t,3\n");
    EXPECT_EQ(qs.pending(), 0u);
}

TEST_F(QlaTest, AllFieldsInTheUnifiedFile)
{
    ASSERT_TRUE(make_filter(
        {{"log_type", "unified", 2},
         {"separator", "\"|\"", 3},
         {"log_data",
          "service,session,date,user,reply_time,total_reply_time,query,default_db,num_rows,"
          "reply_size,transaction,transaction_time,num_warnings,error_msg,server",
          4}}));
    QlaSession& qs = open(7);
    qs.route_query(query("SELECT a FROM t"));
    Reply r = ok_reply(5, 321);
    r.warnings = 2;
    qs.client_reply(Buffer::copy_of("x"), r);
    qs.route_query(query("SELEC oops"));
    Reply err = ok_reply(0, 40);
    err.is_error = true;
    err.error_code = 1064;
    err.error_message = "You have an error in your SQL syntax";
    qs.client_reply(Buffer::copy_of("x"), err);
    close_all();
    m_filter.reset();  // closes (and flushes) the unified file

    auto lines = lines_of(slurp(base() + ".unified"));
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(lines[0],
              "Service|Session|Date|User@Host|Reply_time|Total_reply_time|Query|Default_DB|"
              "Num_rows|Reply_size|Transaction|Transaction_time|Num_warnings|Error_msg|Server");
    std::regex line1(
        "RW-Service\\|7\\|[-0-9: ]+\\|alice@\\|\\d+\\|\\d+\\|SELECT a FROM t\\|test\\|5\\|321\\|"
        "\\|\\|2\\|\\|server1");
    EXPECT_TRUE(std::regex_match(lines[1], line1)) << lines[1];
    EXPECT_NE(lines[2].find("|SELEC oops|test|0|40|||0|You have an error in your SQL "
                            "syntax|server1"),
              std::string::npos)
        << lines[2];
    EXPECT_FALSE(std::ifstream(base() + ".7").good()) << "no session file for log_type=unified";
}

TEST_F(QlaTest, SessionAndUnifiedTogether)
{
    ASSERT_TRUE(make_filter({{"log_type", "session,unified", 2},
                             {"log_data", "session,user,query", 3},
                             {"flush", "true", 4}}));
    QlaSession& a = open(1, "alice");
    QlaSession& b = open(2, "bob");
    a.route_query(query("SELECT 'a'"));
    b.route_query(query("SELECT 'b'"));
    b.client_reply(Buffer::copy_of("x"), ok_reply());
    a.client_reply(Buffer::copy_of("x"), ok_reply());

    // Session files have no Session field (the id is in the name).
    EXPECT_EQ(slurp(base() + ".1"), "User@Host,Query\nalice@,SELECT 'a'\n");
    EXPECT_EQ(slurp(base() + ".2"), "User@Host,Query\nbob@,SELECT 'b'\n");
    EXPECT_EQ(slurp(base() + ".unified"),
              "Session,User@Host,Query\n2,bob@,SELECT 'b'\n1,alice@,SELECT 'a'\n");
}

TEST_F(QlaTest, MatchExcludeAndRepliesStayPaired)
{
    ASSERT_TRUE(make_filter({{"match", "^select", 2},
                             {"exclude", "secret", 3},
                             {"options", "ignorecase", 4},
                             {"log_data", "query,num_rows", 5}}));
    QlaSession& qs = open();
    // Pipelined: all commands first, then the replies in order.
    qs.route_query(query("SELECT 1"));                               // logged, 1 row
    qs.route_query(query("INSERT INTO t VALUES (1)"));               // no match
    qs.route_query(query("", db::COM_PING));                         // not a statement
    qs.route_query(query("", db::COM_STMT_CLOSE));                   // no reply at all
    qs.route_query(query("select secret FROM t"));                   // excluded
    qs.route_query(query("select 2 union select 3"));                // logged, 2 rows
    qs.route_query(query("SELECT * FROM t", db::COM_STMT_PREPARE));  // logged, 0 rows
    for (uint64_t rows : {1, 0, 0, 9, 2, 0})
    {
        qs.client_reply(Buffer::copy_of("x"), ok_reply(rows));
    }
    EXPECT_EQ(qs.pending(), 0u);
    close_all();
    EXPECT_EQ(slurp(base() + ".42"),
              "Query,Num_rows\nSELECT 1,1\nselect 2 union select 3,2\nSELECT * FROM t,0\n");
    EXPECT_EQ(m_down.packets.size(), 7u) << "everything passes through";
}

TEST_F(QlaTest, CaseSensitiveByDefault)
{
    ASSERT_TRUE(make_filter({{"match", "^select", 2}, {"log_data", "query", 3}}));
    QlaSession& qs = open();
    qs.route_query(query("SELECT 1"));
    qs.route_query(query("select 2"));
    qs.client_reply(Buffer::copy_of("x"), ok_reply());
    qs.client_reply(Buffer::copy_of("x"), ok_reply());
    close_all();
    EXPECT_EQ(slurp(base() + ".42"), "Query\nselect 2\n");
}

TEST_F(QlaTest, UserAndSourceLimitSessions)
{
    ASSERT_TRUE(make_filter({{"user", "bob", 2}}));
    QlaSession& alice = open(1, "alice");
    QlaSession& bob = open(2, "bob");
    alice.route_query(query("SELECT 1"));
    alice.client_reply(Buffer::copy_of("x"), ok_reply());
    bob.route_query(query("SELECT 2"));
    bob.client_reply(Buffer::copy_of("x"), ok_reply());
    close_all();
    EXPECT_FALSE(std::ifstream(base() + ".1").good()) << "alice is not logged";
    EXPECT_NE(slurp(base() + ".2").find("bob@,SELECT 2"), std::string::npos);

    // The session's client address (empty here: no client connection) must match.
    m_filter.reset();
    ASSERT_TRUE(make_filter({{"source", "192.0.2.1", 2}}));
    QlaSession& other = open(3, "alice");
    other.route_query(query("SELECT 3"));
    other.client_reply(Buffer::copy_of("x"), ok_reply());
    close_all();
    EXPECT_FALSE(std::ifstream(base() + ".3").good());
}

TEST_F(QlaTest, NewlinesAreReplaced)
{
    ASSERT_TRUE(make_filter({{"log_data", "query", 2}, {"newline_replacement", "\" NL \"", 3}}));
    QlaSession& qs = open();
    qs.route_query(query("SELECT\n1,\r\n2,\r3"));
    qs.client_reply(Buffer::copy_of("x"), ok_reply());
    close_all();
    EXPECT_EQ(slurp(base() + ".42"), "Query\nSELECT NL 1, NL 2, NL 3\n");
}

TEST_F(QlaTest, DefaultNewlineReplacementIsOneSpace)
{
    ASSERT_TRUE(make_filter({{"log_data", "query", 2}}));
    QlaSession& qs = open();
    qs.route_query(query("SELECT\r\n1"));
    qs.client_reply(Buffer::copy_of("x"), ok_reply());
    close_all();
    EXPECT_EQ(slurp(base() + ".42"), "Query\nSELECT 1\n");
}

TEST_F(QlaTest, TransactionsAndDurationUnit)
{
    ASSERT_TRUE(make_filter({{"log_data", "query,transaction,transaction_time,total_reply_time", 2},
                             {"duration_unit", "microseconds", 3}}));
    QlaSession& qs = open();
    for (const char* sql : {"BEGIN", "INSERT INTO t VALUES (1)", "COMMIT", "SELECT 1"})
    {
        qs.route_query(query(sql));
        usleep(2000);
        qs.client_reply(Buffer::copy_of("x"), ok_reply());
    }
    close_all();
    auto lines = lines_of(slurp(base() + ".42"));
    ASSERT_EQ(lines.size(), 5u);
    EXPECT_EQ(lines[0], "Total_reply_time,Query,Transaction,Transaction_time") << "fixed order";
    std::smatch m;
    ASSERT_TRUE(std::regex_match(lines[1], m, std::regex("(\\d+),BEGIN,BEGIN,"))) << lines[1];
    EXPECT_GE(std::stoll(m[1]), 2000) << "microseconds";
    EXPECT_TRUE(std::regex_match(lines[2], std::regex("\\d+,INSERT INTO t VALUES \\(1\\),,")));
    ASSERT_TRUE(std::regex_match(lines[3], m, std::regex("\\d+,COMMIT,COMMIT,(\\d+)"))) << lines[3];
    EXPECT_GE(std::stoll(m[1]), 6000) << "from BEGIN to the end of COMMIT";
    EXPECT_TRUE(std::regex_match(lines[4], std::regex("\\d+,SELECT 1,,")));
}

TEST_F(QlaTest, CanonicalForm)
{
    ASSERT_TRUE(make_filter({{"log_data", "query", 2}, {"use_canonical_form", "true", 3}}));
    QlaSession& qs = open();
    qs.route_query(
        query("SELECT  a1, 'it''s' FROM t /* c */ WHERE b = 42 AND c IN (1.5e3, \"x\")"));
    qs.client_reply(Buffer::copy_of("x"), ok_reply());
    close_all();
    EXPECT_EQ(slurp(base() + ".42"), "Query\nSELECT a1, ? FROM t WHERE b = ? AND c IN (?, ?)\n");
    EXPECT_EQ(canonical("select `col 1` from t1 where x=0x1F -- end"),
              "select `col 1` from t1 where x=?");
}

TEST_F(QlaTest, AppendKeepsOneHeaderAndFalseTruncates)
{
    ASSERT_TRUE(make_filter({{"log_data", "query", 2}}));
    for (const char* sql : {"SELECT 1", "SELECT 2"})
    {
        QlaSession& qs = open(5);
        qs.route_query(query(sql));
        qs.client_reply(Buffer::copy_of("x"), ok_reply());
        close_all();
    }
    EXPECT_EQ(slurp(base() + ".5"), "Query\nSELECT 1\nSELECT 2\n");

    m_filter.reset();
    ASSERT_TRUE(make_filter({{"log_data", "query", 2}, {"append", "false", 3}}));
    QlaSession& qs = open(5);
    qs.route_query(query("SELECT 3"));
    qs.client_reply(Buffer::copy_of("x"), ok_reply());
    close_all();
    EXPECT_EQ(slurp(base() + ".5"), "Query\nSELECT 3\n");
}

TEST_F(QlaTest, PendingStatementsAreBounded)
{
    ASSERT_TRUE(make_filter({{"log_data", "query,num_rows", 2}}));
    QlaSession& qs = open();
    const size_t n = QlaSession::MAX_PENDING + 10;
    for (size_t i = 0; i < n; ++i)
    {
        qs.route_query(query("SELECT " + std::to_string(i)));
    }
    EXPECT_LE(qs.pending(), QlaSession::MAX_PENDING + 1);
    for (size_t i = 0; i < n; ++i)
    {
        qs.client_reply(Buffer::copy_of("x"), ok_reply(1));
    }
    EXPECT_EQ(qs.pending(), 0u);
    close_all();
    auto lines = lines_of(slurp(base() + ".42"));
    ASSERT_EQ(lines.size(), n + 1);
    // The overflow was logged at once without reply data, the rest with it.
    size_t with_rows = 0, without = 0;
    for (size_t i = 1; i < lines.size(); ++i)
    {
        if (lines[i].ends_with(",1"))
        {
            ++with_rows;
        }
        else if (lines[i].ends_with(","))
        {
            ++without;
        }
    }
    EXPECT_EQ(with_rows, QlaSession::MAX_PENDING);
    EXPECT_EQ(without, 10u);
}

TEST_F(QlaTest, LoadDataContentsAreNotCommands)
{
    ASSERT_TRUE(make_filter({{"log_data", "query", 2}}));
    QlaSession& qs = open();
    qs.route_query(query("LOAD DATA LOCAL INFILE 'f' INTO TABLE t"));
    Reply req = ok_reply();
    req.complete = false;
    req.local_infile = true;
    qs.client_reply(Buffer::copy_of("\xfb"
                                    "f"),
                    req);
    // File contents: the first byte looks like COM_QUERY but is data.
    qs.route_query(db::make_packet(2,
                                   "\x03"
                                   "1,2\n"));
    qs.route_query(db::make_packet(3, ""));
    qs.client_reply(Buffer::copy_of("ok"), ok_reply());
    EXPECT_EQ(qs.pending(), 0u);
    qs.route_query(query("SELECT 1"));
    qs.client_reply(Buffer::copy_of("ok"), ok_reply());
    close_all();
    EXPECT_EQ(slurp(base() + ".42"), "Query\nLOAD DATA LOCAL INFILE 'f' INTO TABLE t\nSELECT 1\n");
}

TEST_F(QlaTest, ConfigurationErrors)
{
    std::string error;
    EXPECT_FALSE(make_filter({{"match", "(unclosed", 2}}, &error));
    EXPECT_NE(error.find("match"), std::string::npos) << error;
    EXPECT_FALSE(make_filter({{"log_data", "date,nonsense", 2}}, &error));
    EXPECT_NE(error.find("nonsense"), std::string::npos) << error;
    EXPECT_FALSE(make_filter({{"duration_unit", "hours", 2}}, &error));

    // The unified file must be creatable.
    ObjectConfig cfg;
    std::vector<std::string> errors;
    ASSERT_TRUE(build_object("t", "QLA", 1,
                             {{"filebase", "/nonexistent/dir/qla", 1}, {"log_type", "unified", 2}},
                             {&spec()}, cfg, errors));
    EXPECT_EQ(QlaFilter::create(cfg, error), nullptr);
    EXPECT_NE(error.find("/nonexistent/dir/qla.unified"), std::string::npos) << error;
}

}  // namespace
}  // namespace sqlgate::qlafilter
