// ReplyTracker on generated replies: rows of 16 MiB and more, COM_CHANGE_USER
// auth switches, unsolicited errors, progress reports, no-reply commands.
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

std::string coldef()
{
    return std::string(
        "\x03"
        "def\x00\x00\x00\x01"
        "a\x00\x0c\x21\x00\xff\xff\xff\x00\xfc\x00\x00\x00\x00\x00",
        23);
}

std::string eof(uint16_t status)
{
    return std::string("\xfe\x00\x00", 3) + char(status & 0xff) + char(status >> 8);
}

std::string ok_fe(uint16_t status)
{
    return std::string("\xfe\x00\x00", 3) + char(status & 0xff) + char(status >> 8) +
           std::string(2, '\0');
}

/// A text result set with one column and one row per entry of @c rows.
std::string resultset(bool deprecate_eof, const std::vector<std::string>& rows)
{
    std::string out = pkt(1, "\x01") + pkt(2, coldef());
    uint8_t seq = 3;
    if (!deprecate_eof)
    {
        out += pkt(seq++, eof(srv::AUTOCOMMIT));
    }
    for (const auto& r : rows)
    {
        std::string payload;
        write_lenenc_str(payload, r);
        std::string p = pkt(seq, payload);
        seq += payload.size() / MAX_PAYLOAD + 1;
        out += p;
    }
    out += pkt(seq, deprecate_eof ? ok_fe(srv::AUTOCOMMIT) : eof(srv::AUTOCOMMIT));
    return out;
}
}  // namespace

class LargeRows : public ::testing::TestWithParam<bool>
{
};

TEST_P(LargeRows, RowsOf16MiBAndMoreAreReleasedInPart)
{
    const bool deof = GetParam();
    // As MariaDB 10.11 sends them (checked with SELECT REPEAT('a', N)):
    // row 1 has a payload of exactly 0xffffff (3-byte length prefix 0xfd), so an
    // empty continuation packet follows; row 2 is 16 MiB + 109 bytes and its
    // first packet starts with 0xfe (8-byte length); row 3 is small.
    std::vector<std::string> rows = {std::string(MAX_PAYLOAD - 4, 'a'),
                                     std::string(MAX_PAYLOAD + 100, 'b'), "c"};
    std::string reply = resultset(deof, rows);
    ReplyTracker t;
    t.set_capabilities(cap::PROTOCOL_41 | (deof ? cap::DEPRECATE_EOF : 0));
    ASSERT_TRUE(t.command_sent(make_packet(0, "\x03SELECT big")));

    const size_t CHUNK = 65536;
    Buffer pending;
    size_t fed = 0, released = 0, max_pending = 0, completes = 0;
    Reply last;
    while (fed < reply.size())
    {
        size_t n = std::min(CHUNK, reply.size() - fed);
        pending.append_copy(reply.data() + fed, n);
        fed += n;
        max_pending = std::max(max_pending, pending.size());
        for (;;)
        {
            Reply r;
            size_t m = t.process(pending, r);
            if (m == 0)
            {
                break;
            }
            pending.consume(m);
            released += m;
            completes += r.complete;
            last = r;
        }
    }
    EXPECT_EQ(released, reply.size());
    EXPECT_EQ(completes, 1u);
    EXPECT_TRUE(last.complete);
    EXPECT_EQ(last.rows, 3u);
    EXPECT_EQ(last.bytes, reply.size());
    EXPECT_TRUE(t.idle());
    // Memory stays bounded: never more than a chunk plus a partial header waits.
    EXPECT_LE(max_pending, CHUNK + 64);
}

INSTANTIATE_TEST_SUITE_P(MariadbReplies, LargeRows, ::testing::Values(false, true));

TEST(MariadbReplies, ControlPacketsAreHeldUntilWhole)
{
    ReplyTracker t;
    t.set_capabilities(cap::PROTOCOL_41);
    t.command_sent(make_packet(0, "\x03SELECT 1"));
    std::string ok = make_ok(1).to_string();
    Reply r;
    Buffer b = Buffer::copy_of(ok.substr(0, ok.size() - 1));
    EXPECT_EQ(t.process(b, r), 0u);
    b.append_copy(ok.data() + ok.size() - 1, 1);
    EXPECT_EQ(t.process(b, r), ok.size());
    EXPECT_TRUE(r.complete);
    EXPECT_EQ(r.server_status, srv::AUTOCOMMIT);
}

