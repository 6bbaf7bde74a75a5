// PacketSplitter framing, single-packet parsers and binary-value conversion.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "helpers.hh"
#include "sqlgate/httpsql/packets.hh"

using namespace httpsql_test;
using namespace std::string_literals;

namespace
{
using Packets = std::vector<std::pair<std::string, int>>;

Packets feed_chunks(PacketSplitter& s, std::string_view stream, const std::vector<size_t>& cuts)
{
    Packets got;
    auto fn = [&](std::string_view payload, uint8_t seq) { got.emplace_back(payload, seq); };
    size_t pos = 0;
    for (size_t cut : cuts)
    {
        s.feed(stream.substr(pos, cut - pos), fn);
        pos = cut;
    }
    s.feed(stream.substr(pos), fn);
    return got;
}

// Four packets: column count, column definition, EOF, an empty payload.
const std::string small_stream =
    std::string("\x01\x00\x00\x01\x01", 5) + std::string("\x05\x00\x00\x02hello", 9) +
    std::string("\x05\x00\x00\x03\xfe\x00\x00\x02\x00", 9) + std::string("\x00\x00\x00\x04", 4);
const Packets small_expected = {
    {"\x01", 1}, {"hello", 2}, {std::string("\xfe\x00\x00\x02\x00", 5), 3}, {"", 4}};
}  // namespace

TEST(PacketSplitter, WholeStream)
{
    PacketSplitter s;
    EXPECT_EQ(feed_chunks(s, small_stream, {}), small_expected);
    EXPECT_EQ(s.buffered(), 0u);
}

TEST(PacketSplitter, TwoChunksCutAtEveryByte)
{
    for (size_t cut = 0; cut <= small_stream.size(); ++cut)
    {
        PacketSplitter s;
        EXPECT_EQ(feed_chunks(s, small_stream, {cut}), small_expected) << "cut at " << cut;
        EXPECT_EQ(s.buffered(), 0u);
    }
}

TEST(PacketSplitter, ThreeChunksAllCuts)
{
    for (size_t a = 0; a <= small_stream.size(); ++a)
    {
        for (size_t b = a; b <= small_stream.size(); ++b)
        {
            PacketSplitter s;
            ASSERT_EQ(feed_chunks(s, small_stream, {a, b}), small_expected) << a << "," << b;
        }
    }
}

TEST(PacketSplitter, OneByteAtATimeAndBuffered)
{
    PacketSplitter s;
    Packets got;
    size_t fed = 0;
    for (char c : small_stream)
    {
        s.feed(std::string_view(&c, 1),
               [&](std::string_view p, uint8_t seq) { got.emplace_back(p, seq); });
        ++fed;
        if (fed == 3)
        {
            EXPECT_EQ(s.buffered(), 3u);  // part of the first header
        }
    }
    EXPECT_EQ(got, small_expected);
    EXPECT_EQ(s.buffered(), 0u);
}

TEST(PacketSplitter, PartialPacketIsHeld)
{
    PacketSplitter s;
    int calls = 0;
    auto fn = [&](std::string_view, uint8_t) { ++calls; };
    s.feed(std::string("\x05\x00\x00\x00he", 6), fn);
    EXPECT_EQ(calls, 0);
    EXPECT_EQ(s.buffered(), 6u);
    s.feed("llo", fn);
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(s.buffered(), 0u);
    s.feed(std::string("\x05\x00", 2), fn);
    s.clear();
    EXPECT_EQ(s.buffered(), 0u);
}

