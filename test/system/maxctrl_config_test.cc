// maxctrl with several hosts, with its config file (~/.maxctrl.cnf or -c FILE, and its
// permission check), and with the password typed at a prompt on a pseudo-terminal.
#include <gtest/gtest.h>

#include "maxctrl_gate.hh"

using namespace sqlgate::test;

namespace
{

using MaxctrlHosts = MaxctrlTest;
using MaxctrlConfig = MaxctrlTest;
using MaxctrlPrompt = MaxctrlTest;

std::string first_line_of(const std::string& text)
{
    return text.substr(0, text.find('\n'));
}

// Output of several hosts: the text after each line that names a host, by host.
std::map<std::string, std::string> by_host(const std::string& out,
                                           const std::vector<std::string>& hosts)
{
    std::map<std::string, std::string> parts;
    std::string current;
    for (const auto& line : lines_of(out))
    {
        bool is_host = false;
        for (const auto& h : hosts)
        {
            is_host = is_host || line == h;
        }
        if (is_host)
        {
            current = line;
            parts[current];
            continue;
        }
        parts[current] += line + "\n";
    }
    return parts;
}

}  // namespace

TEST_F(MaxctrlHosts, CommandRunsOnEveryHost)
{
    MaxctrlGate a;
    MaxctrlGate b;
    std::string both = a.host() + "," + b.host();

    MaxctrlResult r = a.mc_bare({"-h", both, "list", "servers"});
    ASSERT_TRUE(mc_ok(r));
    auto parts = by_host(r.out, {a.host(), b.host()});
    EXPECT_EQ(lines_of(r.out).at(0), a.host()) << r.describe();
    ASSERT_EQ(parts.count(a.host()), 1u) << r.describe();
    ASSERT_EQ(parts.count(b.host()), 1u) << r.describe();
    EXPECT_EQ(parts[""], "") << r.describe();
    for (const auto& host : {a.host(), b.host()})
    {
        BoxTable t = parse_box_table(parts[host]);
        EXPECT_EQ(t.layout_error, "") << host << "\n" << r.describe();
        EXPECT_EQ(t.data().size(), 3u) << host << "\n" << r.describe();
    }

    // A write on both.
    r = a.mc_bare({"-h", both, "create", "server", "mh1", "address=127.0.0.1", "port=13331"});
    EXPECT_EQ(r.exit_code(), 0) << r.describe();
    EXPECT_NE(r.out.find(a.host()), std::string::npos) << r.describe();
    EXPECT_NE(r.out.find(b.host()), std::string::npos) << r.describe();
    EXPECT_EQ(a.http().get("/v1/servers/mh1").num("/data/attributes/parameters/port"), 13331);
    EXPECT_EQ(b.http().get("/v1/servers/mh1").num("/data/attributes/parameters/port"), 13331);

    // --tsv with several hosts: the host lines, then the rows.
    r = a.mc_bare({"-h", both, "--tsv", "list", "servers"});
    ASSERT_TRUE(mc_ok(r));
    parts = by_host(r.out, {a.host(), b.host()});
    EXPECT_EQ(tsv_rows(parts[a.host()]).size(), 4u) << r.describe();
    EXPECT_EQ(tsv_rows(parts[b.host()]).size(), 4u) << r.describe();

    // One host that fails (an error on one, or one down): exit 1.
    b.http().del("/v1/servers/mh1");
    r = a.mc_bare({"-h", both, "show", "server", "mh1"});
    EXPECT_EQ(r.exit_code(), 1) << r.describe();
    EXPECT_NE(r.err.find("Error: "), std::string::npos) << r.describe();
    std::string down = host_of(free_port());
    r = a.mc_bare({"-h", a.host() + "," + down, "list", "servers"});
    EXPECT_EQ(r.exit_code(), 1) << r.describe();
    EXPECT_NE(r.err.find("Could not connect to MaxScale at " + down), std::string::npos)
        << r.describe();
    r = a.mc_bare({"-h", down + "," + a.host(), "destroy", "server", "mh1"});
    EXPECT_EQ(r.exit_code(), 1) << r.describe();
}

