#define SQLGATE_MODULE_NAME "regexfilter"
#include "regexfilter.hh"

#include <cctype>
#include <cerrno>
#include <cstring>

#include "sqlgate/log.hh"
#include "sqlgate/mariadb.hh"
#include "sqlgate/module.hh"
#include "sqlgate/regex.hh"
#include "sqlgate/session.hh"

namespace sqlgate::regexfilter
{

RegexFilter::~RegexFilter()
{
    if (m_log)
    {
        fclose(m_log);
    }
}

std::unique_ptr<RegexFilter> RegexFilter::create(const ObjectConfig& config, std::string& error)
{
    std::unique_ptr<RegexFilter> f(new RegexFilter());
    f->m_pattern = config.get_string("match");
    f->m_replace = config.get_string("replace");
    f->m_user = config.get_string("user");
    f->m_source = config.get_string("source");
    f->m_trace = config.get_bool("log_trace");

    uint32_t options = 0;
    const auto& opts = config.get_list("options");
    if (contains(opts, "ignorecase") && !contains(opts, "case"))
    {
        options |= PCRE2_CASELESS;
    }
    if (contains(opts, "extended"))
    {
        options |= PCRE2_EXTENDED;
    }
    std::string problem;
    f->m_code = compile_regex(f->m_pattern, options, problem);
    if (!f->m_code)
    {
        error = "parameter 'match': " + problem;
        return nullptr;
    }

    // A reference to a group the pattern does not have is a configuration
    // error (pcre2_substitute would only fail on the first matching query).
    uint32_t groups = 0;
    pcre2_pattern_info(f->m_code.get(), PCRE2_INFO_CAPTURECOUNT, &groups);
    const std::string& r = f->m_replace;
    for (size_t i = 0; i + 1 < r.size(); ++i)
    {
        if (r[i] != '$')
        {
            continue;
        }
        if (r[i + 1] == '$')
        {
            ++i;
            continue;
        }
        size_t j = i + 1 + (r[i + 1] == '{' ? 1 : 0);
        uint64_t n = 0;
        size_t digits = 0;
        while (j < r.size() && isdigit(static_cast<unsigned char>(r[j])) && digits < 6)
        {
            n = n * 10 + (r[j++] - '0');
            ++digits;
        }
        if (digits > 0 && n > groups)
        {
            error = "parameter 'replace': '" + r + "' refers to group " + std::to_string(n) +
                    " but the pattern has " + std::to_string(groups) + " capture group(s)";
            return nullptr;
        }
    }

    f->m_log_path = config.get_string("log_file");
    if (!f->m_log_path.empty())
    {
        f->m_log = fopen(f->m_log_path.c_str(), "a");
        if (!f->m_log)
        {
            error = "parameter 'log_file': cannot open '" + f->m_log_path + "': " + strerror(errno);
            return nullptr;
        }
        fputs("\nOpened regex filter log\n", f->m_log);
        fflush(f->m_log);
    }
    return f;
}

std::unique_ptr<FilterSession> RegexFilter::new_session(Session& session)
{
    return std::make_unique<RegexSession>(*this, session);
}

bool RegexFilter::session_matches(const Session& session) const
{
    return (m_user.empty() || session.user() == m_user) &&
           (m_source.empty() || session.remote() == m_source);
}

pcre2_match_data* RegexFilter::new_match_data() const
{
    return pcre2_match_data_create_from_pattern(m_code.get(), nullptr);
}

int RegexFilter::rewrite(std::string_view sql, pcre2_match_data* md, std::string& out) const
{
    const uint32_t opts =
        PCRE2_SUBSTITUTE_GLOBAL | PCRE2_SUBSTITUTE_OVERFLOW_LENGTH | PCRE2_SUBSTITUTE_UNSET_EMPTY;
    // Room for the statement plus some growth; retried once with the exact size.
    out.resize(sql.size() + m_replace.size() + 64);
    for (int attempt = 0; attempt < 2; ++attempt)
    {
        PCRE2_SIZE len = out.size();
        int rc =
            pcre2_substitute(m_code.get(), reinterpret_cast<PCRE2_SPTR>(sql.data()), sql.size(), 0,
                             opts, md, nullptr, reinterpret_cast<PCRE2_SPTR>(m_replace.data()),
                             m_replace.size(), reinterpret_cast<PCRE2_UCHAR*>(out.data()), &len);
        if (rc == PCRE2_ERROR_NOMEMORY)
        {
            out.resize(len);
            continue;
        }
        if (rc < 0)
        {
            if (!m_warned.exchange(true))
            {
                SG_ERROR(
                    "Substituting '%s' with '%s' failed: %s. Statements are passed unchanged; "
                    "further errors are not reported.",
                    m_pattern.c_str(), m_replace.c_str(), regex_error_message(rc).c_str());
            }
            return -1;
        }
        out.resize(len);
        return rc > 0 ? 1 : 0;
    }
    return -1;
}

void RegexFilter::log_match(std::string_view before, std::string_view after)
{
    m_replaced.fetch_add(1, std::memory_order_relaxed);
    if (m_log)
    {
        std::lock_guard<std::mutex> guard(m_lock);
        fprintf(m_log, "Matched %s: [%.*s] -> [%.*s]\n", m_pattern.c_str(), (int)before.size(),
                before.data(), (int)after.size(), after.data());
        fflush(m_log);
    }
    if (m_trace)
    {
        SG_INFO("Match %s: [%.*s] -> [%.*s]", m_pattern.c_str(), (int)before.size(), before.data(),
                (int)after.size(), after.data());
    }
}

void RegexFilter::log_nomatch(std::string_view sql)
{
    m_unchanged.fetch_add(1, std::memory_order_relaxed);
    if (m_log)
    {
        std::lock_guard<std::mutex> guard(m_lock);
        fprintf(m_log, "No match %s: [%.*s]\n", m_pattern.c_str(), (int)sql.size(), sql.data());
        fflush(m_log);
    }
    if (m_trace)
    {
        SG_INFO("No match %s: [%.*s]", m_pattern.c_str(), (int)sql.size(), sql.data());
    }
}

RegexSession::RegexSession(RegexFilter& filter, Session& session)
    : m_filter(filter), m_active(filter.session_matches(session))
{
    if (m_active)
    {
        m_md = filter.new_match_data();
    }
}

RegexSession::~RegexSession()
{
    pcre2_match_data_free(m_md);
}

bool RegexSession::route_query(Buffer&& packet)
{
    if (m_active)
    {
        uint8_t cmd = mariadb::command_of(packet);
        if (cmd == mariadb::COM_QUERY || cmd == mariadb::COM_STMT_PREPARE)
        {
            std::string sql = mariadb::get_sql(packet);
            int rc = m_filter.rewrite(sql, m_md, m_out);
            if (rc > 0)
            {
                m_filter.log_match(sql, m_out);
                packet = mariadb::rebuild_sql(packet, m_out);
            }
            else if (rc == 0)
            {
                m_filter.log_nomatch(sql);
            }
            if (m_out.capacity() > 64 * 1024)
            {
                std::string().swap(m_out);  // do not keep a big statement's buffer
            }
        }
    }
    return m_down->route_query(std::move(packet));
}

const Specification& spec()
{
    static const Specification s(
        "regexfilter",
        all_runtime({
            make_param("match", ParamType::REGEX,
                       "PCRE2 pattern: the parts of a statement that it matches are replaced",
                       std::nullopt, true),
            make_param("replace", ParamType::STRING,
                       "Replacement text for each match; $1 or ${name} insert capture groups",
                       std::nullopt, true),
            make_param("options", ParamType::ENUM_LIST,
                       "Regular expression options: ignorecase, case, extended",
                       std::string("ignorecase"), false, {"ignorecase", "case", "extended"}),
            make_param("log_file", ParamType::PATH,
                       "Append every matched and unmatched statement to this file",
                       std::string("")),
            make_param("log_trace", ParamType::BOOL,
                       "Log every matched and unmatched statement to the sqlgate log at info level",
                       std::string("false")),
            make_param(
                "source", ParamType::STRING,
                "Only rewrite statements of sessions whose client connects from this address",
                std::string("")),
            make_param("user", ParamType::STRING,
                       "Only rewrite statements of sessions of this user", std::string("")),
        }));
    return s;
}

std::unique_ptr<Filter> create(const ObjectConfig& config, std::string& error)
{
    return RegexFilter::create(config, error);
}

}  // namespace sqlgate::regexfilter

SQLGATE_MODULE_ENTRY
{
    static const sqlgate::ModuleInfo info = {
        sqlgate::SQLGATE_ABI,
        "regexfilter",
        sqlgate::ModuleKind::FILTER,
        "1.0.0",
        "GA",
        "Rewrites statements with a regular expression and a replacement",
        &sqlgate::regexfilter::spec(),
        nullptr,
        &sqlgate::regexfilter::create,
        nullptr,
        nullptr,
        nullptr,
    };
    return &info;
}
