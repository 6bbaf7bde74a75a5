// ReplyDecoder on hand-built replies: OK, ERR, text and binary result sets
// with and without DEPRECATE_EOF, multi-results, prepare replies, LOAD DATA
// LOCAL, malformed packets.
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "helpers.hh"
#include "sqlgate/httpsql/packets.hh"
#include "sqlgate/httpsql/resultset.hh"

using namespace httpsql_test;
using namespace std::string_literals;
namespace cap = sqlgate::mariadb::cap;
using Kind = ReplyDecoder::Kind;
using Events = std::vector<std::string>;

namespace
{
/// Feeds whole payloads; returns false at the first refused one.
bool feed(ReplyDecoder& d, const std::vector<std::string>& packets)
{
    for (const auto& p : packets)
    {
        if (!d.packet(p))
        {
            return false;
        }
    }
    return true;
}

/// Runs one reply through a fresh decoder; expects it to be accepted and complete.
Recorder run(uint64_t caps, Kind kind, const std::vector<std::string>& packets)
{
    ReplyDecoder d(caps);
    Recorder r;
    d.start(kind, r);
    EXPECT_TRUE(feed(d, packets)) << d.error();
    EXPECT_TRUE(d.done());
    EXPECT_EQ(d.error(), "");
    return r;
}

const uint64_t DEP = cap::DEPRECATE_EOF;
}  // namespace

TEST(ReplyDecoder, Ok)
{
    // Byte-exact OK: affected 1, insert id 5, AUTOCOMMIT, 0 warnings.
    Recorder r = run(0, Kind::QUERY, {"\x00\x01\x05\x02\x00\x00\x00"s});
    EXPECT_EQ(r.events, Events({"end:1,5,2,0"}));
    // With session-state info after it.
    r = run(DEP, Kind::QUERY, {"\x00\x00\x00\x02\x40\x01\x00\x05hello"s});
    EXPECT_EQ(r.events, Events({"end:0,0,16386,1"}));
    // For COM_STMT_EXECUTE of a statement without rows.
    r = run(DEP, Kind::EXECUTE, {ok(3, 0, 2, 0)});
    EXPECT_EQ(r.events, Events({"end:3,0,2,0"}));
}

TEST(ReplyDecoder, Err)
{
    const std::string e = "\xff\x28\x04#42000You have an error in your SQL syntax"s;
    Recorder r = run(0, Kind::QUERY, {e});
    EXPECT_EQ(r.events, Events({"error:1064,42000,You have an error in your SQL syntax"}));
    // Without the SQLSTATE marker.
    r = run(0, Kind::QUERY,
            {"\xff\x15\x04"
             "Access denied"s});
    EXPECT_EQ(r.events, Events({"error:1045,HY000,Access denied"}));
    r = run(0, Kind::PREPARE, {err(1146, "42S02", "Table 'x.y' doesn't exist")});
    EXPECT_EQ(r.events, Events({"error:1146,42S02,Table 'x.y' doesn't exist"}));
    r = run(0, Kind::EXECUTE, {err(1048, "23000", "Column 'a' cannot be null")});
    EXPECT_EQ(r.events, Events({"error:1048,23000,Column 'a' cannot be null"}));
}

TEST(ReplyDecoder, TextResultSetWithEof)
{
    // Byte-exact: two columns, three rows (one with NULL), EOF.
    std::vector<std::string> packets = {
        "\x02",
        coldef("id", type::LONG, flag::NOT_NULL, 63, 11),
        coldef("name", type::VAR_STRING, 0, 45, 80),
        "\xfe\x00\x00\x22\x00"s,
        "\x01"
        "1\x03"
        "abc",
        "\x01"
        "2\xfb",
        "\x01"
        "3\x00"s,
        "\xfe\x00\x00\x22\x00"s,
    };
    Recorder r = run(0, Kind::QUERY, packets);
    EXPECT_EQ(r.events, Events({"columns:id/3;name/253;", "row:'1';'abc';", "row:'2';NULL;",
                                "row:'3';'';", "end:0,0,34,0"}));
    ASSERT_EQ(r.columns.size(), 2u);
    EXPECT_EQ(r.columns[1].length, 80u);
    EXPECT_EQ(r.columns[0].flags, flag::NOT_NULL);
}

