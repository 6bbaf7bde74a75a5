/**
 * Results of deferred and async requests, kept until they were read
 * max-result-reads times or result-ttl passed. A result's text (the JSON
 * array the result handle returns) is kept in memory while the listener's
 * budget (result_memory_limit, shared by its workers) allows, and written to
 * a file under <datadir>/queryservice/<listener>/ beyond that.
 *
 * Threads: a StoredResult belongs to the worker that ran the request (its
 * handle names that worker); only the budget counter is shared (atomic).
 */
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

namespace sqlgate::queryservice
{

class StoredResult
{
public:
    /// @c budget is the listener's shared byte counter, @c limit its maximum;
    /// @c spill_path the file used when the budget is exhausted.
    StoredResult(std::atomic<int64_t>& budget, int64_t limit, std::string spill_path);
    ~StoredResult();
    StoredResult(const StoredResult&) = delete;
    StoredResult& operator=(const StoredResult&) = delete;

    /// Append result text; false (with @c error) if the spill file fails.
    bool append(std::string_view text, std::string& error);
    /// Bytes stored.
    int64_t size() const { return m_size; }
    bool spilled() const { return m_fd >= 0; }
    /// Read up to @c max bytes at @c offset (memory or file).
    std::string read(int64_t offset, size_t max) const;

private:
    std::atomic<int64_t>& m_budget;
    int64_t m_limit;
    std::string m_path;
    std::string m_memory;
    int64_t m_charged = 0;  ///< bytes counted against the budget
    int64_t m_size = 0;
    int m_fd = -1;
};

}  // namespace sqlgate::queryservice
