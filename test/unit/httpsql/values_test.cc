// JSON writers and the value/type mapping shared by the SQL-over-HTTP dialects.
#include <gtest/gtest.h>
#include <jansson.h>

#include <cstdlib>
#include <random>

#include "sqlgate/httpsql/values.hh"

using namespace sqlgate::httpsql;
using namespace std::string_literals;

namespace
{
const uint16_t U = flag::UNSIGNED;
const uint16_t NN = flag::NOT_NULL;

Column col(uint8_t t, uint16_t flags = 0, uint16_t charset = 45, uint32_t length = 20,
           uint8_t decimals = 0, std::string ext = "")
{
    Column c;
    c.name = "c";
    c.type = t;
    c.flags = flags;
    c.charset = charset;
    c.length = length;
    c.decimals = decimals;
    c.ext_type = ext;
    return c;
}

std::string escaped(std::string_view s)
{
    std::string out;
    append_json_string(out, s);
    return out;
}

std::string jansson(std::string_view s)
{
    json_t* j = json_stringn(s.data(), s.size());
    EXPECT_NE(j, nullptr);
    char* text = json_dumps(j, JSON_ENCODE_ANY);
    std::string out = text;
    free(text);
    json_decref(j);
    return out;
}

std::string value(const Column& c, std::string_view v)
{
    std::string out;
    append_value(out, c, Field{false, v});
    return out;
}

std::string plain(const Column& c, std::string_view v)
{
    std::string out;
    append_plain_text(out, c, Field{false, v});
    return out;
}

std::string logical(const Column& c)
{
    std::string out;
    append_logical_type(out, c);
    return out;
}

std::string base64(std::string_view s)
{
    std::string out;
    append_base64(out, s);
    return out;
}
}  // namespace

// ---------------------------------------------------------------- strings

TEST(JsonString, MatchesJanssonForValidUtf8)
{
    std::vector<std::string> inputs = {"",
                                       "plain",
                                       "quote \" backslash \\ slash /",
                                       "\b\f\n\r\t",
                                       "\x7f",
                                       "h\xc3\xa9llo",
                                       "\xe2\x82\xac \xf0\x9f\x98\x80 \xef\xbf\xbf",
                                       "\xe2\x80\xa8\xe2\x80\xa9",
                                       "\xf4\x8f\xbf\xbf",
                                       std::string("nul\0byte", 8)};
    for (int c = 0; c < 0x80; ++c)
    {
        inputs.push_back(std::string(1, static_cast<char>(c)) + "x");
    }
    // Random valid UTF-8 (code points of 1 to 4 bytes, no surrogates).
    std::mt19937 rng(4648);
    for (int n = 0; n < 300; ++n)
    {
        std::string s;
        for (int k = 0; k < 12; ++k)
        {
            uint32_t cp = 0;
            switch (rng() % 4)
            {
                case 0:
                    cp = rng() % 0x80;
                    break;
                case 1:
                    cp = 0x80 + rng() % (0x800 - 0x80);
                    break;
                case 2:
                    cp = 0x800 + rng() % (0x10000 - 0x800);
                    cp = (cp >= 0xd800 && cp < 0xe000) ? 0xe000 : cp;
                    break;
                default:
                    cp = 0x10000 + rng() % (0x110000 - 0x10000);
                    break;
            }
            if (cp < 0x80)
            {
                s += static_cast<char>(cp);
            }
            else if (cp < 0x800)
            {
                s += static_cast<char>(0xc0 | (cp >> 6));
                s += static_cast<char>(0x80 | (cp & 0x3f));
            }
            else if (cp < 0x10000)
            {
                s += static_cast<char>(0xe0 | (cp >> 12));
                s += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
                s += static_cast<char>(0x80 | (cp & 0x3f));
            }
            else
            {
                s += static_cast<char>(0xf0 | (cp >> 18));
                s += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
                s += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
                s += static_cast<char>(0x80 | (cp & 0x3f));
            }
        }
        inputs.push_back(s);
    }
    for (const auto& s : inputs)
    {
        EXPECT_EQ(escaped(s), jansson(s)) << s;
    }
}

