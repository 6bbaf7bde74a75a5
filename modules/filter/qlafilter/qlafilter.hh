/**
 * qlafilter: the Query Log All filter. Writes one CSV-style line per SQL
 * statement (COM_QUERY, COM_STMT_PREPARE) to a per-session file, a unified
 * file shared by all sessions and/or stdout.
 *
 * A statement is noted when it goes down the chain (route_query) and its line
 * is written when the last piece of its reply comes back up (client_reply),
 * so that reply time, row count, reply size, warnings and errors are known.
 *
 * Threads: a QlaFilter is built on the main thread and then shared by every
 * routing worker. Its settings and compiled patterns are immutable; the
 * unified file and stdout are written under m_lock. QlaSession objects
 * belong to their session's worker.
 */
#pragma once

#include "sqlgate/modulecmd.hh"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "sqlgate/config.hh"
#include "sqlgate/regex.hh"
#include "sqlgate/routing.hh"

namespace sqlgate
{
class Session;
}

namespace sqlgate::qlafilter
{

/// log_data fields, in output order.
enum LogData : uint32_t
{
    LOG_SERVICE = 1u << 0,
    LOG_SESSION = 1u << 1,
    LOG_DATE = 1u << 2,
    LOG_USER = 1u << 3,
    LOG_REPLY_TIME = 1u << 4,
    LOG_TOTAL_REPLY_TIME = 1u << 5,
    LOG_QUERY = 1u << 6,
    LOG_DEFAULT_DB = 1u << 7,
    LOG_NUM_ROWS = 1u << 8,
    LOG_REPLY_SIZE = 1u << 9,
    LOG_TRANSACTION = 1u << 10,
    LOG_TRANSACTION_TIME = 1u << 11,
    LOG_NUM_WARNINGS = 1u << 12,
    LOG_ERROR_MSG = 1u << 13,
    LOG_SERVER = 1u << 14,
};

struct Settings
{
    std::string filebase;
    std::string user;
    std::string source;
    bool session_file = true;
    bool unified_file = false;
    bool stdout_log = false;
    uint32_t data = LOG_DATE | LOG_USER | LOG_QUERY;
    bool flush = false;
    bool append = true;
    std::string separator = ",";
    std::string newline_replacement = " ";
    bool microseconds = false;  ///< duration_unit
    bool canonical = false;     ///< use_canonical_form
};

/// Everything one log line needs (filled at route time, completed at reply time).
struct Event
{
    std::string sql;
    time_t date = 0;
    std::chrono::steady_clock::time_point begin;
    std::chrono::steady_clock::duration reply_time{0};  ///< until the first reply byte
    std::chrono::steady_clock::duration total_time{0};  ///< until the reply ended
    bool replied = false;                               ///< the first piece arrived
    const char* transaction = "";                       ///< BEGIN, COMMIT, ROLLBACK or ""
    std::optional<std::chrono::steady_clock::duration> transaction_time;  ///< COMMIT/ROLLBACK
    const Reply* reply = nullptr;  ///< null: logged without a reply
};

class QlaFilter : public Filter
{
public:
    /// Builds the filter from its configuration; nullptr and @c error on failure.
    static std::unique_ptr<QlaFilter> create(const ObjectConfig& config, std::string& error);
    ~QlaFilter() override;

    std::unique_ptr<FilterSession> new_session(Session& session) override;

    const Settings& settings() const { return m_settings; }
    /// True if @c session passes the user and source limits.
    bool session_matches(const Session& session) const;
    /// True if @c sql passes match and exclude. @c md comes from new_match_data().
    bool statement_matches(std::string_view sql, pcre2_match_data* md) const;
    /// Match data for one session (the caller frees it with pcre2_match_data_free).
    pcre2_match_data* new_match_data() const;

    /// The header line for a session file (no session field) or the unified file.
    std::string header(bool session_file) const;
    /// One log line, newline included.
    std::string format(const Event& ev, const Session& session, bool session_file) const;

    /// Open @c path as the settings say and write the header if the file is new or empty.
    FILE* open_log(const std::string& path, bool session_file) const;
    /// Write a line to the unified file and/or stdout (thread-safe).
    void write_shared(const std::string& line);
    /// Report a failed write once per filter.
    void write_failed(const std::string& path, int err) const;
    /// Lines [start, end) of the unified file (line 0 is the header), for the
    /// `log` command; false with @c error when there is no unified file.
    bool read_unified(size_t start, size_t end, std::vector<std::string>& lines,
                      std::string& error);

private:
    QlaFilter() = default;

    Settings m_settings;
    RegexPtr m_match;
    RegexPtr m_exclude;
    std::string m_unified_path;
    FILE* m_unified = nullptr;  ///< guarded by m_lock
    std::mutex m_lock;
    mutable std::atomic<bool> m_warned{false};
};

/// Canonical form of a statement: literals replaced by '?', comments dropped,
/// whitespace runs collapsed to one space.
std::string canonical(std::string_view sql);

const Specification& spec();

/// The module's commands (qlacommand.cc).
const std::vector<ModuleCommand>& commands();

}  // namespace sqlgate::qlafilter