TEST(PacketSplitter, SixteenMebibyteTrain)
{
    // 0xffffff + 10 bytes: a full packet, then one of 10 bytes; then a small packet.
    std::string payload(0xffffff + 10, '\0');
    for (size_t i = 0; i < payload.size(); ++i)
    {
        payload[i] = static_cast<char>(i * 7 + 3);
    }
    std::string stream = frame(5, payload) + frame(7, "tail");
    ASSERT_EQ(stream.size(), payload.size() + 3 * 4 + 4);
    ASSERT_EQ(stream.substr(0, 4), std::string("\xff\xff\xff\x05", 4));
    const size_t second = 4 + 0xffffff;  // offset of the continuation header
    const size_t third = second + 4 + 10;

    std::vector<std::vector<size_t>> splits = {{}, {1000003, 9000001}, {second}, {third}};
    for (size_t c = second - 6; c <= third + 6; ++c)
    {
        splits.push_back({c});
    }
    for (size_t c = 0; c <= 8; ++c)
    {
        splits.push_back({c, second + 2});
    }
    for (const auto& cuts : splits)
    {
        PacketSplitter s;
        Packets got = feed_chunks(s, stream, cuts);
        ASSERT_EQ(got.size(), 2u);
        EXPECT_TRUE(got[0].first == payload) << "cut " << (cuts.empty() ? 0 : cuts[0]);
        EXPECT_EQ(got[0].second, 6);  // the last packet of the train
        EXPECT_EQ(got[1], (std::pair<std::string, int>("tail", 7)));
        EXPECT_EQ(s.buffered(), 0u);
    }
}

TEST(PacketSplitter, ExactlyOneFullPacketEndsWithEmptyOne)
{
    std::string payload(0xffffff, 'x');
    std::string stream = frame(0, payload);
    ASSERT_EQ(stream.size(), payload.size() + 8);  // plus an empty packet
    PacketSplitter s;
    Packets got = feed_chunks(s, stream, {4 + 0xffffff + 2});
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].first.size(), payload.size());
    EXPECT_EQ(got[0].second, 1);
    // While the train is incomplete its joined part is counted as buffered.
    PacketSplitter t;
    t.feed(std::string_view(stream).substr(0, 4 + 0xffffff),
           [](std::string_view, uint8_t) { FAIL() << "no packet yet"; });
    EXPECT_EQ(t.buffered(), 0xffffffu);
}

// ---------------------------------------------------------------- parsers

TEST(ParseColumn, CapturedSelectOne)
{
    // SELECT 1 AS a (MariaDB 10.11): BIGINT, NOT_NULL|BINARY, charset 63, length 1.
    const std::string p(
        "\x03"
        "def\x00\x00\x00\x01"
        "a\x00\x0c\x3f\x00\x01\x00\x00\x00\x08\x81\x00\x00\x00\x00",
        23);
    Column c;
    ASSERT_TRUE(parse_column(p, 0, c));
    EXPECT_EQ(c.name, "a");
    EXPECT_EQ(c.table, "");
    EXPECT_EQ(c.schema, "");
    EXPECT_EQ(c.type, type::LONGLONG);
    EXPECT_EQ(c.flags, 0x81);
    EXPECT_EQ(c.charset, 63);
    EXPECT_EQ(c.length, 1u);
    EXPECT_EQ(c.decimals, 0);
    EXPECT_EQ(c.ext_type, "");
}

TEST(ParseColumn, NamesAndFixedFields)
{
    Column c;
    ASSERT_TRUE(parse_column(coldef("price", type::NEWDECIMAL, 0x21, 63, 12, 2), 0, c));
    EXPECT_EQ(c.name, "price");
    EXPECT_EQ(c.table, "t");
    EXPECT_EQ(c.schema, "db");
    EXPECT_EQ(c.type, type::NEWDECIMAL);
    EXPECT_EQ(c.flags, 0x21);
    EXPECT_EQ(c.length, 12u);
    EXPECT_EQ(c.decimals, 2);
}

