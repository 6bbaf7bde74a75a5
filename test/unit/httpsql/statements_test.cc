// Parameter-marker rewriting and the command payload builders.
#include <gtest/gtest.h>
#include <jansson.h>

#include <algorithm>
#include <cstring>
#include <random>

#include "sqlgate/httpsql/statements.hh"

using namespace sqlgate::httpsql;
using namespace std::string_literals;

namespace
{
struct Rewrite
{
    bool ok;
    std::string sql;
    std::string refs;  ///< "0,1,name,..." (index, or the name)
    std::string error;
};

Rewrite rewrite(std::string_view sql)
{
    Rewrite r;
    std::vector<ParamRef> refs;
    r.ok = rewrite_parameters(sql, r.sql, refs, r.error);
    for (const auto& ref : refs)
    {
        r.refs +=
            (r.refs.empty() ? "" : ",") + (ref.index >= 0 ? std::to_string(ref.index) : ref.name);
        EXPECT_TRUE((ref.index >= 0) != !ref.name.empty());
    }
    return r;
}

void expect_rewrite(std::string_view sql, std::string_view out, std::string_view refs)
{
    Rewrite r = rewrite(sql);
    EXPECT_TRUE(r.ok) << sql << ": " << r.error;
    EXPECT_EQ(r.sql, out) << sql;
    EXPECT_EQ(r.refs, refs) << sql;
}

void expect_error(std::string_view sql, std::string_view fragment)
{
    Rewrite r = rewrite(sql);
    EXPECT_FALSE(r.ok) << sql;
    EXPECT_NE(r.error.find(fragment), std::string::npos) << sql << ": " << r.error;
}
}  // namespace

TEST(RewriteParameters, Markers)
{
    expect_rewrite("SELECT 1", "SELECT 1", "");
    expect_rewrite("", "", "");
    expect_rewrite("SELECT ?, ?", "SELECT ?, ?", "0,1");
    expect_rewrite("SELECT $1, $2, $1", "SELECT ?, ?, ?", "0,1,0");
    expect_rewrite("SELECT $10", "SELECT ?", "9");
    expect_rewrite("SELECT $01", "SELECT ?", "0");
    expect_rewrite("SELECT $name, $_x1, $Name", "SELECT ?, ?, ?", "name,_x1,Name");
    // Mixes: bare '?' count among themselves only.
    expect_rewrite("SELECT ?, $3, ?, $id, ?", "SELECT ?, ?, ?, ?, ?", "0,2,1,id,2");
    expect_rewrite("a=$1+$2", "a=?+?", "0,1");
    expect_rewrite("($1)", "(?)", "0");
    expect_rewrite("x=$a;", "x=?;", "a");
    expect_rewrite("WHERE a IN (?,?)", "WHERE a IN (?,?)", "0,1");
}

TEST(RewriteParameters, DollarInsideIdentifiers)
{
    expect_rewrite("SELECT a$b, a$1, x$ FROM t$1", "SELECT a$b, a$1, x$ FROM t$1", "");
    expect_rewrite("SELECT _$1, 9$2", "SELECT _$1, 9$2", "");
    expect_rewrite("SELECT \xc3\xa9$1", "SELECT \xc3\xa9$1", "");  // non-ASCII identifier
}

TEST(RewriteParameters, QuotedAndComments)
{
    expect_rewrite("SELECT '?', \"$1\", `$x?`, ?", "SELECT '?', \"$1\", `$x?`, ?", "0");
    expect_rewrite("SELECT 'it''s ?', ?", "SELECT 'it''s ?', ?", "0");
    expect_rewrite("SELECT 'a\\'?', ?", "SELECT 'a\\'?', ?", "0");
    expect_rewrite("SELECT \"a\"\"?\", $1", "SELECT \"a\"\"?\", ?", "0");
    expect_rewrite("SELECT \"a\\\"?\", $1", "SELECT \"a\\\"?\", ?", "0");
    expect_rewrite("SELECT `a``?`, $1", "SELECT `a``?`, ?", "0");
    expect_rewrite("SELECT `a\\`, $1", "SELECT `a\\`, ?", "0");  // no escapes in identifiers
    expect_rewrite("SELECT ? -- what $1 ?\n, ?", "SELECT ? -- what $1 ?\n, ?", "0,1");
    expect_rewrite("SELECT ? --\t?\n", "SELECT ? --\t?\n", "0");
    expect_rewrite("SELECT ? --", "SELECT ? --", "0");
    expect_rewrite("SELECT 1--?", "SELECT 1--?", "0");  // "--" without a space is not a comment
    expect_rewrite("SELECT 1 - -?", "SELECT 1 - -?", "0");
    expect_rewrite("SELECT ? # $x ?\n+ $y", "SELECT ? # $x ?\n+ ?", "0,y");
    expect_rewrite("SELECT /* ? $1 */ ?", "SELECT /* ? $1 */ ?", "0");
    expect_rewrite("SELECT /* unterminated ?", "SELECT /* unterminated ?", "");
    expect_rewrite("SELECT 'unterminated ?", "SELECT 'unterminated ?", "");
    // Executable comments are SQL.
    expect_rewrite("SELECT /*! $1 */ ?", "SELECT /*! ? */ ?", "0,0");
    expect_rewrite("SELECT /*M!100000 ? */", "SELECT /*M!100000 ? */", "0");
    expect_rewrite("SELECT /*!50100 '?' */ $a", "SELECT /*!50100 '?' */ ?", "a");
}

