// The command line: --version, --config-check, bad configurations, module
// errors and startup failures, each with a message a person can act on.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "harness.hh"

using namespace sqlgate::test;

namespace
{
std::string temp_config(const std::string& text)
{
    char tmpl[] = "/tmp/sqlgate-cli-XXXXXX";
    std::string dir = mkdtemp(tmpl);
    std::string path = dir + "/test.cnf";
    std::ofstream(path) << text;
    return path;
}

const char* GOOD = R"([maxscale]
threads=1

[server1]
type=server
address=127.0.0.1
port=3306

[Svc]
type=service
router=readconnroute
servers=server1
user=u
password=p

[Lst]
type=listener
service=Svc
protocol=MariaDBClient
port=4999
)";

TEST(Cli, Version)
{
    CommandResult r = run_sqlgate({"--version"});
    EXPECT_EQ(r.status.exit_code(), 0);
    EXPECT_EQ(r.output.rfind("sqlgate ", 0), 0u) << r.output;
}

TEST(Cli, ConfigCheckAcceptsGoodFile)
{
    std::string path = temp_config(GOOD);
    CommandResult r = run_sqlgate({"--config", path, "--config-check"});
    EXPECT_EQ(r.status.exit_code(), 0) << r.output;
    EXPECT_NE(r.output.find("valid"), std::string::npos);
    r = run_sqlgate({"-f", path, "-c"});
    EXPECT_EQ(r.status.exit_code(), 0) << r.output;
}

TEST(Cli, ConfigCheckNamesFileLineSectionAndParameter)
{
    std::string text = GOOD;
    text.replace(text.find("user=u"), 6, "usr=u\nmax_connections=ten");
    std::string path = temp_config(text);
    CommandResult r = run_sqlgate({"--config", path, "--config-check"});
    EXPECT_EQ(r.status.exit_code(), 1) << r.output;
    EXPECT_NE(r.output.find(path + ":13: [Svc] parameter 'usr': unknown parameter"),
              std::string::npos)
        << r.output;
    EXPECT_NE(r.output.find(path + ":14: [Svc] parameter 'max_connections'"), std::string::npos)
        << r.output;
    EXPECT_NE(r.output.find("'user'"), std::string::npos) << "missing mandatory user\n" << r.output;
}

TEST(Cli, UnknownRouterModuleNamesTheFile)
{
    std::string text = GOOD;
    text.replace(text.find("router=readconnroute"), 20, "router=nosuchrouter");
    std::string path = temp_config(text);
    CommandResult r = run_sqlgate({"--config", path, "--config-check"});
    EXPECT_EQ(r.status.exit_code(), 1) << r.output;
    EXPECT_NE(r.output.find("libnosuchrouter.so"), std::string::npos) << r.output;
}

TEST(Cli, WrongKindOfModule)
{
    std::string text = GOOD;
    text.replace(text.find("router=readconnroute"), 20, "router=mariadbprotocol");
    std::string path = temp_config(text);
    CommandResult r = run_sqlgate({"--config", path, "--config-check"});
    EXPECT_EQ(r.status.exit_code(), 1) << r.output;
    EXPECT_NE(r.output.find("is a Protocol module, not a Router module"), std::string::npos)
        << r.output;
}

TEST(Cli, MissingConfigFile)
{
    CommandResult r = run_sqlgate({"--config", "/nonexistent/sqlgate.cnf"});
    EXPECT_EQ(r.status.exit_code(), 1);
    EXPECT_NE(r.output.find("/nonexistent/sqlgate.cnf"), std::string::npos) << r.output;
}

TEST(Cli, BadOption)
{
    CommandResult r = run_sqlgate({"--threads", "zero"});
    EXPECT_EQ(r.status.exit_code(), 1);
    EXPECT_NE(r.output.find("--threads"), std::string::npos) << r.output;
}

TEST(Cli, ListenerPortInUseFailsStartup)
{
    int port = free_port();
    // Occupy the port with a plain socket (no SO_REUSEPORT).
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
    ASSERT_EQ(listen(fd, 1), 0);
    std::string text = GOOD;
    text.replace(text.find("port=4999"), 9, "address=127.0.0.1\nport=" + std::to_string(port));
    std::string path = temp_config(text);
    char tmpl[] = "/tmp/sqlgate-cli-XXXXXX";
    std::string dir = mkdtemp(tmpl);
    CommandResult r = run_sqlgate({"--config", path, "--datadir", dir + "/data", "--logdir", dir});
    close(fd);
    EXPECT_EQ(r.status.exit_code(), 1) << r.output;
    EXPECT_NE(r.output.find("cannot listen on 127.0.0.1:" + std::to_string(port)),
              std::string::npos)
        << r.output;
    EXPECT_NE(r.output.find("A listener could not start"), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("SIGTERM"), std::string::npos) << r.output;
}

