// Unix domain sockets: a listener with socket= and servers with socket=.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "harness.hh"

using namespace sqlgate::test;

namespace
{
MYSQL* connect_socket(const std::string& path, const char* user, const char* pw, const char* db)
{
    MYSQL* m = mysql_init(nullptr);
    unsigned int timeout = 10;
    mysql_optionsv(m, MYSQL_OPT_READ_TIMEOUT, &timeout);
    if (!mysql_real_connect(m, "localhost", user, pw, db, 0, path.c_str(), 0))
    {
        ADD_FAILURE() << "connect via " << path << ": " << mysql_error(m);
        mysql_close(m);
        return nullptr;
    }
    return m;
}

TEST(LocalSocket, ListenerAndServersOverUnixSockets)
{
    Cluster& cluster = shared_cluster();
    std::string dir =
        std::filesystem::temp_directory_path() / ("sqlgate-sock-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    std::string listen_path = dir + "/sqlgate.sock";
    int tcp_port = free_port();
    // server4 is the primary again, but reached through its Unix socket.
    std::string extra = "[server4]\ntype=server\nsocket=" + cluster.dir() +
                        "/s1/mariadbd.sock\n\n"
                        "[Socket-Service]\ntype=service\nrouter=readconnroute\nservers=server4\n"
                        "user=sqlgate\npassword=sqlgate_pw\n\n"
                        "[Socket-Listener]\ntype=listener\nservice=Socket-Service\nsocket=" +
                        listen_path + "\n";
    {
        SqlGate gate(config_for(cluster, tcp_port, extra), tcp_port);
        ASSERT_TRUE(std::filesystem::is_socket(listen_path)) << gate.diagnostics();
        MysqlPtr m(connect_socket(listen_path, "app", "app_pw", "test"));
        ASSERT_TRUE(m) << gate.diagnostics();
        QueryResult r = query(m.get(), "SELECT @@port, USER()");
        ASSERT_TRUE(r.ok) << r.message;
        EXPECT_EQ(r.rows[0][0], std::to_string(cluster.primary_port()));
        // The backend saw a socket connection ("localhost"), sqlgate's client too.
        EXPECT_EQ(r.rows[0][1], "app@localhost");
        ConnectError e;
        MysqlPtr bad(connect(tcp_port, "app", "wrong", "test", 0, &e));
        EXPECT_EQ(e.code, 1045u);
        ExitStatus st = gate.stop();
        EXPECT_EQ(st.exit_code(), 0);
    }
    // A clean stop removes the socket file.
    EXPECT_FALSE(std::filesystem::exists(listen_path));
    std::filesystem::remove_all(dir);
}

TEST(LocalSocket, ExistingNonSocketFileIsNotReplaced)
{
    Cluster& cluster = shared_cluster();
    std::string dir =
        std::filesystem::temp_directory_path() / ("sqlgate-sock2-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    std::string path = dir + "/not-a-socket";
    FILE* f = fopen(path.c_str(), "w");
    fputs("keep me", f);
    fclose(f);
    int tcp_port = free_port();
    std::string extra = "[L2]\ntype=listener\nservice=Read-Write-Service\nsocket=" + path + "\n";
    std::string cfg_dir = dir + "/cfg";
    std::filesystem::create_directories(cfg_dir);
    std::string cfg = cfg_dir + "/sqlgate.cnf";
    FILE* c = fopen(cfg.c_str(), "w");
    fputs(config_for(cluster, tcp_port, extra).c_str(), c);
    fclose(c);
    CommandResult r = run_sqlgate({"--config", cfg, "--datadir", cfg_dir, "--logdir", cfg_dir});
    EXPECT_EQ(r.status.exit_code(), 1) << r.output;
    EXPECT_NE(r.output.find("exists and is not a socket"), std::string::npos) << r.output;
    EXPECT_EQ(read_file(path), "keep me");
    std::filesystem::remove_all(dir);
}

}  // namespace
