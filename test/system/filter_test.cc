// qlafilter and regexfilter through the real sqlgate binary and real mariadbd:
// the query log holds what clients really ran (with reply data), the backend
// sees regexfilter's rewrite, and a chain applies its filters in config order
// on the way down and in reverse order on the way up.
#include <gtest/gtest.h>

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <regex>
#include <sstream>

#include "harness.hh"

using namespace sqlgate::test;

namespace
{

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

/// Files in @c dir whose names start with @c prefix.
std::vector<std::string> files_with_prefix(const std::string& dir, const std::string& prefix)
{
    std::vector<std::string> out;
    if (DIR* d = opendir(dir.c_str()))
    {
        while (dirent* e = readdir(d))
        {
            std::string name = e->d_name;
            if (name.rfind(prefix, 0) == 0)
            {
                out.push_back(dir + "/" + name);
            }
        }
        closedir(d);
    }
    return out;
}

bool contains_line(const std::vector<std::string>& lines, const std::string& line)
{
    return std::find(lines.begin(), lines.end(), line) != lines.end();
}

class FilterTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        ASSERT_TRUE(SqlGate::binary_exists()) << SqlGate::binary() << " has not been built";
        char tmpl[] = "/tmp/sqlgate_filter_test.XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        m_dir = tmpl;
        Cluster& c = shared_cluster();
        MysqlPtr root(connect(c.primary_port(), "root", ""));
        ASSERT_TRUE(root);
        ASSERT_TRUE(query(root.get(),
                          "CREATE TABLE IF NOT EXISTS test.filter_t1 (id INT PRIMARY KEY, "
                          "v VARCHAR(32))")
                        .ok);
        ASSERT_TRUE(query(root.get(), "REPLACE INTO test.filter_t1 VALUES (1, 'row from t1')").ok);
    }
    void TearDown() override
    {
        m_gate.reset();
        if (!m_dir.empty() && !getenv("SQLGATE_TEST_KEEP"))
        {
            std::string cmd = "rm -rf '" + m_dir + "'";
            EXPECT_EQ(system(cmd.c_str()), 0);
        }
    }

    void start(const std::string& sections, const std::string& filters)
    {
        m_port = free_port();
        ConfigOptions o;
        o.servers = {0};
        o.service_extra = "filters=" + filters + "\n";
        m_gate =
            std::make_unique<SqlGate>(config_for(shared_cluster(), m_port, sections, o), m_port);
    }
    MysqlPtr app()
    {
        ConnectError e;
        MysqlPtr m(connect(m_port, "app", "app_pw", "test", 0, &e));
        EXPECT_TRUE(m) << e.code << " " << e.message << "\n" << m_gate->diagnostics();
        return m;
    }
    /// Waits until @c path has a line equal to @c line; returns all its lines.
    std::vector<std::string> wait_for_line(const std::string& path, const std::string& line)
    {
        std::vector<std::string> lines;
        eventually(
            [&]
            {
                lines = lines_of(read_file(path));
                return contains_line(lines, line);
            },
            5s);
        return lines;
    }

    std::string m_dir;
    int m_port = 0;
    std::unique_ptr<SqlGate> m_gate;
};

