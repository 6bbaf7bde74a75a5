// The packet kinds and fields a ReplyTracker reports, on generated replies:
// the fields of OK, ERR, prepare OK, LOCAL INFILE and column count packets, malformed
// packets, rows of 16 MiB and more (held whole for an observer), payloads in one slice
// (viewed, not copied) or across slices, offsets, progress reports, auth switches.
#include <gtest/gtest.h>

#include "sqlgate/mariadb.hh"

using namespace sqlgate;
using namespace sqlgate::mariadb;

namespace
{
std::string pkt(uint8_t seq, std::string_view payload)
{
    return make_packet(seq, payload).to_string();
}

const std::string COLDEF(
    "\x03"
    "def\x00\x00\x00\x01"
    "a\x00\x0c\x21\x00\xff\xff\xff\x00\xfc\x00\x00\x00\x00\x00",
    23);

/// Keeps copies of what it is told (the views die with each call).
struct Recorder : ReplyObserver
{
    struct Seen
    {
        ReplyPacket packet;
        std::string payload, sqlstate, message, info;
        const char* data = nullptr;  ///< where the payload view pointed
    };
    std::vector<Seen> seen;
    void on_packet(const ReplyPacket& p) override
    {
        Seen s{p,
               std::string(p.payload),
               std::string(p.sqlstate),
               std::string(p.message),
               std::string(p.info),
               p.payload.data()};
        s.packet.payload = s.packet.sqlstate = s.packet.message = s.packet.info = {};
        seen.push_back(std::move(s));
    }
    std::vector<PacketKind> kinds() const
    {
        std::vector<PacketKind> out;
        for (const auto& s : seen)
        {
            out.push_back(s.packet.kind);
        }
        return out;
    }
};

/// A tracker with an observer, a command sent and @c reply fed whole.
struct Observed
{
    ReplyTracker tracker;
    Recorder rec;
    Reply last;
    size_t released = 0;

    Observed(uint64_t caps, std::string_view command, const std::string& reply)
    {
        tracker.set_capabilities(caps);
        tracker.set_observer(&rec);
        tracker.command_sent(make_packet(0, command));
        Buffer b = Buffer::copy_of(reply);
        for (size_t n; (n = tracker.process(b, last)) > 0;)
        {
            b.consume(n);
            released += n;
        }
    }
};

using K = PacketKind;
const uint64_t DEP = cap::PROTOCOL_41 | cap::DEPRECATE_EOF;
}  // namespace

TEST(ReplyKinds, OkFields)
{
    std::string ok =
        make_ok(1, 300, 7, srv::AUTOCOMMIT | srv::IN_TRANS, 2, "Rows matched: 1").to_string();
    Observed r(cap::PROTOCOL_41, "\x03UPDATE t SET a = 1", ok);
    ASSERT_EQ(r.rec.seen.size(), 1u);
    const auto& s = r.rec.seen[0];
    EXPECT_EQ(s.packet.kind, K::OK);
    EXPECT_EQ(s.packet.command, COM_QUERY);
    EXPECT_EQ(s.packet.sequence, 1);
    EXPECT_TRUE(s.packet.last);
    EXPECT_FALSE(s.packet.malformed);
    EXPECT_EQ(s.packet.affected_rows, 300u);
    EXPECT_EQ(s.packet.insert_id, 7u);
    EXPECT_EQ(s.packet.server_status, srv::AUTOCOMMIT | srv::IN_TRANS);
    EXPECT_EQ(s.packet.warnings, 2);
    EXPECT_EQ(s.info, "Rows matched: 1");
    EXPECT_EQ(s.payload, ok.substr(HEADER_LEN));
    EXPECT_EQ(s.packet.offset, 0u);
    EXPECT_TRUE(r.last.complete);
    // A truncated OK still ends the reply, and says it is malformed.
    Observed t(cap::PROTOCOL_41, "\x0e", pkt(1, std::string("\x00\x01", 2)));
    ASSERT_EQ(t.rec.seen.size(), 1u);
    EXPECT_EQ(t.rec.seen[0].packet.kind, K::OK);
    EXPECT_TRUE(t.rec.seen[0].packet.malformed);
    EXPECT_TRUE(t.last.complete);
}