TEST(ReplyDecoder, TextResultSetDeprecateEof)
{
    Recorder r = run(DEP, Kind::QUERY,
                     {"\x01", coldef("a", type::LONGLONG), text_row({"7"}), text_row({NUL}),
                      ok(0, 0, 2, 1, '\xfe')});
    EXPECT_EQ(r.events, Events({"columns:a/8;", "row:'7';", "row:NULL;", "end:0,0,2,1"}));
    // Without rows.
    r = run(DEP, Kind::QUERY, {"\x01", coldef("a", type::LONGLONG), ok(0, 0, 2, 0, '\xfe')});
    EXPECT_EQ(r.events, Events({"columns:a/8;", "end:0,0,2,0"}));
}

TEST(ReplyDecoder, MultiResults)
{
    const uint16_t MORE = sqlgate::mariadb::srv::MORE_RESULTS_EXIST | 2;
    for (uint64_t caps : {uint64_t(0), DEP})
    {
        bool dep = caps & DEP;
        auto end = [&](uint16_t status) { return dep ? ok(0, 0, status, 0, '\xfe') : eof(status); };
        std::vector<std::string> packets = {"\x01", coldef("a", type::LONG)};
        if (!dep)
        {
            packets.push_back(eof());
        }
        packets.push_back(text_row({"1"}));
        packets.push_back(end(MORE));
        packets.push_back(ok(2, 9, MORE, 0));  // an INSERT between two SELECTs
        packets.push_back("\x02");
        packets.push_back(coldef("b", type::VAR_STRING));
        packets.push_back(coldef("c", type::NULL_TYPE));
        if (!dep)
        {
            packets.push_back(eof());
        }
        packets.push_back(text_row({"x", NUL}));
        packets.push_back(end(MORE));
        packets.push_back(ok(0, 0, 2, 0));  // the CALL's final OK

        ReplyDecoder d(caps);
        Recorder r;
        d.start(Kind::QUERY, r);
        for (size_t i = 0; i < packets.size(); ++i)
        {
            ASSERT_TRUE(d.packet(packets[i])) << d.error();
            EXPECT_EQ(d.done(), i + 1 == packets.size()) << i;
        }
        EXPECT_EQ(r.events, Events({"columns:a/3;", "row:'1';", "end:0,0,10,0,more",
                                    "end:2,9,10,0,more", "columns:b/253;c/6;", "row:'x';NULL;",
                                    "end:0,0,10,0,more", "end:0,0,2,0"}));
    }
}

TEST(ReplyDecoder, ErrorInsteadOfARow)
{
    for (uint64_t caps : {uint64_t(0), DEP})
    {
        std::vector<std::string> packets = {"\x01", coldef("a", type::LONG)};
        if (!(caps & DEP))
        {
            packets.push_back(eof());
        }
        packets.push_back(text_row({"1"}));
        packets.push_back(err(1317, "70100", "Query execution was interrupted"));
        Recorder r = run(caps, Kind::QUERY, packets);
        EXPECT_EQ(r.events, Events({"columns:a/3;", "row:'1';",
                                    "error:1317,70100,Query execution was interrupted"}));
    }
}

TEST(ReplyDecoder, LoadDataLocal)
{
    ReplyDecoder d(0);
    Recorder r;
    d.start(Kind::QUERY, r);
    ASSERT_TRUE(d.packet("\xfb/tmp/data.csv"));
    EXPECT_FALSE(d.done());
    EXPECT_TRUE(d.wants_empty_packet());
    EXPECT_EQ(r.events, Events({"error:1148,42000,LOAD DATA LOCAL is not supported over HTTP"}));
    // The server's answer to the empty packet ends the reply silently.
    ASSERT_TRUE(d.packet(err(1290, "HY000", "no file")));
    EXPECT_TRUE(d.done());
    EXPECT_FALSE(d.wants_empty_packet());
    EXPECT_EQ(r.events.size(), 1u);
    d.start(Kind::QUERY, r);
    ASSERT_TRUE(d.packet("\xfb"));
    ASSERT_TRUE(d.packet(ok(0, 0, 2, 0)));
    EXPECT_TRUE(d.done());
    EXPECT_EQ(r.events.size(), 2u);
}

