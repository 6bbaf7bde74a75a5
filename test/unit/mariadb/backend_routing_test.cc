// server/core/mariadb/backend.cc, after the login: commands go to the server as
// written, replies go up piece by piece and end where the server's did (real
// MariaDB 10.11 replies from the capture.py fixtures), LOAD DATA LOCAL, 16 MiB
// commands, and what the server says or does unasked.
#include "backend_fixture.hh"

namespace sqlgate::mariadb::test
{
namespace
{

/// Fixtures played through a logged-in backend.
class BackendFixtureTest : public BackendTest, public ::testing::WithParamInterface<const char*>
{
protected:
    /// Each command is written to the backend and must reach the server unchanged;
    /// each reply goes back and must come up whole, in pieces the last of which (and
    /// only it) ends the reply.
    void play(const std::string& fixture)
    {
        for (const Record& rec : load(fixture))
        {
            SCOPED_TRACE(fixture + " record " + rec.tag);
            if (rec.tag == 'C' || rec.tag == 'N')
            {
                ASSERT_EQ(write_and_read(rec.data), rec.data);
                continue;
            }
            handler.data.clear();
            handler.replies.clear();
            fake->send(rec.data);
            ASSERT_TRUE(w.run_until([&]() { return handler.joined().size() >= rec.data.size(); }));
            EXPECT_EQ(handler.joined(), rec.data);
            const Reply& last = handler.replies.back();
            EXPECT_EQ(last.complete, rec.tag == 'S');
            EXPECT_EQ(last.local_infile, rec.tag == 'P');
            EXPECT_STREQ(last.server, "db1");
            EXPECT_EQ(handler.complete(), rec.tag == 'S' ? 1u : 0u);
            EXPECT_EQ(backend->busy(), rec.tag == 'P');
        }
    }
};

TEST_P(BackendFixtureTest, RealRepliesComeUpWholeAndEndWhereTheServersDid)
{
    std::string fixture = GetParam();
    if (fixture.find(".deof.") != std::string::npos)
    {
        data->capabilities |= cap::DEPRECATE_EOF;  // as the capture's client asked
    }
    log_in();
    ASSERT_EQ(backend->state(), BackendState::ROUTING);
    play(fixture);
    EXPECT_TRUE(handler.errors.empty());
}

INSTANTIATE_TEST_SUITE_P(Captures, BackendFixtureTest,
                         ::testing::Values("select.eof.bin", "select.deof.bin", "multi.eof.bin",
                                           "multi.deof.bin", "call.deof.bin", "error.eof.bin",
                                           "midset_error.deof.bin", "prepare_execute.eof.bin",
                                           "prepare_execute.deof.bin", "cursor.deof.bin",
                                           "field_list.eof.bin", "statistics.eof.bin",
                                           "misc.deof.bin", "load_data.eof.bin",
                                           "load_data.deof.bin"));

TEST_F(BackendTest, AReplyGoesUpAsItArrivesNotWhenItEnds)
{
    log_in();
    std::vector<Record> recs = load("select.eof.bin");
    const std::string& reply = recs[1].data;
    write_and_read(recs[0].data);
    // The server sends the reply one byte at a time.
    size_t before_end = 0;
    uint64_t base = backend->stream()->stats().bytes_read;
    for (size_t i = 0; i < reply.size(); ++i)
    {
        fake->send(reply.substr(i, 1));
        w.run_until([&]() { return backend->stream()->stats().bytes_read >= base + i + 1; });
        if (i + 1 < reply.size())
        {
            before_end = handler.joined().size();
        }
    }
    ASSERT_TRUE(wait_replies(1));
    EXPECT_EQ(handler.joined(), reply);
    EXPECT_GT(before_end, 0u) << "pieces went up before the last byte came";
    EXPECT_GT(handler.replies.size(), 1u);
    const Reply& last = handler.replies.back();
    EXPECT_TRUE(last.is_resultset);
    EXPECT_EQ(last.rows, 3u);
    EXPECT_EQ(last.command, COM_QUERY);
}

TEST_F(BackendTest, PipelinedCommandsGetTheirRepliesInOrder)
{
    log_in();
    std::vector<Record> recs = load("misc.eof.bin");  // ping, set option, ...
    ASSERT_TRUE(backend->write(Buffer::copy_of(recs[0].data)));
    ASSERT_TRUE(backend->write(Buffer::copy_of(recs[2].data)));
    ASSERT_TRUE(w.run_until(
        [&]() { return fake->input().size() == recs[0].data.size() + recs[2].data.size(); }))
        << "the second command does not wait for the first reply";
    EXPECT_TRUE(backend->busy());
    fake->send(recs[1].data + recs[3].data);  // both replies in one read
    ASSERT_TRUE(wait_replies(2));
    EXPECT_EQ(handler.replies.back().command, COM_SET_OPTION);
    EXPECT_EQ(handler.joined(), recs[1].data + recs[3].data);
    EXPECT_FALSE(backend->busy());
}

TEST_F(BackendTest, ACommandOver16MiBIsOneCommandInTwoPackets)
{
    log_in();
    std::string sql(MAX_PAYLOAD + 10, 'x');
    sql.replace(0, 7, "SELECT ");
    sql[MAX_PAYLOAD - 1] = '\x03';  // the continuation starts like a COM_QUERY: it is not one
    Buffer cmd = make_packet(0, "\x03" + sql);
    std::string bytes = cmd.to_string();
    ASSERT_EQ(bytes.size(), 2 * HEADER_LEN + 1 + sql.size());
    // The client routes such a command as its packets, one write each.
    Buffer first = cmd.split(HEADER_LEN + MAX_PAYLOAD);
    ASSERT_TRUE(backend->write(std::move(first)));
    ASSERT_TRUE(backend->write(std::move(cmd)));
    ASSERT_TRUE(w.run_until([&]() { return fake->input().size() == bytes.size(); },
                            std::chrono::seconds(20)));
    EXPECT_TRUE(fake->take_all() == bytes);
    fake->send(make_ok(1).to_string());
    ASSERT_TRUE(wait_replies(1));
    EXPECT_EQ(handler.replies.back().command, COM_QUERY);
    EXPECT_FALSE(backend->busy()) << "one reply was awaited, not two";
}

TEST_F(BackendTest, DataTheServerSendsUnaskedFailsTheConnection)
{
    log_in();
    fake->send(make_ok(0).to_string());
    ASSERT_TRUE(wait_error());
    EXPECT_EQ(handler.errors[0], "server sent unexpected data");
    EXPECT_FALSE(handler.reply_started[0]);
    EXPECT_TRUE(handler.data.empty()) << "nothing of it goes up";
}

TEST_F(BackendTest, AnErrTheServerSendsUnaskedIsReported)
{
    log_in();
    fake->send(make_err(0, 1927, "70100", "Connection was killed").to_string());
    ASSERT_TRUE(wait_error());
    EXPECT_EQ(handler.errors[0], "server sent: 1927 Connection was killed");
}

TEST_F(BackendTest, AKilledIdleConnectionIsClosedByTheServer)
{
    log_in("killed_idle.bin");
    ASSERT_EQ(backend->state(), BackendState::ROUTING);
    fake->close();  // killed_idle.bin: MariaDB closes without a word
    ASSERT_TRUE(wait_error());
    EXPECT_EQ(handler.errors[0], "connection closed by server");
    EXPECT_FALSE(handler.reply_started[0]) << "no reply was under way";
    EXPECT_EQ(server->stats().connections, 0);
}

TEST_F(BackendTest, TheServerClosingInAReplyTellsThatItStarted)
{
    log_in();
    std::vector<Record> recs = load("select.eof.bin");
    write_and_read(recs[0].data);
    fake->send(recs[1].data.substr(0, recs[1].data.size() / 2));
    ASSERT_TRUE(w.run_until([&]() { return !handler.data.empty(); }));
    fake->close();
    ASSERT_TRUE(wait_error());
    EXPECT_TRUE(handler.reply_started[0]) << "part of the reply went up: it cannot be retried";
}

}  // namespace
}  // namespace sqlgate::mariadb::test
