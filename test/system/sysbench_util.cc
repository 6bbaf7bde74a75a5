#include "sysbench_util.hh"

#include <gtest/gtest.h>

#include <regex>

namespace sqlgate::test
{

std::vector<std::string> sysbench_args(const std::string& workload, int port,
                                       const std::string& command,
                                       const std::vector<std::string>& extra)
{
    std::vector<std::string> argv = {kSysbench,
                                     workload,
                                     "--db-driver=mysql",
                                     "--mysql-host=127.0.0.1",
                                     "--mysql-port=" + std::to_string(port),
                                     "--mysql-user=app",
                                     "--mysql-password=app_pw",
                                     "--mysql-db=sbtest",
                                     "--tables=" + std::to_string(kSbTables),
                                     "--table-size=" + std::to_string(kSbTableSize)};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back(command);
    return argv;
}

std::optional<double> report_value(const std::string& output, const std::string& label)
{
    std::regex re("\\n\\s*" + label + "\\s+([0-9.]+)");
    std::smatch m;
    if (!std::regex_search(output, m, re))
    {
        return std::nullopt;
    }
    return std::stod(m[1].str());
}

namespace
{
// True when every sbtest table is there with all its rows on every server.
bool sbtest_ready(Cluster& c)
{
    for (int i = 0; i < Cluster::kServers; ++i)
    {
        MysqlPtr m(connect(c.port(i), "root", ""));
        if (!m)
        {
            return false;
        }
        for (int t = 1; t <= kSbTables; ++t)
        {
            QueryResult r =
                query(m.get(), "SELECT COUNT(*) FROM sbtest.sbtest" + std::to_string(t));
            if (!r.ok || r.value() != std::to_string(kSbTableSize))
            {
                return false;
            }
        }
    }
    return true;
}
}  // namespace

void prepare_sbtest(Cluster& c)
{
    if (sbtest_ready(c))
    {
        return;
    }
    int primary = c.primary_port();
    // Idempotent: drop whatever a previous run left, then prepare.
    CommandResult cleanup = run_command(sysbench_args("oltp_read_only", primary, "cleanup"), 60s);
    ASSERT_TRUE(cleanup.status.exited() && cleanup.status.exit_code() == 0) << cleanup.output;
    CommandResult prepare =
        run_command(sysbench_args("oltp_read_only", primary, "prepare", {"--threads=4"}), 120s);
    ASSERT_TRUE(prepare.status.exited() && prepare.status.exit_code() == 0) << prepare.output;
    MysqlPtr admin(connect(primary, "root", ""));
    ASSERT_TRUE(admin);
    std::string gtid = query(admin.get(), "SELECT @@gtid_binlog_pos").value();
    for (int i = 1; i < Cluster::kServers; ++i)
    {
        MysqlPtr replica(connect(c.port(i), "root", ""));
        ASSERT_TRUE(replica) << "server" << i + 1;
        QueryResult w = query(replica.get(), "SELECT MASTER_GTID_WAIT('" + gtid + "', 60)");
        ASSERT_TRUE(w.ok) << w.message;
        ASSERT_EQ(w.value(), "0") << "server" << i + 1 << " did not reach " << gtid;
    }
}

}  // namespace sqlgate::test
