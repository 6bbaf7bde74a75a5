// How the user accounts are loaded from the backends: users_refresh_interval (periodic
// reloads) and auth_all_servers (the union of every server's accounts).
#include <gtest/gtest.h>

#include <thread>

#include "harness.hh"
#include "http_client.hh"

using namespace sqlgate::test;
using Clock = std::chrono::steady_clock;

namespace
{

// Runs @c statements as root on server @c i of the shared cluster.
void as_root(int i, const std::vector<std::string>& statements)
{
    MysqlPtr root(connect(shared_cluster().port(i), "root", ""));
    ASSERT_TRUE(root);
    for (const auto& s : statements)
    {
        QueryResult r = query(root.get(), s);
        ASSERT_TRUE(r.ok) << s << ": " << r.message;
    }
}

unsigned int login_error(int port, const std::string& user, const std::string& pw,
                         const std::string& db)
{
    ConnectError e;
    MysqlPtr m(connect(port, user, pw, db, 0, &e));
    return m ? 0 : e.code;
}

}  // namespace

TEST(UsersRefreshInterval, AccountsAreReloadedPeriodically)
{
    Cluster& cluster = shared_cluster();
    as_root(0, {"DROP USER IF EXISTS 'refresh_u'@'%'",
                "CREATE USER 'refresh_u'@'%' IDENTIFIED BY 'refresh_pw'"});
    ConfigOptions o;
    o.servers = {0};
    int periodic_port = free_port(), static_port = free_port();
    o.global_extra = "users_refresh_interval=2s\nusers_refresh_time=1s\nlog_info=true\n";
    SqlGate periodic(config_for(cluster, periodic_port, "", o), periodic_port);
    o.global_extra = "users_refresh_time=1s\n";
    SqlGate without(config_for(cluster, static_port, "", o), static_port);

    // No grant on test yet: refused with 1044 (which reloads nothing: the account exists).
    EXPECT_EQ(login_error(periodic_port, "refresh_u", "refresh_pw", "test"), 1044u);
    EXPECT_EQ(login_error(static_port, "refresh_u", "refresh_pw", "test"), 1044u);
    as_root(0, {"GRANT SELECT ON test.* TO 'refresh_u'@'%'"});
    auto granted = Clock::now();

    // Within the 2 s interval (plus 3 s of slack) the periodic one knows the grant.
    bool seen = eventually(
        [&] { return login_error(periodic_port, "refresh_u", "refresh_pw", "test") == 0; }, 5s,
        200ms);
    double after = std::chrono::duration<double>(Clock::now() - granted).count();
    EXPECT_TRUE(seen) << "the grant was not seen " << after << " s later\n"
                      << periodic.diagnostics();
    // The other one loaded the accounts once, at startup, and still refuses.
    EXPECT_EQ(login_error(static_port, "refresh_u", "refresh_pw", "test"), 1044u);

    // The log shows a load every 2 s or so: at least 3 in 6 s.
    std::this_thread::sleep_for(4s);
    std::string log = periodic.log_text();
    size_t loads = 0;
    const std::string needle = "Service Read-Write-Service: loaded ";
    for (size_t at = log.find(needle); at != std::string::npos; at = log.find(needle, at + 1))
    {
        ++loads;
    }
    EXPECT_GE(loads, 3u) << log;
    as_root(0, {"DROP USER 'refresh_u'@'%'"});
}

TEST(AuthAllServers, AccountsOfEveryServerAreLoaded)
{
    Cluster& cluster = shared_cluster();
    // An account on server2 only: not written to its binary log, so server3 (which
    // replicates from server1) never gets it, and server1 never had it.
    const std::string only2 = "SET SESSION sql_log_bin=0";
    as_root(1, {only2, "DROP USER IF EXISTS 'only2_u'@'%'",
                "CREATE USER 'only2_u'@'%' IDENTIFIED BY 'only2_pw'",
                "GRANT SELECT ON test.* TO 'only2_u'@'%'"});
    // s1 is server1 with rank=secondary, so that readconnroute sends sessions to s2.
    int all_port = free_port(), first_port = free_port();
    auto service = [&](const std::string& name, int port, const std::string& extra)
    {
        return "[" + name + "]\ntype=service\nrouter=readconnroute\nservers=s1,s2\n" +
               "user=sqlgate\npassword=sqlgate_pw\n" + extra + "\n[" + name +
               "-L]\ntype=listener\nservice=" + name +
               "\naddress=127.0.0.1\nport=" + std::to_string(port) + "\n\n";
    };
    ConfigOptions o;
    o.admin_port = free_port();
    o.global_extra = "users_refresh_time=0s\nlog_info=true\n";  // a failed login reloads
    std::string extra =
        "[s1]\ntype=server\naddress=127.0.0.1\nport=" + std::to_string(cluster.port(0)) +
        "\nrank=secondary\n\n" +
        "[s2]\ntype=server\naddress=127.0.0.1\nport=" + std::to_string(cluster.port(1)) + "\n\n" +
        service("All", all_port, "auth_all_servers=true\n") + service("First", first_port, "");
    SqlGate gate(config_for(cluster, free_port(), extra, o), all_port);

    MysqlPtr m(connect(all_port, "only2_u", "only2_pw", "test"));
    ASSERT_TRUE(m) << gate.diagnostics();
    EXPECT_EQ(query(m.get(), "SELECT @@server_id").value(), "2");
    // Without it only s1, the first server that answers, is read: the account is unknown.
    EXPECT_EQ(login_error(first_port, "only2_u", "only2_pw", "test"), 1045u);
    std::string log = gate.log_text();
    EXPECT_NE(log.find("Service All: loaded "), std::string::npos);
    EXPECT_NE(log.find("databases from s1, s2"), std::string::npos) << log;

    // A runtime change: the next reload (the failed login's) reads both.
    ASSERT_TRUE(eventually([&] { return port_accepts(o.admin_port); }, 5s));
    Http h(o.admin_port);
    HttpResult r = h.patch("/v1/services/First",
                           R"({"data":{"attributes":{"parameters":{"auth_all_servers":true}}}})");
    ASSERT_EQ(r.code, 204) << r.error();
    EXPECT_TRUE(eventually(
        [&] { return login_error(first_port, "only2_u", "only2_pw", "test") == 0; }, 5s, 200ms));
    as_root(1, {only2, "DROP USER 'only2_u'@'%'"});
}