TEST(ReplyKinds, ErrFields)
{
    Observed r(cap::PROTOCOL_41, "\x03SELECT * FROM x",
               make_err(1, 1146, "42S02", "Table 'test.x' doesn't exist").to_string());
    ASSERT_EQ(r.rec.seen.size(), 1u);
    const auto& s = r.rec.seen[0];
    EXPECT_EQ(s.packet.kind, K::ERR);
    EXPECT_TRUE(s.packet.last);
    EXPECT_EQ(s.packet.error_code, 1146);
    EXPECT_EQ(s.sqlstate, "42S02");
    EXPECT_EQ(s.message, "Table 'test.x' doesn't exist");
    EXPECT_EQ(r.last.error_message, "Table 'test.x' doesn't exist");
    // Without a SQLSTATE (as before protocol 4.1), and cut short after '#'.
    Observed old(cap::PROTOCOL_41, "\x0e",
                 pkt(1,
                     "\xff\x15\x04"
                     "Access denied"));
    EXPECT_EQ(old.rec.seen[0].sqlstate, "");
    EXPECT_EQ(old.rec.seen[0].message, "Access denied");
    EXPECT_FALSE(old.rec.seen[0].packet.malformed);
    Observed cut(cap::PROTOCOL_41, "\x0e", pkt(1, "\xff\x15\x04#420"));
    EXPECT_TRUE(cut.rec.seen[0].packet.malformed);
}

TEST(ReplyKinds, ErrorAfterRows)
{
    std::string reply = pkt(1, "\x01") + pkt(2, COLDEF) + pkt(3, "\x01x") +
                        make_err(4, 1317, "70100", "Query execution was interrupted").to_string();
    Observed r(DEP, "\x03SELECT a FROM t", reply);
    EXPECT_EQ(r.rec.kinds(), std::vector<K>({K::COLUMN_COUNT, K::COLUMN_DEF, K::TEXT_ROW, K::ERR}));
    EXPECT_EQ(r.rec.seen[0].packet.count, 1u);
    EXPECT_EQ(r.rec.seen[1].packet.count, 0u);  // no definition left
    EXPECT_EQ(r.rec.seen[3].packet.error_code, 1317);
    EXPECT_TRUE(r.rec.seen[3].packet.last);
    EXPECT_TRUE(r.last.is_error);
    // The offsets are those of the headers in the data given to process().
    EXPECT_EQ(r.rec.seen[1].packet.offset, 5u);
    EXPECT_EQ(r.rec.seen[2].packet.offset, 5u + 4 + COLDEF.size());
}

TEST(ReplyKinds, PrepareOk)
{
    std::string ok("\x00\x2a\x00\x00\x00\x01\x00\x02\x00\x00\x03\x00", 12);
    std::string reply = pkt(1, ok) + pkt(2, COLDEF) + pkt(3, COLDEF) + pkt(4, COLDEF);
    Observed r(DEP, "\x16SELECT ?, ?, a FROM t", reply);
    EXPECT_EQ(r.rec.kinds(),
              std::vector<K>({K::PREPARE_OK, K::PARAM_DEF, K::PARAM_DEF, K::PREPARE_COLUMN_DEF}));
    const auto& p = r.rec.seen[0].packet;
    EXPECT_EQ(p.statement_id, 42u);
    EXPECT_EQ(p.columns, 1);
    EXPECT_EQ(p.params, 2);
    EXPECT_EQ(p.warnings, 3);
    EXPECT_EQ(r.rec.seen[1].packet.count, 1u);
    EXPECT_EQ(r.rec.seen[2].packet.count, 0u);
    EXPECT_TRUE(r.rec.seen[3].packet.last);
    EXPECT_TRUE(r.last.complete);
}

TEST(ReplyKinds, LocalInfile)
{
    ReplyTracker t;
    Recorder rec;
    t.set_capabilities(cap::PROTOCOL_41 | cap::LOCAL_FILES);
    t.set_observer(&rec);
    t.command_sent(make_packet(0, "\x03LOAD DATA LOCAL INFILE '/tmp/x.csv' INTO TABLE t"));
    Buffer b = make_packet(1, "\xfb/tmp/x.csv");
    Reply r;
    EXPECT_EQ(t.process(b, r), b.size());
    EXPECT_FALSE(r.complete);
    ASSERT_EQ(rec.seen.size(), 1u);
    EXPECT_EQ(rec.seen[0].packet.kind, K::LOCAL_INFILE);
    EXPECT_EQ(rec.seen[0].info, "/tmp/x.csv");
    EXPECT_FALSE(rec.seen[0].packet.last);
    EXPECT_FALSE(t.command_sent(make_packet(2, "")));  // the end of the file
    Buffer ok = make_ok(3, 0);
    EXPECT_EQ(t.process(ok, r), ok.size());
    EXPECT_TRUE(r.complete);
    EXPECT_EQ(rec.seen.back().packet.kind, K::OK);
    EXPECT_TRUE(rec.seen.back().packet.last);
}

