// ReplyTracker against replies captured from MariaDB 10.11 (see
// test/unit/fixtures/mariadb/capture/README.md), fed whole, one byte at a
// time, in random splits and pipelined.
#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>
#include <vector>

#include "sqlgate/mariadb.hh"

using namespace sqlgate;
using namespace sqlgate::mariadb;

namespace
{
struct Record
{
    char tag;  // C command, N no-reply packet, S whole reply, P first part of a reply
    std::string data;
};

std::vector<Record> load(const std::string& name)
{
    std::ifstream in(std::string(SQLGATE_SOURCE_DIR) + "/test/unit/fixtures/mariadb/" + name,
                     std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string d = ss.str();
    std::vector<Record> out;
    size_t i = 0;
    while (i + 5 <= d.size())
    {
        uint32_t n = static_cast<unsigned char>(d[i + 1]) |
                     static_cast<unsigned char>(d[i + 2]) << 8 |
                     static_cast<unsigned char>(d[i + 3]) << 16 |
                     static_cast<uint32_t>(static_cast<unsigned char>(d[i + 4])) << 24;
        out.push_back({d[i], d.substr(i + 5, n)});
        i += 5 + n;
    }
    EXPECT_FALSE(out.empty()) << name;
    return out;
}

// The capabilities the capture client used (capture.py BASE_CAPS).
constexpr uint64_t BASE_CAPS = cap::LONG_PASSWORD | cap::LONG_FLAG | cap::LOCAL_FILES |
                               cap::PROTOCOL_41 | cap::TRANSACTIONS | cap::SECURE_CONNECTION |
                               cap::MULTI_STATEMENTS | cap::MULTI_RESULTS | cap::PS_MULTI_RESULTS |
                               cap::PLUGIN_AUTH;

enum class Split
{
    WHOLE,
    BYTES,
    RANDOM,
};

struct Piece
{
    size_t end;  // offset just after the piece in the fed stream
    Reply reply;
};

/// Feeds @c bytes in chunks the way a backend connection would: append what
/// was read, call process() until it returns 0, drop what went up.
std::vector<Piece> feed(ReplyTracker& t, const std::string& bytes, Split split, std::mt19937& rng)
{
    std::vector<Piece> pieces;
    Buffer pending;
    size_t fed = 0, released = 0;
    while (fed < bytes.size())
    {
        size_t n = bytes.size() - fed;
        if (split == Split::BYTES)
        {
            n = 1;
        }
        else if (split == Split::RANDOM)
        {
            n = std::min<size_t>(n, 1 + rng() % 40);
        }
        pending.append_copy(bytes.data() + fed, n);
        fed += n;
        for (;;)
        {
            Reply r;
            size_t m = t.process(pending, r);
            if (m == 0)
            {
                break;
            }
            EXPECT_LE(m, pending.size());
            pending.consume(m);
            released += m;
            pieces.push_back({released, r});
        }
    }
    EXPECT_EQ(released, bytes.size()) << "bytes left unreleased";
    return pieces;
}

/// Runs a fixture; returns the final reply of each S record (and of P records).
std::vector<Reply> run(const std::string& name, uint64_t caps, Split split, unsigned seed = 1)
{
    std::mt19937 rng(seed);
    ReplyTracker t;
    t.set_capabilities(caps);
    std::vector<Reply> out;
    for (const Record& rec : load(name))
    {
        SCOPED_TRACE(name + " record " + rec.tag + " #" + std::to_string(out.size()));
        if (rec.tag == 'C' || rec.tag == 'N')
        {
            EXPECT_EQ(t.command_sent(Buffer::copy_of(rec.data)), rec.tag == 'C');
            continue;
        }
        std::vector<Piece> pieces = feed(t, rec.data, split, rng);
        EXPECT_FALSE(pieces.empty());
        if (pieces.empty())
        {
            continue;
        }
        for (size_t i = 0; i + 1 < pieces.size(); ++i)
        {
            EXPECT_FALSE(pieces[i].reply.complete) << "complete too early at " << pieces[i].end;
        }
        const Reply& last = pieces.back().reply;
        // bytes counts the whole reply: a LOAD DATA reply's final part adds to its first.
        size_t before = (!out.empty() && !out.back().complete) ? out.back().bytes : 0;
        EXPECT_EQ(last.bytes, before + rec.data.size());
        if (rec.tag == 'S')
        {
            EXPECT_TRUE(last.complete);
            EXPECT_TRUE(t.idle());
            EXPECT_FALSE(t.in_load_data());
        }
        else
        {
            EXPECT_FALSE(last.complete);
            EXPECT_TRUE(t.in_load_data());
            EXPECT_TRUE(t.reply_started());
        }
        out.push_back(last);
    }
    EXPECT_TRUE(t.idle());
    return out;
}

/// The same fixture, whole, byte by byte and in random splits: the replies must agree.
std::vector<Reply> run_all(const std::string& name, uint64_t caps)
{
    std::vector<Reply> whole = run(name, caps, Split::WHOLE);
    std::vector<Reply> bytes = run(name, caps, Split::BYTES);
    EXPECT_EQ(whole.size(), bytes.size());
    for (unsigned seed = 1; seed <= 20; ++seed)
    {
        std::vector<Reply> random = run(name, caps, Split::RANDOM, seed);
        EXPECT_EQ(whole.size(), random.size());
        for (size_t i = 0; i < std::min(whole.size(), random.size()); ++i)
        {
            EXPECT_EQ(whole[i].rows, random[i].rows);
            EXPECT_EQ(whole[i].server_status, random[i].server_status);
            EXPECT_EQ(whole[i].error_code, random[i].error_code);
            EXPECT_EQ(whole[i].affected_rows, random[i].affected_rows);
        }
    }
    for (size_t i = 0; i < std::min(whole.size(), bytes.size()); ++i)
    {
        EXPECT_EQ(whole[i].command, bytes[i].command);
        EXPECT_EQ(whole[i].rows, bytes[i].rows);
        EXPECT_EQ(whole[i].is_error, bytes[i].is_error);
        EXPECT_EQ(whole[i].error_message, bytes[i].error_message);
        EXPECT_EQ(whole[i].is_resultset, bytes[i].is_resultset);
        EXPECT_EQ(whole[i].server_status, bytes[i].server_status);
        EXPECT_EQ(whole[i].warnings, bytes[i].warnings);
        EXPECT_EQ(whole[i].affected_rows, bytes[i].affected_rows);
    }
    return whole;
}

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