TEST(ReplyDecoder, Prepare)
{
    // Byte-exact COM_STMT_PREPARE OK: id 1, 1 column, 2 params, 0 warnings.
    const std::string head = "\x00\x01\x00\x00\x00\x01\x00\x02\x00\x00\x00\x00"s;
    ReplyDecoder d(0);
    Recorder r;
    d.start(Kind::PREPARE, r);
    std::vector<std::string> packets = {head,
                                        coldef("?", type::VAR_STRING, 0, 63, 0),
                                        coldef("?", type::VAR_STRING, 0, 63, 0),
                                        eof(),
                                        coldef("a", type::LONG),
                                        eof()};
    for (size_t i = 0; i < packets.size(); ++i)
    {
        ASSERT_TRUE(d.packet(packets[i])) << i << ": " << d.error();
        EXPECT_EQ(d.done(), i + 1 == packets.size());
    }
    EXPECT_EQ(r.events, Events({"prepared:1,2,1"}));
    ASSERT_EQ(d.columns().size(), 1u);
    EXPECT_EQ(d.columns()[0].name, "a");

    // DEPRECATE_EOF: no EOF packets.
    r = run(DEP, Kind::PREPARE,
            {head, coldef("?", type::VAR_STRING), coldef("?", type::VAR_STRING),
             coldef("a", type::LONG)});
    EXPECT_EQ(r.events, Events({"prepared:1,2,1"}));
    // No parameters, no columns (an INSERT): the first packet is all.
    r = run(0, Kind::PREPARE, {"\x00\x07\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"s});
    EXPECT_EQ(r.events, Events({"prepared:7,0,0"}));
    // Parameters only.
    r = run(0, Kind::PREPARE,
            {"\x00\x08\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00"s, coldef("?", type::LONG), eof()});
    EXPECT_EQ(r.events, Events({"prepared:8,1,0"}));
    // Columns only, DEPRECATE_EOF.
    r = run(DEP, Kind::PREPARE,
            {"\x00\x09\x00\x00\x00\x02\x00\x00\x00\x00\x00\x00"s, coldef("a", type::LONG),
             coldef("b", type::LONG)});
    EXPECT_EQ(r.events, Events({"prepared:9,0,2"}));
    // Truncated prepare OK.
    ReplyDecoder bad(0);
    bad.start(Kind::PREPARE, r);
    EXPECT_FALSE(bad.packet("\x00\x01\x00\x00"s));
}

// ---------------------------------------------------------------- binary rows

