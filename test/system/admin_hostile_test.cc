// Hostile input for the admin REST API: hundreds of malformed or malicious requests
// against a running sqlgate. Every one must get a 4xx (never a 5xx, never a hang), a
// 4xx written by sqlgate must carry a JSON:API error document, and the process must keep
// running. Afterwards GET /v1/servers, the users and the configuration files must be
// exactly as before, and sqlgate must exit cleanly on SIGTERM. A few requests that curl
// cannot send go over raw sockets; for those the connection must be answered with a 4xx
// or closed.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <random>

#include "admin_hostile_cases.hh"
#include "harness.hh"
#include "http_client.hh"

using namespace sqlgate::test;
using namespace sqlgate::test::hostile;

namespace
{

// Sends `request` (complete: the server has nothing to wait for) and reads until the end
// of the response headers, EOF or 10 s. Returns the status code, 0 if the connection was
// closed without an answer, or -1 if nothing happened within 10 s (a hang) or the
// connection failed. The client does not half-close: MHD may then drop a request it
// would otherwise answer, which would hide the answer.
int raw_exchange(int port, const std::string& request, std::string& answer)
{
    answer.clear();
    int fd = tcp_connect(port);
    if (fd < 0)
    {
        return -1;
    }
    size_t sent = 0;
    while (sent < request.size())
    {
        ssize_t n = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
        if (n <= 0)
        {
            break;  // the server may refuse the rest; what it answered still counts
        }
        sent += static_cast<size_t>(n);
    }
    bool closed = false;
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (answer.find("\r\n\r\n") == std::string::npos)
    {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        pollfd p{fd, POLLIN, 0};
        if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0)
        {
            break;
        }
        char buf[4096];
        ssize_t n = recv(fd, buf, sizeof(buf), 0);
        if (n <= 0)
        {
            closed = true;  // EOF or reset
            break;
        }
        answer.append(buf, static_cast<size_t>(n));
    }
    close(fd);
    if (answer.rfind("HTTP/1.", 0) == 0 && answer.size() > 12)
    {
        return atoi(answer.c_str() + 9);
    }
    return closed && answer.empty() ? 0 : -1;
}

// ---- state that must not change --------------------------------------------------------

// The configuration file and everything under the data directory (users, runtime
// changes), by path.
std::map<std::string, std::string> config_snapshot(const SqlGate& gate)
{
    std::map<std::string, std::string> out;
    out[gate.config_path()] = read_file(gate.config_path());
    std::error_code ec;
    for (const auto& e : std::filesystem::recursive_directory_iterator(gate.dir() + "/data", ec))
    {
        if (e.is_regular_file())
        {
            out[e.path().string()] = read_file(e.path().string());
        }
    }
    return out;
}

std::string users_of(const Http& h)
{
    HttpResult r = h.get("/v1/users/inet");
    std::string out;
    for (size_t i = 0; i < json_array_size(r.at("/data")); ++i)
    {
        std::string p = "/data/" + std::to_string(i);
        out += r.str(p + "/id") + ":" + r.str(p + "/attributes/account") + " ";
    }
    return out;
}

}  // namespace

