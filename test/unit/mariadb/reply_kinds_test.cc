// The packet kinds a ReplyTracker reports to its observer, on the replies captured
// from MariaDB 10.11 (test/unit/fixtures/mariadb/) fed whole, byte by byte and in random
// splits: the same kinds every time, every byte of every reply in exactly one reported
// packet, and the same reply ends as without an observer.
#include <gtest/gtest.h>

#include "reply_fixture.hh"

using namespace sqlgate;
using namespace sqlgate::mariadb;

namespace
{
using namespace sqlgate::mariadb::test;
using Tokens = std::vector<std::string>;

/// One token per packet ("COUNT(2)", "TEXT_ROW", "OK(1,0)", ...), repeats folded into "X*n".
struct Recorder : ReplyObserver
{
    std::vector<ReplyPacket> packets;  ///< views cleared: they die with the call
    std::string bytes;                 ///< the packets rebuilt, headers included
    Tokens tokens;
    std::string last_token;
    size_t repeat = 0;

    void on_packet(const ReplyPacket& p) override
    {
        unsigned char h[HEADER_LEN];
        set_header(h, static_cast<uint32_t>(p.payload.size()), p.sequence);
        bytes.append(reinterpret_cast<const char*>(h), HEADER_LEN).append(p.payload);
        add(token(p));
        ReplyPacket copy = p;
        copy.payload = copy.sqlstate = copy.message = copy.info = {};
        packets.push_back(copy);
    }
    static std::string token(const ReplyPacket& p)
    {
        std::string t = packet_kind_name(p.kind);
        switch (p.kind)
        {
            case PacketKind::COLUMN_COUNT:
                t = "COUNT(" + std::to_string(p.count) + ")";
                break;
            case PacketKind::OK:
                t +=
                    "(" + std::to_string(p.affected_rows) + "," + std::to_string(p.insert_id) + ")";
                break;
            case PacketKind::ERR:
                t += "(" + std::to_string(p.error_code) + "," + std::string(p.sqlstate) + ")";
                break;
            case PacketKind::PREPARE_OK:
                t = "PREPARE(" + std::to_string(p.params) + "," + std::to_string(p.columns) + ")";
                break;
            case PacketKind::LOCAL_INFILE:
                t = "INFILE(" + std::string(p.info) + ")";
                break;
            default:
                break;
        }
        if (p.more_results() && p.kind != PacketKind::COLUMNS_END)
        {
            t += "+";  // more results follow
        }
        if (p.server_status & srv::CURSOR_EXISTS)
        {
            t += "@";  // CURSOR_EXISTS
        }
        return t + (p.malformed ? "!" : "");
    }
    void add(const std::string& t)
    {
        if (t == last_token)
        {
            tokens.back() = t + "*" + std::to_string(++repeat);
            return;
        }
        last_token = t;
        repeat = 1;
        tokens.push_back(t);
    }
    void next_reply()
    {
        tokens.clear();
        bytes.clear();
        packets.clear();
        last_token.clear();
    }
};

/// The tokens of each reply (S and P record) of a fixture, checking on the way
/// that the packets cover the reply's bytes exactly and that only the last
/// packet of a whole reply says so.
std::vector<Tokens> observe(const std::string& name, uint64_t caps, Split split, unsigned seed = 1)
{
    std::mt19937 rng(seed);
    ReplyTracker t;
    t.set_capabilities(caps);
    Recorder rec;
    t.set_observer(&rec);
    std::vector<Tokens> out;
    for (const Record& r : load(name))
    {
        if (r.tag == 'C' || r.tag == 'N')
        {
            t.command_sent(Buffer::copy_of(r.data));
            continue;
        }
        SCOPED_TRACE(name + " reply #" + std::to_string(out.size()));
        rec.next_reply();
        std::vector<Piece> pieces = feed(t, r.data, split, rng);
        EXPECT_TRUE(rec.bytes == r.data) << "the reported packets are not the reply";
        EXPECT_FALSE(pieces.empty());
        EXPECT_FALSE(rec.packets.empty());
        for (size_t i = 0; i < rec.packets.size(); ++i)
        {
            bool end = r.tag == 'S' && i + 1 == rec.packets.size();
            EXPECT_EQ(rec.packets[i].last, end) << "packet " << i;
        }
        if (!pieces.empty())
        {
            EXPECT_EQ(pieces.back().reply.complete, r.tag == 'S');
        }
        out.push_back(rec.tokens);
    }
    EXPECT_TRUE(t.idle());
    return out;
}

/// Whole, byte by byte and in random splits: always the same tokens.
std::vector<Tokens> observe_all(const std::string& name, uint64_t caps)
{
    std::vector<Tokens> whole = observe(name, caps, Split::WHOLE);
    EXPECT_EQ(observe(name, caps, Split::BYTES), whole);
    for (unsigned seed = 1; seed <= 10; ++seed)
    {
        EXPECT_EQ(observe(name, caps, Split::RANDOM, seed), whole) << "seed " << seed;
    }
    return whole;
}

class Kinds : public ::testing::TestWithParam<bool>
{
protected:
    bool deof() const { return GetParam(); }
    uint64_t caps() const { return BASE_CAPS | (deof() ? cap::DEPRECATE_EOF : 0); }
    std::vector<Tokens> run(const std::string& name) const
    {
        return observe_all(name + (deof() ? ".deof.bin" : ".eof.bin"), caps());
    }
    /// Column definitions then, without DEPRECATE_EOF, their EOF.
    Tokens defs(size_t n, const std::string& eof = "COLUMNS_END") const
    {
        Tokens t = {n > 1 ? "COLUMN_DEF*" + std::to_string(n) : "COLUMN_DEF"};
        if (!deof())
        {
            t.push_back(eof);
        }
        return t;
    }
    /// A result set: count, definitions, rows, end.
    Tokens resultset(size_t columns, const std::string& rows, const std::string& end = "RESULT_END",
                     const std::string& coleof = "COLUMNS_END") const
    {
        Tokens t = {"COUNT(" + std::to_string(columns) + ")"};
        for (const auto& d : defs(columns, coleof))
        {
            t.push_back(d);
        }
        if (!rows.empty())
        {
            t.push_back(rows);
        }
        t.push_back(end);
        return t;
    }
};

Tokens cat(std::initializer_list<Tokens> parts)
{
    Tokens out;
    for (const auto& p : parts)
    {
        out.insert(out.end(), p.begin(), p.end());
    }
    return out;
}
}  // namespace