TEST_F(FilterTest, QlaLogsRealQueriesWithTheirReplies)
{
    start("[QLA]\ntype=filter\nmodule=qlafilter\nfilebase=" + m_dir +
              "/qla\nlog_type=session,unified\nflush=true\nsource=127.0.0.1\nuser=app\n"
              "log_data=session,user,query,num_rows,error_msg,server,default_db\n",
          "QLA");
    {
        MysqlPtr m = app();
        ASSERT_TRUE(m);
        ASSERT_TRUE(query(m.get(), "SELECT id FROM filter_t1 WHERE id = 1").ok);
        ASSERT_TRUE(query(m.get(), "SELECT 1 UNION SELECT 2\nUNION SELECT 3").ok);
        QueryResult bad = query(m.get(), "SELECT * FROM filter_no_such_table");
        ASSERT_FALSE(bad.ok);
        // Another user's session is not logged (user=app).
        MysqlPtr other(connect(m_port, "sqlgate", "sqlgate_pw", "", 0));
        ASSERT_TRUE(other) << m_gate->diagnostics();
        ASSERT_TRUE(query(other.get(), "SELECT 'not logged'").ok);
    }

    const std::string err = "Table 'test.filter_no_such_table' doesn't exist";
    auto unified = wait_for_line(
        m_dir + "/qla.unified",
        "app@127.0.0.1,SELECT * FROM filter_no_such_table,0," + err + ",server1,test");
    ASSERT_FALSE(unified.empty());
    EXPECT_EQ(unified[0], "Session,User@Host,Query,Default_DB,Num_rows,Error_msg,Server")
        << "header";
    // Session id first, then the fields; lines appear once the reply is complete.
    std::regex first(
        "(\\d+),app@127\\.0\\.0\\.1,SELECT id FROM filter_t1 WHERE id = 1,test,1,,server1");
    std::smatch m;
    bool found = false;
    std::string session_id;
    for (const auto& l : unified)
    {
        if (std::regex_match(l, m, first))
        {
            found = true;
            session_id = m[1];
        }
        EXPECT_EQ(l.find("not logged"), std::string::npos) << "user=app limits logging";
    }
    ASSERT_TRUE(found) << read_file(m_dir + "/qla.unified");
    EXPECT_TRUE(contains_line(
        unified,
        session_id + ",app@127.0.0.1,SELECT 1 UNION SELECT 2 UNION SELECT 3,test,3,,server1"))
        << read_file(m_dir + "/qla.unified");

    // The session file has the same lines without the session field.
    std::string session_file = m_dir + "/qla." + session_id;
    auto lines =
        wait_for_line(session_file, "app@127.0.0.1,SELECT * FROM filter_no_such_table,test,0," +
                                        err + ",server1");
    ASSERT_GE(lines.size(), 4u) << read_file(session_file);
    EXPECT_EQ(lines[0], "User@Host,Query,Default_DB,Num_rows,Error_msg,Server");
    EXPECT_TRUE(contains_line(
        lines, "app@127.0.0.1,SELECT id FROM filter_t1 WHERE id = 1,test,1,,server1"));
    // Only sessions of app have files.
    EXPECT_EQ(files_with_prefix(m_dir, "qla.").size(), 2u) << "qla.unified and one session file";
}

TEST_F(FilterTest, RegexRewriteIsSeenByTheBackend)
{
    start(
        "[Regex]\ntype=filter\nmodule=regexfilter\nmatch=fetch_from_(wrong)_table\n"
        "replace=filter_t1 /* was $1 */\nlog_file=" +
            m_dir + "/regex.log\n",
        "Regex");
    MysqlPtr m = app();
    ASSERT_TRUE(m);
    QueryResult r = query(m.get(), "SELECT v FROM FETCH_FROM_WRONG_TABLE WHERE id = 1");
    ASSERT_TRUE(r.ok) << r.message << "\n" << m_gate->diagnostics();
    EXPECT_EQ(r.value(), "row from t1") << "ignorecase is the default";

    // The backend ran the rewritten text: it is what the server reports.
    r = query(m.get(),
              "SELECT INFO FROM information_schema.PROCESSLIST WHERE ID = CONNECTION_ID() "
              "AND 'fetch_from_wrong_table' <> ''");
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_NE(r.value().find("'filter_t1 /* was wrong */' <> ''"), std::string::npos) << r.value();

    // A prepared statement is rewritten too.
    MYSQL_STMT* stmt = mysql_stmt_init(m.get());
    const char* sql = "SELECT v FROM fetch_from_wrong_table WHERE id = 1";
    ASSERT_EQ(mysql_stmt_prepare(stmt, sql, strlen(sql)), 0) << mysql_stmt_error(stmt);
    ASSERT_EQ(mysql_stmt_execute(stmt), 0) << mysql_stmt_error(stmt);
    char buf[64] = {};
    unsigned long len = 0;
    MYSQL_BIND bind{};
    bind.buffer_type = MYSQL_TYPE_STRING;
    bind.buffer = buf;
    bind.buffer_length = sizeof(buf);
    bind.length = &len;
    ASSERT_EQ(mysql_stmt_bind_result(stmt, &bind), 0);
    ASSERT_EQ(mysql_stmt_fetch(stmt), 0);
    EXPECT_EQ(std::string(buf, len), "row from t1");
    mysql_stmt_close(stmt);

    // Statements that do not match pass unchanged.
    r = query(m.get(), "SELECT 'untouched'");
    ASSERT_TRUE(r.ok);
    EXPECT_EQ(r.value(), "untouched");

    std::string log = read_file(m_dir + "/regex.log");
    EXPECT_NE(log.find("Matched fetch_from_(wrong)_table: [SELECT v FROM FETCH_FROM_WRONG_TABLE "
                       "WHERE id = 1] -> [SELECT v FROM filter_t1 /* was WRONG */ WHERE id = 1]"),
              std::string::npos)
        << log;
    EXPECT_NE(log.find("No match fetch_from_(wrong)_table: [SELECT 'untouched']"),
              std::string::npos)
        << log;
}

