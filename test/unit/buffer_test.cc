// server/core/buffer.cc: slices, splitting, sharing and block accounting.
#include "sqlgate/buffer.hh"

#include <gtest/gtest.h>

#include <string>

using sqlgate::Block;
using sqlgate::Buffer;

namespace
{
// A buffer made of several blocks, each holding one of @c parts.
Buffer from_parts(std::initializer_list<std::string> parts)
{
    Buffer out;
    for (const auto& p : parts)
    {
        Block* b = Block::create();
        memcpy(b->data(), p.data(), p.size());
        b->used = p.size();
        out.append(b, 0, p.size());
        b->unref();  // the buffer holds its own reference
    }
    return out;
}

TEST(Buffer, AppendAndReadAcrossSlices)
{
    Buffer b = from_parts({"hello ", "big ", "world"});
    EXPECT_EQ(b.size(), 15u);
    EXPECT_EQ(b.slice_count(), 3u);
    EXPECT_EQ(b.to_string(), "hello big world");
    EXPECT_EQ(b.at(6), 'b');
    EXPECT_EQ(b.at(14), 'd');
    char out[8] = {};
    EXPECT_EQ(b.copy_out(4, out, 6), 6u);
    EXPECT_EQ(std::string(out, 6), "o big ");
    EXPECT_EQ(b.copy_out(13, out, 8), 2u);  // short at the end
}

TEST(Buffer, SplitInsideAndAtSliceBoundaries)
{
    Buffer b = from_parts({"abc", "defg", "hi"});
    Buffer head = b.split(5);  // inside the second slice
    EXPECT_EQ(head.to_string(), "abcde");
    EXPECT_EQ(b.to_string(), "fghi");
    Buffer mid = b.split(2);  // exactly at a boundary
    EXPECT_EQ(mid.to_string(), "fg");
    EXPECT_EQ(b.to_string(), "hi");
    Buffer all = b.split(100);
    EXPECT_EQ(all.to_string(), "hi");
    EXPECT_TRUE(b.empty());
}

TEST(Buffer, ConsumeAndContiguousAppendMerge)
{
    Block* blk = Block::create();
    memcpy(blk->data(), "0123456789", 10);
    blk->used = 10;
    Buffer b;
    b.append(blk, 0, 4);
    b.append(blk, 4, 6);  // follows in the same block: merged, no new slice
    EXPECT_EQ(b.slice_count(), 1u);
    b.consume(3);
    EXPECT_EQ(b.to_string(), "3456789");
    blk->unref();
}

TEST(Buffer, MoveAppendKeepsBytesWithoutCopy)
{
    Buffer a = from_parts({"one"});
    Buffer b = from_parts({"two", "three"});
    const unsigned char* two = b.slice(0).data();
    a.append(std::move(b));
    EXPECT_TRUE(b.empty());
    EXPECT_EQ(a.to_string(), "onetwothree");
    EXPECT_EQ(a.slice(1).data(), two);  // the same memory
}

TEST(Buffer, ShallowCloneSharesBlocks)
{
    Buffer a = from_parts({"shared"});
    Buffer c = a.shallow_clone();
    EXPECT_EQ(c.slice(0).data(), a.slice(0).data());
    EXPECT_EQ(a.slice(0).block->refs, 2u);
    // make_contiguous on a shared block copies: the original stays intact.
    c.make_contiguous()[0] = 'S';
    EXPECT_EQ(a.to_string(), "shared");
    EXPECT_EQ(c.to_string(), "Shared");
}

TEST(Buffer, CopyOfLargeDataSpansBlocksAndIsFreed)
{
    int64_t before = Block::live_blocks();
    {
        std::string big(100000, 'x');
        big[99999] = 'y';
        Buffer b = Buffer::copy_of(big);
        EXPECT_EQ(b.size(), big.size());
        EXPECT_EQ(b.at(99999), 'y');
        Buffer c = std::move(b);
        EXPECT_EQ(c.to_string(), big);
    }
    EXPECT_EQ(Block::live_blocks(), before);
}

TEST(Buffer, ManySlicesGrowToHeapAndBack)
{
    int64_t before = Block::live_blocks();
    {
        Buffer b;
        std::string expect;
        for (int i = 0; i < 50; ++i)
        {
            Buffer part = from_parts({std::to_string(i)});
            expect += std::to_string(i);
            b.append(std::move(part));
        }
        EXPECT_EQ(b.slice_count(), 50u);
        EXPECT_EQ(b.to_string(), expect);
        b.consume(b.size());
        EXPECT_TRUE(b.empty());
    }
    EXPECT_EQ(Block::live_blocks(), before);
}

TEST(Buffer, AppendCopyFillsOwnTailOnly)
{
    Buffer b;
    b.append_copy("abc", 3);
    b.append_copy("def", 3);
    EXPECT_EQ(b.slice_count(), 1u);  // filled the same uniquely owned block
    Buffer shared = b.shallow_clone();
    b.append_copy("g", 1);  // the block is shared now: a new block
    EXPECT_EQ(b.slice_count(), 2u);
    EXPECT_EQ(shared.to_string(), "abcdef");
    EXPECT_EQ(b.to_string(), "abcdefg");
}

}  // namespace