namespace
{
struct TypedValue
{
    std::string coldef;  ///< column definition payload
    std::string binary;  ///< binary-protocol value
    std::string text;    ///< what the text protocol sends for the same value
};

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

const uint16_t U = flag::UNSIGNED;

// One value of every type the binary protocol encodes differently.
const std::vector<TypedValue> typed = {
    {coldef("tiny", type::TINY, 0, 63, 4), "\xfe", "-2"},
    {coldef("utiny", type::TINY, U, 63, 3), "\xfe", "254"},
    {coldef("short", type::SHORT, 0, 63, 6), le(0xfffd, 2), "-3"},
    {coldef("ushort", type::SHORT, U, 63, 5), le(0xfffd, 2), "65533"},
    {coldef("year", type::YEAR, U | flag::ZEROFILL, 63, 4), le(1999, 2), "1999"},
    {coldef("int24", type::INT24, 0, 63, 9), le(0xfffffffc, 4), "-4"},
    {coldef("long", type::LONG, 0, 63, 11), le(0x80000000, 4), "-2147483648"},
    {coldef("ulong", type::LONG, U, 63, 10), le(0x80000000, 4), "2147483648"},
    {coldef("zerofill", type::LONG, U | flag::ZEROFILL, 63, 6), le(77, 4), "000077"},
    {coldef("bigint", type::LONGLONG, 0, 63, 20), le(0xfffffffffffffffb, 8), "-5"},
    {coldef("ubigint", type::LONGLONG, U, 63, 20), le(0xfffffffffffffffb, 8),
     "18446744073709551611"},
    {coldef("float", type::FLOAT, 0, 63, 12, 31), f32(2.71828182f), "2.71828"},
    {coldef("double", type::DOUBLE, 0, 63, 22, 31), f64(2.718281828459045), "2.718281828459045"},
    {coldef("double2", type::DOUBLE, 0, 63, 10, 2), f64(-3.14159), "-3.14"},
    {coldef("decimal", type::NEWDECIMAL, 0, 63, 12, 2), "\x07-123.45", "-123.45"},
    {coldef("date", type::DATE, 0, 63, 10), "\x04" + le(2024, 2) + "\x02\x1d", "2024-02-29"},
    {coldef("zerodate", type::DATE, 0, 63, 10), "\x00"s, "0000-00-00"},
    {coldef("datetime", type::DATETIME, 0, 63, 19), "\x07" + le(2024, 2) + "\x02\x1d\x17\x3b\x3b",
     "2024-02-29 23:59:59"},
    {coldef("datetime3", type::DATETIME, 0, 63, 23, 3),
     "\x0b" + le(2024, 2) + "\x02\x1d\x17\x3b\x3b" + le(987654, 4), "2024-02-29 23:59:59.987"},
    {coldef("zerodt", type::DATETIME, 0, 63, 19), "\x00"s, "0000-00-00 00:00:00"},
    {coldef("ts6", type::TIMESTAMP, 0, 63, 26, 6),
     "\x0b" + le(1970, 2) + "\x01\x01\x00\x00\x01"s + le(1, 4), "1970-01-01 00:00:01.000001"},
    {coldef("time", type::TIME, 0, 63, 10), "\x08\x01" + le(2, 4) + "\x03\x04\x05", "-51:04:05"},
    {coldef("time6", type::TIME, 0, 63, 17, 6),
     "\x0c\x00"s + le(0, 4) + "\x0a\x0b\x0c"s + le(42, 4), "10:11:12.000042"},
    {coldef("zerotime", type::TIME, 0, 63, 10), "\x00"s, "00:00:00"},
    {coldef("varchar", type::VAR_STRING, 0, 45, 40), "\x06h\xc3\xa9llo", "h\xc3\xa9llo"},
    {coldef("char", type::STRING, 0, 45, 8),
     "\x02"
     "ab",
     "ab"},
    {coldef("blob", type::BLOB, flag::BLOB | flag::BINARY, 63, 65535), "\x03\x00\xff\x01"s,
     "\x00\xff\x01"s},
    {coldef("bit", type::BIT, U, 63, 10), "\x02\x02\x01", "\x02\x01"},
    {coldef("enum", type::STRING, flag::ENUM, 45, 4), "\x01y", "y"},
    {coldef("geometry", type::GEOMETRY, flag::BLOB | flag::BINARY, 63, 0xffffffff),
     "\x04\x01\x02\x03\x04", "\x01\x02\x03\x04"},
};
}  // namespace

TEST(ReplyDecoder, BinaryRowsMatchTextRows)
{
    for (uint64_t caps : {uint64_t(0), DEP})
    {
        std::vector<std::string> head = {std::string(1, static_cast<char>(typed.size()))};
        for (const auto& t : typed)
        {
            head.push_back(t.coldef);
        }
        if (!(caps & DEP))
        {
            head.push_back(eof());
        }
        std::string end = caps & DEP ? ok(0, 0, 2, 0, '\xfe') : eof();

        // Text reply.
        std::vector<std::string> text_reply = head;
        std::vector<std::string> texts;
        for (const auto& t : typed)
        {
            texts.push_back(t.text);
        }
        text_reply.push_back(text_row(texts));
        text_reply.push_back(end);
        Recorder text = run(caps, Kind::QUERY, text_reply);

        // Binary reply: one row with every value, one with every value NULL.
        size_t n = typed.size();
        std::string row(1, '\0');
        row += std::string((n + 9) / 8, '\0');
        for (const auto& t : typed)
        {
            row += t.binary;
        }
        std::string nulls(1, '\0');
        nulls += std::string((n + 9) / 8, '\0');
        for (size_t i = 0; i < n; ++i)
        {
            nulls[1 + (i + 2) / 8] |= static_cast<char>(1 << ((i + 2) % 8));
        }
        std::vector<std::string> binary_reply = head;
        binary_reply.push_back(row);
        binary_reply.push_back(nulls);
        binary_reply.push_back(end);
        Recorder binary = run(caps, Kind::EXECUTE, binary_reply);

        ASSERT_EQ(text.rows.size(), 1u);
        ASSERT_EQ(binary.rows.size(), 2u);
        for (size_t i = 0; i < n; ++i)
        {
            EXPECT_EQ(binary.rows[0][i], typed[i].text) << "column " << typed[i].coldef.substr(11);
            EXPECT_EQ(text.rows[0][i], typed[i].text);
            EXPECT_EQ(binary.rows[1][i], "NULL");
        }
    }
}