TEST(Cli, LogFileHasTimestampsAndLevels)
{
    Cluster& cluster = shared_cluster();
    int port = free_port();
    SqlGate gate(config_for(cluster, port), port);
    // e.g. "2026-11-21 13:05:23.830   notice  : sqlgate started" (written just
    // after the listeners open, so wait for it).
    std::string log;
    EXPECT_TRUE(eventually(
        [&]()
        {
            log = gate.log_text();
            return log.find("notice  : sqlgate started") != std::string::npos;
        },
        5s))
        << log;
    EXPECT_EQ(log[4], '-');
    EXPECT_EQ(log[13], ':');
}

TEST(Cli, ThreadsOptionAndLibdirOverride)
{
    Cluster& cluster = shared_cluster();
    int port = free_port();
    {
        SqlGate gate(config_for(cluster, port), port, {"--threads", "3"});
        EXPECT_TRUE(eventually(
            [&]() { return gate.log_text().find("3 routing threads") != std::string::npos; }, 5s))
            << gate.log_text();
    }
    // --libdir points at a directory without modules: the error names the file.
    char tmpl[] = "/tmp/sqlgate-libdir-XXXXXX";
    std::string empty = mkdtemp(tmpl);
    std::string cfg = empty + "/sqlgate.cnf";
    std::ofstream(cfg) << config_for(cluster, port);
    CommandResult r = run_sqlgate({"--config", cfg, "--libdir", empty, "--config-check"});
    EXPECT_EQ(r.status.exit_code(), 1) << r.output;
    EXPECT_NE(r.output.find(empty + "/libreadconnroute.so"), std::string::npos) << r.output;
    std::filesystem::remove_all(empty);
}

TEST(Cli, SighupReopensTheLog)
{
    Cluster& cluster = shared_cluster();
    int port = free_port();
    SqlGate gate(config_for(cluster, port), port);
    ASSERT_TRUE(eventually(
        [&]() { return gate.log_text().find("sqlgate started") != std::string::npos; }, 5s));
    std::string rotated = gate.log_path() + ".1";
    ASSERT_EQ(rename(gate.log_path().c_str(), rotated.c_str()), 0);  // what logrotate does
    kill(gate.pid(), SIGHUP);
    EXPECT_TRUE(eventually(
        [&]() { return gate.log_text().find("log file reopened") != std::string::npos; }, 5s));
    EXPECT_EQ(read_file(rotated).find("log file reopened"), std::string::npos);
    EXPECT_TRUE(gate.running());
}

TEST(Cli, ServiceMaxConnectionsRefusesWith1040)
{
    Cluster& cluster = shared_cluster();
    int port = free_port();
    ConfigOptions o;
    o.service_extra = "max_connections=2\n";
    SqlGate gate(config_for(cluster, port, "", o), port);
    MysqlPtr a(connect(port, "app", "app_pw", "test"));
    MysqlPtr b(connect(port, "app", "app_pw", "test"));
    ASSERT_TRUE(a && b);
    ConnectError e;
    MysqlPtr c(connect(port, "app", "app_pw", "test", 0, &e));
    // The login is refused, as by MariaDB (and MaxScale) at max_connections, and as
    // docs/modules/protocol/mariadbprotocol.md lists it among the login errors. (sqlgate
    // answers the login with OK and sends the 1040 after it, so that the client's first
    // statement gets it: MariaDBClient::finish_login writes the OK before start_routing.)
    EXPECT_FALSE(c) << "the third login succeeded; its first statement got: "
                    << (c ? query(c.get(), "SELECT 1").message : "");
    EXPECT_EQ(e.code, 1040u) << e.message;
    EXPECT_EQ(e.message, "Too many connections");
    a.reset();
    EXPECT_TRUE(eventually(
        [&]()
        {
            MysqlPtr d(connect(port, "app", "app_pw", "test"));
            return d && query(d.get(), "SELECT 1").ok;
        },
        5s));
}

}  // namespace
