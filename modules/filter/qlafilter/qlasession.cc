#define SQLGATE_MODULE_NAME "qlafilter"
#include "qlasession.hh"

#include <strings.h>
#include <cerrno>

#include "sqlgate/mariadb.hh"
#include "sqlgate/session.hh"

namespace sqlgate::qlafilter
{

namespace
{

using Clock = std::chrono::steady_clock;

/// True if @c sql starts with @c word (case-insensitive) followed by a non-word character.
bool starts_with_word(std::string_view sql, std::string_view word)
{
    if (sql.size() < word.size() || strncasecmp(sql.data(), word.data(), word.size()) != 0)
    {
        return false;
    }
    if (sql.size() == word.size())
    {
        return true;
    }
    unsigned char c = sql[word.size()];
    return !(isalnum(c) || c == '_');
}

/// Commands the server does not answer.
bool has_reply(uint8_t cmd)
{
    using namespace mariadb;
    return cmd != COM_QUIT && cmd != COM_STMT_CLOSE && cmd != COM_STMT_SEND_LONG_DATA;
}

}  // namespace

QlaSession::QlaSession(QlaFilter& filter, Session& session)
    : m_filter(filter), m_session(session), m_active(filter.session_matches(session))
{
    if (!m_active)
    {
        return;
    }
    m_md = filter.new_match_data();
    if (filter.settings().session_file)
    {
        m_path = filter.settings().filebase + "." + std::to_string(session.id());
        m_file = filter.open_log(m_path, true);
        if (!m_file)
        {
            filter.write_failed(m_path, errno);
        }
    }
}

QlaSession::~QlaSession()
{
    if (m_file)
    {
        fclose(m_file);
    }
    pcre2_match_data_free(m_md);
}

const char* QlaSession::transaction_of(std::string_view sql) const
{
    size_t i = 0;
    while (i < sql.size() && isspace(static_cast<unsigned char>(sql[i])))
    {
        ++i;
    }
    sql.remove_prefix(i);
    if (starts_with_word(sql, "BEGIN") || starts_with_word(sql, "START TRANSACTION"))
    {
        return "BEGIN";
    }
    if (starts_with_word(sql, "COMMIT"))
    {
        return "COMMIT";
    }
    if (starts_with_word(sql, "ROLLBACK") && sql.find_first_of("Tt", 8) == std::string_view::npos)
    {
        // ROLLBACK, but not ROLLBACK TO SAVEPOINT.
        return "ROLLBACK";
    }
    return "";
}

void QlaSession::push_skip()
{
    if (!m_pending.empty() && !m_pending.back().logged)
    {
        ++m_pending.back().skip;
    }
    else
    {
        Pending p;
        p.skip = 1;
        m_pending.push_back(std::move(p));
    }
}

void QlaSession::note(std::string&& sql)
{
    Event ev;
    ev.date = time(nullptr);
    ev.begin = Clock::now();
    ev.transaction = transaction_of(sql);
    bool trx_end = false;
    Clock::time_point trx_start;
    if (ev.transaction[0] == 'B')
    {
        m_in_trx = true;
        m_trx_start = ev.begin;
    }
    else if (ev.transaction[0] != '\0')
    {
        trx_end = m_in_trx;
        trx_start = m_trx_start;
        m_in_trx = false;
    }

    if (!m_filter.statement_matches(sql, m_md))
    {
        push_skip();
        return;
    }
    size_t logged = 0;
    for (const auto& p : m_pending)
    {
        logged += p.logged ? 1 : 0;
    }
    if (logged >= MAX_PENDING || m_pending_bytes + sql.size() > MAX_PENDING_BYTES)
    {
        // Too much is waiting for replies: log now, without reply data.
        ev.sql = std::move(sql);
        if (trx_end)
        {
            ev.transaction_time = ev.begin - trx_start;
        }
        write(ev);
        push_skip();
        return;
    }
    m_pending_bytes += sql.size();
    ev.sql = std::move(sql);
    if (m_pending.empty() || m_pending.back().logged)
    {
        m_pending.emplace_back();
    }
    Pending& p = m_pending.back();
    p.logged = true;
    p.event = std::move(ev);
    p.trx_end = trx_end;
    p.trx_start = trx_start;
}

bool QlaSession::route_query(Buffer&& packet)
{
    if (m_active && !m_load_data)
    {
        uint8_t cmd = mariadb::command_of(packet);
        if (cmd == mariadb::COM_QUERY || cmd == mariadb::COM_STMT_PREPARE)
        {
            note(mariadb::get_sql(packet));
        }
        else if (has_reply(cmd))
        {
            push_skip();
        }
    }
    return m_down->route_query(std::move(packet));
}

bool QlaSession::client_reply(Buffer&& data, const Reply& reply)
{
    if (m_active && !m_pending.empty())
    {
        Pending& front = m_pending.front();
        if (front.skip == 0 && front.logged && !front.event.replied)
        {
            front.event.replied = true;
            front.event.reply_time = Clock::now() - front.event.begin;
        }
        if (reply.local_infile && !reply.complete)
        {
            m_load_data = true;
        }
        if (reply.complete)
        {
            m_load_data = false;
            if (front.skip > 0)
            {
                if (--front.skip == 0 && !front.logged)
                {
                    m_pending.pop_front();
                }
            }
            else
            {
                Event& ev = front.event;
                Clock::time_point end = Clock::now();
                ev.total_time = end - ev.begin;
                if (front.trx_end)
                {
                    ev.transaction_time = end - front.trx_start;
                }
                ev.reply = &reply;
                write(ev);
                m_pending_bytes -= ev.sql.size();
                m_pending.pop_front();
            }
        }
    }
    return m_up->client_reply(std::move(data), reply);
}

void QlaSession::write(const Event& ev)
{
    const Settings& s = m_filter.settings();
    if (m_file)
    {
        std::string line = m_filter.format(ev, m_session, true);
        if (fwrite(line.data(), 1, line.size(), m_file) != line.size() ||
            (s.flush && fflush(m_file) != 0))
        {
            m_filter.write_failed(m_path, errno);
        }
    }
    if (s.unified_file || s.stdout_log)
    {
        m_filter.write_shared(m_filter.format(ev, m_session, false));
    }
}

}  // namespace sqlgate::qlafilter
