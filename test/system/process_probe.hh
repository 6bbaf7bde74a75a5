// What the system tests look at besides sqlgate's answers: a process's memory,
// and the queries running on the cluster's primary.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

#include "harness.hh"

namespace sqlgate::test
{

/// VmRSS of @c pid in KiB (-1 if it cannot be read). Every caller checks it: a test that
/// measures memory fails when it cannot read it (ASSERT_GT(rss_kib(pid), 0) or
/// ASSERT_TRUE(rss_ok(v, pid))).
int64_t rss_kib(pid_t pid);

/// An assertion that @c kib is a VmRSS that was read (not -1, not 0).
::testing::AssertionResult rss_ok(int64_t kib, pid_t pid);

/// Samples the RSS of a process every 20 ms on its own thread until destroyed; the first
/// sample is taken by the constructor. A sample that cannot be read (the process is gone, /proc is
/// not readable) is counted in failures(), so that ok() is false.
class RssSampler
{
public:
    explicit RssSampler(pid_t pid);
    ~RssSampler();
    int64_t max_kib() const { return m_max.load(); }
    int64_t samples() const { return m_samples.load(); }
    int64_t failures() const { return m_failures.load(); }
    /// At least one sample, and every sample read: ASSERT_TRUE(sampler.ok()).
    ::testing::AssertionResult ok() const;

private:
    void sample();

    pid_t m_pid;
    std::atomic<bool> m_stop{false};
    std::atomic<int64_t> m_max{0};
    std::atomic<int64_t> m_samples{0};
    std::atomic<int64_t> m_failures{0};
    std::thread m_thread;
};

/// root on the shared cluster's primary, straight (not through sqlgate).
MysqlPtr primary_root();
/// Queries running on the primary whose text is LIKE @c like (other than the asking one).
int backend_queries(MYSQL* root, const std::string& like);

}  // namespace sqlgate::test