TEST(ReplyKinds, ColumnCounts)
{
    // With MARIADB_CACHE_METADATA: the "metadata follows" byte; 0 = no definitions.
    const uint64_t caps = DEP | cap::MARIADB_CACHE_METADATA;
    Observed r(caps, "\x17\x01\x00\x00\x00\x00\x01\x00\x00\x00",
               pkt(1, std::string("\x01\x00", 2)) + pkt(2, std::string("\x00\x00\x07", 3)) +
                   pkt(3, std::string("\xfe\x00\x00\x02\x00\x00\x00", 7)));
    EXPECT_EQ(r.rec.kinds(), std::vector<K>({K::COLUMN_COUNT, K::BINARY_ROW, K::RESULT_END}));
    EXPECT_FALSE(r.rec.seen[0].packet.metadata);
    EXPECT_FALSE(r.rec.seen[0].packet.malformed);
    EXPECT_EQ(r.rec.seen[2].packet.server_status, srv::AUTOCOMMIT);
    // Trailing bytes, a count of 0, an incomplete length: malformed, framed all the same.
    for (std::string bad :
         {std::string("\x01\x00", 2), std::string("\x00", 1), std::string("\xfc\x01", 2)})
    {
        Observed m(DEP, "\x03SELECT 1", pkt(1, bad));
        ASSERT_EQ(m.rec.seen.size(), 1u);
        EXPECT_EQ(m.rec.seen[0].packet.kind, bad[0] == 0 ? K::OK : K::COLUMN_COUNT);
        EXPECT_TRUE(m.rec.seen[0].packet.malformed);
    }
}

TEST(ReplyKinds, NineByte0xfeRowWithoutDeprecateEof)
{
    // Without DEPRECATE_EOF an EOF is under 9 bytes: a longer 0xfe packet is a row.
    std::string row = "\xfe" + std::string(8, '\0');
    std::string eof("\xfe\x00\x00\x02\x00", 5);
    std::string reply = pkt(1, "\x01") + pkt(2, COLDEF) + pkt(3, eof) + pkt(4, row) + pkt(5, eof);
    Observed r(cap::PROTOCOL_41, "\x03SELECT a FROM t", reply);
    EXPECT_EQ(r.rec.kinds(), std::vector<K>({K::COLUMN_COUNT, K::COLUMN_DEF, K::COLUMNS_END,
                                             K::TEXT_ROW, K::RESULT_END}));
    EXPECT_EQ(r.released, reply.size());
    EXPECT_TRUE(r.last.complete);
    EXPECT_EQ(r.last.rows, 1u);
}

TEST(ReplyKinds, ProgressAndAuthSwitch)
{
    std::string progress = pkt(1, std::string("\xff\xff\xff\x01\x01\x02\x10\x27\x00\x05stage", 15));
    Observed r(cap::PROTOCOL_41 | cap::MARIADB_PROGRESS,
               "\x03"
               "ALTER TABLE t FORCE",
               progress + make_ok(2).to_string());
    EXPECT_EQ(r.rec.kinds(), std::vector<K>({K::PROGRESS, K::OK}));
    EXPECT_FALSE(r.rec.seen[0].packet.last);

    ChangeUser c;
    c.user = "u";
    std::string sw = pkt(1, build_auth_switch("mysql_native_password", std::string(20, 'x')));
    Observed cu(cap::PROTOCOL_41, build_change_user(c, cap::SECURE_CONNECTION), sw);
    EXPECT_EQ(cu.rec.kinds(), std::vector<K>({K::AUTH_SWITCH}));
    EXPECT_FALSE(cu.last.complete);
}

