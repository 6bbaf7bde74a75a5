/**
 * Shared fixtures of the loader tests: a fake module registry and helpers.
 */
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "config/loader.hh"
#include "config/specs.hh"

namespace config_test
{

using namespace sqlgate;

inline ParamSpec param(std::string name, ParamType type,
                       std::optional<std::string> def = std::nullopt)
{
    ParamSpec p;
    p.name = std::move(name);
    p.type = type;
    p.description = "test parameter";
    p.default_value = std::move(def);
    return p;
}

inline const Specification& readconnroute()
{
    static const Specification spec = []
    {
        ParamSpec opts = param("router_options", ParamType::ENUM_LIST, "running");
        opts.enum_values = {"master", "slave", "running", "synced"};
        return Specification("readconnroute", {opts});
    }();
    return spec;
}

inline const Specification& regexfilter()
{
    static const Specification spec = []
    {
        ParamSpec match = param("match", ParamType::REGEX);
        match.mandatory = true;
        return Specification("regexfilter", {match, param("replace", ParamType::STRING, "")});
    }();
    return spec;
}

inline const Specification& mariadbmon()
{
    static const Specification spec("mariadbmon",
                                    {param("auto_failover", ParamType::BOOL, "false")});
    return spec;
}

/// A fake module registry: a few modules, the protocol without parameters.
inline std::vector<std::string> g_lookups;

inline const Specification* fake_lookup(const std::string& kind, const std::string& module,
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

inline const char* const GOOD = R"([maxscale]
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

inline Loaded load(const std::string& text)
{
    Loaded l;
    l.ok = load_config_text("sqlgate.cnf", text, fake_lookup, l.cfg, l.errors);
    return l;
}

inline std::string all(const std::vector<std::string>& errors)
{
    std::string r;
    for (const auto& e : errors)
    {
        r += e + "\n";
    }
    return r;
}

inline bool has_error(const Loaded& l, const std::string& text)
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
inline std::string base(const std::string& extra)
{
    return "[server1]\ntype=server\naddress=a\n"                                             // 1-3
           "[S]\ntype=service\nrouter=readconnroute\nservers=server1\nuser=u\npassword=p\n"  // 4-9
           + extra;                                                                          // 10-
}

}  // namespace config_test
