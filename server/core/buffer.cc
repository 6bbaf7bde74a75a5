#include "sqlgate/buffer.hh"

#include <algorithm>
#include <cstdlib>
#include <new>

namespace sqlgate
{
namespace
{
// Per-thread free list of default-size blocks and allocation counters.
struct ThisThread
{
    Block* free_list = nullptr;
    int free_count = 0;
    int64_t live_blocks = 0;
    int64_t live_bytes = 0;

    ~ThisThread()
    {
        while (free_list)
        {
            Block* next = *reinterpret_cast<Block**>(free_list->data());
            std::free(free_list);
            free_list = next;
        }
    }
};
thread_local ThisThread this_thread;
constexpr int MAX_FREE = 256;  // 4 MiB of idle blocks per worker at most
}  // namespace

Block* Block::create(size_t size)
{
    Block* b = nullptr;
    if (size <= DEFAULT_SIZE && this_thread.free_list)
    {
        b = this_thread.free_list;
        this_thread.free_list = *reinterpret_cast<Block**>(b->data());
        --this_thread.free_count;
        size = DEFAULT_SIZE;
    }
    else
    {
        size = std::max<size_t>(size, DEFAULT_SIZE);
        void* mem = std::malloc(sizeof(Block) + size);
        if (!mem)
        {
            throw std::bad_alloc();
        }
        b = static_cast<Block*>(mem);
    }
    b->refs = 1;
    b->capacity = static_cast<uint32_t>(size);
    b->used = 0;
    b->pad = 0;
    ++this_thread.live_blocks;
    this_thread.live_bytes += size;
    return b;
}

void Block::destroy(Block* b)
{
    --this_thread.live_blocks;
    this_thread.live_bytes -= b->capacity;
    if (b->capacity == DEFAULT_SIZE && this_thread.free_count < MAX_FREE)
    {
        *reinterpret_cast<Block**>(b->data()) = this_thread.free_list;
        this_thread.free_list = b;
        ++this_thread.free_count;
    }
    else
    {
        std::free(b);
    }
}

int64_t Block::live_blocks()
{
    return this_thread.live_blocks;
}
int64_t Block::live_bytes()
{
    return this_thread.live_bytes;
}

Buffer Buffer::copy_of(const void* data, size_t len)
{
    Buffer b;
    b.append_copy(data, len);
    return b;
}

void Buffer::push(const Slice& s)
{
    if (m_count == m_capacity)
    {
        uint32_t cap = m_capacity * 2;
        Slice* mem = static_cast<Slice*>(std::malloc(sizeof(Slice) * cap));
        if (!mem)
        {
            throw std::bad_alloc();
        }
        std::copy(slices(), slices() + m_count, mem);
        std::free(m_heap);
        m_heap = mem;
        m_capacity = cap;
    }
    slices()[m_count++] = s;
    m_size += s.length;
}

void Buffer::append(Block* block, uint32_t offset, uint32_t length)
{
    if (length == 0)
    {
        return;
    }
    // Extend the last slice when the new bytes follow it in the same block.
    if (m_count > 0)
    {
        Slice& last = slices()[m_count - 1];
        if (last.block == block && last.offset + last.length == offset)
        {
            last.length += length;
            m_size += length;
            return;
        }
    }
    block->ref();
    push(Slice{block, offset, length});
}

void Buffer::append(Buffer&& other)
{
    if (m_count == 0)
    {
        *this = std::move(other);
        return;
    }
    for (uint32_t i = 0; i < other.m_count; ++i)
    {
        const Slice& s = other.slices()[i];
        Slice& last = slices()[m_count - 1];
        if (last.block == s.block && last.offset + last.length == s.offset)
        {
            last.length += s.length;
            m_size += s.length;
            s.block->unref();  // the merged slice keeps the reference we hold
        }
        else
        {
            push(s);  // the reference moves over
        }
    }
    std::free(other.m_heap);
    other.m_heap = nullptr;
    other.m_count = 0;
    other.m_capacity = INLINE;
    other.m_size = 0;
}

void Buffer::append_copy(const void* data, size_t len)
{
    const auto* p = static_cast<const unsigned char*>(data);
    while (len > 0)
    {
        // Fill the tail of the last block when we are its only user.
        if (m_count > 0)
        {
            Slice& last = slices()[m_count - 1];
            Block* b = last.block;
            if (b->refs == 1 && last.offset + last.length == b->used && b->used < b->capacity)
            {
                size_t n = std::min<size_t>(len, b->capacity - b->used);
                std::memcpy(b->data() + b->used, p, n);
                b->used += n;
                last.length += n;
                m_size += n;
                p += n;
                len -= n;
                continue;
            }
        }
        Block* b = Block::create(len);
        size_t n = std::min<size_t>(len, b->capacity);
        std::memcpy(b->data(), p, n);
        b->used = n;
        push(Slice{b, 0, static_cast<uint32_t>(n)});  // takes the creation reference
        p += n;
        len -= n;
    }
}

Buffer Buffer::split(size_t n)
{
    Buffer head;
    if (n >= m_size)
    {
        head = std::move(*this);
        return head;
    }
    Slice* s = slices();
    uint32_t i = 0;
    while (n > 0)
    {
        if (s[i].length <= n)
        {
            head.push(s[i]);  // reference moves
            n -= s[i].length;
            ++i;
        }
        else
        {
            s[i].block->ref();
            head.push(Slice{s[i].block, s[i].offset, static_cast<uint32_t>(n)});
            s[i].offset += n;
            s[i].length -= n;
            n = 0;
        }
    }
    std::copy(s + i, s + m_count, s);
    m_count -= i;
    m_size -= head.m_size;
    return head;
}

void Buffer::consume(size_t n)
{
    n = std::min(n, m_size);
    Slice* s = slices();
    uint32_t i = 0;
    size_t left = n;
    while (left > 0)
    {
        if (s[i].length <= left)
        {
            left -= s[i].length;
            s[i].block->unref();
            ++i;
        }
        else
        {
            s[i].offset += left;
            s[i].length -= left;
            left = 0;
        }
    }
    std::copy(s + i, s + m_count, s);
    m_count -= i;
    m_size -= n;
}

size_t Buffer::copy_out_slow(size_t offset, void* out, size_t n) const
{
    auto* dst = static_cast<unsigned char*>(out);
    size_t copied = 0;
    const Slice* s = slices();
    for (uint32_t i = 0; i < m_count && copied < n; ++i)
    {
        if (offset >= s[i].length)
        {
            offset -= s[i].length;
            continue;
        }
        size_t k = std::min<size_t>(s[i].length - offset, n - copied);
        std::memcpy(dst + copied, s[i].data() + offset, k);
        copied += k;
        offset = 0;
    }
    return copied;
}

unsigned char Buffer::at_slow(size_t offset) const
{
    const Slice* s = slices();
    for (uint32_t i = 0; i < m_count; ++i)
    {
        if (offset < s[i].length)
        {
            return s[i].data()[offset];
        }
        offset -= s[i].length;
    }
    return 0;
}

Buffer Buffer::shallow_clone() const
{
    Buffer b;
    for (uint32_t i = 0; i < m_count; ++i)
    {
        const Slice& s = slices()[i];
        s.block->ref();
        b.push(s);
    }
    return b;
}

std::string Buffer::to_string() const
{
    std::string out(m_size, '\0');
    copy_out(0, out.data(), m_size);
    return out;
}

unsigned char* Buffer::make_contiguous()
{
    if (m_count == 1 && slices()[0].block->refs == 1)
    {
        Slice& s = slices()[0];
        return s.block->data() + s.offset;
    }
    if (m_count == 0)
    {
        return nullptr;
    }
    Block* b = Block::create(m_size);
    copy_out(0, b->data(), m_size);
    b->used = m_size;
    size_t size = m_size;
    reset();
    push(Slice{b, 0, static_cast<uint32_t>(size)});
    return b->data();
}

void Buffer::reset()
{
    Slice* s = slices();
    for (uint32_t i = 0; i < m_count; ++i)
    {
        s[i].block->unref();
    }
    std::free(m_heap);
    m_heap = nullptr;
    m_count = 0;
    m_capacity = INLINE;
    m_size = 0;
}

}  // namespace sqlgate
