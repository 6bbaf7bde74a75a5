// The runtime registry's rules (server/core/registry.hh): new names, listener
// endpoints, static objects, persistence, runtime state and the global section.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/specs.hh"
#include "config/util.hh"
#include "module_loader.hh"
#include "registry.hh"

using namespace sqlgate;

namespace
{

struct RegistryTest : ::testing::Test
{
    std::string dir;
    Objects objects;
    ModuleLoader modules{"/nonexistent"};
    std::unique_ptr<Registry> registry;

    void SetUp() override
    {
        char tmpl[] = "/tmp/sqlgate-registry-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        dir = tmpl;
        ObjectConfig server;
        server.name = "server1";
        server.type = "server";
        objects.configs["server1"] = server;
        auto l = std::make_shared<ListenerDef>();
        l->name = "L1";
        l->address = "127.0.0.1";
        l->port = 4006;
        objects.listeners["L1"] = l;
        auto any = std::make_shared<ListenerDef>();
        any->name = "Any";
        any->address = "::";
        any->port = 5000;
        objects.listeners["Any"] = any;
        ObjectConfig g;
        g.type = "global";
        g.name = "sqlgate";
        set_global_config(g);
        Registry::Options o;
        o.config_file = "/etc/sqlgate.cnf";
        o.datadir = dir;
        o.static_names = {"server1"};
        registry = std::make_unique<Registry>(objects, modules, o, nullptr);
    }
    void TearDown() override { std::filesystem::remove_all(dir); }
};

}  // namespace

TEST_F(RegistryTest, NewNamesAreValidFreeNotReservedAndOfTheRightType)
{
    EXPECT_FALSE(registry->check_new_name("server2", "servers", "servers"));
    EXPECT_FALSE(registry->check_new_name("server2", "", "servers"));  // type may be left out
    struct Case
    {
        std::string name, type;
        int code;
        std::string message;
    } cases[] = {
        {"", "", 400, "Missing /data/id (the server's name)"},
        {"a b", "", 400, "/data/id 'a b' is not a valid name: "},
        {"MaxScale", "", 400, "/data/id 'MaxScale' is reserved for the global section"},
        {"sqlgate", "", 400, "/data/id 'sqlgate' is reserved for the global section"},
        {"server1", "servers", 409, "An object called 'server1' already exists"},
        {"server2", "services", 400, "/data/type: expected 'servers', got 'services'"},
    };
    for (const Case& c : cases)
    {
        Refusal r = registry->check_new_name(c.name, c.type, "servers");
        EXPECT_EQ(r.code, c.code) << c.name;
        EXPECT_EQ(r.message.substr(0, c.message.size()), c.message) << r.message;
    }
}

TEST_F(RegistryTest, ListenerEndpointsFollowOneRule)
{
    EXPECT_FALSE(registry->check_listener_endpoint("127.0.0.1", 4007));
    EXPECT_FALSE(registry->check_listener_endpoint("127.0.0.2", 4006));
    Refusal r = registry->check_listener_endpoint("127.0.0.1", 4006);
    EXPECT_EQ(r.code, 400);
    EXPECT_EQ(r.message,
              "parameter 'port': address 127.0.0.1 port 4006 is already used by listener 'L1' "
              "(127.0.0.1 port 4006)");
    EXPECT_TRUE(registry->check_listener_endpoint("0.0.0.0", 4006));    // a wildcard takes all
    EXPECT_TRUE(registry->check_listener_endpoint("127.0.0.9", 5000));  // under Any's wildcard
    EXPECT_FALSE(registry->check_listener_endpoint("127.0.0.1", 4006, "L1"));  // itself
    // The rule the configuration file's loader uses too.
    EXPECT_TRUE(endpoints_collide("", 1, "10.0.0.1", 1));
    EXPECT_FALSE(endpoints_collide("::", 1, "::", 2));
}

TEST_F(RegistryTest, StaticObjectsAreRefusedNamingTheFile)
{
    EXPECT_TRUE(registry->is_static("server1"));
    EXPECT_FALSE(registry->is_static("server2"));
    Refusal r = registry->refuse_static("Server", "server1");
    EXPECT_EQ(r.code, 400);
    EXPECT_EQ(r.message, "Server server1 is defined in /etc/sqlgate.cnf; remove it there");
}

TEST_F(RegistryTest, PersistWritesTheObjectAndUnpersistRemovesIt)
{
    ObjectConfig cfg;
    cfg.name = "extra";
    cfg.type = "server";
    std::string error;
    ASSERT_TRUE(registry->persist(cfg, error)) << error;
    std::string file = dir + "/sqlgate.cnf.d/extra.cnf";
    EXPECT_TRUE(std::filesystem::exists(file));
    EXPECT_EQ(cfg.origin.file, file);
    EXPECT_TRUE(Registry::is_runtime_object(cfg));
    ASSERT_TRUE(registry->unpersist("extra", error)) << error;
    EXPECT_FALSE(std::filesystem::exists(file));
}

TEST_F(RegistryTest, RuntimeStateIsKeptAndForgotten)
{
    registry->set_listener_stopped("L1", true);
    registry->set_service_stopped("S", true);
    EXPECT_TRUE(registry->listener_stopped("L1"));
    EXPECT_TRUE(registry->service_stopped("S"));
    registry->set_listener_stopped("L1", false);
    EXPECT_FALSE(registry->listener_stopped("L1"));
    registry->forget("S");
    EXPECT_FALSE(registry->service_stopped("S"));
}

TEST_F(RegistryTest, AlteredGlobalsArePublishedAndPersisted)
{
    Value v;
    std::string error;
    const ParamSpec* p = global_spec().find("users_refresh_time");
    ASSERT_NE(p, nullptr);
    ASSERT_TRUE(parse_value(*p, "5s", v, error)) << error;
    std::shared_ptr<const ObjectConfig> before = global_config();
    ASSERT_TRUE(registry->alter_global({{"users_refresh_time", v}}, error)) << error;
    EXPECT_EQ(global_config()->get_duration_ms("users_refresh_time"), 5000);
    EXPECT_EQ(registry->global().get_duration_ms("users_refresh_time"), 5000);
    EXPECT_FALSE(before->has("users_refresh_time"));  // the old snapshot is unchanged
    std::ifstream in(dir + "/sqlgate.cnf.d/sqlgate.cnf");
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_NE(text.str().find("users_refresh_time="), std::string::npos) << text.str();
}