TEST_F(MaxctrlConfig, ValuesFromTheFileAndTheirOverrides)
{
    MaxctrlGate g;
    Http h = g.http();
    ASSERT_EQ(
        h.post(
             "/v1/users/inet",
             R"({"data":{"id":"cfgadmin","type":"inet","attributes":{"password":"cfg-pw","account":"admin"}}})")
            .code,
        204);
    // hosts, user and password from ~/.maxctrl.cnf, no options.
    g.home.write_config("[maxctrl]\nhosts=" + g.host() + "\nuser=cfgadmin\npassword=cfg-pw\n");
    MaxctrlResult r = g.mc_bare({"list", "servers"});
    EXPECT_TRUE(mc_ok(r));
    EXPECT_NE(r.out.find("│ server1 "), std::string::npos) << r.describe();
    EXPECT_TRUE(mc_wrote(g.mc_bare({"create", "server", "c1", "address=127.0.0.1", "port=1"})));
    EXPECT_EQ(h.get("/v1/servers/c1").code, 200);

    // The password in the file is the one used: a wrong one gives 401 ...
    g.home.write_config("[maxctrl]\nhosts=" + g.host() + "\nuser=cfgadmin\npassword=nope\n");
    EXPECT_TRUE(mc_error(g.mc_bare({"list", "servers"}), "401"));
    // ... and the command line wins over the file.
    EXPECT_TRUE(mc_ok(g.mc_bare({"-p", "cfg-pw", "list", "servers"})));
    EXPECT_TRUE(mc_ok(g.mc_bare({"-u", "admin", "-p", "mariadb", "list", "servers"})));
    g.home.write_config("[maxctrl]\nhosts=" + host_of(free_port()) + "\n");
    EXPECT_TRUE(mc_error(g.mc_bare({"list", "servers"}), "Could not connect"));
    EXPECT_TRUE(mc_ok(g.mc_bare({"-h", g.host(), "list", "servers"})));

    // -c names another file, which replaces ~/.maxctrl.cnf.
    std::string other = g.home.write("other.cnf", "[maxctrl]\nhosts=" + g.host() + "\n");
    EXPECT_TRUE(mc_ok(g.mc_bare({"-c", other, "list", "servers"})));
    EXPECT_TRUE(mc_ok(g.mc_bare({"--config", other, "list", "servers"})));
    // timeout from the file (a value with a unit).
    g.home.write("other.cnf", "[maxctrl]\nhosts=" + g.host() + "\ntimeout=5s\n");
    EXPECT_TRUE(mc_ok(g.mc_bare({"-c", other, "list", "servers"})));
    // Comments and blank lines are fine.
    g.home.write("other.cnf",
                 "# maxctrl settings\n\n[maxctrl]\n; the gate\nhosts=" + g.host() + "\n\n");
    EXPECT_TRUE(mc_ok(g.mc_bare({"-c", other, "list", "servers"})));
}

TEST_F(MaxctrlConfig, MissingFilesAndUnknownKeys)
{
    MaxctrlGate g;
    // No ~/.maxctrl.cnf: fine (every other test runs that way).
    EXPECT_TRUE(mc_ok(g.mc({"list", "servers"})));
    // A missing file named with -c: an error naming it.
    std::string missing = g.home.path + "/missing.cnf";
    MaxctrlResult r = g.mc({"-c", missing, "list", "servers"});
    EXPECT_TRUE(mc_error(r, missing));
    EXPECT_EQ(r.out, "") << r.describe();
    // An unknown key: an error naming the key and its line.
    std::string path = g.home.write_config("[maxctrl]\nhosts=" + g.host() + "\nfrobnicate=1\n");
    r = g.mc_bare({"list", "servers"});
    EXPECT_TRUE(mc_error(r, "frobnicate"));
    EXPECT_NE(r.err.find("3"), std::string::npos) << "the line number\n" << r.describe();
    EXPECT_EQ(r.out, "") << r.describe();
}