TEST(JsonString, Escapes)
{
    EXPECT_EQ(escaped("a\"b\\c"), R"("a\"b\\c")");
    EXPECT_EQ(escaped("\b\f\n\r\t"), R"("\b\f\n\r\t")");
    EXPECT_EQ(escaped("\x01\x1f"), R"("\u0001\u001F")");
    EXPECT_EQ(escaped(std::string("\0", 1)), R"("\u0000")");
    EXPECT_EQ(escaped("\x7f/"), "\"\x7f/\"");
}

TEST(JsonString, InvalidUtf8BecomesReplacementCharacter)
{
    const std::string R = "\xef\xbf\xbd";
    EXPECT_EQ(escaped("\xff"), "\"" + R + "\"");
    EXPECT_EQ(escaped("a\x80z"), "\"a" + R + "z\"");
    EXPECT_EQ(escaped("a\xc3"), "\"a" + R + "\"");      // truncated at the end
    EXPECT_EQ(escaped("\xe2\x82z"), "\"" + R + "z\"");  // one per maximal subpart
    EXPECT_EQ(escaped("\xe2\x82\xe2\x82\xac"), "\"" + R + "\xe2\x82\xac\"");
    EXPECT_EQ(escaped("\xc0\xaf"), "\"" + R + R + "\"");                  // overlong
    EXPECT_EQ(escaped("\xe0\x80\xaf"), "\"" + R + R + R + "\"");          // overlong
    EXPECT_EQ(escaped("\xed\xa0\x80"), "\"" + R + R + R + "\"");          // surrogate
    EXPECT_EQ(escaped("\xf4\x90\x80\x80"), "\"" + R + R + R + R + "\"");  // > U+10FFFF
    EXPECT_EQ(escaped("\xf5\x80"), "\"" + R + R + "\"");
    EXPECT_EQ(escaped("\xf0\x9f\x98"), "\"" + R + "\"");
    EXPECT_EQ(escaped("\xf0\x9f\x98\x80"), "\"\xf0\x9f\x98\x80\"");
    EXPECT_EQ(escaped("\xff\n\""), "\"" + R + "\\n\\\"\"");
    // The result is valid JSON for Jansson.
    std::string s = escaped("x\xfe\xc3(\xe2\x28\xa1\xf0\x28\x8c\xbc");
    json_error_t e;
    json_t* j = json_loads(s.c_str(), JSON_DECODE_ANY, &e);
    EXPECT_NE(j, nullptr) << e.text;
    json_decref(j);
}

TEST(Base64, Rfc4648Vectors)
{
    EXPECT_EQ(base64(""), "");
    EXPECT_EQ(base64("f"), "Zg==");
    EXPECT_EQ(base64("fo"), "Zm8=");
    EXPECT_EQ(base64("foo"), "Zm9v");
    EXPECT_EQ(base64("foob"), "Zm9vYg==");
    EXPECT_EQ(base64("fooba"), "Zm9vYmE=");
    EXPECT_EQ(base64("foobar"), "Zm9vYmFy");
    EXPECT_EQ(base64("\x00\xff\xfe"s), "AP/+");
    EXPECT_EQ(base64("\xfb\xef\xbe"), "++++");
    std::string out = "x";
    append_base64(out, "fo");
    EXPECT_EQ(out, "xZm8=");
}

TEST(JsonNumber, Syntax)
{
    auto num = [](std::string_view t)
    {
        std::string out;
        return append_json_number(out, t) ? out : "<" + std::string(t) + ">";
    };
    EXPECT_EQ(num("0"), "0");
    EXPECT_EQ(num("-0"), "-0");
    EXPECT_EQ(num("00042"), "42");
    EXPECT_EQ(num("0000"), "0");
    EXPECT_EQ(num("-007.50"), "-7.50");
    EXPECT_EQ(num("0001.5e3"), "1.5e3");
    EXPECT_EQ(num("1E+05"), "1E+05");
    EXPECT_EQ(num("1e-7"), "1e-7");
    EXPECT_EQ(num("18446744073709551615"), "18446744073709551615");
    for (const char* bad : {"", "-", "+1", "1.", ".5", "1e", "1e+", "inf", "-inf", "nan", "NaN",
                            "1 ", " 1", "0x10", "1.2.3", "--1"})
    {
        std::string out;
        EXPECT_FALSE(append_json_number(out, bad)) << bad;
        EXPECT_EQ(out, "");
    }
}

