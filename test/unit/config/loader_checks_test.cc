/**
 * The loader's cross-checks between objects and its error aggregation.
 */
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "loader_fixture.hh"

using namespace sqlgate;
using namespace config_test;

TEST(ConfigLoader, ModuleParametersAndMissingModules)
{
    auto l =
        load(base("[F]\ntype=filter\nmodule=regexfilter\nmatch=(\n"
                  "[G]\ntype=filter\nmodule=nosuch\nwhatever=1\n"
                  "[S2]\ntype=service\nrouter=readconnroute\nservers=server1\nuser=u\n"
                  "password=p\nrouter_options=master,primary\n"));
    EXPECT_FALSE(l.ok);
    EXPECT_TRUE(has_error(l,
                          "sqlgate.cnf:13: [F] parameter 'match': invalid regular expression "
                          "'(': missing closing parenthesis at offset 1"))
        << all(l.errors);
    EXPECT_TRUE(has_error(l,
                          "sqlgate.cnf:16: [G] parameter 'module': module 'nosuch' not found: "
                          "libnosuch.so: no such file"))
        << all(l.errors);
    EXPECT_TRUE(has_error(l,
                          "sqlgate.cnf:24: [S2] parameter 'router_options': unknown value "
                          "'primary', expected a comma-separated list of 'master', 'slave', "
                          "'running', 'synced'"))
        << all(l.errors);
    // A parameter of a module that cannot be found is not reported again.
    EXPECT_EQ(l.errors.size(), 3u) << all(l.errors);
}

TEST(ConfigLoader, ServiceReferences)
{
    auto l =
        load(base("[F]\ntype=filter\nmodule=regexfilter\nmatch=x\n"
                  "[S2]\ntype=service\nrouter=readconnroute\ntargets=server1,S,F,nosuch,S2\n"
                  "user=u\npassword=p\nfilters=F|server1|missing\n"
                  "[S3]\ntype=service\nrouter=readconnroute\nuser=u\npassword=p\n"
                  "[S4]\ntype=service\nrouter=readconnroute\nuser=u\npassword=p\n"
                  "servers=server1\ncluster=F\n"));
    EXPECT_FALSE(l.ok);
    for (const char* e : {
             "sqlgate.cnf:17: [S2] parameter 'targets': 'F' is a filter, not a server or service",
             "sqlgate.cnf:17: [S2] parameter 'targets': 'nosuch' is not a defined server or "
             "service",
             "sqlgate.cnf:17: [S2] parameter 'targets': 'S2' refers to the object itself",
             "sqlgate.cnf:20: [S2] parameter 'filters': 'server1' is a server, not a filter",
             "sqlgate.cnf:20: [S2] parameter 'filters': 'missing' is not a defined filter",
             "sqlgate.cnf:21: [S3] one of 'servers', 'targets' or 'cluster' must be defined",
             "sqlgate.cnf:32: [S4] parameter 'cluster': cannot be used together with 'servers'",
             "sqlgate.cnf:32: [S4] parameter 'cluster': 'F' is a filter, not a monitor",
         })
    {
        EXPECT_TRUE(has_error(l, e)) << e << "\n" << all(l.errors);
    }
    EXPECT_EQ(l.errors.size(), 8u) << all(l.errors);
}

TEST(ConfigLoader, ListenerChecks)
{
    auto l =
        load(base("[L1]\ntype=listener\nservice=S\nport=4006\n"                      // 10-13
                  "[L2]\ntype=listener\nservice=S\naddress=127.0.0.1\nport=4006\n"   // 14-18
                  "[L3]\ntype=listener\nservice=server1\n"                           // 19-21
                  "[L4]\ntype=listener\nservice=nosuch\nport=4007\nsocket=/tmp/s\n"  // 22-26
                  "[L5]\ntype=listener\nservice=S\nsocket=/tmp/x\n"                  // 27-30
                  "[L6]\ntype=listener\nservice=S\nsocket=/tmp/x\n"                  // 31-34
                  "[L7]\ntype=listener\nservice=S\naddress=10.0.0.1\nport=4010\n"    // 35-39
                  "[L8]\ntype=listener\nservice=S\naddress=10.0.0.2\nport=4010\n"    // 40-44
                  "[L9]\ntype=listener\nservice=S\nport=70000\n"));                  // 45-48
    EXPECT_FALSE(l.ok);
    for (const char* e : {
             "sqlgate.cnf:18: [L2] parameter 'port': address 127.0.0.1 port 4006 is already used "
             "by listener 'L1' (:: port 4006)",
             "sqlgate.cnf:21: [L3] parameter 'service': 'server1' is a server, not a service",
             "sqlgate.cnf:19: [L3] either 'port' or 'socket' must be defined",
             "sqlgate.cnf:24: [L4] parameter 'service': 'nosuch' is not a defined service",
             "sqlgate.cnf:26: [L4] parameter 'socket': cannot be used together with 'port'",
             "sqlgate.cnf:34: [L6] parameter 'socket': socket '/tmp/x' is already used by "
             "listener 'L5'",
             "sqlgate.cnf:48: [L9] parameter 'port': value '70000' is out of range: must be "
             "between 1 and 65535",
         })
    {
        EXPECT_TRUE(has_error(l, e)) << e << "\n" << all(l.errors);
    }
    EXPECT_EQ(l.errors.size(), 7u) << all(l.errors);  // L7 and L8 do not conflict
}

