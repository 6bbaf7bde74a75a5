/**
 * Zero-copy byte buffers.
 *
 * A Block is a reference-counted chunk of memory. A Buffer is a move-only list
 * of slices, each a (block, offset, length) view. Bytes read from a socket land
 * in a block and are forwarded to another socket by moving the Buffer: no byte
 * is copied on the way.
 *
 * Threads: blocks and buffers belong to the routing worker that allocated them
 * and must never be handed to another thread. Reference counts are plain
 * integers for that reason, and freed default-size blocks go back to a
 * per-thread free list.
 */
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

namespace sqlgate
{

struct Block
{
    uint32_t refs;
    uint32_t capacity;
    uint32_t used;  ///< bytes handed out by the reader (tail allocation)
    uint32_t pad;
    unsigned char* data() { return reinterpret_cast<unsigned char*>(this + 1); }

    static constexpr uint32_t DEFAULT_SIZE = 16384 - 16;

    /// A block of at least @c size bytes (default-size ones come from the free list).
    static Block* create(size_t size = DEFAULT_SIZE);
    void ref() { ++refs; }
    void unref()
    {
        if (--refs == 0)
        {
            destroy(this);
        }
    }
    static void destroy(Block* b);
    /// Blocks currently allocated by this thread (for tests and memory stats).
    static int64_t live_blocks();
    static int64_t live_bytes();
};

struct Slice
{
    Block* block;
    uint32_t offset;
    uint32_t length;
    const unsigned char* data() const { return block->data() + offset; }
};

class Buffer
{
public:
    Buffer() = default;
    Buffer(const Buffer&) = delete;
    Buffer& operator=(const Buffer&) = delete;
    Buffer(Buffer&& o) noexcept { steal(o); }
    Buffer& operator=(Buffer&& o) noexcept
    {
        if (this != &o)
        {
            if (m_count || m_heap)
            {
                reset();
            }
            steal(o);
        }
        return *this;
    }
    ~Buffer()
    {
        if (m_count || m_heap)
        {
            reset();
        }
    }

    /// A buffer holding a copy of @c len bytes (for generated packets).
    static Buffer copy_of(const void* data, size_t len);
    static Buffer copy_of(std::string_view s) { return copy_of(s.data(), s.size()); }

    size_t size() const { return m_size; }
    bool empty() const { return m_size == 0; }
    size_t slice_count() const { return m_count; }
    const Slice& slice(size_t i) const { return slices()[i]; }

    /// Append a view of @c len bytes of @c block starting at @c offset (takes a reference).
    void append(Block* block, uint32_t offset, uint32_t length);
    /// Append all of @c other, leaving it empty.
    void append(Buffer&& other);
    /// Append a copy of raw bytes.
    void append_copy(const void* data, size_t len);

    /// Remove and return the first @c n bytes (n <= size()).
    Buffer split(size_t n);
    /// Drop the first @c n bytes.
    void consume(size_t n);
    /// Copy up to @c n bytes from @c offset into @c out; returns the count copied.
    size_t copy_out(size_t offset, void* out, size_t n) const
    {
        // Fast path: the range lies in the first slice (the usual case).
        if (m_count && offset + n <= slices()[0].length)
        {
            std::memcpy(out, slices()[0].data() + offset, n);
            return n;
        }
        return copy_out_slow(offset, out, n);
    }
    /// Byte at @c offset (offset < size()).
    unsigned char at(size_t offset) const
    {
        if (m_count && offset < slices()[0].length)
        {
            return slices()[0].data()[offset];
        }
        return at_slow(offset);
    }
    /// A new buffer sharing the same slices (no copy).
    Buffer shallow_clone() const;
    /// The whole contents as one contiguous string (copies; for non-hot paths).
    std::string to_string() const;
    /// Make the contents one contiguous, uniquely owned slice and return a pointer to it.
    unsigned char* make_contiguous();
    void reset();

private:
    static constexpr size_t INLINE = 4;
    Slice* slices() { return m_heap ? m_heap : m_inline; }
    const Slice* slices() const { return m_heap ? m_heap : m_inline; }
    void push(const Slice& s);
    void steal(Buffer& o)
    {
        m_heap = o.m_heap;
        if (!m_heap)
        {
            for (uint32_t i = 0; i < o.m_count; ++i)
            {
                m_inline[i] = o.m_inline[i];
            }
        }
        m_count = o.m_count;
        m_capacity = o.m_capacity;
        m_size = o.m_size;
        o.m_heap = nullptr;
        o.m_count = 0;
        o.m_capacity = INLINE;
        o.m_size = 0;
    }
    size_t copy_out_slow(size_t offset, void* out, size_t n) const;
    unsigned char at_slow(size_t offset) const;

    Slice m_inline[INLINE];
    Slice* m_heap = nullptr;
    uint32_t m_count = 0;
    uint32_t m_capacity = INLINE;
    size_t m_size = 0;
};

}  // namespace sqlgate