// ---------------------------------------------------------------- value mapping

TEST(Value, Null)
{
    for (uint8_t t :
         {type::TINY, type::LONGLONG, type::NEWDECIMAL, type::DOUBLE, type::BIT, type::DATE,
          type::DATETIME, type::TIME, type::VAR_STRING, type::BLOB, type::NULL_TYPE, type::JSON})
    {
        std::string out;
        append_value(out, col(t, 0, 63), Field{true, {}});
        EXPECT_EQ(out, "null");
        out.clear();
        append_plain_text(out, col(t, 0, 63), Field{true, {}});
        EXPECT_EQ(out, "null");
    }
}

TEST(Value, Integers)
{
    EXPECT_EQ(value(col(type::TINY), "-5"), "-5");
    EXPECT_EQ(value(col(type::TINY, U), "255"), "255");
    EXPECT_EQ(value(col(type::SHORT), "-32768"), "-32768");
    EXPECT_EQ(value(col(type::INT24), "8388607"), "8388607");
    EXPECT_EQ(value(col(type::LONG), "-2147483648"), "-2147483648");
    EXPECT_EQ(value(col(type::LONGLONG), "-9223372036854775808"), "-9223372036854775808");
    // BIGINT UNSIGNED: exact digits, never saturated, never a double.
    EXPECT_EQ(value(col(type::LONGLONG, U), "18446744073709551615"), "18446744073709551615");
    EXPECT_EQ(value(col(type::LONGLONG, U), "9007199254740993"), "9007199254740993");
    EXPECT_EQ(value(col(type::YEAR, U | flag::ZEROFILL, 63, 4), "2024"), "2024");
    EXPECT_EQ(value(col(type::YEAR, U | flag::ZEROFILL, 63, 4), "0000"), "0");
    EXPECT_EQ(value(col(type::LONG, U | flag::ZEROFILL, 63, 5), "00042"), "42");
}

TEST(Value, DecimalsAndReals)
{
    EXPECT_EQ(value(col(type::NEWDECIMAL), "123.4500"), "123.4500");
    EXPECT_EQ(value(col(type::NEWDECIMAL), "-0.50"), "-0.50");
    EXPECT_EQ(value(col(type::DECIMAL), "12345678901234567890123456789012345678.99"),
              "12345678901234567890123456789012345678.99");
    EXPECT_EQ(value(col(type::NEWDECIMAL, U | flag::ZEROFILL), "0001.50"), "1.50");
    EXPECT_EQ(value(col(type::FLOAT), "1.5"), "1.5");
    EXPECT_EQ(value(col(type::DOUBLE), "1e15"), "1e15");
    EXPECT_EQ(value(col(type::DOUBLE), "-2.5e-7"), "-2.5e-7");
    EXPECT_EQ(value(col(type::DOUBLE), "1.7976931348623157e308"), "1.7976931348623157e308");
    // Not JSON number syntax: a string.
    EXPECT_EQ(value(col(type::DOUBLE), "inf"), "\"inf\"");
    EXPECT_EQ(value(col(type::DOUBLE), "-inf"), "\"-inf\"");
    EXPECT_EQ(value(col(type::FLOAT), "nan"), "\"nan\"");
    EXPECT_EQ(value(col(type::DOUBLE), ""), "\"\"");
}

