// The MariaDB protocol through the real sqlgate binary and real mariadbd:
// logins and their errors, multi-statements, prepared statements with every
// column type, large packets, LOAD DATA LOCAL, COM_CHANGE_USER, KILL,
// pipelining and the commands a connector uses.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <thread>

#include "harness.hh"

using namespace sqlgate::test;

namespace
{
class ProtocolTest : public ::testing::Test
{
protected:
    static void SetUpTestSuite()
    {
        Cluster& c = shared_cluster();
        MysqlPtr admin(connect(c.primary_port(), "root", ""));
        ASSERT_TRUE(admin);
        query(admin.get(), "CREATE USER IF NOT EXISTS 'app2'@'%' IDENTIFIED BY 'app2_pw'");
        query(admin.get(), "GRANT ALL ON test.* TO 'app2'@'%'");
        query(admin.get(), "CREATE USER IF NOT EXISTS 'nopw'@'%'");
        query(admin.get(), "GRANT SELECT ON test.* TO 'nopw'@'%'");
        s_port = free_port();
        ConfigOptions o;
        o.servers = {0};  // the primary: tests write
        o.global_extra = "users_refresh_time=2s\n";
        s_gate = new SqlGate(config_for(c, s_port, "", o), s_port);
    }
    static void TearDownTestSuite()
    {
        delete s_gate;
        s_gate = nullptr;
    }
    MysqlPtr app(const std::string& db = "test", unsigned long flags = 0)
    {
        ConnectError e;
        MysqlPtr m(connect(s_port, "app", "app_pw", db, flags, &e));
        EXPECT_TRUE(m) << e.code << " " << e.message << "\n" << s_gate->diagnostics();
        return m;
    }
    static int s_port;
    static SqlGate* s_gate;
};
int ProtocolTest::s_port = 0;
SqlGate* ProtocolTest::s_gate = nullptr;

TEST_F(ProtocolTest, LoginOk)
{
    MysqlPtr m = app();
    ASSERT_TRUE(m);
    QueryResult r = query(m.get(), "SELECT CURRENT_USER(), DATABASE()");
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(r.rows[0][0], "app@%");
    EXPECT_EQ(r.rows[0][1], "test");
}

// A client that starts with another plugin is switched to mysql_native_password.
TEST_F(ProtocolTest, AuthSwitchFromOtherPlugins)
{
    for (const char* plugin : {"client_ed25519", "caching_sha2_password", "sha256_password"})
    {
        MYSQL* m = mysql_init(nullptr);
        mysql_optionsv(m, MYSQL_DEFAULT_AUTH, plugin);
        MYSQL* ok = mysql_real_connect(m, "127.0.0.1", "app", "app_pw", "test", s_port, nullptr, 0);
        EXPECT_NE(ok, nullptr) << plugin << ": " << mysql_error(m);
        if (ok)
        {
            EXPECT_EQ(query(m, "SELECT CURRENT_USER()").value(), "app@%") << plugin;
        }
        mysql_close(m);
    }
    // And a wrong password after the switch is still refused.
    MYSQL* m = mysql_init(nullptr);
    mysql_optionsv(m, MYSQL_DEFAULT_AUTH, "client_ed25519");
    EXPECT_EQ(mysql_real_connect(m, "127.0.0.1", "app", "bad", "test", s_port, nullptr, 0),
              nullptr);
    EXPECT_EQ(mysql_errno(m), 1045u);
    mysql_close(m);
}

TEST_F(ProtocolTest, EmptyPasswordAccount)
{
    ConnectError e;
    MysqlPtr m(connect(s_port, "nopw", "", "test", 0, &e));
    ASSERT_TRUE(m) << e.message;
    EXPECT_EQ(query(m.get(), "SELECT CURRENT_USER()").value(), "nopw@%");
}

TEST_F(ProtocolTest, WrongPasswordIs1045)
{
    ConnectError e;
    MysqlPtr m(connect(s_port, "app", "wrong", "test", 0, &e));
    ASSERT_FALSE(m);
    EXPECT_EQ(e.code, 1045u);
    EXPECT_EQ(e.message, "Access denied for user 'app'@'127.0.0.1' (using password: YES)");
}

TEST_F(ProtocolTest, UnknownUserIs1045)
{
    ConnectError e;
    MysqlPtr m(connect(s_port, "nobody", "x", "", 0, &e));
    ASSERT_FALSE(m);
    EXPECT_EQ(e.code, 1045u);
}

TEST_F(ProtocolTest, UnknownDatabaseIs1049)
{
    ConnectError e;
    MysqlPtr m(connect(s_port, "app", "app_pw", "no_such_db", 0, &e));
    ASSERT_FALSE(m);
    EXPECT_EQ(e.code, 1049u);
    EXPECT_EQ(e.message, "Unknown database 'no_such_db'");
}

TEST_F(ProtocolTest, DatabaseWithoutGrantIs1044)
{
    ConnectError e;
    MysqlPtr m(connect(s_port, "app", "app_pw", "mysql", 0, &e));
    ASSERT_FALSE(m);
    EXPECT_EQ(e.code, 1044u);
    EXPECT_EQ(e.message, "Access denied for user 'app'@'%' to database 'mysql'");
}

TEST_F(ProtocolTest, NewUserWorksWithoutRestart)
{
    MysqlPtr admin(connect(shared_cluster().primary_port(), "root", ""));
    ASSERT_TRUE(admin);
    query(admin.get(), "DROP USER IF EXISTS 'fresh'@'%'");
    ASSERT_TRUE(query(admin.get(), "CREATE USER 'fresh'@'%' IDENTIFIED BY 'fresh_pw'").ok);
    // A failed login reloads the accounts, at most once per users_refresh_time
    // (2s here): the first attempt may fall inside that window.
    auto start = std::chrono::steady_clock::now();
    bool ok = eventually(
        [&]() { return MysqlPtr(connect(s_port, "fresh", "fresh_pw")) != nullptr; }, 10s, 200ms);
    EXPECT_TRUE(ok);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
    query(admin.get(), "DROP USER 'fresh'@'%'");
}

TEST_F(ProtocolTest, MultiStatementMultiResult)
{
    MysqlPtr m = app("test", CLIENT_MULTI_STATEMENTS);
    ASSERT_TRUE(m);
    ASSERT_EQ(mysql_query(m.get(), "SELECT 1; SELECT 2, 3; DO 1; SELECT 'x' UNION SELECT 'y'"), 0);
    std::vector<int> rows;
    do
    {
        MYSQL_RES* res = mysql_store_result(m.get());
        rows.push_back(res ? static_cast<int>(mysql_num_rows(res)) : -1);
        mysql_free_result(res);
    } while (mysql_next_result(m.get()) == 0);
    EXPECT_EQ(rows, (std::vector<int>{1, 1, -1, 2}));
    // The connection is still in sync afterwards.
    EXPECT_EQ(query(m.get(), "SELECT 42").value(), "42");
}

TEST_F(ProtocolTest, ErrorInsideMultiStatement)
{
    MysqlPtr m = app("test", CLIENT_MULTI_STATEMENTS);
    ASSERT_TRUE(m);
    ASSERT_EQ(mysql_query(m.get(), "SELECT 1; SELECT * FROM no_such_table; SELECT 3"), 0);
    MYSQL_RES* res = mysql_store_result(m.get());
    mysql_free_result(res);
    EXPECT_GT(mysql_next_result(m.get()), 0);
    EXPECT_EQ(mysql_errno(m.get()), 1146u);
    EXPECT_EQ(query(m.get(), "SELECT 42").value(), "42");
}

TEST_F(ProtocolTest, StoredProcedureResults)
{
    MysqlPtr m = app("test", CLIENT_MULTI_STATEMENTS | CLIENT_MULTI_RESULTS);
    ASSERT_TRUE(m);
    query(m.get(), "DROP PROCEDURE IF EXISTS two_results");
    ASSERT_TRUE(
        query(m.get(), "CREATE PROCEDURE two_results() BEGIN SELECT 1; SELECT 2, 3; END").ok);
    ASSERT_EQ(mysql_query(m.get(), "CALL two_results()"), 0);
    int results = 0;
    do
    {
        MYSQL_RES* res = mysql_store_result(m.get());
        results += res ? 1 : 0;
        mysql_free_result(res);
    } while (mysql_next_result(m.get()) == 0);
    EXPECT_EQ(results, 2);
    EXPECT_EQ(query(m.get(), "SELECT 7").value(), "7");
}

TEST_F(ProtocolTest, InitDbPingStatisticsSetOption)
{
    MysqlPtr m = app();
    ASSERT_TRUE(m);
    EXPECT_EQ(mysql_ping(m.get()), 0);
    EXPECT_EQ(mysql_select_db(m.get(), "sbtest"), 0);
    EXPECT_EQ(query(m.get(), "SELECT DATABASE()").value(), "sbtest");
    EXPECT_NE(mysql_select_db(m.get(), "mysql"), 0);
    EXPECT_EQ(mysql_errno(m.get()), 1044u);
    const char* stat = mysql_stat(m.get());
    ASSERT_NE(stat, nullptr);
    EXPECT_NE(std::string(stat).find("Uptime"), std::string::npos);
    EXPECT_EQ(mysql_set_server_option(m.get(), MYSQL_OPTION_MULTI_STATEMENTS_ON), 0);
    EXPECT_EQ(mysql_reset_connection(m.get()), 0);
    EXPECT_EQ(query(m.get(), "SELECT 5").value(), "5");
}

TEST_F(ProtocolTest, FieldList)
{
    MysqlPtr m = app();
    ASSERT_TRUE(m);
    query(m.get(), "CREATE TABLE IF NOT EXISTS fl (a INT, b VARCHAR(10), c BLOB)");
    MYSQL_RES* res = mysql_list_fields(m.get(), "fl", nullptr);
    ASSERT_NE(res, nullptr) << mysql_error(m.get());
    EXPECT_EQ(mysql_num_fields(res), 3u);
    mysql_free_result(res);
    EXPECT_EQ(query(m.get(), "SELECT 6").value(), "6");
}

TEST_F(ProtocolTest, ChangeUser)
{
    MysqlPtr m = app();
    ASSERT_TRUE(m);
    ASSERT_EQ(mysql_change_user(m.get(), "app2", "app2_pw", "test"), 0) << mysql_error(m.get());
    EXPECT_EQ(query(m.get(), "SELECT CURRENT_USER()").value(), "app2@%");
    ASSERT_EQ(mysql_change_user(m.get(), "app", "app_pw", "sbtest"), 0) << mysql_error(m.get());
    QueryResult r = query(m.get(), "SELECT CURRENT_USER(), DATABASE()");
    EXPECT_EQ(r.rows[0][0], "app@%");
    EXPECT_EQ(r.rows[0][1], "sbtest");
    EXPECT_NE(mysql_change_user(m.get(), "app", "wrong", "test"), 0);
    EXPECT_EQ(mysql_errno(m.get()), 1045u);
}

TEST_F(ProtocolTest, LoadDataLocal)
{
    MysqlPtr m = app();
    ASSERT_TRUE(m);
    unsigned int on = 1;
    mysql_optionsv(m.get(), MYSQL_OPT_LOCAL_INFILE, &on);
    std::string path = "/tmp/sqlgate-ld-" + std::to_string(getpid()) + ".tsv";
    {
        std::ofstream f(path);
        for (int i = 0; i < 50000; ++i)
        {
            f << i << "\tvalue-" << i << "\n";
        }
    }
    query(m.get(), "DROP TABLE IF EXISTS ld");
    ASSERT_TRUE(query(m.get(), "CREATE TABLE ld (a INT, b VARCHAR(20))").ok);
    QueryResult r = query(m.get(), "LOAD DATA LOCAL INFILE '" + path + "' INTO TABLE ld");
    unlink(path.c_str());
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(r.affected_rows, 50000u);
    EXPECT_EQ(query(m.get(), "SELECT COUNT(*), SUM(a) FROM ld").rows[0][1], "1249975000");
}

TEST_F(ProtocolTest, Blob20MiBRoundTrip)
{
    MysqlPtr m = app();
    ASSERT_TRUE(m);
    unsigned long max = 64 * 1024 * 1024;
    mysql_optionsv(m.get(), MYSQL_OPT_MAX_ALLOWED_PACKET, &max);
    query(m.get(), "DROP TABLE IF EXISTS big");
    ASSERT_TRUE(query(m.get(), "CREATE TABLE big (id INT PRIMARY KEY, b LONGBLOB)").ok);
    std::string blob(20 * 1024 * 1024, '\0');
    for (size_t i = 0; i < blob.size(); ++i)
    {
        blob[i] = static_cast<char>((i * 7919) >> 3);
    }
    // Binary protocol insert (a >16 MiB COM_STMT_SEND_LONG_DATA/EXECUTE path).
    MYSQL_STMT* st = mysql_stmt_init(m.get());
    std::string sql = "INSERT INTO big VALUES (1, ?)";
    ASSERT_EQ(mysql_stmt_prepare(st, sql.c_str(), sql.size()), 0) << mysql_stmt_error(st);
    MYSQL_BIND b{};
    unsigned long len = blob.size();
    b.buffer_type = MYSQL_TYPE_LONG_BLOB;
    b.buffer = blob.data();
    b.buffer_length = len;
    b.length = &len;
    ASSERT_EQ(mysql_stmt_bind_param(st, &b), 0);
    ASSERT_EQ(mysql_stmt_execute(st), 0) << mysql_stmt_error(st);
    mysql_stmt_close(st);
    // Text protocol insert: a single 20 MiB COM_QUERY (two packets).
    std::string hex;
    hex.reserve(blob.size() * 2 + 64);
    hex = "INSERT INTO big VALUES (2, x'";
    static const char* digits = "0123456789abcdef";
    for (size_t i = 0; i < 9 * 1024 * 1024; ++i)
    {
        hex.push_back(digits[(blob[i] >> 4) & 0xf]);
        hex.push_back(digits[blob[i] & 0xf]);
    }
    hex += "')";
    ASSERT_EQ(mysql_real_query(m.get(), hex.data(), hex.size()), 0) << mysql_error(m.get());
    // Read both back: rows over 16 MiB come in several packets.
    ASSERT_EQ(mysql_query(m.get(), "SELECT b FROM big WHERE id = 1"), 0);
    MYSQL_RES* res = mysql_store_result(m.get());
    ASSERT_NE(res, nullptr) << mysql_error(m.get());
    MYSQL_ROW row = mysql_fetch_row(res);
    unsigned long* lens = mysql_fetch_lengths(res);
    ASSERT_EQ(lens[0], blob.size());
    EXPECT_EQ(memcmp(row[0], blob.data(), blob.size()), 0);
    mysql_free_result(res);
    QueryResult r = query(m.get(),
                          "SELECT LENGTH(b), MD5(b) = MD5(SUBSTRING((SELECT b FROM big "
                          "WHERE id = 1), 1, 9437184)) FROM big WHERE id = 2");
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(r.rows[0][0], "9437184");
    EXPECT_EQ(r.rows[0][1], "1");
}

// Pipelining: many commands written at once, before any reply is read.
TEST_F(ProtocolTest, PipelinedQueries)
{
    MysqlPtr m = app();
    ASSERT_TRUE(m);
    int fd = mysql_get_socket(m.get());
    std::string out;
    const int n = 200;
    for (int i = 0; i < n; ++i)
    {
        std::string q = "\x03SELECT " + std::to_string(i);
        unsigned char h[4] = {static_cast<unsigned char>(q.size()), 0, 0, 0};
        out.append(reinterpret_cast<char*>(h), 4);
        out += q;
    }
    ASSERT_EQ(write(fd, out.data(), out.size()), static_cast<ssize_t>(out.size()));
    // Each reply: column count, column def, (EOF), row, EOF/OK. Count the rows
    // (the packets whose payload is a lenenc string of the expected number).
    std::string in;
    int rows_seen = 0;
    size_t pos = 0;
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (rows_seen < n && std::chrono::steady_clock::now() < deadline)
    {
        char buf[65536];
        ssize_t k = recv(fd, buf, sizeof(buf), 0);
        ASSERT_GT(k, 0);
        in.append(buf, k);
        while (in.size() - pos >= 4)
        {
            size_t len = static_cast<unsigned char>(in[pos]) |
                         (static_cast<unsigned char>(in[pos + 1]) << 8) |
                         (static_cast<unsigned char>(in[pos + 2]) << 16);
            if (in.size() - pos < 4 + len)
            {
                break;
            }
            std::string payload = in.substr(pos + 4, len);
            std::string want = std::to_string(rows_seen);
            if (payload.size() == want.size() + 1 &&
                static_cast<size_t>(payload[0]) == want.size() && payload.substr(1) == want)
            {
                ++rows_seen;
            }
            pos += 4 + len;
        }
    }
    EXPECT_EQ(rows_seen, n);
}

// mariadb_stmt_execute_direct sends COM_STMT_PREPARE and COM_STMT_EXECUTE
// back to back (a pipeline in libmariadb itself).
TEST_F(ProtocolTest, ExecuteDirectPipeline)
{
    MysqlPtr m = app();
    ASSERT_TRUE(m);
    MYSQL_STMT* st = mysql_stmt_init(m.get());
    int v = 41;
    MYSQL_BIND b{};
    b.buffer_type = MYSQL_TYPE_LONG;
    b.buffer = &v;
    unsigned int count = 1;
    mysql_stmt_attr_set(st, STMT_ATTR_PREBIND_PARAMS, &count);
    ASSERT_EQ(mysql_stmt_bind_param(st, &b), 0);
    ASSERT_EQ(mariadb_stmt_execute_direct(st, "SELECT ? + 1", -1), 0) << mysql_stmt_error(st);
    int out = 0;
    MYSQL_BIND r{};
    r.buffer_type = MYSQL_TYPE_LONG;
    r.buffer = &out;
    ASSERT_EQ(mysql_stmt_bind_result(st, &r), 0);
    ASSERT_EQ(mysql_stmt_fetch(st), 0);
    EXPECT_EQ(out, 42);
    mysql_stmt_close(st);
}

TEST_F(ProtocolTest, KillQueryFromSecondConnection)
{
    MysqlPtr victim = app();
    MysqlPtr killer = app();
    ASSERT_TRUE(victim && killer);
    unsigned long id = mysql_thread_id(victim.get());
    MysqlPtr root(connect(shared_cluster().primary_port(), "root", ""));
    ASSERT_TRUE(root);
    QueryResult sleep_result;
    auto start = std::chrono::steady_clock::now();
    std::thread t([&]() { sleep_result = query(victim.get(), "SELECT SLEEP(30) AS kill_victim"); });
    // Killed while it runs on the server (not before it got there).
    bool running = statement_running(root.get(), "kill_victim", 5s);
    QueryResult k = query(killer.get(), "KILL QUERY " + std::to_string(id));
    t.join();
    auto took = std::chrono::steady_clock::now() - start;
    EXPECT_TRUE(running) << "the SLEEP did not reach the server within 5 s";
    EXPECT_TRUE(k.ok) << k.message;
    EXPECT_LT(took, 10s);
    // MariaDB ends a SLEEP that KILL QUERY interrupts with 1317 (as it does without sqlgate).
    EXPECT_FALSE(sleep_result.ok) << sleep_result.value();
    EXPECT_EQ(sleep_result.error, 1317u) << sleep_result.message;
    EXPECT_EQ(sleep_result.sqlstate, "70100") << sleep_result.message;
    // The victim's connection still works.
    EXPECT_EQ(query(victim.get(), "SELECT 3").value(), "3");
}

TEST_F(ProtocolTest, KillConnectionAndUnknownId)
{
    MysqlPtr victim = app();
    MysqlPtr killer = app();
    ASSERT_TRUE(victim && killer);
    unsigned long id = mysql_thread_id(victim.get());
    EXPECT_TRUE(query(killer.get(), "KILL " + std::to_string(id)).ok);
    QueryResult r = query(victim.get(), "SELECT 1");
    EXPECT_FALSE(r.ok);
    QueryResult u = query(killer.get(), "KILL 987654321");
    EXPECT_FALSE(u.ok);
    EXPECT_EQ(u.error, 1094u);
    // Another user may not kill app's connections.
    MysqlPtr other(connect(s_port, "app2", "app2_pw", "test"));
    MysqlPtr mine = app();
    ASSERT_TRUE(other && mine);
    QueryResult refused = query(other.get(), "KILL " + std::to_string(mysql_thread_id(mine.get())));
    EXPECT_EQ(refused.error, 1095u);
    EXPECT_EQ(query(mine.get(), "SELECT 1").value(), "1");
}

// Before login nobody may make sqlgate buffer a large packet.
TEST_F(ProtocolTest, LargePacketBeforeLoginIsRefused)
{
    int fd = tcp_connect(s_port);
    ASSERT_GE(fd, 0);
    char buf[4096];
    ASSERT_GT(recv(fd, buf, sizeof(buf), 0), 0);  // the greeting
    const char header[] = "\x00\x00\x10\x01";     // a 1 MiB handshake response
    ASSERT_EQ(send(fd, header, 4, 0), 4);
    std::string in;
    ssize_t k;
    while ((k = recv(fd, buf, sizeof(buf), 0)) > 0)
    {
        in.append(buf, k);
    }
    close(fd);
    ASSERT_GE(in.size(), 7u);
    EXPECT_EQ(static_cast<unsigned char>(in[4]), 0xff);  // ERR
    EXPECT_EQ(static_cast<unsigned char>(in[5]) | (static_cast<unsigned char>(in[6]) << 8), 1153);
}

TEST_F(ProtocolTest, ManySequentialSessions)
{
    for (int i = 0; i < 200; ++i)
    {
        MysqlPtr m = app();
        ASSERT_TRUE(m);
        ASSERT_EQ(query(m.get(), "SELECT " + std::to_string(i)).value(), std::to_string(i));
    }
}

}  // namespace
