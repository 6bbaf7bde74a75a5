// ReplyTracker against replies captured from MariaDB 10.11 (see
// test/unit/fixtures/mariadb/capture/README.md), fed whole, one byte at a
// time, in random splits and pipelined.
#include <gtest/gtest.h>

#include "reply_fixture.hh"

using namespace sqlgate;
using namespace sqlgate::mariadb;

namespace
{
using namespace sqlgate::mariadb::test;

class Fixture : public ::testing::TestWithParam<bool>
{
protected:
    uint64_t caps() const { return BASE_CAPS | (GetParam() ? cap::DEPRECATE_EOF : 0); }
    std::string file(const std::string& name) const
    {
        return name + (GetParam() ? ".deof.bin" : ".eof.bin");
    }
};
}  // namespace

TEST_P(Fixture, SimpleSelect)
{
    auto r = run_all(file("select"), caps());
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].command, COM_QUERY);
    EXPECT_TRUE(r[0].is_resultset);
    EXPECT_FALSE(r[0].is_error);
    EXPECT_EQ(r[0].rows, 3u);
    EXPECT_TRUE(r[0].server_status & srv::AUTOCOMMIT);
}

TEST_P(Fixture, EmptyResultSet)
{
    auto r = run_all(file("empty"), caps());
    ASSERT_EQ(r.size(), 1u);
    EXPECT_TRUE(r[0].is_resultset);
    EXPECT_EQ(r[0].rows, 0u);
}

TEST_P(Fixture, MultiStatementResults)
{
    // SELECT 1; SELECT a FROM t; UPDATE ...; SELECT 'x': one reply.
    auto r = run_all(file("multi"), caps());
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].rows, 5u);
    EXPECT_FALSE(r[0].server_status & srv::MORE_RESULTS_EXIST);
}

TEST_P(Fixture, StoredProcedureCall)
{
    auto r = run_all(file("call"), caps());
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].rows, 4u);
    EXPECT_FALSE(r[0].server_status & srv::MORE_RESULTS_EXIST);
}

TEST_P(Fixture, Error)
{
    auto r = run_all(file("error"), caps());
    ASSERT_EQ(r.size(), 1u);
    EXPECT_TRUE(r[0].is_error);
    EXPECT_EQ(r[0].error_code, 1146);
    EXPECT_EQ(r[0].error_message, "Table 'test.nonexistent' doesn't exist");
    EXPECT_FALSE(r[0].is_resultset);
}

TEST_P(Fixture, ErrorInTheMiddleOfAResultSet)
{
    auto r = run_all(file("midset_error"), caps());
    ASSERT_EQ(r.size(), 1u);
    EXPECT_TRUE(r[0].is_resultset);
    EXPECT_TRUE(r[0].is_error);
    EXPECT_EQ(r[0].error_code, 1242);
    EXPECT_EQ(r[0].rows, 2u);
}

TEST_P(Fixture, ErrorInMultiStatement)
{
    auto r = run_all(file("multi_error"), caps());
    ASSERT_EQ(r.size(), 1u);
    EXPECT_TRUE(r[0].is_error);
    EXPECT_EQ(r[0].error_code, 1146);
    EXPECT_EQ(r[0].rows, 1u);
}

TEST_P(Fixture, PrepareExecute)
{
    auto r = run_all(file("prepare_execute"), caps());
    ASSERT_EQ(r.size(), 6u);
    EXPECT_EQ(r[0].command, COM_STMT_PREPARE);
    EXPECT_FALSE(r[0].is_error);
    EXPECT_EQ(r[1].command, COM_STMT_EXECUTE);
    EXPECT_TRUE(r[1].is_resultset);
    EXPECT_EQ(r[1].rows, 3u);
    EXPECT_EQ(r[2].command, COM_STMT_RESET);
    EXPECT_FALSE(r[2].is_error);
    EXPECT_EQ(r[3].command, COM_STMT_PREPARE);
    EXPECT_TRUE(r[3].is_error);
    EXPECT_EQ(r[3].error_code, 1064);
    EXPECT_EQ(r[4].command, COM_STMT_PREPARE);
    EXPECT_EQ(r[5].command, COM_STMT_EXECUTE);
    EXPECT_FALSE(r[5].is_resultset);
    EXPECT_EQ(r[5].affected_rows, 1u);
}

