// The admin REST API under load: sysbench oltp_read_only through sqlgate (16 threads,
// 30 s) while 4 threads hammer GET /v1/sessions and change server3 (PATCH of its
// priority; where PATCH of servers answers 405, setting and clearing the drain state
// instead). sysbench must finish cleanly, every REST answer must be a 2xx, and sqlgate
// must still run and then exit cleanly on SIGTERM.
//
// sbtest (4 tables of 10,000 rows, as in sysbench_test.cc) is reused when it is already
// on the shared cluster, else prepared on the primary; the service uses all three
// servers with router_options=running, so the replicas must have caught up first.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <optional>
#include <thread>

#include "harness.hh"
#include "http_client.hh"
#include "sysbench_util.hh"

using namespace sqlgate::test;

namespace
{

constexpr int kSeconds = 30;
constexpr int kSysbenchThreads = 16;
constexpr int kRestThreads = 4;
constexpr int kWriteEvery = 4;  // every 4th iteration of a REST thread also writes

std::string priority_patch(int priority)
{
    return R"({"data":{"attributes":{"parameters":{"priority":)" + std::to_string(priority) +
           "}}}}";
}

// What the REST threads did.
struct Tally
{
    std::atomic<long> reads{0};
    std::atomic<long> writes{0};
    std::atomic<long> not_2xx{0};
    std::mutex lock;
    std::vector<std::string> failures;  // the first few, for the failure message

    void count(const std::string& request, const HttpResult& r, std::atomic<long>& counter)
    {
        ++counter;
        if (r.code < 200 || r.code >= 300)
        {
            ++not_2xx;
            std::lock_guard guard(lock);
            if (failures.size() < 10)
            {
                failures.push_back(request + ": " + r.error());
            }
        }
    }
};

}  // namespace

TEST(AdminLoad, SysbenchWithRestHammering)
{
    ASSERT_EQ(access(kSysbench, X_OK), 0) << kSysbench << " is not installed";
    Cluster& cluster = shared_cluster();
    prepare_sbtest(cluster);
    if (HasFatalFailure())
    {
        return;
    }

    int port = free_port();
    ConfigOptions o;
    o.servers = {0, 1, 2};
    o.router_options = "running";
    o.admin_port = free_port();
    SqlGate gate(config_for(cluster, port, "", o), port);
    ASSERT_TRUE(eventually([&] { return port_accepts(o.admin_port); }, 5s)) << gate.diagnostics();
    Http http(o.admin_port);

    // PATCH of servers, or (until it exists) the drain state of server3.
    HttpResult probe = http.patch("/v1/servers/server3", priority_patch(1));
    bool use_patch = probe.code != 405;
    if (use_patch)
    {
        ASSERT_TRUE(probe.code >= 200 && probe.code < 300) << probe.error();
    }
    std::cout << "[ rest     ] writes: "
              << (use_patch ? "PATCH /v1/servers/server3 (priority)"
                            : "PUT /v1/servers/server3/set|clear?state=drain (PATCH answered 405)")
              << std::endl;

    Tally tally;
    std::atomic<bool> stop{false};
    auto hammer = [&](int thread)
    {
        Http h(o.admin_port);
        for (long i = 0; !stop; ++i)
        {
            tally.count("GET /v1/sessions", h.get("/v1/sessions"), tally.reads);
            if (i % kWriteEvery != thread % kWriteEvery)
            {
                continue;
            }
            if (use_patch)
            {
                tally.count("PATCH /v1/servers/server3",
                            h.patch("/v1/servers/server3", priority_patch(1 + i % 3)),
                            tally.writes);
            }
            else
            {
                tally.count("PUT set?state=drain", h.put("/v1/servers/server3/set?state=drain"),
                            tally.writes);
                tally.count("PUT clear?state=drain", h.put("/v1/servers/server3/clear?state=drain"),
                            tally.writes);
            }
        }
    };
    std::vector<std::thread> threads;
    for (int t = 0; t < kRestThreads; ++t)
    {
        threads.emplace_back(hammer, t);
    }
    auto start = std::chrono::steady_clock::now();
    CommandResult sb =
        run_command(sysbench_args("oltp_read_only", port, "run",
                                  {"--threads=" + std::to_string(kSysbenchThreads),
                                   "--time=" + std::to_string(kSeconds), "--percentile=95"}),
                    60s);
    stop = true;
    for (auto& t : threads)
    {
        t.join();
    }
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    // Leave server3 as it was found.
    if (!use_patch)
    {
        HttpResult r = http.put("/v1/servers/server3/clear?state=drain");
        EXPECT_EQ(r.code, 204) << r.error();
    }
    HttpResult s3 = http.get("/v1/servers/server3");
    ASSERT_EQ(s3.code, 200) << s3.error();
    EXPECT_EQ(s3.str("/data/attributes/state").find("Drain"), std::string::npos)
        << s3.str("/data/attributes/state");

    long served = tally.reads + tally.writes;
    std::cout << "[ rest     ] " << served << " REST requests served in " << seconds << " s ("
              << tally.reads << " GET /v1/sessions, " << tally.writes << " writes; "
              << static_cast<long>(served / seconds) << "/s), " << tally.not_2xx << " not 2xx"
              << std::endl;
    RecordProperty("rest_requests", static_cast<int>(served));

    std::string context = sb.output + "\n" + gate.diagnostics();
    EXPECT_TRUE(sb.status.exited() && sb.status.exit_code() == 0)
        << "sysbench: " << sb.status.describe() << "\n"
        << context;
    EXPECT_EQ(sb.output.find("FATAL"), std::string::npos) << context;
    std::optional<double> queries = report_value(sb.output, "queries:");
    std::optional<double> ignored = report_value(sb.output, "ignored errors:");
    std::optional<double> reconnects = report_value(sb.output, "reconnects:");
    ASSERT_TRUE(queries && ignored && reconnects) << "unexpected sysbench report:\n" << context;
    EXPECT_GT(*queries, 0) << context;
    EXPECT_EQ(*ignored, 0) << context;
    EXPECT_EQ(*reconnects, 0) << context;

    EXPECT_GT(tally.reads, 0);
    EXPECT_GT(tally.writes, 0);
    std::string failures;
    for (const auto& f : tally.failures)
    {
        failures += "\n  " + f;
    }
    EXPECT_EQ(tally.not_2xx, 0) << "REST answers that were not 2xx:" << failures;
    EXPECT_TRUE(gate.running()) << gate.diagnostics();
    ExitStatus exit = gate.stop();
    EXPECT_TRUE(exit.exited() && exit.exit_code() == 0)
        << "sqlgate after SIGTERM: " << exit.describe() << "\n"
        << gate.diagnostics();
}
