/**
 * regexfilter: rewrites the SQL text of COM_QUERY and COM_STMT_PREPARE
 * commands with a PCRE2 pattern and a replacement string (every match is
 * replaced; $1, ${name} refer to capture groups). Everything else passes
 * through untouched.
 *
 * Threads: a RegexFilter is built on the main thread and shared read-only by
 * every routing worker: the compiled pattern is immutable and the optional
 * log file is written under m_lock. A RegexSession belongs to its session's
 * worker and has its own pcre2_match_data.
 */
#pragma once

#include <atomic>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "sqlgate/config.hh"
#include "sqlgate/regex.hh"
#include "sqlgate/routing.hh"

namespace sqlgate
{
class Session;
}

namespace sqlgate::regexfilter
{

class RegexFilter : public Filter
{
public:
    static std::unique_ptr<RegexFilter> create(const ObjectConfig& config, std::string& error);
    ~RegexFilter() override;

    std::unique_ptr<FilterSession> new_session(Session& session) override;

    /// True if the user and source limits let @c session be rewritten.
    bool session_matches(const Session& session) const;
    pcre2_match_data* new_match_data() const;
    /**
     * Replace every match of the pattern in @c sql. Returns 1 and sets @c out
     * if something matched, 0 if nothing did, -1 on a substitution error
     * (reported to the log once).
     */
    int rewrite(std::string_view sql, pcre2_match_data* md, std::string& out) const;

    void log_match(std::string_view before, std::string_view after);
    void log_nomatch(std::string_view sql);

    uint64_t replaced() const { return m_replaced.load(std::memory_order_relaxed); }
    uint64_t unchanged() const { return m_unchanged.load(std::memory_order_relaxed); }

private:
    RegexFilter() = default;

    std::string m_pattern;
    std::string m_replace;
    std::string m_user;
    std::string m_source;
    bool m_trace = false;
    RegexPtr m_code;
    std::string m_log_path;
    FILE* m_log = nullptr;  ///< guarded by m_lock
    std::mutex m_lock;
    std::atomic<uint64_t> m_replaced{0};
    std::atomic<uint64_t> m_unchanged{0};
    mutable std::atomic<bool> m_warned{false};
};

/// Owned by one session's worker.
class RegexSession : public FilterSession
{
public:
    RegexSession(RegexFilter& filter, Session& session);
    ~RegexSession() override;
    bool route_query(Buffer&& packet) override;

private:
    RegexFilter& m_filter;
    bool m_active;
    pcre2_match_data* m_md = nullptr;
    std::string m_out;  ///< reused between statements
};

const Specification& spec();

}  // namespace sqlgate::regexfilter