TEST(ParseColumn, ExtendedTypeInfo)
{
    const uint64_t caps = sqlgate::mariadb::cap::MARIADB_EXTENDED_TYPE_INFO;
    Column c;
    // Type name entry (kind 0).
    ASSERT_TRUE(
        parse_column(coldef("u", type::STRING, 0, 45, 144, 0, true, "\x00\x04uuid"s), caps, c));
    EXPECT_EQ(c.ext_type, "uuid");
    EXPECT_EQ(c.type, type::STRING);
    EXPECT_EQ(c.length, 144u);
    // Format entry (kind 1) of a JSON column.
    ASSERT_TRUE(parse_column(coldef("j", type::BLOB, 0x10, 45, 0xffffffff, 0, true, "\x01\x04json"),
                             caps, c));
    EXPECT_EQ(c.ext_type, "json");
    EXPECT_EQ(c.length, 0xffffffffu);
    // Unknown kinds are skipped; a type name wins over a format.
    ASSERT_TRUE(parse_column(
        coldef("g", type::GEOMETRY, 0, 63, 0, 0, true, "\x07\x03xyz\x01\x03wkb\x00\x05point"s),
        caps, c));
    EXPECT_EQ(c.ext_type, "point");
    // Empty block.
    ASSERT_TRUE(parse_column(coldef("i", type::LONG, 0, 63, 11, 0, true, ""), caps, c));
    EXPECT_EQ(c.ext_type, "");
    EXPECT_EQ(c.type, type::LONG);
    // Truncated entry inside the block.
    EXPECT_FALSE(
        parse_column(coldef("x", type::LONG, 0, 63, 11, 0, true, "\x00\x09uuid"s), caps, c));
    // A block parsed without the capability is read as the fixed-length byte.
    EXPECT_FALSE(parse_column(coldef("x", type::LONG, 0, 63, 11, 0, true, "\x00\x04uuid"s), 0, c));
}

TEST(ParseColumn, Truncated)
{
    std::string p = coldef("name", type::LONG);
    Column c;
    for (size_t n = 0; n < p.size() - 2; ++n)  // the 2-byte filler is optional
    {
        EXPECT_FALSE(parse_column(p.substr(0, n), 0, c)) << n;
    }
    EXPECT_TRUE(parse_column(p.substr(0, p.size() - 2), 0, c));
}

TEST(ParseOkEof, Fields)
{
    EndInfo e;
    ASSERT_TRUE(parse_ok(std::string("\x00\xfc\x00\x01\x05\x0a\x00\x03\x00", 9), e));
    EXPECT_EQ(e.affected_rows, 256u);
    EXPECT_EQ(e.insert_id, 5u);
    EXPECT_EQ(e.status, 10);
    EXPECT_TRUE(e.more_results());
    EXPECT_EQ(e.warnings, 3);
    EXPECT_FALSE(parse_ok(std::string("\x00\x01\x05\x0a\x00\x03", 6), e));
    EXPECT_FALSE(parse_ok(std::string("\x00\xfc\x00", 3), e));
    ASSERT_TRUE(parse_eof(std::string("\xfe\x02\x00\x22\x00", 5), e));
    EXPECT_EQ(e.warnings, 2);
    EXPECT_EQ(e.status, 0x22);
    EXPECT_FALSE(e.more_results());
    EXPECT_FALSE(parse_eof(std::string("\xfe\x02\x00", 3), e));
    EXPECT_FALSE(parse_eof(std::string("\xfe\x00\x00\x00\x00\x00\x00\x00\x00", 9), e));
    EXPECT_TRUE(is_eof_packet(std::string("\xfe\x00\x00\x02\x00", 5)));
    EXPECT_FALSE(is_eof_packet(std::string("\xfe\x00\x00\x02\x00\x00\x00\x00\x00", 9)));
}

// ---------------------------------------------------------------- binary values

namespace
{
Column col(uint8_t t, uint16_t flags = 0, uint8_t decimals = 0, uint32_t length = 20)
{
    Column c;
    c.type = t;
    c.flags = flags;
    c.decimals = decimals;
    c.length = length;
    c.charset = 63;
    return c;
}

/// binary_to_text on @c bytes, which it must consume entirely.
std::string text(const Column& c, const std::string& bytes)
{
    auto p = reinterpret_cast<const unsigned char*>(bytes.data());
    auto end = p + bytes.size();
    std::string out = "junk:";
    EXPECT_TRUE(binary_to_text(c, p, end, out)) << "type " << int(c.type);
    EXPECT_EQ(p, end) << "type " << int(c.type);
    return out.substr(5);
}

bool fails(const Column& c, const std::string& bytes)
{
    auto p = reinterpret_cast<const unsigned char*>(bytes.data());
    std::string out;
    return !binary_to_text(c, p, p + bytes.size(), out);
}

std::string f32(float f)
{
    uint32_t v;
    memcpy(&v, &f, 4);
    return le(v, 4);
}

std::string f64(double d)
{
    uint64_t v;
    memcpy(&v, &d, 8);
    return le(v, 8);
}

std::string real(double v, uint8_t decimals = 31, bool is_float = false)
{
    std::string out;
    append_server_real(out, v, decimals, is_float);
    return out;
}
}  // namespace

