// maxctrl's command line: --help and --version, --tsv parsed back against the REST API,
// error messages and exit codes (unknown objects, bad usage, connection refused, wrong
// password, timeouts), global options in any position, the password read from stdin.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <regex>

#include "maxctrl_gate.hh"

using namespace sqlgate::test;

namespace
{

using MaxctrlCli = MaxctrlTest;

const char* kMonitor =
    "[Mon]\ntype=monitor\nmodule=mariadbmon\nservers=server1,server2,server3\n"
    "user=monitor\npassword=monitor_pw\nmonitor_interval=300ms\n";

std::string first_line(const std::string& text)
{
    return text.substr(0, text.find('\n'));
}

std::string version_in(const std::string& text)
{
    std::smatch m;
    return std::regex_search(text, m, std::regex("[0-9]+\\.[0-9]+\\.[0-9]+")) ? m.str() : "";
}

// A socket that listens on 127.0.0.1 and never accepts: connects succeed, nothing answers.
struct SilentServer
{
    int fd = -1;
    int port = 0;
    SilentServer()
    {
        fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        if (bind(fd, reinterpret_cast<sockaddr*>(&a), len) == 0 && listen(fd, 16) == 0 &&
            getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
        {
            port = ntohs(a.sin_port);
        }
    }
    ~SilentServer() { close(fd); }
};

}  // namespace

TEST_F(MaxctrlCli, HelpOnEveryLevelAndVersion)
{
    // No server is needed: the host named has nothing listening.
    std::string nobody = host_of(free_port());
    std::vector<std::vector<std::string>> cases{{"--help"},
                                                {"list", "--help"},
                                                {"list", "servers", "--help"},
                                                {"show", "--help"},
                                                {"create", "server", "--help"},
                                                {"-h", nobody, "destroy", "--help"},
                                                {"api", "get", "--help"}};
    for (const auto& args : cases)
    {
        MaxctrlResult r = run_maxctrl(args);
        EXPECT_TRUE(mc_ok(r));
        EXPECT_GT(r.out.size(), 20u) << r.describe();
    }
    MaxctrlResult top = run_maxctrl({"--help"});
    for (const char* word : {"list", "show", "create", "destroy", "alter", "--tsv", "--hosts"})
    {
        EXPECT_NE(top.out.find(word), std::string::npos) << word << "\n" << top.describe();
    }
    MaxctrlResult list = run_maxctrl({"list", "--help"});
    for (const char* word : {"servers", "services", "listeners", "sessions", "commands"})
    {
        EXPECT_NE(list.out.find(word), std::string::npos) << word << "\n" << list.describe();
    }

    MaxctrlResult v = run_maxctrl({"--version"});
    EXPECT_TRUE(mc_ok(v));
    CommandResult sg = run_sqlgate({"--version"});
    ASSERT_FALSE(version_in(sg.output).empty()) << sg.output;
    EXPECT_EQ(version_in(v.out), version_in(sg.output)) << v.describe();
}

TEST_F(MaxctrlCli, TsvListServersMatchesRest)
{
    MaxctrlGate g(kMonitor);
    Http h = g.http();
    ASSERT_TRUE(eventually(
        [&]
        {
            return h.get("/v1/servers/server1").str("/data/attributes/state") ==
                       "Master, Running" &&
                   !h.get("/v1/servers/server3").str("/data/attributes/gtid_current_pos").empty();
        },
        10s));
    MaxctrlResult r = g.mc({"--tsv", "list", "servers"});
    ASSERT_TRUE(mc_ok(r));
    auto rows = tsv_rows(r.out);
    ASSERT_EQ(rows.size(), 3u) << r.describe();
    for (const auto& row : rows)
    {
        ASSERT_EQ(row.size(), 7u) << r.describe();
        HttpResult s = h.get("/v1/servers/" + row[0]);
        ASSERT_EQ(s.code, 200) << row[0];
        EXPECT_EQ(row[1], s.str("/data/attributes/parameters/address"));
        EXPECT_EQ(row[2], std::to_string(s.num("/data/attributes/parameters/port")));
        EXPECT_EQ(row[3], std::to_string(s.num("/data/attributes/statistics/connections")));
        EXPECT_EQ(row[4], s.str("/data/attributes/state"));
        EXPECT_EQ(row[5], s.str("/data/attributes/gtid_current_pos"));
        EXPECT_FALSE(row[5].empty());
        EXPECT_EQ(row[6], "Mon");
    }
    // --tsv after the command words, too.
    MaxctrlResult after = g.mc({"list", "servers", "--tsv"});
    ASSERT_TRUE(mc_ok(after));
    EXPECT_EQ(tsv_rows(after.out).size(), 3u) << after.describe();
}

TEST_F(MaxctrlCli, ErrorsAndExitCodes)
{
    MaxctrlGate g;
    Http h = g.http();

    MaxctrlResult r = g.mc({"show", "server", "nosuch"});
    EXPECT_TRUE(mc_error(r));
    EXPECT_EQ(first_line(r.err), "Error: Server at " + g.host() +
                                     " responded with 404 Not Found to `GET servers/nosuch`")
        << r.describe();
    EXPECT_EQ(r.out, "") << r.describe();

    // The server's detail lines follow.
    r = g.mc({"create", "server", "bad", "address=127.0.0.1", "port=99999"});
    EXPECT_TRUE(mc_error(r, "responded with 400 Bad Request to `POST servers`"));
    EXPECT_NE(r.err.find("port"), std::string::npos) << r.describe();
    EXPECT_EQ(h.get("/v1/servers/bad").code, 404);

    // Bad usage: no request is made.
    std::vector<std::vector<std::string>> usage{
        {"frobnicate"},       {"list", "nosuch"},           {"show", "server"},
        {"create", "server"}, {"set", "server", "server1"}, {"destroy"},
        {"api", "get"}};
    for (const auto& args : usage)
    {
        r = g.mc(args);
        EXPECT_TRUE(mc_error(r));
        EXPECT_EQ(r.out, "") << r.describe();
    }
    EXPECT_TRUE(mc_error(g.mc({"list", "servers", "--no-such-option"})));

    // Connection refused.
    int nobody = free_port();
    r = run_maxctrl({"-h", host_of(nobody), "list", "servers"});
    EXPECT_TRUE(mc_error(r));
    EXPECT_EQ(first_line(r.err),
              "Error: Could not connect to MaxScale at " + host_of(nobody) + ": Connection refused")
        << r.describe();

    // Wrong password and unknown user: 401.
    for (auto [user, pw] : {std::pair{"admin", "wrong"}, std::pair{"nobody", "mariadb"}})
    {
        r = run_maxctrl({"-h", g.host(), "-u", user, "-p", pw, "list", "servers"});
        EXPECT_TRUE(mc_error(r));
        EXPECT_EQ(first_line(r.err), "Error: Server at " + g.host() +
                                         " responded with 401 Unauthorized to `GET servers`")
            << r.describe();
    }
}

TEST_F(MaxctrlCli, DefaultsAndOptionsInAnyPosition)
{
    MaxctrlGate g;
    // -u admin -p mariadb are the defaults.
    EXPECT_TRUE(mc_ok(g.mc_bare({"-h", g.host(), "list", "servers"})));
    EXPECT_TRUE(mc_ok(g.mc_bare({"--hosts", g.host(), "list", "servers"})));
    // Global options after the command words, long forms.
    MaxctrlResult r = g.mc_bare(
        {"list", "servers", "--hosts", g.host(), "--user", "admin", "--password", "mariadb"});
    EXPECT_TRUE(mc_ok(r));
    EXPECT_NE(r.out.find("│ server1 "), std::string::npos) << r.describe();
    r = g.mc_bare({"list", "-h", g.host(), "servers", "-u", "admin"});
    EXPECT_TRUE(mc_ok(r));
    // --hosts=value form.
    EXPECT_TRUE(mc_ok(g.mc_bare({"--hosts=" + g.host(), "list", "servers"})));
    // The default host 127.0.0.1:8989, when nothing listens there.
    if (!port_accepts(8989))
    {
        r = g.mc_bare({"list", "servers"});
        EXPECT_TRUE(mc_error(r, "Could not connect to MaxScale at 127.0.0.1:8989")) << r.describe();
    }
}

TEST_F(MaxctrlCli, PasswordFromStdinWhenNotATerminal)
{
    MaxctrlGate g;
    MaxctrlOptions o;
    o.stdin_text = "mariadb\nsomething else\n";
    MaxctrlResult r = g.mc_bare({"-h", g.host(), "-u", "admin", "-p", "", "list", "servers"}, o);
    EXPECT_TRUE(mc_ok(r));
    EXPECT_NE(r.out.find("│ server1 "), std::string::npos) << r.describe();
    EXPECT_EQ(r.out.find("Password"), std::string::npos) << r.describe();
    o.stdin_text = "wrong\n";
    r = g.mc_bare({"-h", g.host(), "-p", "", "list", "servers"}, o);
    EXPECT_TRUE(mc_error(r, "401 Unauthorized"));
    // --password= (empty) is the same as -p ''.
    o.stdin_text = "mariadb\n";
    EXPECT_TRUE(mc_ok(g.mc_bare({"-h", g.host(), "--password=", "list", "servers"}, o)));
}

TEST_F(MaxctrlCli, CommandsFromStandardInput)
{
    // No command: one per line from stdin; global options on a line apply to it alone;
    // an error does not stop the others but makes the exit status 1.
    MaxctrlGate g;
    MaxctrlOptions o;
    o.stdin_text =
        "list servers --tsv\n"
        "\n"
        "show server nosuch\n"
        "create server \"qin\" 'address=127.0.0.1' \"port=13399\"\n"
        "list servers\n"
        "exit\n"
        "list monitors\n";
    MaxctrlResult r = g.mc({}, o);
    EXPECT_EQ(r.exit_code(), 1) << r.describe();
    EXPECT_NE(r.out.find("server1\t127.0.0.1\t"), std::string::npos) << r.describe();
    EXPECT_NE(r.err.find("Error: Server at " + g.host() +
                         " responded with 404 Not Found to "
                         "`GET servers/nosuch`"),
              std::string::npos)
        << r.describe();
    // Quotes group words; the table after it has the new server; nothing after exit runs.
    EXPECT_NE(r.out.find("OK\n"), std::string::npos) << r.describe();
    EXPECT_NE(r.out.find("│ qin     │ 127.0.0.1 │ 13399 │"), std::string::npos) << r.describe();
    EXPECT_EQ(r.out.find("│ Module"), std::string::npos) << r.describe();
    EXPECT_EQ(g.http().get("/v1/servers/qin").code, 200);

    o.stdin_text = "list servers\nlist users\n";
    r = g.mc({}, o);
    EXPECT_EQ(r.exit_code(), 0) << r.describe();
}

TEST_F(MaxctrlCli, Timeout)
{
    SilentServer silent;
    ASSERT_NE(silent.port, 0);
    for (std::string t : {"500", "500ms", "1s"})
    {
        MaxctrlResult r =
            run_maxctrl({"-t", t, "-h", host_of(silent.port), "list", "servers"}, timeout_of(20s));
        EXPECT_TRUE(mc_error(r, host_of(silent.port))) << "-t " << t;
        EXPECT_LT(r.status.elapsed.count(), 5000) << "-t " << t << "\n" << r.describe();
    }
    MaxctrlResult r =
        run_maxctrl({"--timeout", "1s", "-h", host_of(silent.port), "list", "servers"});
    EXPECT_TRUE(mc_error(r));
    EXPECT_LT(r.status.elapsed.count(), 5000) << r.describe();
    // A timeout with room is no problem; a bad one is a usage error.
    MaxctrlGate g;
    EXPECT_TRUE(mc_ok(g.mc({"-t", "2m", "list", "servers"})));
    EXPECT_TRUE(mc_ok(g.mc({"--timeout=10000", "list", "servers"})));
    EXPECT_TRUE(mc_error(g.mc({"-t", "soon", "list", "servers"})));
}

TEST_F(MaxctrlCli, TlsOptions)
{
    MaxctrlGate g;
    // Without --secure the TLS options are accepted and change nothing.
    EXPECT_TRUE(mc_ok(g.mc({"--tls-verify-server-cert=false", "list", "servers"})));
    EXPECT_TRUE(mc_ok(g.mc({"-n", "false", "list", "servers"})));
    // sqlgate's REST API has no HTTPS: --secure fails cleanly, exit 1, no hang.
    MaxctrlResult r = g.mc({"-s", "-n", "false", "list", "servers"}, timeout_of(20s));
    EXPECT_TRUE(mc_error(r));
    EXPECT_LT(r.status.elapsed.count(), 12000) << r.describe();
    r = g.mc({"--secure", "--tls-ca-cert", "/nonexistent/ca.pem", "list", "servers"},
             timeout_of(20s));
    EXPECT_TRUE(mc_error(r));
    // Every TLS option is known (the error is the connection's, not the command line's).
    r = g.mc({"-s", "--tls-key", "/nonexistent/key.pem", "--tls-cert", "/nonexistent/cert.pem",
              "--tls-passphrase", "secret", "--tls-ca-cert", "/nonexistent/ca.pem",
              "--tls-verify-server-cert=true", "list", "servers"},
             timeout_of(20s));
    EXPECT_TRUE(mc_error(r));
    EXPECT_EQ(r.err.find("nknown option"), std::string::npos) << r.describe();
    // secure=true in the config file is used.
    g.home.write_config("[maxctrl]\nsecure=true\n");
    EXPECT_TRUE(mc_error(g.mc({"list", "servers"}, timeout_of(20s)), g.host()));
    g.home.write_config("[maxctrl]\nsecure=false\n");
    EXPECT_TRUE(mc_ok(g.mc({"list", "servers"})));
}
