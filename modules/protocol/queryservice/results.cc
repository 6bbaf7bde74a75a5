#include "results.hh"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sqlgate::queryservice
{

StoredResult::StoredResult(std::atomic<int64_t>& budget, int64_t limit, std::string spill_path)
    : m_budget(budget), m_limit(limit), m_path(std::move(spill_path))
{
}

StoredResult::~StoredResult()
{
    m_budget.fetch_sub(m_charged, std::memory_order_relaxed);
    if (m_fd >= 0)
    {
        ::close(m_fd);
        unlink(m_path.c_str());
    }
}

bool StoredResult::append(std::string_view text, std::string& error)
{
    if (m_fd < 0)
    {
        int64_t n = static_cast<int64_t>(text.size());
        if (m_budget.fetch_add(n, std::memory_order_relaxed) + n <= m_limit)
        {
            m_charged += n;
            m_memory.append(text);
            m_size += n;
            return true;
        }
        m_budget.fetch_sub(n, std::memory_order_relaxed);
        // Over the listener's budget: move this result to its file.
        m_fd = ::open(m_path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (m_fd < 0)
        {
            error = "cannot create " + m_path + ": " + strerror(errno);
            return false;
        }
        std::string pending = std::move(m_memory);
        m_memory.clear();
        m_memory.shrink_to_fit();
        m_budget.fetch_sub(m_charged, std::memory_order_relaxed);
        m_charged = 0;
        m_size = 0;
        if (!append(pending, error))
        {
            return false;
        }
    }
    size_t done = 0;
    while (done < text.size())
    {
        ssize_t w = ::pwrite(m_fd, text.data() + done, text.size() - done, m_size);
        if (w < 0 && errno == EINTR)
        {
            continue;
        }
        if (w <= 0)
        {
            error = "cannot write " + m_path + ": " + strerror(errno);
            return false;
        }
        done += static_cast<size_t>(w);
        m_size += w;
    }
    return true;
}

std::string StoredResult::read(int64_t offset, size_t max) const
{
    if (offset >= m_size)
    {
        return {};
    }
    size_t n = static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(max), m_size - offset));
    if (m_fd < 0)
    {
        return m_memory.substr(static_cast<size_t>(offset), n);
    }
    std::string out(n, '\0');
    ssize_t r = ::pread(m_fd, out.data(), n, offset);
    out.resize(r > 0 ? static_cast<size_t>(r) : 0);
    return out;
}

}  // namespace sqlgate::queryservice
