// Global options, ~/.maxctrl.cnf and its permission check, timeouts.
#include "options.hh"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

using namespace maxctrl;

namespace
{

// A temporary HOME with an optional ~/.maxctrl.cnf; restores HOME afterwards.
class Home
{
public:
    Home()
    {
        char tmpl[] = "/tmp/maxctrl-home-XXXXXX";
        m_dir = mkdtemp(tmpl);
        const char* old = getenv("HOME");
        m_old = old ? old : "";
        setenv("HOME", m_dir.c_str(), 1);
    }
    ~Home()
    {
        setenv("HOME", m_old.c_str(), 1);
        unlink(file().c_str());
        unlink((m_dir + "/other.cnf").c_str());
        rmdir(m_dir.c_str());
    }
    std::string file() const { return m_dir + "/.maxctrl.cnf"; }
    std::string write(const std::string& text, mode_t mode, const std::string& name = "")
    {
        std::string path = name.empty() ? file() : m_dir + "/" + name;
        std::ofstream(path) << text;
        chmod(path.c_str(), mode);
        return path;
    }

private:
    std::string m_dir;
    std::string m_old;
};

ParsedLine parse(std::vector<std::string> argv, Options& opt)
{
    return parse_command_line(argv, opt);
}

std::string error_of(std::vector<std::string> argv)
{
    Options opt;
    try
    {
        parse(argv, opt);
    }
    catch (const Error& e)
    {
        return e.what();
    }
    return "";
}

}  // namespace

TEST(Options, DefaultsAndGlobalOptionsAnywhere)
{
    Home home;
    Options opt;
    ParsedLine p = parse({"list", "--tsv", "servers", "-u", "bob", "--password=pw", "-h",
                          "a:1, b:2", "-t", "5s", "-q", "--force"},
                         opt);
    EXPECT_EQ(p.words, (std::vector<std::string>{"list", "servers", "--force"}));
    EXPECT_TRUE(opt.tsv);
    EXPECT_TRUE(opt.quiet);
    EXPECT_EQ(opt.user, "bob");
    EXPECT_EQ(opt.password, "pw");
    EXPECT_EQ(opt.hosts, (std::vector<std::string>{"a:1", "b:2"}));
    EXPECT_EQ(opt.timeout_ms, 5000);

    Options d;
    parse({"list", "servers"}, d);
    EXPECT_EQ(d.user, "admin");
    EXPECT_EQ(d.password, "mariadb");
    EXPECT_EQ(d.hosts, (std::vector<std::string>{"127.0.0.1:8989"}));
}

TEST(Options, ShortOptionsWithAttachedValuesAndNegativeNumbers)
{
    Home home;
    Options opt;
    ParsedLine p = parse({"-uroot", "-psecret", "alter", "server", "s", "weight=-1", "-5"}, opt);
    EXPECT_EQ(opt.user, "root");
    EXPECT_EQ(opt.password, "secret");
    EXPECT_EQ(p.words.back(), "-5");
}

TEST(Options, TlsOptions)
{
    Home home;
    Options opt;
    parse({"-s", "--tls-ca-cert", "/ca.pem", "-n", "false", "list", "servers"}, opt);
    EXPECT_TRUE(opt.secure);
    EXPECT_EQ(opt.tls_ca_cert, "/ca.pem");
    EXPECT_FALSE(opt.tls_verify_server_cert);
    EXPECT_NE(error_of({"--tls-verify-server-cert=maybe"}).find("maybe"), std::string::npos);
}

TEST(Options, MissingValuesAndBadTimeouts)
{
    Home home;
    EXPECT_NE(error_of({"list", "-u"}).find("--user needs a value"), std::string::npos);
    EXPECT_NE(error_of({"-h", ","}).find("--hosts"), std::string::npos);
    EXPECT_EQ(parse_timeout("250"), 250);
    EXPECT_EQ(parse_timeout("250ms"), 250);
    EXPECT_EQ(parse_timeout("2s"), 2000);
    EXPECT_EQ(parse_timeout("3m"), 180000);
    EXPECT_EQ(parse_timeout("1h"), 3600000);
    for (const char* bad : {"", "s", "10x", "-5", "0", "1.5s", "9999999999"})
    {
        EXPECT_THROW(parse_timeout(bad), Error) << bad;
    }
}

