// ParamSpec::ignored: a parameter accepted without effect loads, and setting it is a
// warning that names the file, line, section, parameter and reason.
#include <gtest/gtest.h>

#include "loader_fixture.hh"

using namespace sqlgate;
using namespace config_test;

namespace
{

const Specification& ignoring_router()
{
    static const Specification spec = []
    {
        ParamSpec old = param("old_option", ParamType::BOOL, "false");
        old.ignored = "it did something in an old version";
        return Specification("oldrouter", {old});
    }();
    return spec;
}

const Specification* lookup(const std::string& kind, const std::string& module, std::string& error)
{
    if (kind == "router" && module == "oldrouter")
    {
        return &ignoring_router();
    }
    return fake_lookup(kind, module, error);
}

}  // namespace

TEST(IgnoredParameters, SettingOneLoadsWithAWarning)
{
    Loaded l = load(base("[Mon]\ntype=monitor\nmodule=mariadbmon\njournal_max_age=1h\n") +
                    "[server2]\ntype=server\naddress=b\nprotocol=MariaDBBackend\n");
    ASSERT_TRUE(l.ok) << all(l.errors);
    EXPECT_EQ(l.cfg.warnings,
              (std::vector<std::string>{
                  "sqlgate.cnf:13: [Mon] parameter 'journal_max_age': ignored: the monitor keeps "
                  "no journal",
                  "sqlgate.cnf:17: [server2] parameter 'protocol': ignored: sqlgate speaks only "
                  "the MariaDB protocol to servers"}));
    // The value is still parsed and kept (the REST API shows it).
    EXPECT_EQ(l.cfg.find("Mon")->get_duration_ms("journal_max_age"), 3600000);
}

TEST(IgnoredParameters, DefaultsAreNoWarning)
{
    Loaded l = load(GOOD);
    ASSERT_TRUE(l.ok) << all(l.errors);
    EXPECT_TRUE(l.cfg.warnings.empty()) << all(l.cfg.warnings);
}

TEST(IgnoredParameters, ModuleParametersToo)
{
    ConfigFile cfg;
    std::vector<std::string> errors;
    ASSERT_TRUE(load_config_text("m.cnf",
                                 "[server1]\ntype=server\naddress=a\n"
                                 "[S]\ntype=service\nrouter=oldrouter\nservers=server1\nuser=u\n"
                                 "password=p\nold_option=true\n",
                                 lookup, cfg, errors))
        << all(errors);
    EXPECT_EQ(cfg.warnings, (std::vector<std::string>{
                                "m.cnf:10: [S] parameter 'old_option': ignored: it did something "
                                "in an old version"}));
}