TEST(ReplyDecoder, BinaryNullBitmapOffset)
{
    // Three columns, the middle one NULL: bit 1+2 = 3 of the bitmap's first byte.
    Recorder r =
        run(DEP, Kind::EXECUTE,
            {"\x03", coldef("a", type::TINY), coldef("b", type::TINY),
             coldef("c", type::VAR_STRING), "\x00\x08\x01\x02xy"s, ok(0, 0, 2, 0, '\xfe')});
    EXPECT_EQ(r.events, Events({"columns:a/1;b/1;c/253;", "row:'1';NULL;'xy';", "end:0,0,2,0"}));
    // A NULL-type column has no value bytes even when its bit is clear.
    r = run(DEP, Kind::EXECUTE,
            {"\x02", coldef("n", type::NULL_TYPE), coldef("a", type::TINY), "\x00\x00\x05"s,
             ok(0, 0, 2, 0, '\xfe')});
    EXPECT_EQ(r.events, Events({"columns:n/6;a/1;", "row:NULL;'5';", "end:0,0,2,0"}));
}

TEST(ReplyDecoder, RowsStartingWith0xFE)
{
    // A text row whose first field is 16 MiB long starts with 0xfe (8-byte
    // length) and is longer than 0xffffff bytes: a row, not an OK/EOF.
    std::string big(0x1000000, 'b');
    std::string row = "\xfe" + le(big.size(), 8) + big;
    for (uint64_t caps : {uint64_t(0), DEP})
    {
        std::vector<std::string> packets = {"\x01", coldef("a", type::LONG_BLOB)};
        if (!(caps & DEP))
        {
            packets.push_back(eof());
        }
        packets.push_back(row);
        packets.push_back(caps & DEP ? ok(0, 0, 2, 0, '\xfe') : eof());
        Recorder r = run(caps, Kind::QUERY, packets);
        ASSERT_EQ(r.rows.size(), 1u);
        EXPECT_EQ(r.rows[0][0].size(), big.size());
    }
    // Without DEPRECATE_EOF a 9-byte 0xfe packet is a row as well.
    std::string nine = "\xfe" + le(0, 8);
    Recorder r = run(0, Kind::QUERY, {"\x01", coldef("a", type::BLOB), eof(), nine, eof()});
    EXPECT_EQ(r.events, Events({"columns:a/252;", "row:'';", "end:0,0,2,0"}));
}

TEST(ReplyDecoder, ProgressReportsAndCachedMetadata)
{
    Recorder r = run(cap::MARIADB_PROGRESS, Kind::QUERY,
                     {"\xff\xff\xff\x01\x00\x01\x10\x27\x00\x00\x05stage"s, ok(0, 0, 2, 0)});
    EXPECT_EQ(r.events, Events({"end:0,0,2,0"}));
    // With MARIADB_CACHE_METADATA the column count carries a "metadata follows" byte.
    const uint64_t caps = DEP | cap::MARIADB_CACHE_METADATA;
    r = run(caps, Kind::EXECUTE,
            {"\x01\x01", coldef("a", type::TINY), "\x00\x00\x09"s, ok(0, 0, 2, 0, '\xfe')});
    EXPECT_EQ(r.events, Events({"columns:a/1;", "row:'9';", "end:0,0,2,0"}));
    ReplyDecoder d(caps);
    d.start(Kind::EXECUTE, r);
    EXPECT_FALSE(d.packet("\x01\x00"s));
    EXPECT_NE(d.error().find("metadata"), std::string::npos);
}

