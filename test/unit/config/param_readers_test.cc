/**
 * No parameter without an effect: every parameter that a core specification
 * (server/core/config/specs.cc) or a module's specification declares is read
 * somewhere, or is marked as accepted without effect (ParamSpec::ignored,
 * with the reason, which the loader logs and the documentation shows).
 *
 * "Read" means that the sources call a configuration accessor with the name:
 * get_string("name"), get_int, get_bool, get_duration_ms, get_size, get_list,
 * has("name"), or a helper that takes the configuration first and the name
 * second (param_or(o, "name", ...), get(listener, "name"), compile(config,
 * "name", ...)). A core parameter may be read anywhere under server/ and
 * modules/ except specs.cc; a module's parameter only by that module's own
 * sources. Tests are never readers.
 */
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "config/specs.hh"
#include "module_loader.hh"

using namespace sqlgate;
namespace fs = std::filesystem;

namespace
{

const fs::path root = SQLGATE_SOURCE_DIR;

/// Parameters known to be unread that another piece of work implements; each must
/// still be unread (PendingEntriesAreStillUnread), so the list only shrinks.
const std::set<std::string> pending = {
    "global.skip_name_resolve",
    // Another issue implements enable_root_user.
    "service.enable_root_user",
    "service.log_auth_warnings",
    "service.localhost_match_wildcard_host",
    "listener.authenticator",
    "listener.authenticator_options",
    "listener.sql_mode",
    "listener.connection_init_sql_file",
};

std::string slurp(const fs::path& p)
{
    std::ifstream in(p);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

/// The parameter names the C++ sources under @c dir read, skipping test
/// directories and the files in @c skip.
std::set<std::string> names_read(const fs::path& dir, const std::set<fs::path>& skip = {})
{
    static const std::regex reader(
        R"re(\b(?:get_string|get_int|get_bool|get_duration_ms|get_size|get_list|has|param_or|get|compile)\s*\(\s*(?:[A-Za-z_]\w*\s*,\s*)?"([A-Za-z_][A-Za-z0-9_]*)")re");
    std::set<std::string> names;
    for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator();
         ++it)
    {
        if (it->is_directory() && it->path().filename() == "test")
        {
            it.disable_recursion_pending();
            continue;
        }
        std::string ext = it->path().extension();
        if (!it->is_regular_file() || (ext != ".cc" && ext != ".hh") || skip.count(it->path()))
        {
            continue;
        }
        std::string text = slurp(it->path());
        for (std::sregex_iterator m(text.begin(), text.end(), reader), end; m != end; ++m)
        {
            names.insert((*m)[1]);
        }
    }
    return names;
}

/// The parameters of @c spec that nothing in @c read reads, that are not marked
/// ignored and not pending.
std::vector<std::string> unread(const Specification& spec, const std::set<std::string>& read)
{
    std::vector<std::string> out;
    for (const ParamSpec& p : spec.params())
    {
        if (!read.count(p.name) && p.ignored.empty() && !pending.count(spec.name() + "." + p.name))
        {
            out.push_back(p.name);
        }
    }
    return out;
}

std::string listed(const std::vector<std::string>& names)
{
    std::string s;
    for (const auto& n : names)
    {
        s += (s.empty() ? "" : ", ") + n;
    }
    return s;
}

const std::set<std::string>& core_readers()
{
    static const std::set<std::string> read = []
    {
        std::set<fs::path> skip = {root / "server/core/config/specs.cc"};
        std::set<std::string> r = names_read(root / "server", skip);
        std::set<std::string> m = names_read(root / "modules");
        r.insert(m.begin(), m.end());
        return r;
    }();
    return read;
}

const std::vector<const Specification*>& core_specs()
{
    static const std::vector<const Specification*> specs = {
        &global_spec(),   &server_spec(),  &service_spec(),
        &listener_spec(), &monitor_spec(), &filter_spec(),
    };
    return specs;
}

struct ModuleDir
{
    fs::path dir;
    ModuleKind kind;
};

/// modules/<kind>/<name>/ for every module folder with a CMakeLists.txt.
std::vector<ModuleDir> module_dirs()
{
    static const std::map<std::string, ModuleKind> kinds = {{"routing", ModuleKind::ROUTER},
                                                            {"filter", ModuleKind::FILTER},
                                                            {"monitor", ModuleKind::MONITOR},
                                                            {"protocol", ModuleKind::PROTOCOL}};
    std::vector<ModuleDir> out;
    for (const auto& [kind_dir, kind] : kinds)
    {
        for (const auto& e : fs::directory_iterator(root / "modules" / kind_dir))
        {
            if (fs::exists(e.path() / "CMakeLists.txt"))
            {
                out.push_back({e.path(), kind});
            }
        }
    }
    return out;
}

}  // namespace