TEST(BinaryToText, Integers)
{
    const uint16_t U = flag::UNSIGNED;
    EXPECT_EQ(text(col(type::TINY), "\xff"), "-1");
    EXPECT_EQ(text(col(type::TINY, U), "\xff"), "255");
    EXPECT_EQ(text(col(type::TINY), "\x80"), "-128");
    EXPECT_EQ(text(col(type::SHORT), le(0x8000, 2)), "-32768");
    EXPECT_EQ(text(col(type::SHORT, U), le(0xffff, 2)), "65535");
    EXPECT_EQ(text(col(type::INT24), le(0xff800000, 4)), "-8388608");
    EXPECT_EQ(text(col(type::INT24, U), le(16777215, 4)), "16777215");
    EXPECT_EQ(text(col(type::LONG), le(0x80000000, 4)), "-2147483648");
    EXPECT_EQ(text(col(type::LONG, U), le(0xffffffff, 4)), "4294967295");
    EXPECT_EQ(text(col(type::LONGLONG), le(0x8000000000000000, 8)), "-9223372036854775808");
    EXPECT_EQ(text(col(type::LONGLONG, U), le(~0ULL, 8)), "18446744073709551615");
    EXPECT_EQ(text(col(type::LONGLONG), le(42, 8)), "42");
    // YEAR is UNSIGNED ZEROFILL, length 4.
    EXPECT_EQ(text(col(type::YEAR, U | flag::ZEROFILL, 0, 4), le(2024, 2)), "2024");
    EXPECT_EQ(text(col(type::YEAR, U | flag::ZEROFILL, 0, 4), le(0, 2)), "0000");
    // INT(5) ZEROFILL shows leading zeros in the text protocol.
    EXPECT_EQ(text(col(type::LONG, U | flag::ZEROFILL, 0, 5), le(42, 4)), "00042");
    EXPECT_EQ(text(col(type::LONG, U | flag::ZEROFILL, 0, 5), le(123456, 4)), "123456");
    EXPECT_TRUE(fails(col(type::LONGLONG), le(1, 7)));
    EXPECT_TRUE(fails(col(type::SHORT), "\x01"));
    EXPECT_TRUE(fails(col(type::TINY), ""));
}

TEST(BinaryToText, Reals)
{
    EXPECT_EQ(text(col(type::DOUBLE, 0, 31), f64(0.1)), "0.1");
    EXPECT_EQ(text(col(type::DOUBLE, 0, 31), f64(-2.5)), "-2.5");
    EXPECT_EQ(text(col(type::DOUBLE, 0, 31), f64(1e15)), "1e15");
    EXPECT_EQ(text(col(type::DOUBLE, 0, 2), f64(1.5)), "1.50");  // DOUBLE(10,2)
    EXPECT_EQ(text(col(type::FLOAT, 0, 31), f32(3.1415927f)), "3.14159");
    EXPECT_EQ(text(col(type::FLOAT, 0, 31), f32(0.1f)), "0.1");
    EXPECT_EQ(text(col(type::FLOAT, 0, 3), f32(1.5f)), "1.500");  // FLOAT(7,3)
    EXPECT_EQ(text(col(type::DOUBLE, flag::UNSIGNED | flag::ZEROFILL, 2, 8), f64(1.5)), "00001.50");
    EXPECT_TRUE(fails(col(type::DOUBLE), f32(1)));
}

