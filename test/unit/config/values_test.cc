#include <gtest/gtest.h>

#include <climits>

#include "sqlgate/config.hh"

using namespace sqlgate;

namespace
{

ParamSpec spec(ParamType type, int64_t min = 0, int64_t max = INT64_MAX)
{
    ParamSpec s;
    s.name = "p";
    s.type = type;
    s.min = min;
    s.max = max;
    return s;
}

Value ok(const ParamSpec& s, std::string_view text)
{
    Value v;
    std::string error;
    EXPECT_TRUE(parse_value(s, text, v, error)) << text << ": " << error;
    EXPECT_EQ(v.type, s.type);
    return v;
}

std::string bad(const ParamSpec& s, std::string_view text)
{
    Value v;
    std::string error;
    EXPECT_FALSE(parse_value(s, text, v, error)) << text;
    EXPECT_FALSE(error.empty());
    return error;
}

}  // namespace

TEST(ConfigValues, TypeNames)
{
    EXPECT_STREQ(to_string(ParamType::DURATION), "duration");
    EXPECT_STREQ(to_string(ParamType::ENUM_LIST), "enum_list");
    EXPECT_STREQ(to_string(ParamType::THREADS), "threads");
}

TEST(ConfigValues, StringPasswordPath)
{
    EXPECT_EQ(ok(spec(ParamType::STRING), "hello # world").text, "hello # world");
    EXPECT_EQ(ok(spec(ParamType::PASSWORD), "s3cr#t ").text, "s3cr#t ");
    EXPECT_EQ(ok(spec(ParamType::PATH), " /var/lib/x ").text, "/var/lib/x");
    EXPECT_EQ(ok(spec(ParamType::STRING), "").text, "");
}

TEST(ConfigValues, Count)
{
    auto s = spec(ParamType::COUNT);
    EXPECT_EQ(ok(s, "0").number, 0);
    EXPECT_EQ(ok(s, "42").number, 42);
    EXPECT_EQ(ok(s, " 7 ").text, "7");
    EXPECT_EQ(bad(s, "ten"), "expected a non-negative integer, got 'ten'");
    EXPECT_EQ(bad(s, "-1"), "expected a non-negative integer, got '-1'");
    bad(s, "1.5");
    bad(s, "");
    bad(s, "99999999999999999999");  // overflow
    auto port = spec(ParamType::COUNT, 1, 65535);
    EXPECT_EQ(bad(port, "70000"), "value '70000' is out of range: must be between 1 and 65535");
    EXPECT_EQ(bad(port, "0"), "value '0' is out of range: must be between 1 and 65535");
    EXPECT_EQ(ok(port, "65535").number, 65535);
    EXPECT_EQ(bad(spec(ParamType::COUNT, 5), "4"), "value '4' is out of range: must be at least 5");
}

TEST(ConfigValues, Int)
{
    auto s = spec(ParamType::INT, INT64_MIN, INT64_MAX);
    EXPECT_EQ(ok(s, "-17").number, -17);
    EXPECT_EQ(ok(s, "+5").number, 5);
    EXPECT_EQ(ok(s, "+5").text, "5");
    EXPECT_EQ(bad(s, "x1"), "expected an integer, got 'x1'");
    bad(s, "-");
    bad(s, "1e3");
    EXPECT_EQ(bad(spec(ParamType::INT, -10, 10), "-11"),
              "value '-11' is out of range: must be between -10 and 10");
}