TEST(ParamReaders, EveryCoreParameterIsReadOrMarkedIgnored)
{
    for (const Specification* spec : core_specs())
    {
        std::vector<std::string> missing = unread(*spec, core_readers());
        EXPECT_TRUE(missing.empty())
            << "[" << spec->name() << "] parameters that no code reads: " << listed(missing)
            << "\nRead each one where it takes effect (e.g. config.get_int(\"name\")), or mark "
               "it ignored(..., \"why\") in server/core/config/specs.cc and document it.";
    }
}

TEST(ParamReaders, EveryModuleParameterIsReadByItsModuleOrMarkedIgnored)
{
    ModuleLoader loader(SQLGATE_MODULE_DIR);
    std::vector<ModuleDir> dirs = module_dirs();
    ASSERT_GE(dirs.size(), 6u) << "modules not found under " << root / "modules";
    for (const ModuleDir& m : dirs)
    {
        std::string error;
        const ModuleInfo* info = loader.load(m.dir.filename(), m.kind, error);
        ASSERT_NE(info, nullptr) << error;
        if (!info->specification)
        {
            continue;
        }
        std::vector<std::string> missing = unread(*info->specification, names_read(m.dir));
        EXPECT_TRUE(missing.empty())
            << "module " << info->name << ": parameters its sources (" << m.dir.string()
            << ") never read: " << listed(missing)
            << "\nRead each one where it takes effect, or set ParamSpec::ignored to the reason.";
    }
}

TEST(ParamReaders, PendingEntriesAreStillUnread)
{
    for (const Specification* spec : core_specs())
    {
        for (const ParamSpec& p : spec->params())
        {
            std::string key = spec->name() + "." + p.name;
            if (pending.count(key))
            {
                EXPECT_FALSE(core_readers().count(p.name))
                    << key << " is read now: remove it from the pending list of "
                    << "test/unit/config/param_readers_test.cc";
                EXPECT_TRUE(p.ignored.empty()) << key << " is marked ignored: remove it from "
                                               << "the pending list";
            }
        }
    }
}

TEST(ParamReaders, AMadeUpUnusedParameterIsFound)
{
    // The check itself: a parameter nobody reads is reported, one marked ignored is not,
    // and one with a reader is not.
    ParamSpec made_up = make_param("made_up_unused_parameter", ParamType::BOOL, "A test");
    ParamSpec excused = make_param("made_up_ignored_parameter", ParamType::BOOL, "A test");
    excused.ignored = "it is only a test";
    ParamSpec read = make_param("max_connections", ParamType::COUNT, "Read by the session");
    Specification spec("service", {made_up, excused, read});
    EXPECT_EQ(unread(spec, core_readers()), (std::vector<std::string>{"made_up_unused_parameter"}));
}

TEST(ParamReaders, TheReaderPatternsMatchWhatTheSourcesWrite)
{
    // Known readers of each form are found (if one of these moves, pick another example).
    const std::set<std::string>& r = core_readers();
    EXPECT_TRUE(r.count("max_connections"));   // config.get_int("max_connections")
    EXPECT_TRUE(r.count("version_string"));    // config.get_string(...) in a module
    EXPECT_TRUE(r.count("writeq_low_water"));  // has("writeq_low_water")
    EXPECT_TRUE(names_read(root / "modules/protocol/queryservice").count("result_ttl"));
    EXPECT_TRUE(names_read(root / "modules/filter/qlafilter").count("exclude"));
    // Names only built into JSON or log text are no readers.
    EXPECT_FALSE(r.count("made_up_unused_parameter"));
}
