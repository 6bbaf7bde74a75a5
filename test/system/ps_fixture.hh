// The fixture of the prepared-statement system tests: one sqlgate in front of the
// shared cluster's primary, connections through it and directly, and test data helpers.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "harness.hh"

namespace sqlgate::test
{

struct StmtDeleter
{
    void operator()(MYSQL_STMT* s) const { mysql_stmt_close(s); }
};
using StmtPtr = std::unique_ptr<MYSQL_STMT, StmtDeleter>;

// @c n bytes of a fixed pattern that depends on @c seed.
inline std::string bytes(size_t n, unsigned seed)
{
    std::string s(n, '\0');
    for (size_t i = 0; i < n; ++i)
    {
        s[i] = static_cast<char>((i * 131 + seed * 7 + (i >> 8)) & 0xff);
    }
    return s;
}
inline std::string repeat(const std::string& s, size_t n)
{
    std::string r;
    while (n--)
    {
        r += s;
    }
    return r;
}

class PsFixture : public ::testing::Test
{
protected:
    static void SetUpTestSuite()
    {
        Cluster& c = shared_cluster();
        s_port = free_port();
        ConfigOptions o;
        o.servers = {0};  // the primary: the tests write, and direct reads compare with it
        s_gate = new SqlGate(config_for(c, s_port, "", o), s_port);
    }
    static void TearDownTestSuite()
    {
        delete s_gate;
        s_gate = nullptr;
    }
    MysqlPtr gate()
    {
        ConnectError e;
        MysqlPtr m(connect(s_port, "app", "app_pw", "test", 0, &e));
        EXPECT_TRUE(m) << e.code << " " << e.message << "\n" << s_gate->diagnostics();
        if (m)
        {
            mysql_set_character_set(m.get(), "utf8mb4");
        }
        return m;
    }
    MysqlPtr direct()
    {
        MysqlPtr m(connect(shared_cluster().primary_port(), "app", "app_pw", "test"));
        EXPECT_TRUE(m);
        if (m)
        {
            mysql_set_character_set(m.get(), "utf8mb4");
        }
        return m;
    }
    // A global status counter of the primary, read directly.
    static long primary_status(const std::string& name)
    {
        MysqlPtr root(connect(shared_cluster().primary_port(), "root", ""));
        QueryResult r = query(root.get(), "SHOW GLOBAL STATUS LIKE '" + name + "'");
        return r.ok && !r.rows.empty() ? std::stol(r.rows[0][1]) : -1;
    }
    inline static int s_port = 0;
    inline static SqlGate* s_gate = nullptr;
};

}  // namespace sqlgate::test