TEST(AdminHostile, MalformedAndMaliciousRequestsGet4xx)
{
    int port = free_port();
    int admin_port = free_port();
    ConfigOptions o;
    o.admin_port = admin_port;
    SqlGate gate(config_for(shared_cluster(), port, "", o), port);
    ASSERT_TRUE(eventually([&] { return port_accepts(admin_port); }, 5s)) << gate.diagnostics();
    Http admin(admin_port);
    Http anon(admin_port);
    anon.no_credentials();

    HttpResult before = admin.get("/v1/servers");
    ASSERT_EQ(before.code, 200) << before.error();
    Json servers_before(json_deep_copy(before.at("/data")));
    ASSERT_EQ(json_array_size(servers_before.get()), 3u);
    std::string users_before = users_of(admin);
    std::map<std::string, std::string> config_before = config_snapshot(gate);
    HttpResult auth = admin.get("/v1/auth");
    ASSERT_EQ(auth.code, 200) << auth.error();
    std::string token = auth.str("/meta/token");

    std::vector<Case> cases = all_cases(token);
    ASSERT_GE(cases.size(), 200u);

    int failed = 0;
    int without_document = 0;
    for (size_t i = 0; i < cases.size(); ++i)
    {
        const Case& c = cases[i];
        const Http& client = c.auth == Auth::ADMIN ? admin : anon;
        HttpResult r = client.request(c.method, c.path, c.body, c.headers);
        std::string where = "case " + std::to_string(i) + " [" + c.what + "] " +
                            show(c.method, 40) + " " + show(c.path) +
                            (c.body.empty() ? "" : " body " + show(c.body, 60)) + "\n  answer " +
                            std::to_string(r.code) + ": " + show(r.body, 300);
        bool ok = r.code >= 400 && r.code < 500 && (c.expect == 0 || r.code == c.expect);
        EXPECT_TRUE(ok) << where << "\n  expected "
                        << (c.expect ? std::to_string(c.expect) : "4xx");
        // MHD itself answers 414 and 431 (HTML); every other 4xx comes from sqlgate.
        if (r.code >= 400 && r.code < 500 && r.code != 414 && r.code != 431 && c.method != "HEAD")
        {
            bool document = json_is_string(r.at("/errors/0/detail"));
            EXPECT_TRUE(document) << where << "\n  a 4xx without a JSON:API error document";
            without_document += !document;
        }
        failed += !ok;
        if (r.code == 0 || r.code >= 500)
        {
            ASSERT_TRUE(gate.running()) << "sqlgate died on " << where << "\n"
                                        << gate.diagnostics();
        }
        if (i % 25 == 24)
        {
            ASSERT_EQ(admin.get("/v1/servers").code, 200)
                << "sqlgate stopped answering after " << where << "\n"
                << gate.diagnostics();
        }
    }

    // Raw sockets: requests curl refuses to send.
    std::vector<std::pair<std::string, std::string>> raw = raw_cases();
    for (const auto& [what, request] : raw)
    {
        std::string answer;
        int code = raw_exchange(admin_port, request, answer);
        EXPECT_TRUE(code == 0 || (code >= 400 && code < 500))
            << "raw [" << what << "] " << show(request) << "\n  answer "
            << (code == 0  ? "closed"
                : code < 0 ? "none within 10 s"
                           : std::to_string(code))
            << ": " << show(answer, 200);
        ASSERT_TRUE(gate.running()) << "sqlgate died on raw [" << what << "]\n"
                                    << gate.diagnostics();
        ASSERT_EQ(admin.get("/v1/servers").code, 200) << "no answer after raw [" << what << "]";
    }

    size_t total = cases.size() + raw.size();
    std::cout << "[ hostile  ] " << total << " requests (" << cases.size() << " through curl, "
              << raw.size() << " over raw sockets); through curl, " << failed
              << " not answered with the right 4xx and " << without_document
              << " 4xx without an error document" << std::endl;
    RecordProperty("hostile_requests", static_cast<int>(total));

    EXPECT_TRUE(gate.running()) << gate.diagnostics();
    HttpResult after = admin.get("/v1/servers");
    ASSERT_EQ(after.code, 200) << after.error();
    EXPECT_TRUE(json_equal(servers_before.get(), after.at("/data")))
        << "GET /v1/servers changed:\nbefore: " << dump(servers_before.get())
        << "\nafter:  " << after.body;
    EXPECT_EQ(users_of(admin), users_before);
    std::map<std::string, std::string> config_after = config_snapshot(gate);
    for (const auto& [path, text] : config_after)
    {
        auto it = config_before.find(path);
        EXPECT_TRUE(it != config_before.end() && it->second == text)
            << path << (it == config_before.end() ? " appeared" : " changed") << ":\n"
            << show(text, 2000);
    }
    for (const auto& [path, text] : config_before)
    {
        EXPECT_TRUE(config_after.count(path)) << path << " disappeared";
    }
    ExitStatus exit = gate.stop();
    EXPECT_TRUE(exit.exited() && exit.exit_code() == 0)
        << "sqlgate after SIGTERM: " << exit.describe() << "\n"
        << gate.diagnostics();
}
