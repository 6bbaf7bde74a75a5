#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "config/loader.hh"
#include "config/specs.hh"

using namespace sqlgate;

namespace
{

ParamSpec param(std::string name, ParamType type, std::optional<std::string> def = std::nullopt)
{
    ParamSpec p;
    p.name = std::move(name);
    p.type = type;
    p.description = "test parameter";
    p.default_value = std::move(def);
    return p;
}

const Specification& readconnroute()
{
    static const Specification spec = []
    {
        ParamSpec opts = param("router_options", ParamType::ENUM_LIST, "running");
        opts.enum_values = {"master", "slave", "running", "synced"};
        return Specification("readconnroute", {opts});
    }();
    return spec;
}

const Specification& regexfilter()
{
    static const Specification spec = []
    {
        ParamSpec match = param("match", ParamType::REGEX);
        match.mandatory = true;
        return Specification("regexfilter", {match, param("replace", ParamType::STRING, "")});
    }();
    return spec;
}

const Specification& mariadbmon()
{
    static const Specification spec("mariadbmon",
                                    {param("auto_failover", ParamType::BOOL, "false")});
    return spec;
}

/// A fake module registry: a few modules, the protocol without parameters.
std::vector<std::string> g_lookups;

const Specification* fake_lookup(const std::string& kind, const std::string& module,
                                 std::string& error)
{
    g_lookups.push_back(kind + ":" + module);
    if (kind == "router" && module == "readconnroute")
    {
        return &readconnroute();
    }
    if (kind == "filter" && module == "regexfilter")
    {
        return &regexfilter();
    }
    if (kind == "monitor" && module == "mariadbmon")
    {
        return &mariadbmon();
    }
    if (kind == "protocol" && module == "mariadbprotocol")
    {
        return nullptr;  // exists, no parameters of its own
    }
    error = "module '" + module + "' not found: lib" + module + ".so: no such file";
    return nullptr;
}

const char* const GOOD = R"([maxscale]
threads=4
writeq_high_water=1Mi
writeq_low_water=64Ki
users_refresh_time=10s

[server1]
type=server
address=10.0.0.1
port=3307
rank=Secondary

[server2]
type=server
socket=/run/mysqld/mysqld.sock

[Mon]
type=monitor
module=mariadbmon
servers=server1,
        server2
user=mon
password=monpw
monitor_interval=500ms
auto_failover=on

[Hint]
type=filter
module=regexfilter
match=/^SELECT/
replace=select

[Read-Service]
type=service
router=readconnroute
targets=server1,server2
router_options=slave
user=u
password=p
filters=Hint
max_connections=100

[Cluster-Service]
type=service
router=readconnroute
cluster=Mon
user=u
password=p

[Read-Listener]
type=listener
service=Read-Service
protocol=MariaDBClient
port=4008

[Other-Listener]
type=listener
service=Cluster-Service
address=127.0.0.1
port=4009
)";

struct Loaded
{
    bool ok = false;
    ConfigFile cfg;
    std::vector<std::string> errors;
};

Loaded load(const std::string& text)
{
    Loaded l;
    l.ok = load_config_text("sqlgate.cnf", text, fake_lookup, l.cfg, l.errors);
    return l;
}

std::string all(const std::vector<std::string>& errors)
{
    std::string r;
    for (const auto& e : errors)
    {
        r += e + "\n";
    }
    return r;
}

bool has_error(const Loaded& l, const std::string& text)
{
    for (const auto& e : l.errors)
    {
        if (e == text)
        {
            return true;
        }
    }
    return false;
}

/// A minimal valid configuration plus @c extra sections.
std::string base(const std::string& extra)
{
    return "[server1]\ntype=server\naddress=a\n"                                             // 1-3
           "[S]\ntype=service\nrouter=readconnroute\nservers=server1\nuser=u\npassword=p\n"  // 4-9
           + extra;                                                                          // 10-
}

}  // namespace

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