TEST(RewriteParameters, Errors)
{
    expect_error("SELECT $", "bare '$' at offset 7");
    expect_error("SELECT $ 1", "bare '$'");
    expect_error("SELECT $$1", "bare '$'");
    expect_error("SELECT $-1", "bare '$'");
    expect_error("SELECT $0", "$0");
    expect_error("SELECT $00", "$00");
    expect_error("SELECT $65536", "numbers go from 1 to 65535");
    expect_error("SELECT $99999999999999999999999", "numbers go from 1");
    expect_error("SELECT $1a", "malformed parameter marker '$1a'");
    expect_error("SELECT $a\xc3\xa9", "malformed parameter marker");
    expect_error("SELECT $a$", "malformed parameter marker '$a$'");
    expect_error("SELECT $1$2", "malformed parameter marker '$1$'");
    Rewrite r = rewrite("SELECT $65535");
    EXPECT_TRUE(r.ok);
    EXPECT_EQ(r.refs, "65534");
}

// ---------------------------------------------------------------- payloads

TEST(Payloads, QueryPrepareClose)
{
    EXPECT_EQ(build_query("SELECT 1"), "\x03SELECT 1");
    EXPECT_EQ(build_query(""), "\x03");
    EXPECT_EQ(build_prepare("SELECT ?"), "\x16SELECT ?");
    EXPECT_EQ(build_stmt_close(0x04030201), "\x19\x01\x02\x03\x04");
}

TEST(Payloads, ExecuteWithoutParameters)
{
    EXPECT_EQ(build_execute(0x0a0b0c0d, {}), "\x17\x0d\x0c\x0b\x0a\x00\x01\x00\x00\x00"s);
}

TEST(Payloads, ExecuteLayout)
{
    json_t* values[] = {json_null(),
                        json_true(),
                        json_false(),
                        json_integer(-2),
                        json_real(1.5),
                        json_string("h\xc3\xa9"),
                        json_pack("{s:[i,i]}", "a", 1, 2),
                        json_pack("[s]", "x"),
                        json_integer(0x0102030405060708)};
    std::vector<const json_t*> params(std::begin(values), std::end(values));
    params.push_back(nullptr);  // a missing value binds NULL
    std::string expected =
        "\x17\x07\x00\x00\x00"              // COM_STMT_EXECUTE, statement 7
        "\x00"                              // flags
        "\x01\x00\x00\x00"                  // iteration count
        "\x01\x02"                          // NULL bitmap: parameters 0 and 9
        "\x01"                              // new parameters bound
        "\x06\x00"                          // NULL
        "\x01\x00\x01\x00"                  // TINY, TINY
        "\x08\x00"                          // LONGLONG
        "\x05\x00"                          // DOUBLE
        "\xfd\x00\xfd\x00\xfd\x00"          // VAR_STRING x3
        "\x08\x00"                          // LONGLONG
        "\x06\x00"                          // NULL
        "\x01"                              // true
        "\x00"                              // false
        "\xfe\xff\xff\xff\xff\xff\xff\xff"  // -2
        "\x00\x00\x00\x00\x00\x00\xf8\x3f"  // 1.5
        "\x03h\xc3\xa9"
        "\x0b{\"a\":[1,2]}"
        "\x05[\"x\"]"
        "\x08\x07\x06\x05\x04\x03\x02\x01"s;
    EXPECT_EQ(build_execute(7, params), expected);
    for (json_t* v : values)
    {
        json_decref(v);
    }
}

TEST(Payloads, ExecuteLongString)
{
    std::string s(300, 'q');
    json_t* v = json_stringn(s.data(), s.size());
    std::string p = build_execute(1, {v});
    json_decref(v);
    EXPECT_EQ(p.substr(0, 15), "\x17\x01\x00\x00\x00\x00\x01\x00\x00\x00\x00\x01\xfd\x00\xfc"s);
    EXPECT_EQ(p.substr(15, 2), "\x2c\x01");
    EXPECT_EQ(p.substr(17), s);
    // Nine parameters: a two-byte NULL bitmap.
    std::vector<const json_t*> nine(9, nullptr);
    p = build_execute(1, nine);
    EXPECT_EQ(p.substr(10, 3), "\xff\x01\x01");
    EXPECT_EQ(p.size(), 10u + 2 + 1 + 18);
}

TEST(RewriteParameters, RandomInputStaysConsistent)
{
    // Every '?' of the output has exactly one reference, and text without
    // markers comes out unchanged.
    const std::string alphabet = "?$'\"`\\-#/*!M\n a1_\xc3";
    std::mt19937 rng(2024);
    for (int round = 0; round < 20000; ++round)
    {
        std::string sql;
        for (int k = rng() % 24; k > 0; --k)
        {
            sql += alphabet[rng() % alphabet.size()];
        }
        std::string out, error;
        std::vector<ParamRef> refs;
        if (rewrite_parameters(sql, out, refs, error))
        {
            EXPECT_LE(refs.size(), static_cast<size_t>(std::count(out.begin(), out.end(), '?')));
            if (sql.find_first_of("?$") == std::string::npos)
            {
                EXPECT_EQ(out, sql);
            }
        }
        else
        {
            EXPECT_FALSE(error.empty());
        }
    }
}