TEST_P(Kinds, TextResultSets)
{
    EXPECT_EQ(run("select"), std::vector<Tokens>({resultset(2, "TEXT_ROW*3")}));
    EXPECT_EQ(run("empty"), std::vector<Tokens>({resultset(1, "")}));
}

TEST_P(Kinds, MultiResults)
{
    // SELECT 1; SELECT a FROM t; UPDATE ...; SELECT 'x'
    auto r = run("multi");
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0], cat({resultset(1, "TEXT_ROW", "RESULT_END+"),
                         resultset(1, "TEXT_ROW*3", "RESULT_END+"),
                         {"OK(0,0)+"},
                         resultset(1, "TEXT_ROW")}));
    // CALL p(): two result sets and the CALL's OK.
    EXPECT_EQ(run("call"), std::vector<Tokens>({cat({resultset(1, "TEXT_ROW", "RESULT_END+"),
                                                     resultset(1, "TEXT_ROW*3", "RESULT_END+"),
                                                     {"OK(0,0)"}})}));
}

TEST_P(Kinds, Errors)
{
    EXPECT_EQ(run("error"), std::vector<Tokens>({{"ERR(1146,42S02)"}}));
    // An error after two rows; an error in the second statement of three.
    Tokens mid = resultset(2, "TEXT_ROW*2");
    mid.back() = "ERR(1242,21000)";
    EXPECT_EQ(run("midset_error"), std::vector<Tokens>({mid}));
    EXPECT_EQ(
        run("multi_error"),
        std::vector<Tokens>({cat({resultset(1, "TEXT_ROW", "RESULT_END+"), {"ERR(1146,42S02)"}})}));
}

TEST_P(Kinds, PrepareExecute)
{
    auto r = run("prepare_execute");
    ASSERT_EQ(r.size(), 6u);
    // SELECT a, b FROM t WHERE a > ?: one parameter, two columns.
    Tokens prepare = {"PREPARE(1,2)", "PARAM_DEF"};
    if (!deof())
    {
        prepare.push_back("PARAMS_END");
    }
    prepare.push_back("PREPARE_COLUMN_DEF*2");
    if (!deof())
    {
        prepare.push_back("PREPARE_COLUMNS_END");
    }
    EXPECT_EQ(r[0], prepare);
    EXPECT_EQ(r[1], resultset(2, "BINARY_ROW*3"));
    EXPECT_EQ(r[2], Tokens({"OK(0,0)"}));  // COM_STMT_RESET
    EXPECT_EQ(r[3], Tokens({"ERR(1064,42000)"}));
    // INSERT INTO t2 VALUES (?, ?): two parameters, no columns.
    Tokens insert = {"PREPARE(2,0)", "PARAM_DEF*2"};
    if (!deof())
    {
        insert.push_back("PARAMS_END");
    }
    EXPECT_EQ(r[4], insert);
    EXPECT_EQ(r[5], Tokens({"OK(1,0)"}));
}