TEST(MariadbReplies, ChangeUserWithAuthSwitch)
{
    ReplyTracker t;
    t.set_capabilities(cap::PROTOCOL_41);
    ChangeUser c;
    c.user = "u";
    ASSERT_TRUE(t.command_sent(make_packet(0, build_change_user(c, cap::SECURE_CONNECTION))));
    std::string sw =
        pkt(1, build_auth_switch("mysql_native_password", std::string(20, 'x') + '\0'));
    Buffer b = Buffer::copy_of(sw);
    Reply r;
    EXPECT_EQ(t.process(b, r), sw.size());
    EXPECT_FALSE(r.complete);
    EXPECT_EQ(r.command, COM_CHANGE_USER);
    // The auth switch response is not a command.
    EXPECT_FALSE(t.command_sent(make_packet(2, std::string(20, 'y'))));
    EXPECT_EQ(t.outstanding(), 1u);
    Buffer ok = make_ok(3);
    EXPECT_EQ(t.process(ok, r), ok.size());
    EXPECT_TRUE(r.complete);
    EXPECT_TRUE(t.idle());
    // Afterwards commands are commands again.
    EXPECT_TRUE(t.command_sent(make_packet(0, "\x0e")));
}

TEST(MariadbReplies, NoReplyCommandsAndUnsolicitedError)
{
    ReplyTracker t;
    EXPECT_FALSE(t.command_sent(make_packet(0, std::string("\x19\x01\x00\x00\x00", 5))));
    EXPECT_FALSE(t.command_sent(make_packet(0, std::string("\x18\x01\x00\x00\x00\x00\x00x", 8))));
    EXPECT_FALSE(t.command_sent(make_packet(0, "\x01")));
    EXPECT_TRUE(t.idle());
    EXPECT_EQ(t.current_command(), 0xff);
    Buffer err = make_err(0, 1927, "70100", "Connection was killed");
    Reply r;
    EXPECT_EQ(t.process(err, r), err.size());
    EXPECT_TRUE(r.complete);
    EXPECT_TRUE(r.is_error);
    EXPECT_EQ(r.error_code, 1927);
    EXPECT_EQ(r.error_message, "Connection was killed");
    EXPECT_TRUE(t.idle());
}

TEST(MariadbReplies, ProgressReportsDoNotEndTheReply)
{
    ReplyTracker t;
    t.set_capabilities(cap::PROTOCOL_41 | cap::MARIADB_PROGRESS);
    t.command_sent(make_packet(0,
                               "\x03"
                               "ALTER TABLE t ENGINE=InnoDB"));
    EXPECT_EQ(t.current_command(), COM_QUERY);
    std::string progress = pkt(1, std::string("\xff\xff\xff\x01\x01\x02\x10\x27\x00\x05stage", 15));
    Buffer b = Buffer::copy_of(progress + make_ok(2).to_string());
    Reply r;
    EXPECT_EQ(t.process(b, r), b.size());
    EXPECT_TRUE(r.complete);
    EXPECT_FALSE(r.is_error);
}

TEST(MariadbReplies, PrepareWithParamsAndColumns)
{
    for (bool deof : {false, true})
    {
        ReplyTracker t;
        t.set_capabilities(cap::PROTOCOL_41 | (deof ? cap::DEPRECATE_EOF : 0));
        t.command_sent(make_packet(0, "\x16SELECT ?, ?, a FROM t"));
        std::string ok("\x00\x01\x00\x00\x00\x01\x00\x02\x00\x00\x00\x00", 12);
        std::string reply = pkt(1, ok) + pkt(2, coldef()) + pkt(3, coldef());
        uint8_t seq = 4;
        if (!deof)
        {
            reply += pkt(seq++, eof(2));
        }
        reply += pkt(seq++, coldef());
        if (!deof)
        {
            reply += pkt(seq++, eof(2));
        }
        std::string next = make_ok(1).to_string();
        t.command_sent(make_packet(0, "\x0e"));
        Buffer b = Buffer::copy_of(reply + next);
        Reply r;
        EXPECT_EQ(t.process(b, r), reply.size()) << deof;
        EXPECT_TRUE(r.complete);
        b.consume(reply.size());
        EXPECT_EQ(t.process(b, r), next.size());
        EXPECT_EQ(r.command, COM_PING);
        EXPECT_TRUE(r.complete);
    }
}
