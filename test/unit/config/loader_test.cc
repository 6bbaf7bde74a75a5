#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "loader_fixture.hh"

using namespace sqlgate;
using namespace config_test;

TEST(ConfigLoader, GoodFile)
{
    g_lookups.clear();
    auto l = load(GOOD);
    ASSERT_TRUE(l.ok) << all(l.errors);
    EXPECT_TRUE(l.errors.empty());
    EXPECT_EQ(l.cfg.path, "sqlgate.cnf");
    EXPECT_EQ(l.cfg.global.name, "maxscale");
    EXPECT_EQ(l.cfg.global.type, "global");
    EXPECT_EQ(l.cfg.global.get_int("threads"), 4);
    EXPECT_EQ(l.cfg.global.get_size("writeq_high_water"), 1 << 20);
    EXPECT_EQ(l.cfg.global.get_duration_ms("users_refresh_time"), 10000);
    EXPECT_EQ(l.cfg.global.get_string("datadir"), "/var/lib/sqlgate");  // default
    EXPECT_EQ(l.cfg.global.get_int("admin_port"), 8989);
    EXPECT_TRUE(l.cfg.global.origins.count("threads"));
    EXPECT_FALSE(l.cfg.global.origins.count("datadir"));

    ASSERT_EQ(l.cfg.objects.size(), 8u);
    std::vector<std::string> order;
    for (const auto& o : l.cfg.objects)
    {
        order.push_back(o.name);
    }
    EXPECT_EQ(order,
              (std::vector<std::string>{"server1", "server2", "Mon", "Hint", "Read-Service",
                                        "Cluster-Service", "Read-Listener", "Other-Listener"}));

    const ObjectConfig* s1 = l.cfg.find("server1");
    ASSERT_TRUE(s1);
    EXPECT_EQ(s1->type, "server");
    EXPECT_EQ(s1->origin.line, 7);
    EXPECT_EQ(s1->get_int("port"), 3307);
    EXPECT_EQ(s1->get_string("rank"), "secondary");
    EXPECT_EQ(s1->get_string("protocol"), "mariadbbackend");
    EXPECT_EQ(s1->origins.at("port").line, 10);
    EXPECT_EQ(l.cfg.find("server2")->get_int("port"), 3306);

    const ObjectConfig* mon = l.cfg.find("Mon");
    EXPECT_EQ(mon->get_list("servers"), (std::vector<std::string>{"server1", "server2"}));
    EXPECT_EQ(mon->get_duration_ms("monitor_interval"), 500);
    EXPECT_EQ(mon->get_string("monitor_interval"), "500ms");
    EXPECT_TRUE(mon->get_bool("auto_failover"));  // module parameter
    EXPECT_EQ(mon->get_list("events"), (std::vector<std::string>{"all"}));
    EXPECT_EQ(mon->get_duration_ms("journal_max_age"), 28800000);

    const ObjectConfig* hint = l.cfg.find("Hint");
    EXPECT_EQ(hint->get_string("match"), "^SELECT");

    const ObjectConfig* svc = l.cfg.find("Read-Service");
    EXPECT_EQ(svc->get_list("servers"), (std::vector<std::string>{"server1", "server2"}));  // alias
    EXPECT_FALSE(svc->has("targets"));
    EXPECT_EQ(svc->get_list("router_options"), (std::vector<std::string>{"slave"}));
    EXPECT_EQ(svc->get_list("filters"), (std::vector<std::string>{"Hint"}));
    EXPECT_EQ(svc->get_int("max_connections"), 100);
    EXPECT_EQ(svc->get_string("password"), "p");
    EXPECT_EQ(l.cfg.find("Cluster-Service")->get_list("router_options"),
              (std::vector<std::string>{"running"}));  // module default

    const ObjectConfig* lis = l.cfg.find("Read-Listener");
    EXPECT_EQ(lis->get_string("protocol"), "mariadbprotocol");
    EXPECT_EQ(lis->get_string("address"), "::");
    EXPECT_EQ(lis->get_string("sql_mode"), "default");
    EXPECT_EQ(l.cfg.find("Other-Listener")->get_string("protocol"), "mariadbprotocol");

    // The lookups: router, filter and monitor modules, the canonical protocol name.
    auto looked = [&](const std::string& s)
    { return std::find(g_lookups.begin(), g_lookups.end(), s) != g_lookups.end(); };
    EXPECT_TRUE(looked("router:readconnroute"));
    EXPECT_TRUE(looked("filter:regexfilter"));
    EXPECT_TRUE(looked("monitor:mariadbmon"));
    EXPECT_TRUE(looked("protocol:mariadbprotocol"));
    EXPECT_FALSE(looked("protocol:MariaDBClient"));
}

TEST(ConfigLoader, DefaultsWithoutGlobalSection)
{
    auto l = load(base(""));
    ASSERT_TRUE(l.ok) << all(l.errors);
    EXPECT_EQ(l.cfg.global.name, "sqlgate");
    EXPECT_EQ(l.cfg.global.get_string("threads"), "auto");
    EXPECT_EQ(l.cfg.global.get_int("threads"), 0);
    EXPECT_EQ(l.cfg.global.get_size("writeq_high_water"), 65536);
    EXPECT_EQ(l.cfg.global.get_size("writeq_low_water"), 1024);
    EXPECT_TRUE(l.cfg.global.get_bool("admin_auth"));
    EXPECT_EQ(l.cfg.global.get_string("libdir"), "");
}

