// sqlgateway under stress: a 5-million-row result fetched page by page (sqlgate's RSS stays
// bounded, also while the client stops fetching), and 200 hostile requests after which
// the gateway still serves sessions.
#include <gtest/gtest.h>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <iostream>
#include <random>

#include "sqlgateway_gate.hh"

using namespace sqlgate::test;
using namespace sqlgate::test::gw;

namespace
{

// Reads the rows of one page without building a JSON tree: each row's first field must
// be the next sequence number. Returns the rows read; @c next is the next expected value.
size_t check_page(const std::string& body, uint64_t& next, bool& in_order)
{
    size_t n = 0;
    static const std::string key = "\"fields\":[";
    for (size_t at = body.find(key); at != std::string::npos; at = body.find(key, at + 1))
    {
        uint64_t v = strtoull(body.c_str() + at + key.size(), nullptr, 10);
        in_order = in_order && v == next;
        ++next;
        ++n;
    }
    return n;
}

// Sends raw bytes on a new connection, half-closes it (unless told not to) and reads
// whatever comes back (until EOF or @c wait_ms of silence). Returns the first line of
// the answer.
std::string raw_exchange(int port, const std::string& bytes, bool half_close = true,
                         int wait_ms = 500)
{
    int fd = tcp_connect(port);
    if (fd < 0)
    {
        return "<no connection>";
    }
    size_t off = 0;
    while (off < bytes.size())
    {
        ssize_t w = send(fd, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
        if (w <= 0)
        {
            break;
        }
        off += static_cast<size_t>(w);
    }
    if (half_close)
    {
        shutdown(fd, SHUT_WR);
    }
    std::string in;
    char buf[4096];
    pollfd p{fd, POLLIN, 0};
    while (poll(&p, 1, wait_ms) > 0)
    {
        ssize_t r = read(fd, buf, sizeof(buf));
        if (r <= 0)
        {
            break;
        }
        in.append(buf, static_cast<size_t>(r));
    }
    close(fd);
    return in.substr(0, in.find('\r'));
}

std::string random_bytes(std::mt19937& rng, size_t n, bool printable)
{
    std::string out(n, '\0');
    for (char& ch : out)
    {
        ch = static_cast<char>(printable ? 33 + rng() % 94 : rng() % 256);
    }
    return out;
}

}  // namespace

#ifdef __SANITIZE_ADDRESS__
// With ASan, freed memory waits in the quarantine (ASAN_OPTIONS quarantine_size_mb, 256 MiB
// by default) instead of being reused: 5M rows of JSON pages fill it. The bound is the
// quarantine plus the 64 MiB allowed without ASan. Measured in build-asan with scripts/check's
// ASAN_OPTIONS (abort_on_error=1:detect_leaks=1) on the 2-core machine, three runs of
// `sqlgate_system --gtest_filter='SqlGatewayMemory.*'`: 271-272 MiB growth (5 MiB without).
constexpr int64_t kMaxGrowthKiB = (256 + 64) * 1024;
#else
constexpr int64_t kMaxGrowthKiB = 64 * 1024;
#endif

TEST(SqlGatewayMemory, FiveMillionRowsPageByPageWithAPause)
{
    GwGate g("page_size=10000\n");
    MysqlPtr root = primary_root();
    ASSERT_TRUE(root);
    Client c(g.http());
    std::string sh = c.open();
    ASSERT_FALSE(sh.empty());
    // Warm up the allocator with the same kind of pages first.
    ASSERT_EQ(c.query(sh, "select seq, repeat('x',20) from seq_1_to_30000").size(), 30000u);
    pid_t pid = g.gate->pid();
    int64_t base = rss_kib(pid);
    ASSERT_TRUE(rss_ok(base, pid));
    RssSampler sampler(pid);

    const uint64_t total = 5000000;
    std::string oh = c.submit_sql(
        sh, "select seq, repeat('x',20) as gw_mem from seq_1_to_" + std::to_string(total));
    ASSERT_FALSE(oh.empty());
    std::string path = "/v2" + Client::op_path(sh, oh) + "/result/0?rowFormat=JSON";
    uint64_t rows = 0, next = 1;
    bool in_order = true, paused = false, eos = false;
    auto deadline = std::chrono::steady_clock::now() + 120s;
    while (!eos && std::chrono::steady_clock::now() < deadline)
    {
        HttpResult r = c.http().get(path);
        ASSERT_EQ(r.code, 200) << path << ": " << r.body.substr(0, 500);
        ASSERT_TRUE(r.json) << r.body.substr(0, 500);
        std::string type = r.str("/resultType");
        eos = type == "EOS";
        rows += check_page(r.body, next, in_order);
        if (!eos)
        {
            path = r.str("/nextResultUri");
            ASSERT_FALSE(path.empty()) << r.body.substr(0, 500);
        }
        if (type == "NOT_READY")
        {
            std::this_thread::sleep_for(5ms);
        }
        if (!paused && rows >= total / 2)
        {
            // The client stops fetching: sqlgate must stop reading the server, so the
            // query is still there after a pause in which it would otherwise finish.
            paused = true;
            int64_t before = sampler.max_kib();
            std::this_thread::sleep_for(3s);
            EXPECT_EQ(backend_queries(root.get(), "%as gw_mem from%"), 1)
                << "the backend was not held back while the client paused";
            int64_t now = rss_kib(pid);
            EXPECT_TRUE(rss_ok(now, pid));
            EXPECT_LT(now - base, kMaxGrowthKiB) << "before the pause " << before;
            EXPECT_EQ(c.status(sh, oh), "RUNNING");
        }
    }
    EXPECT_TRUE(eos) << "no EOS after " << rows << " rows";
    EXPECT_EQ(rows, total);
    EXPECT_TRUE(in_order) << "rows out of order or missing";
    ASSERT_TRUE(sampler.ok());
    int64_t growth = sampler.max_kib() - base;
    std::cout << "[ memory   ] " << rows << " rows; sqlgate RSS " << base / 1024 << " MiB before, "
              << sampler.max_kib() / 1024 << " MiB at most (" << growth / 1024 << " MiB growth)"
              << std::endl;
    EXPECT_LT(growth, kMaxGrowthKiB)
        << "RSS grew by " << growth / 1024 << " MiB (base " << base / 1024 << " MiB)";
    EXPECT_EQ(c.status(sh, oh), "FINISHED");
    EXPECT_EQ(backend_queries(root.get(), "%as gw_mem from%"), 0);
    EXPECT_EQ(c.value(sh, "select 'done'"), "done");
}

TEST(SqlGatewayErrors, HostileRequestsLeaveItServing)
{
    GwGate g("max_request_size=256Ki\n");
    Client c(g.http(), 1);
    std::string sh = c.open();
    ASSERT_FALSE(sh.empty());
    std::string oh = c.submit_sql(sh, "select 1");
    ASSERT_EQ(c.wait_done(sh, oh), "FINISHED");
    std::string op = "/v1" + Client::op_path(sh, oh);
    std::mt19937 rng(20261121);
    int requests = 0;
    Http h = g.http();
    // Every HTTP request is answered with a status below 500 (the request was wrong).
    auto answered = [&](const HttpResult& r, const std::string& what)
    {
        ++requests;
        EXPECT_GT(r.code, 0) << what << ": no answer";
        EXPECT_LT(r.code, 500) << what << ": " << r.body.substr(0, 300);
    };

    // Garbage paths.
    std::vector<std::string> paths = {
        "/",
        "//",
        "/v1",
        "/v1/",
        "/sessions/",
        "/v1/sessions//",
        "/../../etc/passwd",
        "/v1/sessions/%00",
        "/v1/sessions/" + sh + "/%2e%2e",
        "/v-1/info",
        "/v1.5/info",
        "/v1v2/info",
        "/%ff%fe",
        "/v1/sessions/" + sh + "/operations",
        op + "/result",
        op + "/result/0/extra",
        op + "/nosuch",
        "/v1/sessions/" + sh + "/operations//status",
        "/v1/sessions/" + std::string(5000, 'a'),
        "/" + std::string(20000, '/'),
        "/v1/sessions/" + sh + "/statements/" + std::string(3000, 'x'),
        "/v1/info?" + std::string(500, '&'),
        "/v1/info?a=%zz&b",
        "/api_versions#frag",
    };
    for (int i = 0; i < 16; ++i)
    {
        paths.push_back("/" + random_bytes(rng, 1 + rng() % 200, true));
    }
    for (const std::string& p : paths)
    {
        for (const char* m : {"GET", "POST"})
        {
            answered(h.request(m, p, m[0] == 'P' ? "{}" : ""), m + (" " + p.substr(0, 80)));
        }
    }

    // Hostile bodies on the routes that read one.
    std::vector<std::string> bodies = {
        "{",
        "}",
        "null",
        "\"x\"",
        "[]",
        std::string(10000, '[') + std::string(10000, ']'),
        "{\"properties\":" + std::string(5000, '{') + std::string(5000, '}') + "}",
        "{\"statement\":\"" + std::string(300000, 'x') + "\"}",
        R"({"statement":"select 1","executionTimeout":-5})",
        R"({"statement":"select 1","executionTimeout":1e300})",
        R"({"statement":"select 1","executionConfig":"x"})",
        R"({"statement":"select ?","executionConfig":{"args":"not json"}})",
        R"({"statement":"select $","executionConfig":{"$":"1"}})",
        R"({"statement":"select 1","executionConfig":{"args":"[[[[1]]]]"}})",
        R"({"statement":"select 1\u0000; drop table x"})",
        R"({"statement":"\ud800"})",
        R"({"properties":{"":"1"}})",
        R"({"properties":{"default-database":"te`st"}})",
        R"({"properties":{"default-database":null}})",
        R"({"properties":{"sql_mode":{"a":[1]}}})",
        R"({"properties":{"max_statement_time":"1e400"}})",
        R"({"sessionName":"` drop table x"})",
        "{\"statement\":\"select 1\",\"statement\":\"select 2\"}",
        random_bytes(rng, 2000, false),
        random_bytes(rng, 50, false),
    };
    for (const std::string& b : bodies)
    {
        for (const std::string& p :
             std::vector<std::string>{"/v1/sessions", "/v1/sessions/" + sh + "/statements",
                                      "/v2/sessions/" + sh + "/configure-session"})
        {
            HttpResult r = h.request("POST", p, b, {"Content-Type: application/json"});
            if (r.code == 500 && p.find("configure") != std::string::npos)
            {
                // configure-session runs at once: a statement the server refuses is a 500.
                EXPECT_NE(r.body.find("MariaDB error"), std::string::npos) << r.body;
                r.code = 400;
            }
            answered(r, "POST " + p + " " + b.substr(0, 80));
            // Sessions that did open are closed again.
            std::string opened = r.str("/sessionHandle");
            if (!opened.empty())
            {
                c.del("/sessions/" + opened);
            }
        }
    }

    // Tokens and row formats.
    for (const std::string& t :
         std::vector<std::string>{"-1", "18446744073709551616", std::string(10000, '9'), "1e3",
                                  "%31", "0.5", "NaN", "\xff", "%200", "00", "-0", "0/", "%00"})
    {
        answered(h.get(op + "/result/" + t), "token " + t.substr(0, 40));
    }
    for (const std::string& f :
         std::vector<std::string>{"", "json%00", std::string(5000, 'J'), "PLAIN_TEXT&rowFormat=x"})
    {
        answered(h.get("/v2" + Client::op_path(sh, oh) + "/result/1?rowFormat=" + f),
                 "rowFormat " + f.substr(0, 40));
    }

    // Hostile headers and credentials.
    std::vector<std::vector<std::string>> headers = {
        {"Authorization: Basic"},
        {"Authorization: Basic !!!!"},
        {"Authorization: Basic " + std::string(6000, 'A')},
        {"Authorization: Bearer abc.def.ghi"},
        {"Authorization: Basic YXBwOg=="},      // app: (empty password)
        {"Authorization: Basic OmFwcF9wdw=="},  // :app_pw
        {"Content-Type: text/plain; charset=" + std::string(3000, 'x')},
        {"X-Long: " + std::string(7000, 'h')},
        {"Content-Length: 5"},
        {"Expect: 100-continue"},
        {"Host: " + std::string(2000, 'h')},
    };
    for (int i = 0; i < 40; ++i)
    {
        headers.push_back({"X-" + std::to_string(i) + ": " + random_bytes(rng, 100, true)});
    }
    Http anonymous(g.gw, "", "");
    for (const auto& hs : headers)
    {
        answered(anonymous.request("POST", "/v1/sessions/" + sh + "/statements",
                                   "{\"statement\":\"select 1\"}", hs),
                 hs[0].substr(0, 60));
    }

    // Raw bytes: not HTTP at all, broken request lines, truncated requests.
    std::vector<std::string> raw = {
        "\r\n\r\n",
        "GET\r\n\r\n",
        "GET / HTTP/9.9\r\n\r\n",
        "GET /v1/info HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
        "POST /v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"a\"",
        "POST /v1/sessions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\n",
        "POST /v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n",
        "GET /v1/info HTTP/1.1\r\n" + std::string(100000, 'a') + "\r\n\r\n",
        "GET /" + std::string(100000, 'p') + " HTTP/1.1\r\nHost: x\r\n\r\n",
        "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",  // a TLS ClientHello
        "POST /v1/sessions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n{}",
    };
    for (int i = 0; i < 20; ++i)
    {
        raw.push_back(random_bytes(rng, 1 + rng() % 3000, i % 2 == 0));
    }
    for (const std::string& bytes : raw)
    {
        ++requests;
        std::string answer = raw_exchange(g.gw, bytes);
        EXPECT_TRUE(answer.empty() || answer.rfind("HTTP/1.", 0) == 0)
            << bytes.substr(0, 60) << " -> " << answer;
        // 505 is MHD's answer to an unknown HTTP version; no other server error.
        EXPECT_TRUE(answer.size() < 10 || answer[9] != '5' || answer.substr(9, 3) == "505")
            << "a server error: " << answer;
    }
    EXPECT_GE(requests, 200);

    // Still serving: the process runs, the old session and a new one work.
    ASSERT_TRUE(g.gate->running()) << g.gate->diagnostics();
    EXPECT_EQ(c.value(sh, "select 'still here'"), "still here");
    Client fresh(g.http(), 2);
    std::string sh2 = fresh.open();
    ASSERT_FALSE(sh2.empty());
    EXPECT_EQ(fresh.value(sh2, "select 40 + 2"), "42");
    EXPECT_EQ(c.status(sh, oh), "FINISHED");
}

// Known bug (libmicrohttpd 0.9.75 as sqlgate drives it; the admin REST API has it too):
// a request whose query string has more parameters than the connection's 64 KiB memory
// pool holds (about 1,100 '&') gets no answer at all; the connection hangs until MHD's
// 120 s timeout. Expected: 414 or 431 at once.
TEST(SqlGatewayErrors, DISABLED_ManyQueryParametersGetAnAnswer)
{
    GwGate g;
    std::string line = raw_exchange(
        g.gw, "GET /v1/info?" + std::string(2000, '&') + " HTTP/1.1\r\nHost: x\r\n\r\n", false,
        2000);
    EXPECT_EQ(line.rfind("HTTP/1.1 4", 0), 0u) << "answer: '" << line << "'";
}