TEST(ConfigLoader, ServerInAtMostOneMonitor)
{
    auto l =
        load(base("[s2]\ntype=server\naddress=b\n"
                  "[M1]\ntype=monitor\nmodule=mariadbmon\nservers=server1,s2\n"
                  "[M2]\ntype=monitor\nmodule=mariadbmon\nservers=s2,S,ghost\n"));
    EXPECT_FALSE(l.ok);
    for (const char* e : {
             "sqlgate.cnf:20: [M2] parameter 'servers': 's2' is already monitored by 'M1'",
             "sqlgate.cnf:20: [M2] parameter 'servers': 'S' is a service, not a server",
             "sqlgate.cnf:20: [M2] parameter 'servers': 'ghost' is not a defined server",
         })
    {
        EXPECT_TRUE(has_error(l, e)) << e << "\n" << all(l.errors);
    }
    EXPECT_EQ(l.errors.size(), 3u) << all(l.errors);
}

TEST(ConfigLoader, ServerAddressAndSocket)
{
    auto l = load(base("[s2]\ntype=server\naddress=b\nsocket=/tmp/s\n"));
    EXPECT_FALSE(l.ok);
    ASSERT_EQ(l.errors.size(), 1u) << all(l.errors);
    EXPECT_EQ(l.errors[0],
              "sqlgate.cnf:13: [s2] parameter 'socket': cannot be used together with "
              "'address'");
}

TEST(ConfigLoader, WriteQueueWaterMarks)
{
    auto l = load(base("[maxscale]\nwriteq_high_water=1Ki\nwriteq_low_water=2Ki\n"));
    EXPECT_FALSE(l.ok);
    ASSERT_EQ(l.errors.size(), 1u) << all(l.errors);
    EXPECT_EQ(l.errors[0],
              "sqlgate.cnf:12: [maxscale] parameter 'writeq_low_water': writeq_low_water (2048 "
              "bytes) must be less than writeq_high_water (1024 bytes)");

    // Only the high water mark given: the default low water mark (1024) is checked against it.
    auto h = load(base("[maxscale]\nwriteq_high_water=1000\n"));
    EXPECT_FALSE(h.ok);
    ASSERT_EQ(h.errors.size(), 1u) << all(h.errors);
    EXPECT_EQ(h.errors[0].rfind("sqlgate.cnf:11: [maxscale] parameter 'writeq_high_water': ", 0),
              0u);
}

TEST(ConfigLoader, AliasGivenTwice)
{
    std::string text = base("");
    text.insert(text.find("user=u"), "targets=server1\n");  // line 8
    auto l = load(text);
    EXPECT_FALSE(l.ok);
    ASSERT_EQ(l.errors.size(), 1u) << all(l.errors);
    EXPECT_EQ(l.errors[0],
              "sqlgate.cnf:8: [S] parameter 'targets': 'servers' is already set at "
              "line 7 as 'servers'");
}

TEST(ConfigLoader, AllErrorsAreAggregated)
{
    auto l = load(
        "[maxscale]\n"               // 1
        "threads=lots\n"             // 2
        "log_info=perhaps\n"         // 3
        "[srv]\n"                    // 4
        "type=server\n"              // 5
        "address=a\n"                // 6
        "port=0\n"                   // 7
        "rank=third\n"               // 8
        "[srv]\n"                    // 9  duplicate section
        "type=server\n"              // 10
        "[svc]\n"                    // 11
        "type=service\n"             // 12
        "router=readconnroute\n"     // 13
        "servers=srv,none\n"         // 14
        "user=u\n"                   // 15
        "password=p\n"               // 16
        "connection_timeout=soon\n"  // 17
        "user=again\n");             // 18 duplicate key
    EXPECT_FALSE(l.ok);
    for (const char* e : {
             "sqlgate.cnf:9: [srv] duplicate section, first defined at line 4",
             "sqlgate.cnf:18: [svc] parameter 'user': defined twice in the section, first at "
             "line 15",
             "sqlgate.cnf:2: [maxscale] parameter 'threads': expected 'auto' or a number of "
             "threads between 1 and 1024, got 'lots'",
             "sqlgate.cnf:3: [maxscale] parameter 'log_info': expected a boolean (true/false, "
             "on/off, yes/no, 1/0), got 'perhaps'",
             "sqlgate.cnf:7: [srv] parameter 'port': value '0' is out of range: must be between "
             "1 and 65535",
             "sqlgate.cnf:8: [srv] parameter 'rank': expected one of 'primary', 'secondary', got "
             "'third'",
             "sqlgate.cnf:14: [svc] parameter 'servers': 'none' is not a defined server or service",
             "sqlgate.cnf:17: [svc] parameter 'connection_timeout': expected a duration with a "
             "unit h, m, s or ms (e.g. 10s, 500ms), got 'soon'",
         })
    {
        EXPECT_TRUE(has_error(l, e)) << e << "\n" << all(l.errors);
    }
    EXPECT_EQ(l.errors.size(), 8u) << all(l.errors);
}

TEST(ConfigLoader, ServicesMayNotFormACycle)
{
    auto l =
        load(base("[S2]\ntype=service\nrouter=readconnroute\ntargets=S3,server1\nuser=u\n"
                  "password=p\n"
                  "[S3]\ntype=service\nrouter=readconnroute\nservers=S2\nuser=u\npassword=p\n"
                  "[S4]\ntype=service\nrouter=readconnroute\nservers=S2,S\nuser=u\npassword=p\n"));
    EXPECT_FALSE(l.ok);
    ASSERT_EQ(l.errors.size(), 1u) << all(l.errors);
    EXPECT_EQ(l.errors[0],
              "sqlgate.cnf:19: [S3] parameter 'servers': services form a cycle: S2 -> S3 -> S2");
}
