/**
 * The qlafilter session: notes each statement on its way down and writes its
 * log line when the reply to it has been passed up.
 *
 * Threads: owned by its session's routing worker; never shared. The session
 * file belongs to this object alone and is closed when the session ends.
 */
#pragma once

#include <cstdio>
#include <deque>
#include <string>

#include "qlafilter.hh"
#include "sqlgate/routing.hh"

namespace sqlgate::qlafilter
{

class QlaSession : public FilterSession
{
public:
    QlaSession(QlaFilter& filter, Session& session);
    ~QlaSession() override;

    bool route_query(Buffer&& packet) override;
    bool client_reply(Buffer&& data, const Reply& reply) override;

    /// Statements waiting for their reply (for tests).
    size_t pending() const { return m_pending.size(); }

    /// Limits on what waits for replies: beyond them a statement is logged
    /// at once, without reply data.
    static constexpr size_t MAX_PENDING = 1024;
    static constexpr size_t MAX_PENDING_BYTES = 1024 * 1024;

private:
    /// One command awaiting a reply. Commands that are not logged are kept
    /// as a count (skip) in front of the next logged one, so that pipelined
    /// commands cost no memory each.
    struct Pending
    {
        size_t skip = 0;      ///< replies to pass before this entry's own
        bool logged = false;  ///< false: only a skip count
        Event event;
        bool trx_end = false;  ///< COMMIT/ROLLBACK of a transaction this session saw begin
        std::chrono::steady_clock::time_point trx_start;
    };

    void push_skip();
    void note(std::string&& sql);
    void write(const Event& ev);
    const char* transaction_of(std::string_view sql) const;

    QlaFilter& m_filter;
    Session& m_session;
    bool m_active;
    pcre2_match_data* m_md = nullptr;
    FILE* m_file = nullptr;
    std::string m_path;
    std::deque<Pending> m_pending;
    size_t m_pending_bytes = 0;
    bool m_load_data = false;  ///< the client is sending LOAD DATA LOCAL contents
    bool m_in_trx = false;
    std::chrono::steady_clock::time_point m_trx_start;
};

}  // namespace sqlgate::qlafilter