TEST(ServerReal, DoubleLayoutAsMyGcvt)
{
    EXPECT_EQ(real(0), "0");
    EXPECT_EQ(real(1), "1");
    EXPECT_EQ(real(-1.5), "-1.5");
    EXPECT_EQ(real(123.456), "123.456");
    EXPECT_EQ(real(100000), "100000");
    EXPECT_EQ(real(1e14), "100000000000000");
    EXPECT_EQ(real(1e15), "1e15");
    EXPECT_EQ(real(123456789012345678.0), "1.2345678901234568e17");
    EXPECT_EQ(real(1234567890123456.7), "1234567890123456.8");  // len > decpt: 'f'
    EXPECT_EQ(real(0.00001), "0.00001");
    EXPECT_EQ(real(2.5e-7), "0.00000025");
    EXPECT_EQ(real(1e-15), "0.000000000000001");
    EXPECT_EQ(real(1e-16), "1e-16");
    EXPECT_EQ(real(-1.5e-100), "-1.5e-100");
    EXPECT_EQ(real(1.7976931348623157e308), "1.7976931348623157e308");
    EXPECT_EQ(real(5e-324), "5e-324");
    EXPECT_EQ(real(0.30000000000000004), "0.30000000000000004");
    EXPECT_EQ(real(-0.0), "-0");
    EXPECT_EQ(real(std::numeric_limits<double>::infinity()), "inf");
    EXPECT_EQ(real(std::nan("")), "nan");
}

TEST(ServerReal, FloatSixDigits)
{
    EXPECT_EQ(real(1.23456789f, 31, true), "1.23457");
    EXPECT_EQ(real(1234567.0f, 31, true), "1234570");
    EXPECT_EQ(real(16777217.0f, 31, true), "16777200");
    EXPECT_EQ(real(123456789.0f, 31, true), "123457000");
    EXPECT_EQ(real(3.4e38f, 31, true), "3.4e38");
    EXPECT_EQ(real(1e20f, 31, true), "1e20");
    EXPECT_EQ(real(-0.5f, 31, true), "-0.5");
    EXPECT_EQ(real(1e-45f, 31, true), "1.4013e-45");
}

TEST(ServerReal, FixedDecimals)
{
    EXPECT_EQ(real(1.5, 2), "1.50");
    EXPECT_EQ(real(1.005, 2), "1.00");  // 1.00499999999999989...
    EXPECT_EQ(real(-0.001, 2), "-0.00");
    EXPECT_EQ(real(2, 0), "2");
    EXPECT_EQ(real(1e20, 1), "100000000000000000000.0");
}

