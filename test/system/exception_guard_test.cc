// The exception guard where stream callbacks enter the routing chain: a module that
// throws closes its own session, with MariaDB's 1815 Internal error to the client
// and a log line, and never the process; other sessions go on.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "harness.hh"

using namespace sqlgate::test;

namespace
{

// A module directory with the real modules and the throwing fixture filter, both from the
// build of the daemon under test (SqlGate::binary(): <build>/bin/sqlgate).
struct ModuleDir
{
    std::string path;
    ModuleDir()
    {
        char tmpl[] = "/tmp/sqlgate-modules-XXXXXX";
        path = mkdtemp(tmpl) ? tmpl : "";
        std::filesystem::path build = std::filesystem::path(SqlGate::binary()).parent_path() / "..";
        for (const auto& e : std::filesystem::directory_iterator(build / "lib/sqlgate"))
        {
            std::filesystem::create_symlink(e.path(), path + "/" + e.path().filename().string());
        }
        std::filesystem::create_symlink(build / "test/modules/libthrowfilter.so",
                                        path + "/libthrowfilter.so");
    }
    ~ModuleDir() { std::filesystem::remove_all(path); }
};

void expect_internal_error_and_close(MYSQL* m, const std::string& sql, const std::string& what)
{
    QueryResult r = query(m, sql);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.error, 1815u) << r.message;
    EXPECT_EQ(r.sqlstate, "HY000");
    EXPECT_NE(r.message.find("Internal error: " + what), std::string::npos) << r.message;
    // The session is closed: the next statement finds the connection gone.
    QueryResult after = query(m, "SELECT 1");
    EXPECT_FALSE(after.ok);
    EXPECT_TRUE(after.error == 2013u || after.error == 2006u)
        << after.error << " " << after.message;
}

}  // namespace

TEST(ExceptionGuard, ThrowingFilterClosesOnlyItsSession)
{
    ModuleDir modules;
    int port = free_port();
    ConfigOptions o;
    o.service_extra = "filters=Thrower\n";
    SqlGate gate(
        config_for(shared_cluster(), port, "[Thrower]\ntype=filter\nmodule=throwfilter\n", o), port,
        {"--libdir", modules.path});
    MysqlPtr bystander(connect(port, "app", "app_pw", "test"));
    ASSERT_TRUE(bystander) << gate.diagnostics();
    ASSERT_TRUE(query(bystander.get(), "SELECT 1").ok);

    {
        MysqlPtr m(connect(port, "app", "app_pw", "test"));
        ASSERT_TRUE(m);
        expect_internal_error_and_close(m.get(), "SELECT 'THROW_IN_FILTER'",
                                        "throwfilter: THROW_IN_FILTER seen");
    }
    {
        MysqlPtr m(connect(port, "app", "app_pw", "test"));
        ASSERT_TRUE(m);
        expect_internal_error_and_close(m.get(), "SELECT 'THROW_ON_REPLY'",
                                        "throwfilter: THROW_ON_REPLY seen");
    }
    // The process and the other session go on; new sessions work.
    EXPECT_TRUE(gate.running());
    EXPECT_EQ(query(bystander.get(), "SELECT 2").value(), "2");
    MysqlPtr fresh(connect(port, "app", "app_pw", "test"));
    ASSERT_TRUE(fresh);
    EXPECT_EQ(query(fresh.get(), "SELECT 3").value(), "3");
    std::string log = gate.log_text();
    EXPECT_NE(log.find("a module threw while handling a read: throwfilter: THROW_IN_FILTER seen"),
              std::string::npos)
        << log;
    EXPECT_NE(log.find("throwfilter: THROW_ON_REPLY seen"), std::string::npos) << log;
}
