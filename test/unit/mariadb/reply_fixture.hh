// Helpers of the ReplyTracker fixture tests: load a capture (see
// test/unit/fixtures/mariadb/capture/README.md), feed it to a tracker whole, one byte at a
// time or in random splits, and check that every reply ends exactly where the server's did.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "sqlgate/mariadb.hh"

namespace sqlgate::mariadb::test
{
struct Record
{
    char tag;  // C command, N no-reply packet, S whole reply, P first part of a reply
    std::string data;
};

inline std::vector<Record> load(const std::string& name)
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
inline std::vector<Piece> feed(ReplyTracker& t, const std::string& bytes, Split split,
                               std::mt19937& rng)
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
inline std::vector<Reply> run(const std::string& name, uint64_t caps, Split split,
                              unsigned seed = 1)
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
inline std::vector<Reply> run_all(const std::string& name, uint64_t caps)
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

}  // namespace sqlgate::mariadb::test