TEST_P(Kinds, Cursor)
{
    auto r = run("cursor");
    ASSERT_EQ(r.size(), 5u);
    // The execute ends at the terminator after the column definitions (a 0xfe OK
    // with DEPRECATE_EOF: then it is the end of an empty result set).
    EXPECT_EQ(r[1], deof() ? Tokens({"COUNT(2)", "COLUMN_DEF*2", "RESULT_END@"})
                           : Tokens({"COUNT(2)", "COLUMN_DEF*2", "COLUMNS_END@"}));
    EXPECT_EQ(r[2], Tokens({"BINARY_ROW*2", "RESULT_END@"}));
    EXPECT_EQ(r[3], Tokens({"BINARY_ROW", "RESULT_END"}));  // LAST_ROW_SENT
    EXPECT_EQ(r[4].size(), 1u);
    EXPECT_EQ(r[4][0].substr(0, 4), "ERR(");
}

TEST_P(Kinds, SimpleCommands)
{
    EXPECT_EQ(run("field_list"), std::vector<Tokens>({{"FIELD_DEF*2", "RESULT_END"}}));
    EXPECT_EQ(run("field_list_error"), std::vector<Tokens>({{"ERR(1146,42S02)"}}));
    EXPECT_EQ(run("statistics"), std::vector<Tokens>({{"STATISTICS"}}));
    // ping, set_option on/off (EOF without DEPRECATE_EOF), reset, init_db x2
    std::string set_option = deof() ? "OK(0,0)" : "EOF_PACKET";
    EXPECT_EQ(run("misc"), std::vector<Tokens>({{"OK(0,0)"},
                                                {set_option},
                                                {set_option},
                                                {"OK(0,0)"},
                                                {"ERR(1049,42000)"},
                                                {"OK(0,0)"}}));
}

TEST_P(Kinds, LoadDataLocal)
{
    EXPECT_EQ(run("load_data"), std::vector<Tokens>({{"INFILE(/tmp/x.csv)"}, {"OK(3,0)"}}));
}

TEST_P(Kinds, PreparedCallsWithCursors)
{
    // Every result set of pc_loop() carries CURSOR_EXISTS; rows follow the
    // EOF after the column definitions, with or without CURSOR_TYPE_READ_ONLY.
    auto r = run("ps_call_loop");
    ASSERT_EQ(r.size(), 7u);
    EXPECT_EQ(r[1], r[2]);
    ASSERT_GE(r[1].size(), 4u);
    EXPECT_EQ(r[1].back(), "OK(0,0)");
    for (const std::string& t : r[1])
    {
        EXPECT_TRUE(t.find("ROW") == std::string::npos || t.find("BINARY_ROW") == 0) << t;
    }
    EXPECT_EQ(r[1][0], "COUNT(2)");
    EXPECT_EQ(r[1][1], "COLUMN_DEF*2");
    EXPECT_EQ(r[1][2], deof() ? "BINARY_ROW" : "COLUMNS_END@");
    // OUT parameters: a result set, then the parameters' row, then the OK.
    auto out = run("ps_call_out");
    ASSERT_EQ(out.size(), 4u);
    EXPECT_EQ(out[1].back(), "OK(0,0)");
    EXPECT_EQ(out[3].back(), "OK(0,0)");
    // The handler's SELECT, then the RESIGNALed error right after a terminator.
    auto handler = run("ps_call_handler");
    ASSERT_EQ(handler.size(), 3u);
    EXPECT_EQ(handler[1].back(), "ERR(1146,42S02)");
    EXPECT_EQ(handler[1], handler[2]);
}

TEST_P(Kinds, TextCallWithCursors)
{
    auto r = run("text_call_cursor");
    ASSERT_EQ(r.size(), 3u);
    for (const auto& reply : r)
    {
        for (const std::string& t : reply)
        {
            EXPECT_TRUE(t.find("ROW") == std::string::npos || t.find("TEXT_ROW") == 0) << t;
        }
    }
    EXPECT_EQ(r[0].back(), "OK(0,0)");
    EXPECT_EQ(r[2].back(), "ERR(1146,42S02)");
}

INSTANTIATE_TEST_SUITE_P(MariadbReplies, Kinds, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "DeprecateEof" : "Eof"; });
