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

// ---- CALL of procedures that use cursors (capture_call.py) ----------------------------
// Inside such a procedure every result set carries SERVER_STATUS_CURSOR_EXISTS (also after
// CLOSE) together with MORE_RESULTS_EXIST, in the EOF after the column definitions as well.
// The server opens no cursor for a CALL, even when COM_STMT_EXECUTE asks for one: rows
// follow. Each reply must end exactly where the server's did (run_all checks the bytes).

namespace
{
/// The reply to one COM_STMT_EXECUTE of a CALL: rows of all result sets, then the final OK.
void expect_call(const Reply& r, uint64_t rows, uint16_t warnings = 0)
{
    EXPECT_EQ(r.command, COM_STMT_EXECUTE);
    EXPECT_TRUE(r.complete);
    EXPECT_TRUE(r.is_resultset);
    EXPECT_FALSE(r.is_error) << r.error_message;
    EXPECT_EQ(r.rows, rows);
    EXPECT_EQ(r.warnings, warnings);
    EXPECT_FALSE(r.server_status & srv::MORE_RESULTS_EXIST);
}
}  // namespace

TEST_P(Fixture, PreparedCallSeveralResults)
{
    // No cursor in the procedure: no CURSOR_EXISTS (this one always worked).
    auto r = run_all(file("ps_call_multi"), caps());
    ASSERT_EQ(r.size(), 2u);
    expect_call(r[1], 4);
}

TEST_P(Fixture, PreparedCallResultsInACursorLoop)
{
    // CALL pc_loop() without, then with CURSOR_TYPE_READ_ONLY; then a real cursor.
    auto r = run_all(file("ps_call_loop"), caps());
    ASSERT_EQ(r.size(), 7u);
    expect_call(r[1], 4);
    expect_call(r[2], 4);
    EXPECT_EQ(r[4].command, COM_STMT_EXECUTE);
    EXPECT_TRUE(r[4].server_status & srv::CURSOR_EXISTS);
    EXPECT_EQ(r[4].rows, 0u);
    EXPECT_EQ(r[5].command, COM_STMT_FETCH);
    EXPECT_EQ(r[5].rows, 2u);
    EXPECT_EQ(r[6].rows, 1u);
    EXPECT_TRUE(r[6].server_status & srv::LAST_ROW_SENT);
}

TEST_P(Fixture, PreparedCallHandlerSelectsThenResignals)
{
    auto r = run_all(file("ps_call_handler"), caps());
    ASSERT_EQ(r.size(), 3u);
    for (size_t i : {size_t{1}, size_t{2}})  // without and with CURSOR_TYPE_READ_ONLY
    {
        EXPECT_EQ(r[i].command, COM_STMT_EXECUTE);
        EXPECT_TRUE(r[i].is_resultset);
        EXPECT_TRUE(r[i].is_error);
        EXPECT_EQ(r[i].error_code, 1146);
        EXPECT_EQ(r[i].error_message, "Table 'test.pc_no_such_table' doesn't exist");
        EXPECT_EQ(r[i].rows, 2u);  // SELECT v AS first; the handler's SELECT
    }
}

TEST_P(Fixture, PreparedCallSelectsARowVariable)
{
    // FETCH c INTO r (ROW(...)); ROW TYPE OF c in an inner block, cursor closed.
    auto r = run_all(file("ps_call_row"), caps());
    ASSERT_EQ(r.size(), 4u);
    expect_call(r[1], 1);
    expect_call(r[3], 1);
}

TEST_P(Fixture, PreparedCallOutParameters)
{
    // A result set, then the OUT/INOUT values (SERVER_PS_OUT_PARAMS) as one more row.
    auto r = run_all(file("ps_call_out"), caps());
    ASSERT_EQ(r.size(), 4u);
    expect_call(r[1], 2);
    expect_call(r[3], 1);  // no cursor in pc_out_plain: only the OUT parameter row
}

TEST_P(Fixture, PreparedCallWarnings)
{
    auto r = run_all(file("ps_call_warn"), caps());
    ASSERT_EQ(r.size(), 2u);
    expect_call(r[1], 1, 1);  // SELECT v / 0: NULL and warning 1365
}

TEST_P(Fixture, PreparedBeginNotAtomicBlock)
{
    auto r = run_all(file("ps_call_block"), caps());
    ASSERT_EQ(r.size(), 2u);
    expect_call(r[1], 2);
}

TEST_P(Fixture, TextCallWithCursors)
{
    // COM_QUERY: CURSOR_EXISTS is there as well, but never meant a cursor.
    auto r = run_all(file("text_call_cursor"), caps());
    ASSERT_EQ(r.size(), 3u);
    EXPECT_EQ(r[0].rows, 4u);
    EXPECT_EQ(r[1].rows, 2u);
    EXPECT_TRUE(r[2].is_error);
    EXPECT_EQ(r[2].error_code, 1146);
    EXPECT_EQ(r[2].rows, 2u);
}

TEST_P(Fixture, Pipelined)
{
    // All commands first, then every reply concatenated: each reply must end
    // exactly where the server's did.
    for (const char* name : {"select", "multi", "call", "error", "midset_error", "multi_error",
                             "prepare_execute", "cursor", "field_list", "statistics", "misc",
                             "ps_call_multi", "ps_call_loop", "ps_call_handler", "ps_call_row",
                             "ps_call_out", "ps_call_warn", "ps_call_block", "text_call_cursor"})
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