TEST(ReplyDecoder, ExtendedTypeInfo)
{
    const uint64_t caps = DEP | cap::MARIADB_EXTENDED_TYPE_INFO;
    Recorder r = run(caps, Kind::QUERY,
                     {"\x01", coldef("j", type::BLOB, 0, 45, 0xffffffff, 0, true, "\x01\x04json"),
                      text_row({"{}"}), ok(0, 0, 2, 0, '\xfe')});
    ASSERT_EQ(r.columns.size(), 1u);
    EXPECT_EQ(r.columns[0].ext_type, "json");
    EXPECT_EQ(r.rows[0][0], "{}");
}

// ---------------------------------------------------------------- malformed

namespace
{
/// The reply must be refused at its last packet (all before accepted), and
/// the decoder then refuses everything.
void expect_refused(uint64_t caps, Kind kind, const std::vector<std::string>& packets)
{
    ReplyDecoder d(caps);
    Recorder r;
    d.start(kind, r);
    for (size_t i = 0; i + 1 < packets.size(); ++i)
    {
        ASSERT_TRUE(d.packet(packets[i])) << i << ": " << d.error();
    }
    EXPECT_FALSE(d.packet(packets.back()));
    EXPECT_FALSE(d.error().empty());
    EXPECT_FALSE(d.done());
    EXPECT_FALSE(d.packet(ok(0, 0, 2, 0)));
    // A new reply starts cleanly.
    d.start(Kind::QUERY, r);
    EXPECT_TRUE(d.packet(ok(0, 0, 2, 0)));
    EXPECT_TRUE(d.done());
    EXPECT_EQ(d.error(), "");
}
}  // namespace

TEST(ReplyDecoder, Malformed)
{
    const std::string col = coldef("a", type::LONG);
    expect_refused(0, Kind::QUERY, {""});                         // empty packet
    expect_refused(0, Kind::QUERY, {"\x00\x01"s});                // truncated OK
    expect_refused(0, Kind::QUERY, {"\xfc\x01"});                 // truncated lenenc count
    expect_refused(0, Kind::QUERY, {"\xfe"});                     // 0xfe first
    expect_refused(0, Kind::QUERY, {"\x01\x00"s});                // trailing byte
    expect_refused(0, Kind::QUERY, {"\xff\x01"});                 // truncated ERR
    expect_refused(0, Kind::QUERY, {"\xff\x01\x00#420"s});        // truncated SQLSTATE
    expect_refused(0, Kind::QUERY, {"\x01", col.substr(0, 10)});  // truncated coldef
    expect_refused(0, Kind::QUERY,
                   {"\x01",
                    "\x03"
                    "def\xfc"});                            // truncated lenenc
    expect_refused(0, Kind::QUERY, {"\x01", col, "\x01"});  // EOF expected
    expect_refused(0, Kind::QUERY,
                   {"\x01", col, eof(),
                    "\x05"
                    "abc"});  // short field
    expect_refused(0, Kind::QUERY,
                   {"\x01", col, eof(),
                    "\x01"
                    "ab"});                                             // trailing bytes
    expect_refused(0, Kind::QUERY, {"\x01", col, eof(), "\xfc\x01"});   // truncated lenenc
    expect_refused(0, Kind::QUERY, {"\x01", col, eof(), "\xfb\xfb"});   // too many fields
    expect_refused(0, Kind::QUERY, {"\x01", col, eof(), ""});           // empty row
    expect_refused(DEP, Kind::QUERY, {"\x01", col, "\xfe\x00"s});       // truncated OK
    expect_refused(0, Kind::QUERY, {"\x01", col, eof(), "\xfe\x00"s});  // truncated EOF
    expect_refused(0, Kind::QUERY, {ok(0, 0, 2, 0), ok(0, 0, 2, 0)});   // after the end
    const std::string c2 = coldef("d", type::DATE);
    expect_refused(DEP, Kind::EXECUTE, {"\x01", c2, "\x01\x00"s});              // no 0x00 header
    expect_refused(DEP, Kind::EXECUTE, {"\x01", c2, "\x00"s});                  // no bitmap
    expect_refused(DEP, Kind::EXECUTE, {"\x01", c2, "\x00\x00\x04\xe8\x07"s});  // truncated date
    expect_refused(DEP, Kind::EXECUTE, {"\x01", c2, "\x00\x00\x02\xe8\x07"s});  // bad length
    expect_refused(DEP, Kind::EXECUTE, {"\x01", c2, "\x00\x00\x00\x00"s});      // trailing byte
    expect_refused(DEP, Kind::EXECUTE, {"\x01", col, "\x00\x00\x01\x00"s});     // truncated LONG
    const std::string c3 = coldef("s", type::VAR_STRING);
    expect_refused(DEP, Kind::EXECUTE, {"\x01", c3, "\x00\x00\xfd\x01\x00"s});  // lenenc
    expect_refused(0, Kind::PREPARE, {"\x01"});                                 // not a prepare OK
    expect_refused(0, Kind::PREPARE,
                   {"\x00\x01\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00"s, col, "\x03"});
    // Not started.
    ReplyDecoder d(0);
    EXPECT_FALSE(d.packet(ok(0, 0, 2, 0)));
}

