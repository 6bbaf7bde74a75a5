// queryservice memory bounds, measured on the sqlgate process (VmRSS sampled every 20 ms):
// a 5,000,000-row immediate result streams through (and a slow reader throttles the
// backend instead of piling the rows up in sqlgate), and a deferred result beyond
// result_memory_limit spills to a file under <datadir>/queryservice/<listener>/.
#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>

#include "admin_gate.hh"
#include "queryservice_gate.hh"

using namespace sqlgate::test;
namespace fs = std::filesystem;

namespace
{

// RSS growth allowed while a result passes through (streamed, or spilled to its file).
constexpr int64_t kMaxGrowthKiB = 64 * 1024;
#ifdef __SANITIZE_ADDRESS__
// ... and while a spilled result is read back. With ASan, freed memory waits in the
// quarantine (256 MiB by default) instead of being reused. Measured in build-asan with
// scripts/check's ASAN_OPTIONS (abort_on_error=1:detect_leaks=1, default quarantine) on the
// 2-core machine, three runs of `sqlgate_system --gtest_filter='QueryServiceMemory.*'` (the
// "[ memory ]" lines): streaming 5M rows grew RSS by 1.8-2.0 MiB, the slow reader by
// 0.9-1.6 MiB, spilling 1M rows by 2.9-3.2 MiB, all well within kMaxGrowthKiB; reading the
// 80 MiB spilled result back grew it by 102.6-102.7 MiB (0.3 MiB without ASan), so that one
// gets 160 MiB.
constexpr int64_t kReadBackMaxGrowthKiB = 160 * 1024;
#else
constexpr int64_t kReadBackMaxGrowthKiB = kMaxGrowthKiB;
#endif

class QueryServiceMemory : public ::testing::Test
{
protected:
    void SetUp() override
    {
        // Warm up (accounts, a pooled session), then take the baseline.
        HttpResult r = post_form(g.http(), {{"statement", "select seq from test.seq_1_to_1000"}});
        ASSERT_EQ(r.code, 200) << r.body;
        baseline = rss_kib(g.gate->pid());
        ASSERT_TRUE(rss_ok(baseline, g.gate->pid()));
    }
    std::vector<fs::path> spill_files() const
    {
        std::vector<fs::path> out;
        std::error_code ec;
        for (const auto& e : fs::directory_iterator(g.spill_dir(), ec))
        {
            out.push_back(e.path());
        }
        return out;
    }

    // A datadir= of our own keeps stray spill files out of the system's directories.
    TempDir datadir;
    QsGate g{"result_memory_limit=1Mi\n", "datadir=" + datadir.path + "\n"};
    int64_t baseline = 0;
};

}  // namespace

TEST_F(QueryServiceMemory, FiveMillionRowsStreamInBoundedMemory)
{
    StreamRequest req;
    req.body = form({{"statement", "select seq, repeat('x', 20) as r from test.seq_1_to_5000000"}});
    req.pattern = "{\"seq\":";
    StreamResult r;
    int64_t peak = 0;
    {
        RssSampler rss(g.gate->pid());
        r = stream(g.qs, req);
        peak = rss.max_kib();
        ASSERT_TRUE(rss.ok());
    }
    std::cout << "[ memory   ] 5M rows, " << r.bytes / (1024 * 1024) << " MiB in "
              << r.elapsed.count() << " ms; RSS " << baseline << " KiB before, peak " << peak
              << " KiB" << std::endl;
    EXPECT_EQ(r.curl_code, 0) << r.tail;
    EXPECT_EQ(r.code, 200) << r.head;
    EXPECT_EQ(r.headers["transfer-encoding"], "chunked");
    EXPECT_EQ(r.matches, 5000000u) << r.tail;
    EXPECT_NE(r.tail.find("{\"seq\":5000000,"), std::string::npos) << r.tail;
    EXPECT_NE(r.tail.find("\"resultCount\": 5000000"), std::string::npos) << r.tail;
    EXPECT_NE(r.tail.find("\"status\": \"success\""), std::string::npos) << r.tail;
    EXPECT_LT(peak - baseline, kMaxGrowthKiB) << "RSS grew from " << baseline << " to " << peak;
}

TEST_F(QueryServiceMemory, SlowReaderThrottlesTheBackend)
{
    MysqlPtr root = primary_root();
    ASSERT_TRUE(root);
    StreamRequest req;
    req.body =
        form({{"statement", "select seq, repeat('x', 20) as qs_slow from test.seq_1_to_5000000"}});
    req.pattern = "{\"seq\":";
    req.max_bytes_per_second = 2 * 1024 * 1024;
    req.stop_after = 3s;
    StreamResult r;
    int64_t peak = 0;
    {
        RssSampler rss(g.gate->pid());
        r = stream(g.qs, req);
        peak = rss.max_kib();
        ASSERT_TRUE(rss.ok());
    }
    std::cout << "[ memory   ] slow reader: " << r.bytes / 1024 << " KiB in " << r.elapsed.count()
              << " ms; RSS " << baseline << " KiB before, peak " << peak << " KiB" << std::endl;
    EXPECT_EQ(r.code, 200) << r.head;
    EXPECT_GT(r.matches, 10000u);
    EXPECT_LT(r.matches, 5000000u) << "the reader was not slow";
    EXPECT_LT(peak - baseline, kMaxGrowthKiB) << "RSS grew from " << baseline << " to " << peak;
    // The reader hung up: the statement stops and the listener serves the next request.
    EXPECT_TRUE(eventually([&] { return backend_queries(root.get(), "%qs_slow%") == 0; }, 5s));
    HttpResult next = post_form(g.http(), {{"statement", "select 1"}});
    EXPECT_EQ(next.str("/status"), "success") << next.body;
    EXPECT_TRUE(g.gate->running());
}