TEST(Value, Bits)
{
    EXPECT_EQ(value(col(type::BIT, U, 63, 1), "\x01"), "true");
    EXPECT_EQ(value(col(type::BIT, U, 63, 1), "\x00"s), "false");
    EXPECT_EQ(value(col(type::BIT, U, 63, 10), "\x02\x01"), "513");
    EXPECT_EQ(value(col(type::BIT, U, 63, 8), "\x00"s), "0");
    EXPECT_EQ(value(col(type::BIT, U, 63, 64), "\xff\xff\xff\xff\xff\xff\xff\xff"),
              "18446744073709551615");
    EXPECT_EQ(value(col(type::BIT, U, 63, 64), "\x80\x00\x00\x00\x00\x00\x00\x01"s),
              "9223372036854775809");
}

TEST(Value, Temporal)
{
    EXPECT_EQ(value(col(type::DATE), "2024-05-01"), "\"2024-05-01\"");
    EXPECT_EQ(value(col(type::DATE), "0000-00-00"), "\"0000-00-00\"");
    EXPECT_EQ(value(col(type::DATETIME, 0, 63, 26, 6), "2024-05-01 12:30:00.123456"),
              "\"2024-05-01T12:30:00.123456\"");
    EXPECT_EQ(value(col(type::TIMESTAMP), "2024-05-01 12:30:00"), "\"2024-05-01T12:30:00\"");
    EXPECT_EQ(value(col(type::DATETIME), "0000-00-00 00:00:00"), "\"0000-00-00T00:00:00\"");
    EXPECT_EQ(value(col(type::TIME), "-838:59:59.000000"), "\"-838:59:59.000000\"");
    EXPECT_EQ(value(col(type::TIME), "12:30:00"), "\"12:30:00\"");
}