TEST(Options, ConfigFileGivesDefaultsAndCommandLineWins)
{
    Home home;
    home.write(
        "# comment\n[other]\nuser=nobody\n[maxctrl]\nuser = ops\npassword='p w'\n"
        "hosts=h1:1,h2:2\ntimeout=30s\ntsv=true\n",
        0600);
    Options opt;
    parse({"list", "servers"}, opt);
    EXPECT_EQ(opt.user, "ops");
    EXPECT_EQ(opt.password, "p w");
    EXPECT_EQ(opt.hosts.size(), 2u);
    EXPECT_EQ(opt.timeout_ms, 30000);
    EXPECT_TRUE(opt.tsv);

    Options over;
    parse({"-u", "admin", "-h", "h3:3", "list", "servers"}, over);
    EXPECT_EQ(over.user, "admin");
    EXPECT_EQ(over.hosts, (std::vector<std::string>{"h3:3"}));
    EXPECT_EQ(over.password, "p w");
}

TEST(Options, ConfigFileReadableByOthersIsRefused)
{
    Home home;
    home.write("[maxctrl]\npassword=secret\n", 0644);
    std::string e = error_of({"list", "servers"});
    EXPECT_NE(e.find(home.file()), std::string::npos) << e;
    EXPECT_NE(e.find("permissions (0644)"), std::string::npos) << e;
    EXPECT_NE(e.find("chmod 600"), std::string::npos) << e;
    home.write("[maxctrl]\npassword=secret\n", 0640);
    EXPECT_NE(error_of({"list", "servers"}).find("(0640)"), std::string::npos);
    // --help and --version still work.
    EXPECT_EQ(error_of({"--help"}), "");
    home.write("[maxctrl]\npassword=secret\n", 0400);
    EXPECT_EQ(error_of({"list", "servers"}), "");
}

TEST(Options, ConfigFileErrorsNameFileAndLine)
{
    Home home;
    home.write("[maxctrl]\n\nverbose=1\n", 0600);
    std::string e = error_of({"list"});
    EXPECT_NE(e.find(home.file() + ":3: unknown option 'verbose'"), std::string::npos) << e;
    home.write("[maxctrl\n", 0600);
    EXPECT_NE(error_of({"list"}).find(":1: section header"), std::string::npos);
    home.write("[maxctrl]\ntimeout=soon\n", 0600);
    EXPECT_NE(error_of({"list"}).find(":2: Invalid timeout 'soon'"), std::string::npos);
}

TEST(Options, ExplicitConfigFile)
{
    Home home;
    std::string other = home.write("[maxctrl]\nuser=fromother\n", 0600, "other.cnf");
    Options opt;
    parse({"-c", other, "list"}, opt);
    EXPECT_EQ(opt.user, "fromother");
    // A missing default file is fine; a missing named one is not.
    EXPECT_EQ(error_of({"list"}), "");
    EXPECT_NE(error_of({"--config=/nonexistent/x.cnf", "list"}).find("/nonexistent/x.cnf"),
              std::string::npos);
}

TEST(Options, EmptyPasswordAsksForOne)
{
    // parse_options only reports that a password must be read (it does not read stdin, so
    // this holds whatever stdin is); the system tests cover reading it, on a
    // pseudo-terminal and from a pipe.
    Options opt;
    bool prompt = false;
    parse_options({"-p", "", "list"}, opt, prompt);
    EXPECT_TRUE(prompt);
    prompt = false;
    parse_options({"list", "-p"}, opt, prompt);
    EXPECT_TRUE(prompt);
    prompt = false;
    parse_options({"-p", "x", "list"}, opt, prompt);
    EXPECT_FALSE(prompt);
}

TEST(Options, HelpListsEveryOption)
{
    std::string help = global_options_help();
    for (const GlobalOption& o : global_options())
    {
        EXPECT_NE(help.find("--" + o.long_name), std::string::npos) << o.long_name;
    }
}