// 2,000,000 rows (about 90 MB of JSON) stored with result_memory_limit=1Mi: kept in
// memory they would grow the RSS by more than the limit of this test.
TEST_F(QueryServiceMemory, DeferredResultBeyondTheLimitReadsBackComplete)
{
    Http h = g.http();
    HttpResult r;
    StreamResult result;
    int64_t peak = 0;
    {
        RssSampler rss(g.gate->pid());
        r = post_form(h,
                      {{"statement", "select seq, repeat('y', 20) as r from test.seq_1_to_2000000"},
                       {"mode", "deferred"}});
        ASSERT_EQ(r.code, 200) << r.body;
        StreamRequest get;
        get.method = "GET";
        get.path = path_of(r.str("/handle"));
        get.pattern = "{\"seq\":";
        result = stream(g.qs, get);
        peak = rss.max_kib();
        ASSERT_TRUE(rss.ok());
    }
    std::cout << "[ memory   ] deferred 2M rows, " << result.bytes / (1024 * 1024) << " MiB; RSS "
              << baseline << " KiB before, peak " << peak << " KiB" << std::endl;
    EXPECT_EQ(r.str("/status"), "success") << r.body;
    EXPECT_EQ(r.num("/metrics/resultCount"), 2000000) << r.body;
    EXPECT_LT(peak - baseline, kReadBackMaxGrowthKiB)
        << "RSS grew from " << baseline << " to " << peak;
    EXPECT_EQ(result.code, 200) << result.head;
    EXPECT_EQ(result.matches, 2000000u);
    EXPECT_EQ(result.head.find("[ {\"seq\":1,\"r\":\"yyyyyyyyyyyyyyyyyyyy\"},"), 0u)
        << result.head.substr(0, 100);
    EXPECT_NE(result.tail.find("{\"seq\":2000000,\"r\":\"yyyyyyyyyyyyyyyyyyyy\"} ]"),
              std::string::npos)
        << result.tail;
    EXPECT_EQ(h.get(path_of(r.str("/handle"))).code, 404);
}

// The spill file is under <datadir>/queryservice/<listener>/ and goes when the result does.
TEST_F(QueryServiceMemory, SpillFileUnderTheDatadir)
{
    Http h = g.http();
    HttpResult r;
    int64_t peak = 0;
    {
        RssSampler rss(g.gate->pid());
        r = post_form(h,
                      {{"statement", "select seq, repeat('y', 20) as r from test.seq_1_to_1000000"},
                       {"mode", "deferred"}});
        peak = rss.max_kib();
        ASSERT_TRUE(rss.ok());
    }
    std::cout << "[ memory   ] deferred 1M rows spilled; RSS " << baseline << " KiB before, peak "
              << peak << " KiB" << std::endl;
    ASSERT_EQ(r.code, 200) << r.body;
    EXPECT_EQ(r.str("/status"), "success") << r.body;
    EXPECT_EQ(r.num("/metrics/resultCount"), 1000000) << r.body;
    EXPECT_LT(peak - baseline, kMaxGrowthKiB) << "RSS grew from " << baseline << " to " << peak;

    std::vector<fs::path> files = spill_files();
    ASSERT_EQ(files.size(), 1u) << "expected one spill file in " << g.spill_dir();
    uintmax_t spilled = fs::file_size(files[0]);
    EXPECT_GT(spilled, 1024u * 1024u);
    EXPECT_EQ(files[0].extension(), ".json");

    StreamRequest get;
    get.method = "GET";
    get.path = path_of(r.str("/handle"));
    get.pattern = "{\"seq\":";
    StreamResult result = stream(g.qs, get);
    EXPECT_EQ(result.code, 200) << result.head;
    EXPECT_EQ(result.matches, 1000000u);
    EXPECT_EQ(result.head.rfind("[", 0), 0u) << result.head.substr(0, 100);
    EXPECT_EQ(result.head.find("{\"seq\":1,\"r\":\"yyyyyyyyyyyyyyyyyyyy\"}"), 2u)
        << result.head.substr(0, 100);
    EXPECT_NE(result.tail.find("{\"seq\":1000000,\"r\":\"yyyyyyyyyyyyyyyyyyyy\"} ]"),
              std::string::npos)
        << result.tail;
    EXPECT_EQ(result.bytes, spilled);
    // Read once (max_result_reads=1): the handle and its file are gone.
    EXPECT_EQ(h.get(get.path).code, 404);
    EXPECT_TRUE(eventually([&] { return spill_files().empty(); }, 3s));

    // A small result stays in memory: no file.
    r = post_form(h, {{"statement", "select 1"}, {"mode", "deferred"}});
    EXPECT_EQ(r.code, 200) << r.body;
    EXPECT_TRUE(spill_files().empty());
    EXPECT_EQ(h.get(path_of(r.str("/handle"))).code, 200);
}
