// server/core/module_loader.cc: every refusal names the file and the reason.
#include "module_loader.hh"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

using namespace sqlgate;

namespace
{
const std::string dir = SQLGATE_TEST_MODULE_DIR;

TEST(ModuleLoader, LoadsARealModuleOnceWithItsInfo)
{
    ModuleLoader loader(SQLGATE_MODULE_DIR);
    std::string error;
    const ModuleInfo* a = loader.load("readconnroute", ModuleKind::ROUTER, error);
    ASSERT_NE(a, nullptr) << error;
    EXPECT_STREQ(a->name, "readconnroute");
    EXPECT_EQ(a->abi, SQLGATE_ABI);
    ASSERT_NE(a->specification, nullptr);
    EXPECT_NE(a->specification->find("router_options"), nullptr);
    // Module names are case-insensitive, as in MaxScale configurations.
    EXPECT_EQ(loader.load("ReadConnRoute", ModuleKind::ROUTER, error), a);
}

TEST(ModuleLoader, WrongAbiIsRefused)
{
    ModuleLoader loader(dir);
    std::string error;
    EXPECT_EQ(loader.load("badabi", ModuleKind::ROUTER, error), nullptr);
    EXPECT_NE(error.find(dir + "/libbadabi.so"), std::string::npos) << error;
    EXPECT_NE(error.find("ABI version " + std::to_string(SQLGATE_ABI + 998) +
                         " does not match the core's " + std::to_string(SQLGATE_ABI)),
              std::string::npos)
        << error;
}

TEST(ModuleLoader, NameMustMatchTheFile)
{
    ModuleLoader loader(dir);
    std::string error;
    EXPECT_EQ(loader.load("misnamed", ModuleKind::FILTER, error), nullptr);
    EXPECT_NE(error.find("it calls itself 'othername'"), std::string::npos) << error;
}

TEST(ModuleLoader, MissingEntrySymbol)
{
    ModuleLoader loader(dir);
    std::string error;
    EXPECT_EQ(loader.load("noentry", ModuleKind::FILTER, error), nullptr);
    EXPECT_NE(error.find("does not export sqlgate_module_info"), std::string::npos) << error;
}

TEST(ModuleLoader, MissingFileAndNotASharedObject)
{
    char tmpl[] = "/tmp/sqlgate-modules-XXXXXX";
    std::string tmp = mkdtemp(tmpl);
    std::ofstream(tmp + "/libgarbage.so") << "this is not an ELF file";
    ModuleLoader loader(tmp);
    std::string error;
    EXPECT_EQ(loader.load("nosuch", ModuleKind::ROUTER, error), nullptr);
    EXPECT_EQ(error, "module 'nosuch' not found: no file " + tmp + "/libnosuch.so");
    EXPECT_EQ(loader.load("garbage", ModuleKind::ROUTER, error), nullptr);
    EXPECT_NE(error.find("cannot load module 'garbage' from " + tmp + "/libgarbage.so"),
              std::string::npos)
        << error;
    std::filesystem::remove_all(tmp);
}

TEST(ModuleLoader, WrongKind)
{
    ModuleLoader loader(SQLGATE_MODULE_DIR);
    std::string error;
    EXPECT_EQ(loader.load("readconnroute", ModuleKind::FILTER, error), nullptr);
    EXPECT_EQ(error, "module 'readconnroute' is a Router module, not a Filter module");
}

}  // namespace
