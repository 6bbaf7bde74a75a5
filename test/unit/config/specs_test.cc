#include <gtest/gtest.h>

#include <set>

#include "config/specs.hh"

using namespace sqlgate;

TEST(ConfigSpecs, WellFormed)
{
    for (const std::string type : {"global", "server", "service", "listener", "monitor", "filter"})
    {
        const Specification* spec = core_spec_for_type(type);
        ASSERT_TRUE(spec) << type;
        EXPECT_EQ(spec->name(), type);
        std::set<std::string> names;
        for (const ParamSpec& p : spec->params())
        {
            EXPECT_TRUE(names.insert(p.name).second) << type << "." << p.name << " twice";
            for (const auto& a : p.aliases)
            {
                EXPECT_TRUE(names.insert(a).second) << type << "." << a << " twice";
            }
            EXPECT_FALSE(p.description.empty()) << type << "." << p.name;
            EXPECT_EQ(p.description.find('|'), std::string::npos) << type << "." << p.name;
            EXPECT_EQ(p.description.find('\n'), std::string::npos) << type << "." << p.name;
            EXPECT_FALSE(p.mandatory && p.default_value) << type << "." << p.name;
            if (p.default_value)
            {
                Value v;
                std::string error;
                EXPECT_TRUE(parse_value(p, *p.default_value, v, error))
                    << type << "." << p.name << ": " << error;
            }
        }
        EXPECT_EQ(spec->find("type") != nullptr, type != "global") << type;
    }
    EXPECT_EQ(core_spec_for_type("router"), nullptr);
    EXPECT_EQ(object_types().size(), 5u);
}

TEST(ConfigSpecs, SelectedDefaults)
{
    EXPECT_EQ(*global_spec().find("admin_port")->default_value, "8989");
    EXPECT_EQ(*global_spec().find("writeq_high_water")->default_value, "64Ki");
    EXPECT_EQ(global_spec().find("threads")->type, ParamType::THREADS);
    EXPECT_EQ(*server_spec().find("port")->default_value, "3306");
    EXPECT_EQ(server_spec().find("port")->max, 65535);
    EXPECT_EQ(service_spec().find("targets"), service_spec().find("servers"));
    EXPECT_TRUE(service_spec().find("router")->mandatory);
    EXPECT_EQ(*listener_spec().find("address")->default_value, "::");
    EXPECT_EQ(*monitor_spec().find("monitor_interval")->default_value, "2s");
    EXPECT_EQ(*monitor_spec().find("journal_max_age")->default_value, "28800s");
    EXPECT_EQ(monitor_spec().find("events")->enum_values, monitor_event_names());
    EXPECT_TRUE(filter_spec().find("module")->mandatory);
}

TEST(ConfigSpecs, CanonicalProtocol)
{
    EXPECT_EQ(canonical_protocol("MariaDBProtocol"), "mariadbprotocol");
    EXPECT_EQ(canonical_protocol("MariaDBClient"), "mariadbprotocol");
    EXPECT_EQ(canonical_protocol("MySQLClient"), "mariadbprotocol");
    EXPECT_EQ(canonical_protocol("mariadb"), "mariadbprotocol");
    EXPECT_EQ(canonical_protocol("CDC"), "cdc");
}