// QLA-Before|Regex|QLA-After: a statement goes down in config order, so the
// first log has the client's text and the second the rewritten text; the
// reply comes up in reverse order through both logs (each writes its line
// when the reply has passed it, with the row count).
TEST_F(FilterTest, ChainRunsInConfigOrderBothWays)
{
    std::string qla =
        "type=filter\nmodule=qlafilter\nlog_type=unified\nflush=true\n"
        "log_data=query,num_rows,server\nmatch=filter_t1|wrong\n";
    start("[QLA-Before]\n" + qla + "filebase=" + m_dir +
              "/before\n\n[Regex]\ntype=filter\n"
              "module=regexfilter\nmatch=fetch_from_wrong_table\nreplace=filter_t1\n\n"
              "[QLA-After]\n" +
              qla + "filebase=" + m_dir + "/after\n",
          "QLA-Before|Regex|QLA-After");
    MysqlPtr m = app();
    ASSERT_TRUE(m);
    QueryResult r = query(m.get(), "SELECT v FROM fetch_from_wrong_table");
    ASSERT_TRUE(r.ok) << r.message << "\n" << m_gate->diagnostics();
    EXPECT_EQ(r.value(), "row from t1");

    auto before =
        wait_for_line(m_dir + "/before.unified", "SELECT v FROM fetch_from_wrong_table,1,server1");
    EXPECT_TRUE(contains_line(before, "SELECT v FROM fetch_from_wrong_table,1,server1"))
        << read_file(m_dir + "/before.unified");
    auto after = wait_for_line(m_dir + "/after.unified", "SELECT v FROM filter_t1,1,server1");
    EXPECT_TRUE(contains_line(after, "SELECT v FROM filter_t1,1,server1"))
        << read_file(m_dir + "/after.unified");
    for (const auto& l : after)
    {
        EXPECT_EQ(l.find("wrong"), std::string::npos) << "QLA-After sees only rewritten text";
    }
}

TEST_F(FilterTest, BadFilterConfigurationIsRejected)
{
    std::string config = config_for(shared_cluster(), free_port(),
                                    "[Regex]\ntype=filter\nmodule=regexfilter\nmatch=a(b)\n"
                                    "replace=$2\n",
                                    []
                                    {
                                        ConfigOptions o;
                                        o.service_extra = "filters=Regex\n";
                                        return o;
                                    }());
    std::string path = m_dir + "/bad.cnf";
    FILE* f = fopen(path.c_str(), "w");
    ASSERT_TRUE(f);
    fputs(config.c_str(), f);
    fclose(f);
    CommandResult r = run_sqlgate({"--config-check", "--config", path});
    EXPECT_NE(r.status.exit_code(), 0) << r.output;
    EXPECT_NE(r.output.find("group 2"), std::string::npos) << r.output;
}

}  // namespace