TEST(ReplyDecoder, MalformedEveryTruncation)
{
    // Every proper prefix of each packet of a binary reply is refused or
    // accepted without reading past its end (run under ASan to see the latter).
    std::vector<std::string> packets;
    std::string row(1, '\0');
    row += std::string((typed.size() + 9) / 8, '\0');
    packets.push_back(std::string(1, static_cast<char>(typed.size())));
    for (const auto& t : typed)
    {
        packets.push_back(t.coldef);
        row += t.binary;
    }
    packets.push_back(row);
    for (size_t k = 1; k < packets.size(); ++k)
    {
        for (size_t cut = 0; cut < packets[k].size(); ++cut)
        {
            ReplyDecoder d(DEP);
            Recorder r;
            d.start(Kind::EXECUTE, r);
            for (size_t i = 0; i < k; ++i)
            {
                ASSERT_TRUE(d.packet(packets[i]));
            }
            std::string part = packets[k].substr(0, cut);
            bool accepted = d.packet(part);
            if (k + 1 == packets.size() || cut < packets[k].size() - 2)
            {
                EXPECT_FALSE(accepted) << "packet " << k << " cut at " << cut;
            }
        }
    }
}

TEST(ReplyDecoder, RandomBytesNeverCrash)
{
    // Valid packets with random bytes flipped or cut, and plain garbage, in
    // every state; the decoder may accept or refuse but must stay in bounds
    // (meaningful under ASan) and keep done() and error() consistent.
    std::vector<std::string> pool = {"\x02",
                                     coldef("a", type::DATETIME, 0, 63, 26, 6),
                                     coldef("b", type::TIME, 0, 63, 17, 3),
                                     eof(),
                                     ok(1, 2, 2, 0),
                                     ok(0, 0, 10, 0, '\xfe'),
                                     text_row({"1", NUL}),
                                     "\x00\x00\x0b\xe8\x07\x05\x01\x0c\x1e\x07\x01\x00\x00\x00"
                                     "\x08\x00\x01\x00\x00\x00\x01\x02\x03"s,
                                     "\x00\x01\x00\x00\x00\x02\x00\x01\x00\x00\x00\x00"s,
                                     err(1064, "42000", "x"),
                                     "\xfb"};
    std::mt19937 rng(1148);
    for (int round = 0; round < 20000; ++round)
    {
        uint64_t caps = (rng() & 1 ? cap::DEPRECATE_EOF : 0) |
                        (rng() & 1 ? cap::MARIADB_EXTENDED_TYPE_INFO : 0);
        ReplyDecoder d(caps);
        Recorder r;
        d.start(static_cast<Kind>(rng() % 3), r);
        for (int k = 0; k < 8; ++k)
        {
            std::string p = pool[rng() % pool.size()];
            switch (rng() % 4)
            {
                case 0:
                    if (!p.empty())
                    {
                        p[rng() % p.size()] = static_cast<char>(rng());
                    }
                    break;
                case 1:
                    p.resize(rng() % (p.size() + 1));
                    break;
                case 2:
                    p.assign(rng() % 24, '\0');
                    for (char& c : p)
                    {
                        c = static_cast<char>(rng());
                    }
                    break;
                default:
                    break;
            }
            bool accepted = d.packet(p);
            EXPECT_EQ(accepted || d.done(), d.error().empty() || d.done());
            if (!accepted)
            {
                EXPECT_FALSE(d.error().empty());
                break;
            }
        }
    }
}