TEST_P(Fixture, CursorFetch)
{
    auto r = run_all(file("cursor"), caps());
    ASSERT_EQ(r.size(), 5u);
    EXPECT_EQ(r[1].command, COM_STMT_EXECUTE);
    EXPECT_TRUE(r[1].is_resultset);
    EXPECT_EQ(r[1].rows, 0u);
    EXPECT_TRUE(r[1].server_status & srv::CURSOR_EXISTS);
    EXPECT_EQ(r[2].command, COM_STMT_FETCH);
    EXPECT_EQ(r[2].rows, 2u);
    EXPECT_FALSE(r[2].server_status & srv::LAST_ROW_SENT);
    EXPECT_EQ(r[3].rows, 1u);
    EXPECT_TRUE(r[3].server_status & srv::LAST_ROW_SENT);
    EXPECT_TRUE(r[4].is_error);  // fetch after the cursor was exhausted
}

TEST_P(Fixture, FieldList)
{
    auto r = run_all(file("field_list"), caps());
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].command, COM_FIELD_LIST);
    EXPECT_FALSE(r[0].is_error);
    r = run_all(file("field_list_error"), caps());
    ASSERT_EQ(r.size(), 1u);
    EXPECT_TRUE(r[0].is_error);
    EXPECT_EQ(r[0].error_code, 1146);
}

TEST_P(Fixture, Statistics)
{
    auto r = run_all(file("statistics"), caps());
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].command, COM_STATISTICS);
    EXPECT_FALSE(r[0].is_error);
}

TEST_P(Fixture, SimpleCommands)
{
    // ping, set_option on/off (EOF without DEPRECATE_EOF), reset, init_db x2
    auto r = run_all(file("misc"), caps());
    ASSERT_EQ(r.size(), 6u);
    EXPECT_EQ(r[0].command, COM_PING);
    EXPECT_EQ(r[1].command, COM_SET_OPTION);
    EXPECT_FALSE(r[1].is_error);
    EXPECT_EQ(r[3].command, COM_RESET_CONNECTION);
    EXPECT_TRUE(r[4].is_error);
    EXPECT_EQ(r[4].error_code, 1049);
    EXPECT_FALSE(r[5].is_error);
}

TEST_P(Fixture, LoadDataLocal)
{
    auto r = run_all(file("load_data"), caps());
    ASSERT_EQ(r.size(), 2u);
    EXPECT_FALSE(r[0].complete);
    EXPECT_TRUE(r[1].complete);
    EXPECT_FALSE(r[1].is_error);
    EXPECT_EQ(r[1].affected_rows, 3u);
}

TEST_P(Fixture, Pipelined)
{
    // All commands first, then every reply concatenated: each reply must end
    // exactly where the server's did.
    for (const char* name : {"select", "multi", "call", "error", "midset_error", "multi_error",
                             "prepare_execute", "cursor", "field_list", "statistics", "misc"})
    {
        SCOPED_TRACE(name);
        for (unsigned seed = 0; seed < 5; ++seed)
        {
            ReplyTracker t;
            t.set_capabilities(caps());
            std::string all;
            std::vector<size_t> ends;
            for (const Record& rec : load(file(name)))
            {
                if (rec.tag == 'S')
                {
                    all += rec.data;
                    ends.push_back(all.size());
                }
                else
                {
                    t.command_sent(Buffer::copy_of(rec.data));
                }
            }
            EXPECT_EQ(t.outstanding(), ends.size());
            std::mt19937 rng(seed);
            auto pieces = feed(t, all, seed == 0 ? Split::WHOLE : Split::RANDOM, rng);
            std::vector<size_t> complete;
            for (const Piece& p : pieces)
            {
                if (p.reply.complete)
                {
                    complete.push_back(p.end);
                }
            }
            EXPECT_EQ(complete, ends);
            EXPECT_TRUE(t.idle());
        }
    }
}

INSTANTIATE_TEST_SUITE_P(MariadbReplies, Fixture, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "DeprecateEof" : "Eof"; });

TEST(MariadbReplies, LibmariadbCursorWithMetadataCache)
{
    // libmariadb 3.3 negotiates MARIADB_CACHE_METADATA: the column count of a
    // COM_STMT_EXECUTE is followed by a "metadata follows" byte (0 here).
    uint64_t caps = 0x00bea28cULL | (0x1dULL << 32);
    auto r = run_all("libmariadb_cursor.bin", caps);
    ASSERT_EQ(r.size(), 5u);
    EXPECT_EQ(r[1].command, COM_STMT_EXECUTE);
    EXPECT_TRUE(r[1].server_status & srv::CURSOR_EXISTS);
    EXPECT_EQ(r[2].rows, 2u);
    EXPECT_EQ(r[3].rows, 1u);
    EXPECT_EQ(r[4].command, COM_QUERY);
    EXPECT_EQ(r[4].rows, 1u);
}