TEST(Value, Strings)
{
    // Binary strings, BLOBs and GEOMETRY: base64.
    EXPECT_EQ(value(col(type::VAR_STRING, flag::BINARY, 63), "\x00\xff"s), "\"AP8=\"");
    EXPECT_EQ(value(col(type::VARCHAR, flag::BINARY, 63), "foo"), "\"Zm9v\"");
    EXPECT_EQ(value(col(type::STRING, flag::BINARY, 63, 4), "foob"), "\"Zm9vYg==\"");
    EXPECT_EQ(value(col(type::BLOB, flag::BLOB | flag::BINARY, 63), "foobar"), "\"Zm9vYmFy\"");
    EXPECT_EQ(value(col(type::TINY_BLOB, 0, 63), "f"), "\"Zg==\"");
    EXPECT_EQ(value(col(type::MEDIUM_BLOB, 0, 63), "fo"), "\"Zm8=\"");
    EXPECT_EQ(value(col(type::LONG_BLOB, 0, 63), ""), "\"\"");
    EXPECT_EQ(value(col(type::GEOMETRY, 0, 63), "\x01\x02\x03"), "\"AQID\"");
    // Text: JSON strings.
    EXPECT_EQ(value(col(type::VAR_STRING), "h\xc3\xa9llo"), "\"h\xc3\xa9llo\"");
    EXPECT_EQ(value(col(type::STRING, 0, 33, 12), "ab"), "\"ab\"");
    EXPECT_EQ(value(col(type::VARCHAR), "x"), "\"x\"");
    EXPECT_EQ(value(col(type::BLOB, flag::BLOB, 45), "line\n"), "\"line\\n\"");
    EXPECT_EQ(value(col(type::BLOB, flag::BLOB, 45, 0, 0, "json"), R"({"a":1})"), R"("{\"a\":1}")");
    EXPECT_EQ(value(col(type::JSON), "[1]"), "\"[1]\"");
    EXPECT_EQ(value(col(type::STRING, flag::ENUM), "red"), "\"red\"");
    EXPECT_EQ(value(col(type::ENUM), "red"), "\"red\"");
    EXPECT_EQ(value(col(type::STRING, flag::SET), "a,b"), "\"a,b\"");
    EXPECT_EQ(value(col(type::SET), "a,b"), "\"a,b\"");
    EXPECT_EQ(value(col(type::VAR_STRING, 0, 8), "\xff"), "\"\xef\xbf\xbd\"");
    EXPECT_EQ(value(col(type::NULL_TYPE, 0, 63), "x"), "\"x\"");
    // BIT and numbers are not "binary strings" even with charset 63.
    EXPECT_FALSE(is_binary(col(type::BIT, 0, 63)));
    EXPECT_FALSE(is_binary(col(type::LONG, 0, 63)));
    EXPECT_FALSE(is_binary(col(type::JSON, 0, 63)));
    EXPECT_TRUE(is_binary(col(type::GEOMETRY, 0, 63)));
    EXPECT_FALSE(is_binary(col(type::BLOB, flag::BINARY, 45)));  // TEXT ... COLLATE x_bin
}

TEST(PlainText, SameTextAsJsonString)
{
    EXPECT_EQ(plain(col(type::TINY), "-5"), "\"-5\"");
    EXPECT_EQ(plain(col(type::LONG, U | flag::ZEROFILL, 63, 5), "00042"), "\"42\"");
    EXPECT_EQ(plain(col(type::LONGLONG, U), "18446744073709551615"), "\"18446744073709551615\"");
    EXPECT_EQ(plain(col(type::NEWDECIMAL), "-0.50"), "\"-0.50\"");
    EXPECT_EQ(plain(col(type::DOUBLE), "1e15"), "\"1e15\"");
    EXPECT_EQ(plain(col(type::DOUBLE), "inf"), "\"inf\"");
    EXPECT_EQ(plain(col(type::BIT, U, 63, 1), "\x01"), "\"true\"");
    EXPECT_EQ(plain(col(type::BIT, U, 63, 1), "\x00"s), "\"false\"");
    EXPECT_EQ(plain(col(type::BIT, U, 63, 10), "\x02\x01"), "\"513\"");
    EXPECT_EQ(plain(col(type::DATE), "2024-05-01"), "\"2024-05-01\"");
    EXPECT_EQ(plain(col(type::DATETIME), "2024-05-01 12:30:00.5"), "\"2024-05-01T12:30:00.5\"");
    EXPECT_EQ(plain(col(type::TIMESTAMP), "0000-00-00 00:00:00"), "\"0000-00-00T00:00:00\"");
    EXPECT_EQ(plain(col(type::TIME), "-01:00:00"), "\"-01:00:00\"");
    EXPECT_EQ(plain(col(type::BLOB, 0, 63), "foobar"), "\"Zm9vYmFy\"");
    EXPECT_EQ(plain(col(type::VAR_STRING), "a\"b"), "\"a\\\"b\"");
    EXPECT_EQ(plain(col(type::JSON), "{}"), "\"{}\"");
}

// ---------------------------------------------------------------- Flink logicalType

TEST(LogicalType, Numbers)
{
    EXPECT_EQ(logical(col(type::TINY)), R"({"type":"TINYINT","nullable":true})");
    EXPECT_EQ(logical(col(type::TINY, U | NN)), R"({"type":"SMALLINT","nullable":false})");
    EXPECT_EQ(logical(col(type::SHORT)), R"({"type":"SMALLINT","nullable":true})");
    EXPECT_EQ(logical(col(type::SHORT, U)), R"({"type":"INTEGER","nullable":true})");
    EXPECT_EQ(logical(col(type::INT24)), R"({"type":"INTEGER","nullable":true})");
    EXPECT_EQ(logical(col(type::INT24, U)), R"({"type":"INTEGER","nullable":true})");
    EXPECT_EQ(logical(col(type::LONG, NN)), R"({"type":"INTEGER","nullable":false})");
    EXPECT_EQ(logical(col(type::LONG, U)), R"({"type":"BIGINT","nullable":true})");
    EXPECT_EQ(logical(col(type::LONGLONG)), R"({"type":"BIGINT","nullable":true})");
    EXPECT_EQ(logical(col(type::LONGLONG, U)),
              R"({"type":"DECIMAL","nullable":true,"precision":20,"scale":0})");
    EXPECT_EQ(logical(col(type::YEAR, U | flag::ZEROFILL)),
              R"({"type":"SMALLINT","nullable":true})");
    EXPECT_EQ(logical(col(type::FLOAT)), R"({"type":"FLOAT","nullable":true})");
    EXPECT_EQ(logical(col(type::DOUBLE, NN)), R"({"type":"DOUBLE","nullable":false})");
    // DECIMAL(10,2): length 12 (sign and point); UNSIGNED: 11; DECIMAL(10,0): 11.
    EXPECT_EQ(logical(col(type::NEWDECIMAL, 0, 63, 12, 2)),
              R"({"type":"DECIMAL","nullable":true,"precision":10,"scale":2})");
    EXPECT_EQ(logical(col(type::NEWDECIMAL, U, 63, 11, 2)),
              R"({"type":"DECIMAL","nullable":true,"precision":10,"scale":2})");
    EXPECT_EQ(logical(col(type::NEWDECIMAL, NN, 63, 11, 0)),
              R"({"type":"DECIMAL","nullable":false,"precision":10,"scale":0})");
    EXPECT_EQ(logical(col(type::DECIMAL, U, 63, 65, 0)),
              R"({"type":"DECIMAL","nullable":true,"precision":65,"scale":0})");
    EXPECT_EQ(logical(col(type::NEWDECIMAL, 0, 63, 1, 0)),  // never below 1
              R"({"type":"DECIMAL","nullable":true,"precision":1,"scale":0})");
    EXPECT_EQ(logical(col(type::BIT, U, 63, 1)), R"({"type":"BOOLEAN","nullable":true})");
    EXPECT_EQ(logical(col(type::BIT, U, 63, 10)), R"({"type":"BIGINT","nullable":true})");
    EXPECT_EQ(logical(col(type::BIT, U, 63, 64)),
              R"({"type":"DECIMAL","nullable":true,"precision":20,"scale":0})");
}

TEST(LogicalType, Temporal)
{
    EXPECT_EQ(logical(col(type::DATE)), R"({"type":"DATE","nullable":true})");
    EXPECT_EQ(logical(col(type::TIME, 0, 63, 10, 0)),
              R"({"type":"TIME_WITHOUT_TIME_ZONE","nullable":true,"precision":0})");
    EXPECT_EQ(logical(col(type::TIME, NN, 63, 17, 6)),
              R"({"type":"TIME_WITHOUT_TIME_ZONE","nullable":false,"precision":6})");
    EXPECT_EQ(logical(col(type::TIME, 0, 63, 10, 31)),
              R"({"type":"TIME_WITHOUT_TIME_ZONE","nullable":true,"precision":0})");
    EXPECT_EQ(logical(col(type::DATETIME, 0, 63, 23, 3)),
              R"({"type":"TIMESTAMP_WITHOUT_TIME_ZONE","nullable":true,"precision":3})");
    EXPECT_EQ(logical(col(type::TIMESTAMP, NN, 63, 19, 0)),
              R"({"type":"TIMESTAMP_WITHOUT_TIME_ZONE","nullable":false,"precision":0})");
    EXPECT_EQ(logical(col(type::DATETIME, 0, 63, 19, 39)),
              R"({"type":"TIMESTAMP_WITHOUT_TIME_ZONE","nullable":true,"precision":0})");
}

TEST(LogicalType, Strings)
{
    // Binary: lengths in bytes.
    EXPECT_EQ(logical(col(type::STRING, flag::BINARY, 63, 16)),
              R"({"type":"BINARY","nullable":true,"length":16})");
    EXPECT_EQ(logical(col(type::VAR_STRING, flag::BINARY, 63, 255)),
              R"({"type":"VARBINARY","nullable":true,"length":255})");
    EXPECT_EQ(logical(col(type::VARCHAR, 0, 63, 10)),
              R"({"type":"VARBINARY","nullable":true,"length":10})");
    for (uint8_t t :
         {type::TINY_BLOB, type::MEDIUM_BLOB, type::LONG_BLOB, type::BLOB, type::GEOMETRY})
    {
        EXPECT_EQ(logical(col(t, 0, 63, 65535)),
                  R"({"type":"VARBINARY","nullable":true,"length":2147483647})");
    }
    // Text: lengths in characters.
    EXPECT_EQ(logical(col(type::STRING, NN, 45, 40)),
              R"({"type":"CHAR","nullable":false,"length":10})");
    EXPECT_EQ(logical(col(type::STRING, 0, 33, 30)),
              R"({"type":"CHAR","nullable":true,"length":10})");
    EXPECT_EQ(logical(col(type::STRING, 0, 8, 10)),
              R"({"type":"CHAR","nullable":true,"length":10})");
    EXPECT_EQ(logical(col(type::VAR_STRING, 0, 224, 400)),
              R"({"type":"VARCHAR","nullable":true,"length":100})");
    EXPECT_EQ(logical(col(type::VARCHAR, 0, 192, 30)),
              R"({"type":"VARCHAR","nullable":true,"length":10})");
    EXPECT_EQ(logical(col(type::VAR_STRING, 0, 45, 0)),
              R"({"type":"VARCHAR","nullable":true,"length":0})");
    EXPECT_EQ(logical(col(type::VAR_STRING, 0, 35, 20)),
              R"({"type":"VARCHAR","nullable":true,"length":10})");
    // TEXT, JSON, ENUM, SET: STRING.
    const std::string string_type = R"({"type":"VARCHAR","nullable":true,"length":2147483647})";
    EXPECT_EQ(logical(col(type::BLOB, flag::BLOB, 45, 262140)), string_type);
    EXPECT_EQ(logical(col(type::LONG_BLOB, flag::BLOB, 45, 0xffffffff)), string_type);
    EXPECT_EQ(logical(col(type::BLOB, flag::BLOB, 45, 0xffffffff, 0, "json")), string_type);
    EXPECT_EQ(logical(col(type::JSON)), string_type);
    EXPECT_EQ(logical(col(type::ENUM)), string_type);
    EXPECT_EQ(logical(col(type::SET)), string_type);
    EXPECT_EQ(logical(col(type::STRING, flag::ENUM, 45, 20)), string_type);
    EXPECT_EQ(logical(col(type::STRING, flag::SET, 45, 20)), string_type);
    EXPECT_EQ(logical(col(type::NULL_TYPE, NN, 63, 0)), R"({"type":"NULL"})");
}

TEST(LogicalType, CharsetWidths)
{
    for (uint16_t id : {45, 46, 224, 247, 255, 309, 1069, 2304, 2559})
    {
        EXPECT_EQ(charset_max_bytes(id), 4u) << id;
    }
    for (uint16_t id : {33, 83, 192, 215, 223, 1057, 2048})
    {
        EXPECT_EQ(charset_max_bytes(id), 3u) << id;
    }
    for (uint16_t id : {35, 90, 128, 151, 2560})
    {
        EXPECT_EQ(charset_max_bytes(id), 2u) << id;
    }
    for (uint16_t id : {54, 55, 56, 101, 124, 60, 61, 160, 183, 2816, 3072})
    {
        EXPECT_EQ(charset_max_bytes(id), 4u) << id;
    }
    for (uint16_t id : {8, 48, 63, 11, 47, 65})
    {
        EXPECT_EQ(charset_max_bytes(id), 1u) << id;
    }
}

TEST(TypeName, All)
{
    EXPECT_STREQ(type_name(col(type::TINY)), "TINYINT");
    EXPECT_STREQ(type_name(col(type::TINY, U)), "TINYINT UNSIGNED");
    EXPECT_STREQ(type_name(col(type::SHORT)), "SMALLINT");
    EXPECT_STREQ(type_name(col(type::INT24, U)), "MEDIUMINT UNSIGNED");
    EXPECT_STREQ(type_name(col(type::LONG)), "INT");
    EXPECT_STREQ(type_name(col(type::LONGLONG)), "BIGINT");
    EXPECT_STREQ(type_name(col(type::LONGLONG, U)), "BIGINT UNSIGNED");
    EXPECT_STREQ(type_name(col(type::NEWDECIMAL)), "DECIMAL");
    EXPECT_STREQ(type_name(col(type::DECIMAL, U)), "DECIMAL UNSIGNED");
    EXPECT_STREQ(type_name(col(type::FLOAT)), "FLOAT");
    EXPECT_STREQ(type_name(col(type::DOUBLE)), "DOUBLE");
    EXPECT_STREQ(type_name(col(type::NULL_TYPE)), "NULL");
    EXPECT_STREQ(type_name(col(type::DATE)), "DATE");
    EXPECT_STREQ(type_name(col(type::TIME)), "TIME");
    EXPECT_STREQ(type_name(col(type::DATETIME)), "DATETIME");
    EXPECT_STREQ(type_name(col(type::TIMESTAMP)), "TIMESTAMP");
    EXPECT_STREQ(type_name(col(type::YEAR, U | flag::ZEROFILL)), "YEAR");
    EXPECT_STREQ(type_name(col(type::BIT, U)), "BIT");
    EXPECT_STREQ(type_name(col(type::VAR_STRING)), "VARCHAR");
    EXPECT_STREQ(type_name(col(type::VAR_STRING, 0, 63)), "VARBINARY");
    EXPECT_STREQ(type_name(col(type::STRING)), "CHAR");
    EXPECT_STREQ(type_name(col(type::STRING, 0, 63)), "BINARY");
    EXPECT_STREQ(type_name(col(type::STRING, flag::ENUM)), "ENUM");
    EXPECT_STREQ(type_name(col(type::STRING, flag::SET)), "SET");
    EXPECT_STREQ(type_name(col(type::BLOB, 0, 63, 65535)), "BLOB");
    EXPECT_STREQ(type_name(col(type::BLOB, 0, 63, 255)), "TINYBLOB");
    EXPECT_STREQ(type_name(col(type::BLOB, 0, 63, 16777215)), "MEDIUMBLOB");
    EXPECT_STREQ(type_name(col(type::BLOB, 0, 63, 0xffffffff)), "LONGBLOB");
    EXPECT_STREQ(type_name(col(type::BLOB, 0, 45, 262140)), "TEXT");
    EXPECT_STREQ(type_name(col(type::BLOB, 0, 45, 1020)), "TINYTEXT");
    EXPECT_STREQ(type_name(col(type::BLOB, 0, 33, 50331645)), "MEDIUMTEXT");
    EXPECT_STREQ(type_name(col(type::BLOB, 0, 45, 0xffffffff)), "LONGTEXT");
    EXPECT_STREQ(type_name(col(type::BLOB, 0, 45, 0xffffffff, 0, "json")), "JSON");
    EXPECT_STREQ(type_name(col(type::STRING, 0, 45, 144, 0, "uuid")), "UUID");
    EXPECT_STREQ(type_name(col(type::STRING, 0, 45, 156, 0, "INET6")), "INET6");
    EXPECT_STREQ(type_name(col(type::GEOMETRY, 0, 63, 0, 0, "point")), "POINT");
    EXPECT_STREQ(type_name(col(type::GEOMETRY, 0, 63)), "GEOMETRY");
    EXPECT_STREQ(type_name(col(type::STRING, 0, 45, 10, 0, "something")), "CHAR");
    EXPECT_STREQ(type_name(col(type::JSON)), "JSON");
    EXPECT_STREQ(type_name(col(type::ENUM)), "ENUM");
    EXPECT_STREQ(type_name(col(17)), "UNKNOWN");
}

TEST(JsonString, RandomBytesGiveValidJson)
{
    std::mt19937 rng(65533);
    for (int round = 0; round < 5000; ++round)
    {
        std::string s(rng() % 32, '\0');
        for (char& c : s)
        {
            c = static_cast<char>(rng() % 3 ? rng() : 0x80 + rng() % 0x40);
        }
        std::string out = escaped(s);
        json_error_t e;
        json_t* j = json_loadb(out.data(), out.size(), JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
        ASSERT_NE(j, nullptr) << e.text;
        // Valid input round-trips through Jansson unchanged.
        if (out.find("\xef\xbf\xbd") == std::string::npos)
        {
            EXPECT_EQ(std::string(json_string_value(j), json_string_length(j)), s);
        }
        json_decref(j);
    }
}
