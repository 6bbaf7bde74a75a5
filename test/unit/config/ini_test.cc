#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "config/ini.hh"

using namespace sqlgate;

namespace
{

struct Parsed
{
    bool ok = false;
    std::vector<IniSection> sections;
    std::vector<std::string> errors;
};

Parsed parse(const std::string& text)
{
    Parsed p;
    p.ok = parse_ini("test.cnf", text, p.sections, p.errors);
    return p;
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

}  // namespace

TEST(ConfigIni, SectionsKeysAndLines)
{
    auto p = parse(
        "# a comment\n"
        "[maxscale]\n"
        "threads = 4\n"
        "\n"
        "; another comment\n"
        "[server1]\n"
        "type=server\n"
        "address  =  10.0.0.1  \n"
        "   # indented comment\n"
        "port=3306\r\n");
    ASSERT_TRUE(p.ok) << all(p.errors);
    ASSERT_EQ(p.sections.size(), 2u);
    EXPECT_EQ(p.sections[0].name, "maxscale");
    EXPECT_EQ(p.sections[0].line, 2);
    ASSERT_EQ(p.sections[0].params.size(), 1u);
    EXPECT_EQ(p.sections[0].params[0].key, "threads");
    EXPECT_EQ(p.sections[0].params[0].value, "4");
    EXPECT_EQ(p.sections[0].params[0].line, 3);
    EXPECT_EQ(p.sections[1].name, "server1");
    EXPECT_EQ(p.sections[1].line, 6);
    ASSERT_EQ(p.sections[1].params.size(), 3u);
    EXPECT_EQ(p.sections[1].params[1].key, "address");
    EXPECT_EQ(p.sections[1].params[1].value, "10.0.0.1");
    EXPECT_EQ(p.sections[1].params[1].line, 8);
    EXPECT_EQ(p.sections[1].params[2].value, "3306");  // CR stripped
}

TEST(ConfigIni, HashInsideValueIsPartOfTheValue)
{
    auto p = parse("[s]\npassword=abc#def ; not a comment\nregex=^a#b\n");
    ASSERT_TRUE(p.ok) << all(p.errors);
    EXPECT_EQ(p.sections[0].params[0].value, "abc#def ; not a comment");
    EXPECT_EQ(p.sections[0].params[1].value, "^a#b");
}

TEST(ConfigIni, EmptyValueAndEqualsInValue)
{
    auto p = parse("[s]\nversion_string=\nscript=/bin/x --a=b\n");
    ASSERT_TRUE(p.ok) << all(p.errors);
    EXPECT_EQ(p.sections[0].params[0].value, "");
    EXPECT_EQ(p.sections[0].params[1].key, "script");
    EXPECT_EQ(p.sections[0].params[1].value, "/bin/x --a=b");
}

TEST(ConfigIni, ContinuationLinesAreJoinedWithCommas)
{
    auto p = parse(
        "[svc]\n"
        "servers=server1,\n"
        "        server2\n"
        "\tserver3\n"
        "\n"
        "  , server4\n"
        "user=u\n");
    ASSERT_TRUE(p.ok) << all(p.errors);
    ASSERT_EQ(p.sections[0].params.size(), 2u);
    EXPECT_EQ(p.sections[0].params[0].value, "server1,server2,server3,server4");
    EXPECT_EQ(p.sections[0].params[0].line, 2);
    EXPECT_EQ(p.sections[0].params[1].value, "u");
}

TEST(ConfigIni, IndentedLineAfterSectionHeaderIsAParameter)
{
    auto p = parse("[s]\n  type=server\n  address=a\n");
    ASSERT_TRUE(p.ok) << all(p.errors);
    ASSERT_EQ(p.sections[0].params.size(), 1u);
    // As in MaxScale: the indented line after a parameter continues it.
    EXPECT_EQ(p.sections[0].params[0].value, "server,address=a");
}

TEST(ConfigIni, ByteOrderMark)
{
    auto p = parse("\xEF\xBB\xBF[s]\nk=v\n");
    ASSERT_TRUE(p.ok) << all(p.errors);
    EXPECT_EQ(p.sections[0].name, "s");
}

TEST(ConfigIni, DuplicateKey)
{
    auto p = parse("[server1]\nport=1\naddress=a\nport=2\n");
    EXPECT_FALSE(p.ok);
    ASSERT_EQ(p.errors.size(), 1u) << all(p.errors);
    EXPECT_EQ(
        p.errors[0],
        "test.cnf:4: [server1] parameter 'port': defined twice in the section, first at line 2");
    EXPECT_EQ(p.sections[0].params.size(), 2u);
    EXPECT_EQ(p.sections[0].params[0].value, "1");
}

TEST(ConfigIni, DuplicateSection)
{
    auto p = parse("[a]\nk=1\n[b]\nk=2\n[a]\nk=3\n");
    EXPECT_FALSE(p.ok);
    ASSERT_EQ(p.errors.size(), 1u) << all(p.errors);
    EXPECT_EQ(p.errors[0], "test.cnf:5: [a] duplicate section, first defined at line 1");
    ASSERT_EQ(p.sections.size(), 2u);
    EXPECT_EQ(p.sections[0].params[0].value, "1");
}

TEST(ConfigIni, KeyBeforeSection)
{
    auto p = parse("threads=4\n[s]\nk=v\n");
    EXPECT_FALSE(p.ok);
    ASSERT_EQ(p.errors.size(), 1u) << all(p.errors);
    EXPECT_EQ(p.errors[0], "test.cnf:1: parameter 'threads': defined before the first [section]");
}

TEST(ConfigIni, BadObjectNames)
{
    auto p = parse("[my server]\nk=v\n[ok-name_1.2~x]\n[@@internal]\n[sqlgate]\n[MaxScale]\n");
    EXPECT_FALSE(p.ok);
    ASSERT_EQ(p.errors.size(), 2u) << all(p.errors);
    EXPECT_EQ(p.errors[0],
              "test.cnf:1: [my server] invalid object name: only letters, digits and the "
              "characters _ . ~ - are allowed");
    EXPECT_EQ(p.errors[1].rfind("test.cnf:4: [@@internal] invalid object name", 0), 0u);
}

TEST(ConfigIni, SyntaxErrors)
{
    auto p = parse("[s\nk=v\n[t]\njunk line\n=value\n[u] trailing\n");
    EXPECT_FALSE(p.ok);
    ASSERT_EQ(p.errors.size(), 4u) << all(p.errors);
    EXPECT_EQ(p.errors[0], "test.cnf:1: section header '[s' is missing the closing ']'");
    EXPECT_EQ(p.errors[1], "test.cnf:4: [t] expected 'key=value', got 'junk line'");
    EXPECT_EQ(p.errors[2], "test.cnf:5: [t] parameter name is missing in '=value'");
    EXPECT_EQ(p.errors[3], "test.cnf:6: [u] unexpected text after the section header");
}

TEST(ConfigIni, AllErrorsAreCollected)
{
    auto p = parse("x=1\n[a b]\n[c]\nk=1\nk=2\n[c]\n");
    EXPECT_FALSE(p.ok);
    EXPECT_EQ(p.errors.size(), 4u) << all(p.errors);
}

TEST(ConfigIni, GlobalSectionNames)
{
    EXPECT_TRUE(is_global_section("sqlgate"));
    EXPECT_TRUE(is_global_section("maxscale"));
    EXPECT_TRUE(is_global_section("MaxScale"));
    EXPECT_FALSE(is_global_section("maxscale2"));
}

TEST(ConfigIni, ReadFile)
{
    std::string path = ::testing::TempDir() + "sqlgate_ini_test.cnf";
    {
        std::ofstream f(path);
        f << "[s]\nk=v\n";
    }
    std::vector<IniSection> sections;
    std::vector<std::string> errors;
    EXPECT_TRUE(read_ini(path, sections, errors));
    ASSERT_EQ(sections.size(), 1u);
    EXPECT_EQ(sections[0].params[0].value, "v");
    std::remove(path.c_str());

    sections.clear();
    EXPECT_FALSE(read_ini("/nonexistent/sqlgate.cnf", sections, errors));
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0],
              "/nonexistent/sqlgate.cnf: cannot open the file: No such file or directory");
}