TEST(ConfigValues, Size)
{
    auto s = spec(ParamType::SIZE);
    EXPECT_EQ(ok(s, "1024").number, 1024);
    EXPECT_EQ(ok(s, "1024").text, "1024");
    // SI suffixes are powers of 1000, IEC suffixes (with i) powers of 1024; case-insensitive.
    EXPECT_EQ(ok(s, "64k").number, 64000);
    EXPECT_EQ(ok(s, "64K").number, 64000);
    EXPECT_EQ(ok(s, "64Ki").number, 65536);
    EXPECT_EQ(ok(s, "64ki").number, 65536);
    EXPECT_EQ(ok(s, "64KI").number, 65536);
    EXPECT_EQ(ok(s, "2M").number, 2000000);
    EXPECT_EQ(ok(s, "2Mi").number, 2 * 1024 * 1024);
    EXPECT_EQ(ok(s, "3G").number, 3000000000LL);
    EXPECT_EQ(ok(s, "3Gi").number, 3LL << 30);
    EXPECT_EQ(ok(s, "1T").number, 1000000000000LL);
    EXPECT_EQ(ok(s, "1Ti").number, 1LL << 40);
    EXPECT_EQ(ok(s, "64Ki").text, "65536");
    EXPECT_EQ(bad(s, "10X"),
              "expected a size in bytes with an optional suffix K, Ki, M, Mi, G, Gi, T or Ti, got "
              "'10X'");
    bad(s, "K");
    bad(s, "10KB");
    bad(s, "10Kii");
    bad(s, "-1");
    bad(s, "1.5M");
    bad(s, "99999999999Ti");  // overflow
    EXPECT_EQ(bad(spec(ParamType::SIZE, 0, 1000), "1Ki"),
              "value '1Ki' is out of range: must be between 0 and 1000");
}

TEST(ConfigValues, Duration)
{
    auto s = spec(ParamType::DURATION);
    EXPECT_EQ(ok(s, "10s").number, 10000);
    EXPECT_EQ(ok(s, "10s").text, "10000ms");
    EXPECT_EQ(ok(s, "500ms").number, 500);
    EXPECT_EQ(ok(s, "500ms").text, "500ms");
    EXPECT_EQ(ok(s, "2m").number, 120000);
    EXPECT_EQ(ok(s, "1h").number, 3600000);
    EXPECT_EQ(ok(s, "1H").number, 3600000);
    EXPECT_EQ(ok(s, "0s").text, "0ms");
    // A bare number means seconds (deprecated in MaxScale but accepted).
    EXPECT_EQ(ok(s, "30").number, 30000);
    EXPECT_EQ(ok(s, "30").text, "30000ms");
    EXPECT_EQ(bad(s, "10 minutes"),
              "expected a duration with a unit h, m, s or ms (e.g. 10s, 500ms), got '10 minutes'");
    bad(s, "1.5s");
    bad(s, "-1s");
    bad(s, "s");
    bad(s, "1h30m");
    bad(s, "10d");
}

TEST(ConfigValues, Bool)
{
    auto s = spec(ParamType::BOOL);
    for (const char* t : {"true", "TRUE", "on", "On", "yes", "YES", "1"})
    {
        EXPECT_EQ(ok(s, t).number, 1) << t;
        EXPECT_EQ(ok(s, t).text, "true") << t;
    }
    for (const char* f : {"false", "False", "off", "OFF", "no", "No", "0"})
    {
        EXPECT_EQ(ok(s, f).number, 0) << f;
        EXPECT_EQ(ok(s, f).text, "false") << f;
    }
    EXPECT_EQ(bad(s, "maybe"), "expected a boolean (true/false, on/off, yes/no, 1/0), got 'maybe'");
    bad(s, "");
    bad(s, "2");
}

TEST(ConfigValues, Enum)
{
    auto s = spec(ParamType::ENUM);
    s.enum_values = {"primary", "secondary"};
    EXPECT_EQ(ok(s, "primary").text, "primary");
    EXPECT_EQ(ok(s, "SECONDARY").text, "secondary");
    EXPECT_EQ(bad(s, "tertiary"), "expected one of 'primary', 'secondary', got 'tertiary'");
    bad(s, "primary,secondary");
}