TEST(ConfigLoader, SqlgateAndMaxscaleSections)
{
    auto ok = load(base("[sqlgate]\nthreads=2\n"));
    ASSERT_TRUE(ok.ok) << all(ok.errors);
    EXPECT_EQ(ok.cfg.global.get_int("threads"), 2);

    auto both = load("[sqlgate]\nthreads=2\n[maxscale]\nthreads=3\n" + base(""));
    EXPECT_FALSE(both.ok);
    EXPECT_TRUE(has_error(both,
                          "sqlgate.cnf:3: [maxscale] the global section is already defined "
                          "as [sqlgate] at line 1; use only one"))
        << all(both.errors);
}

TEST(ConfigLoader, ProtocolAliases)
{
    for (const char* alias : {"MariaDBProtocol", "MariaDBClient", "mariadbclient", "MySQLClient",
                              "mysqlclient", "mariadb", "mariadbprotocol"})
    {
        EXPECT_EQ(canonical_protocol(alias), "mariadbprotocol") << alias;
        auto l = load(base(std::string("[L]\ntype=listener\nservice=S\nport=4000\nprotocol=") +
                           alias + "\n"));
        ASSERT_TRUE(l.ok) << alias << "\n" << all(l.errors);
        EXPECT_EQ(l.cfg.find("L")->get_string("protocol"), "mariadbprotocol");
    }
    EXPECT_EQ(canonical_protocol("NoSQLProtocol"), "nosqlprotocol");
    auto l = load(base("[L]\ntype=listener\nservice=S\nport=4000\nprotocol=cdc\n"));
    EXPECT_FALSE(l.ok);
    EXPECT_TRUE(has_error(l,
                          "sqlgate.cnf:14: [L] parameter 'protocol': module 'cdc' not found: "
                          "libcdc.so: no such file"))
        << all(l.errors);
}

TEST(ConfigLoader, ByteExactParameterError)
{
    std::string text = base("");
    text.insert(text.find("user=u"), "max_connections=ten\n");  // line 8
    auto l = load(text);
    EXPECT_FALSE(l.ok);
    ASSERT_EQ(l.errors.size(), 1u) << all(l.errors);
    EXPECT_EQ(l.errors[0],
              "sqlgate.cnf:8: [S] parameter 'max_connections': expected a non-negative integer, "
              "got 'ten'");
}

TEST(ConfigLoader, MissingAndUnknownType)
{
    auto l = load(base("[X]\naddress=a\n[Y]\ntype=servr\n[Z]\ntype=global\n"));
    EXPECT_FALSE(l.ok);
    EXPECT_TRUE(has_error(l,
                          "sqlgate.cnf:10: [X] parameter 'type': missing; every section except "
                          "[sqlgate] needs type=server, service, listener, monitor or filter"))
        << all(l.errors);
    EXPECT_TRUE(has_error(l,
                          "sqlgate.cnf:13: [Y] parameter 'type': unknown object type 'servr', "
                          "expected server, service, listener, monitor or filter"))
        << all(l.errors);
    EXPECT_TRUE(has_error(l,
                          "sqlgate.cnf:15: [Z] parameter 'type': unknown object type 'global', "
                          "expected server, service, listener, monitor or filter"))
        << all(l.errors);
    EXPECT_EQ(l.errors.size(), 3u) << all(l.errors);
}

TEST(ConfigLoader, UnknownParametersAreErrors)
{
    auto l = load(base("[s2]\ntype=server\nadress=b\nfoo=bar\n"));
    EXPECT_FALSE(l.ok);
    EXPECT_TRUE(has_error(
        l, "sqlgate.cnf:12: [s2] parameter 'adress': unknown parameter; did you mean 'address'?"))
        << all(l.errors);
    EXPECT_TRUE(has_error(l, "sqlgate.cnf:13: [s2] parameter 'foo': unknown parameter"))
        << all(l.errors);
    EXPECT_TRUE(has_error(l, "sqlgate.cnf:10: [s2] either 'address' or 'socket' must be defined"))
        << all(l.errors);
}

TEST(ConfigLoader, MandatoryParameters)
{
    auto l = load("[S]\ntype=service\nservers=\n[F]\ntype=filter\n[M]\ntype=monitor\n");
    EXPECT_FALSE(l.ok);
    for (const char* e : {
             "sqlgate.cnf:1: [S] parameter 'router': mandatory parameter is missing",
             "sqlgate.cnf:1: [S] parameter 'user': mandatory parameter is missing",
             "sqlgate.cnf:1: [S] parameter 'password': mandatory parameter is missing",
             "sqlgate.cnf:4: [F] parameter 'module': mandatory parameter is missing",
             "sqlgate.cnf:6: [M] parameter 'module': mandatory parameter is missing",
         })
    {
        EXPECT_TRUE(has_error(l, e)) << e << "\n" << all(l.errors);
    }
}

TEST(ConfigLoader, LoadFromFile)
{
    std::string path = ::testing::TempDir() + "sqlgate_loader_test.cnf";
    {
        std::ofstream f(path);
        f << GOOD;
    }
    ConfigFile cfg;
    std::vector<std::string> errors;
    EXPECT_TRUE(load_config(path, fake_lookup, cfg, errors)) << all(errors);
    EXPECT_EQ(cfg.path, path);
    EXPECT_EQ(cfg.objects.size(), 8u);
    std::remove(path.c_str());

    EXPECT_FALSE(load_config(path, fake_lookup, cfg, errors));
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0], path + ": cannot open the file: No such file or directory");
}
