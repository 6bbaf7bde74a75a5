// sysbench through sqlgate: oltp_point_select and oltp_read_only, text protocol
// (--db-ps-mode=disable) and binary protocol (auto), at 1, 8, 32 and 128 threads,
// each for 3 seconds. Every combination must finish with exit code 0, no FATAL,
// no ignored errors or reconnects, and a positive query count.
//
// sbtest (4 tables of 10,000 rows) is prepared directly on the primary; the service
// uses all three servers with router_options=running (the workloads only read), so the
// suite waits until both replicas have applied the primary's GTID position.
#include <gtest/gtest.h>
#include <unistd.h>

#include <optional>
#include <ostream>
#include <regex>
#include <sstream>

#include "harness.hh"
#include "sysbench_util.hh"

using namespace sqlgate::test;

namespace
{

constexpr int kSeconds = 3;

struct Combination
{
    std::string workload;  // sysbench script name
    std::string ps_mode;   // disable | auto
    int threads;
};

// Shown by gtest and in ctest's test names: keep it short and stable.
void PrintTo(const Combination& c, std::ostream* os)
{
    *os << c.workload << " --db-ps-mode=" << c.ps_mode << " --threads=" << c.threads;
}

class SysbenchTest : public ::testing::TestWithParam<Combination>
{
protected:
    static void SetUpTestSuite()
    {
        if (access(kSysbench, X_OK) != 0)
        {
            return;  // each test fails with a clear message
        }
        Cluster& c = shared_cluster();
        prepare_sbtest(c);
        if (::testing::Test::HasFatalFailure())
        {
            return;
        }

        s_port = free_port();
        ConfigOptions o;
        o.servers = {0, 1, 2};
        o.router_options = "running";
        s_gate = new SqlGate(config_for(c, s_port, "", o), s_port);
    }

    static void TearDownTestSuite()
    {
        delete s_gate;
        s_gate = nullptr;
    }

    static int s_port;
    static SqlGate* s_gate;
};
int SysbenchTest::s_port = 0;
SqlGate* SysbenchTest::s_gate = nullptr;

TEST_P(SysbenchTest, RunsWithoutErrors)
{
    ASSERT_EQ(access(kSysbench, X_OK), 0) << kSysbench << " is not installed";
    ASSERT_NE(s_gate, nullptr);
    const Combination& p = GetParam();
    std::vector<std::string> extra = {"--threads=" + std::to_string(p.threads),
                                      "--time=" + std::to_string(kSeconds),
                                      "--db-ps-mode=" + p.ps_mode, "--percentile=95"};
    CommandResult r = run_command(sysbench_args(p.workload, s_port, "run", extra), 60s);
    std::string context = r.output + "\n" + s_gate->diagnostics();

    EXPECT_TRUE(r.status.exited() && r.status.exit_code() == 0)
        << "sysbench: " << r.status.describe() << "\n"
        << context;
    EXPECT_EQ(r.output.find("FATAL"), std::string::npos) << context;
    std::optional<double> queries = report_value(r.output, "queries:");
    std::optional<double> ignored = report_value(r.output, "ignored errors:");
    std::optional<double> reconnects = report_value(r.output, "reconnects:");
    ASSERT_TRUE(queries && ignored && reconnects) << "unexpected sysbench report:\n" << context;
    EXPECT_GT(*queries, 0) << context;
    EXPECT_EQ(*ignored, 0) << context;
    EXPECT_EQ(*reconnects, 0) << context;
    EXPECT_TRUE(s_gate->running()) << s_gate->diagnostics();

    std::regex re("queries:\\s+[0-9]+\\s+\\(([0-9.]+) per sec");
    std::smatch m;
    if (std::regex_search(r.output, m, re))
    {
        RecordProperty("qps", m[1].str());
    }
    if (std::optional<double> p95 = report_value(r.output, "95th percentile:"))
    {
        RecordProperty("p95_ms", std::to_string(*p95));
    }
}

std::vector<Combination> combinations()
{
    std::vector<Combination> all;
    for (const char* workload : {"oltp_point_select", "oltp_read_only"})
    {
        for (const char* mode : {"disable", "auto"})
        {
            for (int threads : {1, 8, 32, 128})
            {
                all.push_back({workload, mode, threads});
            }
        }
    }
    return all;
}

std::string combination_name(const ::testing::TestParamInfo<Combination>& info)
{
    std::ostringstream name;
    name << info.param.workload.substr(5) << "_ps_" << info.param.ps_mode << "_"
         << info.param.threads << "threads";
    return name.str();
}

INSTANTIATE_TEST_SUITE_P(Workloads, SysbenchTest, ::testing::ValuesIn(combinations()),
                         combination_name);

}  // namespace