TEST(ConfigValues, EnumList)
{
    auto s = spec(ParamType::ENUM_LIST);
    s.enum_values = {"master", "slave", "running", "synced"};
    Value v = ok(s, "Slave, running");
    EXPECT_EQ(v.list, (std::vector<std::string>{"slave", "running"}));
    EXPECT_EQ(v.text, "slave,running");
    EXPECT_TRUE(ok(s, "").list.empty());
    EXPECT_EQ(bad(s, "master,slaves"),
              "unknown value 'slaves', expected a comma-separated list of 'master', 'slave', "
              "'running', 'synced'");
}

TEST(ConfigValues, ListTargetsFilters)
{
    Value l = ok(spec(ParamType::LIST), " a b , c,,d ");
    EXPECT_EQ(l.list, (std::vector<std::string>{"a b", "c", "d"}));
    EXPECT_EQ(l.text, "a b,c,d");

    Value t = ok(spec(ParamType::TARGETS), "server1, server2,Read-Service");
    EXPECT_EQ(t.list, (std::vector<std::string>{"server1", "server2", "Read-Service"}));
    EXPECT_EQ(t.text, "server1,server2,Read-Service");
    EXPECT_EQ(bad(spec(ParamType::TARGETS), "server1,my server"),
              "invalid object name 'my server': only letters, digits and the characters _ . ~ - "
              "are allowed");

    Value f = ok(spec(ParamType::FILTERS), "Hint | QLA|Cache");
    EXPECT_EQ(f.list, (std::vector<std::string>{"Hint", "QLA", "Cache"}));
    EXPECT_EQ(f.text, "Hint|QLA|Cache");
    // A comma is not a separator for filters: the name is invalid.
    bad(spec(ParamType::FILTERS), "Hint,QLA");
}

TEST(ConfigValues, Regex)
{
    auto s = spec(ParamType::REGEX);
    EXPECT_EQ(ok(s, "^SELECT.*").text, "^SELECT.*");
    EXPECT_EQ(ok(s, "/^SELECT .* FROM t[0-9]+$/").text, "^SELECT .* FROM t[0-9]+$");
    EXPECT_EQ(ok(s, "/").text, "/");
    EXPECT_EQ(bad(s, "/(abc/"),
              "invalid regular expression '(abc': missing closing parenthesis at offset 4");
    std::string e = bad(s, "a[b");
    EXPECT_NE(e.find("offset 3"), std::string::npos) << e;
}

TEST(ConfigValues, Threads)
{
    auto s = spec(ParamType::THREADS);
    EXPECT_EQ(ok(s, "auto").number, 0);
    EXPECT_EQ(ok(s, "AUTO").text, "auto");
    EXPECT_EQ(ok(s, "8").number, 8);
    EXPECT_EQ(ok(s, "1024").number, 1024);
    EXPECT_EQ(bad(s, "0"), "expected 'auto' or a number of threads between 1 and 1024, got '0'");
    bad(s, "1025");
    bad(s, "many");
}

TEST(ConfigValues, ObjectConfigGetters)
{
    ObjectConfig o;
    EXPECT_EQ(o.get_string("x"), "");
    EXPECT_EQ(o.get_int("x"), 0);
    EXPECT_FALSE(o.get_bool("x"));
    EXPECT_TRUE(o.get_list("x").empty());
    Value v;
    std::string error;
    ASSERT_TRUE(parse_value(spec(ParamType::DURATION), "2s", v, error));
    o.values["d"] = v;
    EXPECT_EQ(o.get_duration_ms("d"), 2000);
    EXPECT_TRUE(o.has("d"));
}

TEST(ConfigValues, SpecificationFindByAlias)
{
    ParamSpec a;
    a.name = "servers";
    a.aliases = {"targets"};
    Specification spec("s", {a});
    EXPECT_EQ(spec.find("servers"), &spec.params()[0]);
    EXPECT_EQ(spec.find("targets"), &spec.params()[0]);
    EXPECT_EQ(spec.find("Servers"), nullptr);  // case-sensitive, as MaxScale
    EXPECT_EQ(spec.find("nope"), nullptr);
}