TEST(BinaryToText, Temporal)
{
    Column date = col(type::DATE);
    EXPECT_EQ(text(date, "\x04" + le(2024, 2) + "\x05\x01"), "2024-05-01");
    EXPECT_EQ(text(date, std::string(1, '\0')), "0000-00-00");
    EXPECT_EQ(text(date, "\x04" + le(33, 2) + "\x01\x09"), "0033-01-09");

    auto dt = [](uint8_t t, uint8_t decimals) { return col(t, 0, decimals); };
    const std::string full = "\x0b" + le(2024, 2) + "\x05\x01\x0c\x1e\x07" + le(123456, 4);
    EXPECT_EQ(text(dt(type::DATETIME, 0), full), "2024-05-01 12:30:07");
    EXPECT_EQ(text(dt(type::DATETIME, 6), full), "2024-05-01 12:30:07.123456");
    EXPECT_EQ(text(dt(type::DATETIME, 3), full), "2024-05-01 12:30:07.123");
    EXPECT_EQ(text(dt(type::DATETIME, 1), full), "2024-05-01 12:30:07.1");
    EXPECT_EQ(text(dt(type::DATETIME, 31), full), "2024-05-01 12:30:07");
    EXPECT_EQ(text(dt(type::DATETIME, 39), full), "2024-05-01 12:30:07");
    EXPECT_EQ(text(dt(type::TIMESTAMP, 6), full), "2024-05-01 12:30:07.123456");
    const std::string seven = "\x07" + le(2024, 2) + "\x05\x01\x0c\x1e\x07";
    EXPECT_EQ(text(dt(type::TIMESTAMP, 0), seven), "2024-05-01 12:30:07");
    EXPECT_EQ(text(dt(type::DATETIME, 2), seven), "2024-05-01 12:30:07.00");
    const std::string four = "\x04" + le(2024, 2) + "\x05\x01";
    EXPECT_EQ(text(dt(type::DATETIME, 0), four), "2024-05-01 00:00:00");
    EXPECT_EQ(text(dt(type::DATETIME, 0), std::string(1, '\0')), "0000-00-00 00:00:00");
    EXPECT_EQ(text(dt(type::DATETIME, 3), std::string(1, '\0')), "0000-00-00 00:00:00.000");
    EXPECT_EQ(
        text(dt(type::DATETIME, 6), "\x0b" + le(2024, 2) + "\x05\x01\x00\x00\x00"s + le(5, 4)),
        "2024-05-01 00:00:00.000005");

    Column time = col(type::TIME);
    EXPECT_EQ(text(time, "\x08\x00"s + le(0, 4) + "\x0c\x1e\x07"), "12:30:07");
    EXPECT_EQ(text(time, "\x08\x01" + le(1, 4) + "\x02\x03\x04"), "-26:03:04");
    EXPECT_EQ(text(time, "\x08\x00"s + le(34, 4) + "\x16\x3b\x3b"), "838:59:59");
    EXPECT_EQ(text(time, "\x08\x00"s + le(0, 4) + "\x01\x02\x03"), "01:02:03");
    EXPECT_EQ(text(time, std::string(1, '\0')), "00:00:00");
    EXPECT_EQ(text(col(type::TIME, 0, 6), "\x0c\x01" + le(0, 4) + "\x00\x00\x01"s + le(500000, 4)),
              "-00:00:01.500000");
    EXPECT_EQ(text(col(type::TIME, 0, 2), "\x0c\x00"s + le(0, 4) + "\x00\x00\x01"s + le(500000, 4)),
              "00:00:01.50");
    EXPECT_EQ(text(col(type::TIME, 0, 2), std::string(1, '\0')), "00:00:00.00");

    EXPECT_TRUE(fails(date, "\x05" + le(2024, 2) + "\x05\x01\x00"s));  // bad length
    EXPECT_TRUE(fails(date, "\x04" + le(2024, 2) + "\x05"));           // truncated
    EXPECT_TRUE(fails(date, ""));
    EXPECT_TRUE(fails(time, "\x07\x00"s + le(0, 4) + "\x01"));
    EXPECT_TRUE(fails(time, "\x08\x00"s + le(0, 4) + "\x01\x02"));
    EXPECT_TRUE(fails(dt(type::DATETIME, 0), "\x04" + le(2024, 2) + "\x0d\x01"));  // month 13
    EXPECT_TRUE(fails(dt(type::DATETIME, 6),
                      "\x0b" + le(2024, 2) + "\x05\x01\x00\x00\x00"s + le(1000000, 4)));
}

TEST(BinaryToText, LengthEncodedTypes)
{
    for (uint8_t t : {type::DECIMAL, type::NEWDECIMAL, type::VARCHAR, type::BIT, type::JSON,
                      type::ENUM, type::SET, type::TINY_BLOB, type::MEDIUM_BLOB, type::LONG_BLOB,
                      type::BLOB, type::VAR_STRING, type::STRING, type::GEOMETRY})
    {
        EXPECT_TRUE(binary_is_lenenc(t)) << int(t);
        EXPECT_EQ(text(col(t), "\x06-12.50"), "-12.50");
        EXPECT_EQ(text(col(t), std::string(1, '\0')), "");
        EXPECT_TRUE(fails(col(t), "\x06-12.5"));
        EXPECT_TRUE(fails(col(t), "\xfc\x01"));
    }
    for (uint8_t t : {type::TINY, type::SHORT, type::LONG, type::FLOAT, type::DOUBLE,
                      type::NULL_TYPE, type::TIMESTAMP, type::LONGLONG, type::INT24, type::DATE,
                      type::TIME, type::DATETIME, type::YEAR})
    {
        EXPECT_FALSE(binary_is_lenenc(t)) << int(t);
    }
    // 300 bytes: two-byte length.
    std::string big(300, 'z');
    EXPECT_EQ(text(col(type::BLOB), "\xfc" + le(300, 2) + big), big);
}