TEST(ReplyKinds, PayloadsAreViewsUnlessTheySpanSlices)
{
    // Two rows in one slice, a third split between two slices.
    std::string head = pkt(1, "\x01") + pkt(2, COLDEF);
    std::string rows = pkt(3, "\x03one") + pkt(4, "\x03two") + pkt(5, "\x05three");
    std::string end = pkt(6, std::string("\xfe\x00\x00\x02\x00\x00\x00", 7));
    std::string all = head + rows + end;
    size_t cut = head.size() + rows.size() - 3;
    Buffer b = Buffer::copy_of(all.substr(0, cut));
    b.append(Buffer::copy_of(all.substr(cut)));
    ASSERT_EQ(b.slice_count(), 2u);
    ReplyTracker t;
    Recorder rec;
    t.set_capabilities(DEP);
    t.set_observer(&rec);
    t.command_sent(make_packet(0, "\x03SELECT a FROM t"));
    Reply r;
    EXPECT_EQ(t.process(b, r), all.size());
    EXPECT_TRUE(r.complete);
    ASSERT_EQ(rec.seen.size(), 6u);
    const char* first = reinterpret_cast<const char*>(b.slice(0).data());
    EXPECT_EQ(rec.seen[2].data, first + head.size() + 4);  // in the block: no copy
    EXPECT_EQ(rec.seen[3].payload, "\x03two");
    EXPECT_EQ(rec.seen[3].data, first + head.size() + 12);
    EXPECT_EQ(rec.seen[4].payload, "\x05three");  // joined from both slices
    EXPECT_EQ(rec.seen[5].packet.kind, K::RESULT_END);
    const char* second = reinterpret_cast<const char*>(b.slice(1).data());
    EXPECT_EQ(rec.seen[5].data, second + 3 + 4);
}

class LargeRowsObserved : public ::testing::TestWithParam<bool>
{
};

TEST_P(LargeRowsObserved, AreHeldWholeAndReportedWithTheirContinuations)
{
    const bool deof = GetParam();
    // A payload of exactly 0xffffff (then an empty continuation), one of 16 MiB + 100
    // starting with 0xfe (8-byte length), a small one.
    std::vector<std::string> values = {std::string(MAX_PAYLOAD - 4, 'a'),
                                       std::string(MAX_PAYLOAD + 100, 'b'), "c"};
    std::string reply = pkt(1, "\x01") + pkt(2, COLDEF);
    uint8_t seq = 3;
    if (!deof)
    {
        reply += pkt(seq++, std::string("\xfe\x00\x00\x02\x00", 5));
    }
    for (const auto& v : values)
    {
        std::string payload;
        write_lenenc_str(payload, v);
        reply += pkt(seq, payload);
        seq += payload.size() / MAX_PAYLOAD + 1;
    }
    reply += pkt(seq, deof ? std::string("\xfe\x00\x00\x02\x00\x00\x00", 7)
                           : std::string("\xfe\x00\x00\x02\x00", 5));
    ReplyTracker t;
    Recorder rec;
    t.set_capabilities(cap::PROTOCOL_41 | (deof ? cap::DEPRECATE_EOF : 0));
    t.set_observer(&rec);
    t.command_sent(make_packet(0, "\x03SELECT big"));
    Buffer pending;
    size_t fed = 0, released = 0;
    Reply last;
    while (fed < reply.size())
    {
        size_t n = std::min<size_t>(65536, reply.size() - fed);
        pending.append_copy(reply.data() + fed, n);
        fed += n;
        for (size_t m; (m = t.process(pending, last)) > 0;)
        {
            pending.consume(m);
            released += m;
        }
    }
    EXPECT_EQ(released, reply.size());
    EXPECT_TRUE(last.complete);
    EXPECT_EQ(last.rows, 3u);
    std::vector<K> expected = {K::COLUMN_COUNT, K::COLUMN_DEF};
    if (!deof)
    {
        expected.push_back(K::COLUMNS_END);
    }
    for (K k :
         {K::TEXT_ROW, K::CONTINUATION, K::TEXT_ROW, K::CONTINUATION, K::TEXT_ROW, K::RESULT_END})
    {
        expected.push_back(k);
    }
    EXPECT_EQ(rec.kinds(), expected);
    size_t i = deof ? 2 : 3;
    EXPECT_TRUE(rec.seen[i].packet.continued);
    EXPECT_EQ(rec.seen[i].payload.size(), MAX_PAYLOAD);
    EXPECT_EQ(rec.seen[i + 1].payload, "");  // the empty packet after exactly 0xffffff
    EXPECT_FALSE(rec.seen[i + 1].packet.continued);
    EXPECT_EQ(static_cast<uint8_t>(rec.seen[i + 2].payload[0]), 0xfe);
    EXPECT_EQ(rec.seen[i + 2].payload.size() + rec.seen[i + 3].payload.size(),
              MAX_PAYLOAD + 100 + 9);
    EXPECT_EQ(rec.seen[i + 4].payload,
              "\x01"
              "c");
}

INSTANTIATE_TEST_SUITE_P(MariadbReplies, LargeRowsObserved, ::testing::Values(false, true));
