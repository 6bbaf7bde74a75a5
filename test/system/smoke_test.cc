// Smoke tests of the system-test harness itself: the cluster comes up and replicates,
// the users exist, and sqlgate starts and routes a query.
#include <gtest/gtest.h>

#include "harness.hh"

namespace sqlgate::test
{
namespace
{

TEST(Smoke, ClusterReplicatesAndHasUsers)
{
    Cluster& cluster = shared_cluster();

    // The app user exists on every server (created on the primary, replicated).
    for (int i = 0; i < Cluster::kServers; ++i)
    {
        ConnectError error;
        MysqlPtr conn(connect(cluster.port(i), "app", "app_pw", "test", 0, &error));
        ASSERT_TRUE(conn) << "server" << i + 1 << ": " << error.code << " " << error.message;
        auto r = query(conn.get(), "SELECT @@server_id, @@read_only");
        ASSERT_TRUE(r.ok) << r.message;
        EXPECT_EQ(r.rows.at(0).at(0), std::to_string(i + 1));
        EXPECT_EQ(r.rows.at(0).at(1), i == 0 ? "0" : "1") << "only replicas are read-only";
    }

    // The service and monitor users exist and can do what the proxy needs.
    {
        ConnectError error;
        MysqlPtr conn(connect(cluster.port(1), "sqlgate", "sqlgate_pw", "", 0, &error));
        ASSERT_TRUE(conn) << error.message;
        auto r = query(conn.get(), "SELECT COUNT(*) FROM mysql.user WHERE user = 'app'");
        ASSERT_TRUE(r.ok) << r.message;
        EXPECT_EQ(r.value(), "1");
        for (const char* table :
             {"mysql.db", "mysql.tables_priv", "mysql.roles_mapping", "mysql.global_priv"})
        {
            auto t = query(conn.get(), std::string("SELECT COUNT(*) FROM ") + table);
            EXPECT_TRUE(t.ok) << table << ": " << t.message;
        }
    }
    {
        MysqlPtr conn(connect(cluster.port(2), "monitor", "monitor_pw"));
        ASSERT_TRUE(conn);
        auto r = query(conn.get(), "SHOW SLAVE STATUS");
        ASSERT_TRUE(r.ok) << r.message;
        ASSERT_EQ(r.rows.size(), 1u) << "server3 should be a replica";
    }

    // A row inserted on the primary shows up on both replicas within 5 s.
    MysqlPtr primary(connect(cluster.primary_port(), "app", "app_pw", "test"));
    ASSERT_TRUE(primary);
    auto r = query(primary.get(),
                   "CREATE TABLE IF NOT EXISTS smoke_replication (id INT PRIMARY KEY, v TEXT)");
    ASSERT_TRUE(r.ok) << r.message;
    r = query(primary.get(), "REPLACE INTO smoke_replication VALUES (1, 'hello')");
    ASSERT_TRUE(r.ok) << r.message;
    for (int i = 1; i < Cluster::kServers; ++i)
    {
        MysqlPtr replica(connect(cluster.port(i), "app", "app_pw", "test"));
        ASSERT_TRUE(replica);
        bool seen = eventually(
            [&]
            {
                auto s = query(replica.get(), "SELECT v FROM smoke_replication WHERE id = 1");
                return s.ok && s.value() == "hello";
            },
            5s);
        EXPECT_TRUE(seen) << "the row did not reach server" << i + 1 << " within 5 s";
    }
    query(primary.get(), "DROP TABLE smoke_replication");
}

TEST(Smoke, SelectOneThroughReadConnRoute)
{
    ASSERT_TRUE(SqlGate::binary_exists()) << SqlGate::binary() << " has not been built";
    Cluster& cluster = shared_cluster();
    int port = free_port();
    ConfigOptions options;
    options.servers = {0};  // one server: the primary
    SqlGate gate(config_for(cluster, port, "", options), port);

    ConnectError error;
    MysqlPtr conn(connect(port, "app", "app_pw", "test", 0, &error));
    ASSERT_TRUE(conn) << error.code << " " << error.message << "\n" << gate.diagnostics();
    auto r = query(conn.get(), "SELECT 1");
    ASSERT_TRUE(r.ok) << r.error << " " << r.message << "\n" << gate.diagnostics();
    EXPECT_EQ(r.value(), "1");
    r = query(conn.get(), "SELECT @@server_id");
    ASSERT_TRUE(r.ok) << r.message;
    EXPECT_EQ(r.value(), "1") << "readconnroute with only server1 must use server1";
    conn.reset();

    auto stopped = gate.stop(SIGTERM);
    EXPECT_TRUE(stopped.exited()) << stopped.describe() << "\n" << gate.diagnostics();
    EXPECT_EQ(stopped.exit_code(), 0) << gate.diagnostics();
    EXPECT_LT(stopped.elapsed, 5s) << "sqlgate took too long to stop on SIGTERM";
}

}  // namespace
}  // namespace sqlgate::test
