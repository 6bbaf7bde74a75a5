/**
 * docs/configuration.md must document every core parameter exactly as the
 * specifications define it: one table row per parameter under its object's
 * heading, and no rows for parameters that no longer exist.
 *
 * To regenerate the tables after changing a specification:
 *   sqlgate_unit --gtest_also_run_disabled_tests --gtest_filter='ConfigDocs.DISABLED_PrintTables'
 */
#include <gtest/gtest.h>

#include <climits>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "config/specs.hh"

using namespace sqlgate;

namespace
{

struct Kind
{
    const char* heading;
    const Specification& (*spec)();
};

const std::vector<Kind>& kinds()
{
    static const std::vector<Kind> k = {
        {"## Global parameters", &global_spec},   {"## Server parameters", &server_spec},
        {"## Service parameters", &service_spec}, {"## Listener parameters", &listener_spec},
        {"## Monitor parameters", &monitor_spec}, {"## Filter parameters", &filter_spec},
    };
    return k;
}

std::string type_cell(const ParamSpec& p)
{
    std::string r = to_string(p.type);
    if ((p.type == ParamType::COUNT || p.type == ParamType::INT) &&
        !(p.min == 0 && p.max == INT64_MAX) && !(p.min == INT64_MIN && p.max == INT64_MAX))
    {
        r += " " + std::to_string(p.min) + ".." + std::to_string(p.max);
    }
    if (p.type == ParamType::ENUM || p.type == ParamType::ENUM_LIST)
    {
        r += ":";
        for (size_t i = 0; i < p.enum_values.size(); ++i)
        {
            r += (i ? ", `" : " `") + p.enum_values[i] + "`";
        }
    }
    return r;
}

std::string row(const ParamSpec& p)
{
    std::string name = "`" + p.name + "`";
    for (const auto& a : p.aliases)
    {
        name += " (alias `" + a + "`)";
    }
    std::string def = !p.default_value           ? "-"
                      : p.default_value->empty() ? "(empty)"
                                                 : "`" + *p.default_value + "`";
    // An ignored parameter says so, and why (ParamSpec::ignored).
    std::string what =
        p.ignored.empty() ? p.description : p.description + ". **Ignored**: " + p.ignored;
    return "| " + name + " | " + type_cell(p) + " | " + def + " | " + (p.mandatory ? "yes" : "no") +
           " | " + (p.runtime ? "yes" : "no") + " | " + what + " |";
}

std::vector<std::string> read_lines(const std::string& path)
{
    std::ifstream in(path);
    std::vector<std::string> lines;
    std::string line;
    while (std::getline(in, line))
    {
        lines.push_back(line);
    }
    return lines;
}

}  // namespace

TEST(ConfigDocs, EveryParameterIsDocumentedUnderItsHeading)
{
    const std::string path = SQLGATE_SOURCE_DIR "/docs/configuration.md";
    auto lines = read_lines(path);
    ASSERT_FALSE(lines.empty()) << "cannot read " << path;

    for (const Kind& kind : kinds())
    {
        size_t start = 0;
        while (start < lines.size() && lines[start] != kind.heading)
        {
            ++start;
        }
        ASSERT_LT(start, lines.size()) << "heading '" << kind.heading << "' missing in " << path;
        std::set<std::string> rows;
        for (size_t i = start + 1; i < lines.size() && lines[i].rfind("## ", 0) != 0; ++i)
        {
            if (lines[i].rfind("| `", 0) == 0)
            {
                rows.insert(lines[i]);
            }
        }
        std::set<std::string> expected;
        for (const ParamSpec& p : kind.spec().params())
        {
            expected.insert(row(p));
            EXPECT_TRUE(rows.count(row(p))) << "under '" << kind.heading << "' expected the row\n"
                                            << row(p);
        }
        for (const auto& r : rows)
        {
            EXPECT_TRUE(expected.count(r))
                << "under '" << kind.heading << "' a row documents no parameter:\n"
                << r;
        }
    }
}

TEST(ConfigDocs, DISABLED_PrintTables)
{
    for (const Kind& kind : kinds())
    {
        std::cout << kind.heading << "\n\n"
                  << "| Parameter | Type | Default | Mandatory | Runtime | Description |\n"
                  << "|---|---|---|---|---|---|\n";
        for (const ParamSpec& p : kind.spec().params())
        {
            std::cout << row(p) << "\n";
        }
        std::cout << "\n";
    }
}
