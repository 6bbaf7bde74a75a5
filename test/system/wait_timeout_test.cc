// wait_timeout and its older name connection_timeout: a client session idle for longer
// than the timeout is closed (1927, SQLSTATE 70100, and a warning in the log); a session
// running a long query, or sending commands more often than the timeout, is not; a
// service without a timeout keeps idle sessions.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>

#include <thread>

#include "admin_gate.hh"

using namespace sqlgate::test;
using Clock = std::chrono::steady_clock;

namespace
{

std::string service(const std::string& name, const std::string& timeout_line, int port)
{
    return "[" + name + "]\ntype=service\nrouter=readconnroute\nservers=server1\nuser=sqlgate\n" +
           "password=sqlgate_pw\n" + timeout_line + "\n[" + name +
           "-L]\ntype=listener\nservice=" + name +
           "\naddress=127.0.0.1\nport=" + std::to_string(port) + "\n\n";
}

// Waits up to @c limit for sqlgate to close the session of @c m without the client
// sending anything; returns the seconds since @c since and what sqlgate sent before
// closing (-1 s when it stayed open).
double wait_for_close(MYSQL* m, Clock::time_point since, std::chrono::seconds limit,
                      std::string& sent)
{
    int fd = mysql_get_socket(m);
    auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline)
    {
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, 100) <= 0)
        {
            continue;
        }
        char buf[512];
        ssize_t n = recv(fd, buf, sizeof(buf), 0);
        if (n > 0)
        {
            sent.append(buf, static_cast<size_t>(n));
            continue;
        }
        return std::chrono::duration<double>(Clock::now() - since).count();
    }
    return -1;
}

struct Idle
{
    MysqlPtr conn;
    Clock::time_point last;  // when its last command returned
};

Idle idle_session(int port)
{
    Idle s{MysqlPtr(connect(port, "app", "app_pw", "test")), {}};
    EXPECT_TRUE(s.conn);
    if (s.conn)
    {
        EXPECT_TRUE(query(s.conn.get(), "SELECT 1").ok);
    }
    s.last = Clock::now();
    return s;
}

}  // namespace

TEST(WaitTimeout, IdleSessionsCloseAfterTheTimeoutActiveOnesStay)
{
    int wait_port = free_port(), conn_port = free_port(), five_port = free_port();
    ConfigOptions o;
    o.servers = {0};
    AdminGate g({}, o,
                service("Wait", "wait_timeout=2s", wait_port) +
                    service("Conn", "connection_timeout=2s", conn_port) +
                    service("Five", "wait_timeout=5s", five_port));

    // A long query on a 2 s service: waiting for a reply is no idleness.
    std::thread long_query(
        [&]
        {
            MysqlPtr m(connect(wait_port, "app", "app_pw", "test"));
            ASSERT_TRUE(m);
            QueryResult r = query(m.get(), "SELECT SLEEP(6)");
            EXPECT_TRUE(r.ok) << r.error << " " << r.message;
            EXPECT_EQ(r.value(), "0");
        });
    // A command every second on a 5 s service, for 9 s.
    std::thread chatty(
        [&]
        {
            MysqlPtr m(connect(five_port, "app", "app_pw", "test"));
            ASSERT_TRUE(m);
            for (int i = 0; i < 9; ++i)
            {
                QueryResult r = query(m.get(), "SELECT " + std::to_string(i));
                ASSERT_TRUE(r.ok) << "command " << i << ": " << r.error << " " << r.message;
                std::this_thread::sleep_for(1s);
            }
        });
    Idle on_wait = idle_session(wait_port);
    Idle on_conn = idle_session(conn_port);
    Idle unlimited = idle_session(g.port);  // the standard service has no timeout
    ASSERT_TRUE(on_wait.conn && on_conn.conn && unlimited.conn) << g.gate->diagnostics();

    for (Idle* s : {&on_wait, &on_conn})
    {
        std::string sent;
        double after = wait_for_close(s->conn.get(), s->last, 9s, sent);
        // Closed once idle for 2 s; the check runs every second, plus 3 s of slack.
        EXPECT_GE(after, 1.9) << "closed too early";
        EXPECT_LE(after, 6.0) << "not closed in time (-1: still open after 9 s)";
        // The last thing sent is MariaDB's ER_CONNECTION_KILLED: 1927, SQLSTATE 70100.
        ASSERT_GE(sent.size(), 13u);
        EXPECT_EQ(static_cast<unsigned char>(sent[4]), 0xff);
        EXPECT_EQ(static_cast<unsigned char>(sent[5]) | (static_cast<unsigned char>(sent[6]) << 8),
                  1927);
        EXPECT_EQ(sent.substr(7, 6), "#70100");
        EXPECT_NE(sent.find("idle for longer than wait_timeout"), std::string::npos) << sent;
    }
    long_query.join();
    chatty.join();
    // 9 s idle on the service without a timeout: still open.
    EXPECT_TRUE(query(unlimited.conn.get(), "SELECT 1").ok);
    std::string log = g.gate->log_text();
    EXPECT_NE(log.find("service Wait): closing it, idle for"), std::string::npos) << log;
    EXPECT_NE(log.find("service Conn): closing it, idle for"), std::string::npos) << log;
    EXPECT_EQ(log.find("service Five): closing it"), std::string::npos) << log;
}

TEST(WaitTimeout, ARuntimeChangeAppliesToNewSessions)
{
    AdminGate g;
    Http h = g.http();
    HttpResult r = h.patch("/v1/services/Read-Write-Service",
                           R"({"data":{"attributes":{"parameters":{"wait_timeout":"2s"}}}})");
    ASSERT_EQ(r.code, 204) << r.error();
    EXPECT_EQ(
        h.get("/v1/services/Read-Write-Service").str("/data/attributes/parameters/wait_timeout"),
        "2000ms");
    Idle s = idle_session(g.port);
    ASSERT_TRUE(s.conn) << g.gate->diagnostics();
    std::string sent;
    double after = wait_for_close(s.conn.get(), s.last, 9s, sent);
    EXPECT_GE(after, 1.9);
    EXPECT_LE(after, 6.0);
}