TEST_F(MaxctrlConfig, FileReadableByOthersIsRefused)
{
    MaxctrlGate g;
    std::string text = "[maxctrl]\nhosts=" + g.host() + "\n";
    for (mode_t mode : {0644, 0640, 0604, 0660, 0601, 0610})
    {
        SCOPED_TRACE(mode);
        std::string path = g.home.write_config(text, mode);
        MaxctrlResult r = g.mc_bare({"list", "servers"});
        EXPECT_TRUE(mc_error(r, path));
        EXPECT_NE(first_line_of(r.err).find("permissions"), std::string::npos) << r.describe();
        EXPECT_NE(first_line_of(r.err).find(path), std::string::npos) << r.describe();
        EXPECT_EQ(r.out, "") << r.describe();
        // The same for a file named with -c.
        std::string other = g.home.write("other.cnf", text, mode);
        r = g.mc_bare({"-c", other, "list", "servers"});
        EXPECT_TRUE(mc_error(r, other));
        EXPECT_NE(r.err.find("permissions"), std::string::npos) << r.describe();
    }
    for (mode_t mode : {0600, 0400})
    {
        SCOPED_TRACE(mode);
        g.home.write_config(text, mode);
        EXPECT_TRUE(mc_ok(g.mc_bare({"list", "servers"})));
    }
}

TEST_F(MaxctrlPrompt, PasswordTypedOnTheTerminal)
{
    MaxctrlGate g;
    const std::string secret = "mariadb";
    PtyResult p = run_maxctrl_pty({"-h", g.host(), "-u", "admin", "-p", "", "list", "servers"},
                                  secret, home_at(g.home.path));
    EXPECT_TRUE(p.prompted) << p.describe();
    EXPECT_EQ(p.exit_code(), 0) << p.describe();
    EXPECT_NE(p.before_answer.find("Password: "), std::string::npos) << p.describe();
    EXPECT_TRUE(p.echo_off) << p.describe();
    EXPECT_EQ(p.after_answer.find(secret), std::string::npos) << "the password was echoed\n"
                                                              << p.describe();
    EXPECT_NE(p.after_answer.find("server1"), std::string::npos) << p.describe();
    EXPECT_NE(p.after_answer.find("┌"), std::string::npos) << p.describe();

    // --password '' and the long form.
    p = run_maxctrl_pty({"--hosts", g.host(), "--password", "", "list", "servers"}, secret,
                        home_at(g.home.path));
    EXPECT_TRUE(p.prompted) << p.describe();
    EXPECT_EQ(p.exit_code(), 0) << p.describe();

    // A wrong password: 401, exit 1, and it is not echoed either.
    const std::string wrong = "not-the-password";
    p = run_maxctrl_pty({"-h", g.host(), "-p", "", "list", "servers"}, wrong, home_at(g.home.path));
    EXPECT_TRUE(p.prompted) << p.describe();
    EXPECT_EQ(p.exit_code(), 1) << p.describe();
    EXPECT_NE(p.output.find("401 Unauthorized"), std::string::npos) << p.describe();
    EXPECT_EQ(p.output.find(wrong), std::string::npos) << p.describe();

    // With a password given there is no prompt.
    p = run_maxctrl_pty({"-h", g.host(), "-p", "mariadb", "list", "servers"}, "unused",
                        home_at(g.home.path));
    EXPECT_FALSE(p.prompted) << p.describe();
    EXPECT_EQ(p.exit_code(), 0) << p.describe();
}

TEST_F(MaxctrlPrompt, ColoursOnlyOnATerminal)
{
    MaxctrlGate g;
    PtyResult p = run_maxctrl_pty({"-h", g.host(), "list", "servers"}, "", home_at(g.home.path));
    EXPECT_EQ(p.exit_code(), 0) << p.describe();
    EXPECT_NE(p.output.find("│ \x1b[36mServer\x1b[39m  │"), std::string::npos) << p.describe();
    p = run_maxctrl_pty(
        {"-h", g.host(), "create", "server", "tty1", "address=127.0.0.1", "port=13398"}, "",
        home_at(g.home.path));
    EXPECT_NE(p.output.find("\x1b[32mOK\x1b[39m"), std::string::npos) << p.describe();
    // NO_COLOR turns them off on a terminal too; a pipe never has them.
    MaxctrlOptions o = home_at(g.home.path);
    o.env.push_back("NO_COLOR=1");
    p = run_maxctrl_pty({"-h", g.host(), "list", "servers"}, "", o);
    EXPECT_EQ(p.exit_code(), 0) << p.describe();
    EXPECT_NE(p.output.find("│ Server "), std::string::npos) << p.describe();
    EXPECT_FALSE(has_ansi(p.output)) << p.describe();
    MaxctrlResult r = g.mc({"list", "servers"});
    EXPECT_FALSE(has_ansi(r.out + r.err)) << r.describe();
}
