#define SQLGATE_MODULE_NAME "qlafilter"
#include "qlafilter.hh"

#include <cerrno>
#include <cstring>
#include <ctime>

#include "qlasession.hh"
#include "sqlgate/log.hh"
#include "sqlgate/module.hh"
#include "sqlgate/regex.hh"
#include "sqlgate/session.hh"

namespace sqlgate::qlafilter
{

namespace
{

struct FieldName
{
    const char* value;  ///< log_data value
    LogData flag;
    const char* header;  ///< column name in the header line
};

// Output order of the fields and the header names MaxScale writes.
constexpr FieldName FIELDS[] = {
    {"service", LOG_SERVICE, "Service"},
    {"session", LOG_SESSION, "Session"},
    {"date", LOG_DATE, "Date"},
    {"user", LOG_USER, "User@Host"},
    {"reply_time", LOG_REPLY_TIME, "Reply_time"},
    {"total_reply_time", LOG_TOTAL_REPLY_TIME, "Total_reply_time"},
    {"query", LOG_QUERY, "Query"},
    {"default_db", LOG_DEFAULT_DB, "Default_DB"},
    {"num_rows", LOG_NUM_ROWS, "Num_rows"},
    {"reply_size", LOG_REPLY_SIZE, "Reply_size"},
    {"transaction", LOG_TRANSACTION, "Transaction"},
    {"transaction_time", LOG_TRANSACTION_TIME, "Transaction_time"},
    {"num_warnings", LOG_NUM_WARNINGS, "Num_warnings"},
    {"error_msg", LOG_ERROR_MSG, "Error_msg"},
    {"server", LOG_SERVER, "Server"},
};

RegexPtr compile(const ObjectConfig& config, const char* key, uint32_t options, std::string& error)
{
    const std::string& pattern = config.get_string(key);
    if (pattern.empty())
    {
        return nullptr;
    }
    RegexPtr re = compile_regex(pattern, options, error);
    if (!re)
    {
        error = std::string("parameter '") + key + "': " + error;
    }
    return re;
}

void append_duration(std::string& out, std::chrono::steady_clock::duration d, bool micro)
{
    using namespace std::chrono;
    out += std::to_string(micro ? duration_cast<microseconds>(d).count()
                                : duration_cast<milliseconds>(d).count());
}

}  // namespace

QlaFilter::~QlaFilter()
{
    if (m_unified)
    {
        fclose(m_unified);
    }
}

std::unique_ptr<QlaFilter> QlaFilter::create(const ObjectConfig& config, std::string& error)
{
    std::unique_ptr<QlaFilter> f(new QlaFilter());
    Settings& s = f->m_settings;
    s.filebase = config.get_string("filebase");
    s.user = config.get_string("user");
    s.source = config.get_string("source");
    const auto& types = config.get_list("log_type");
    s.session_file = contains(types, "session");
    s.unified_file = contains(types, "unified");
    s.stdout_log = contains(types, "stdout");
    s.data = 0;
    for (const auto& v : config.get_list("log_data"))
    {
        for (const auto& field : FIELDS)
        {
            if (v == field.value)
            {
                s.data |= field.flag;
            }
        }
    }
    s.flush = config.get_bool("flush");
    s.append = config.get_bool("append");
    s.separator = config.get_string("separator");
    s.newline_replacement = config.get_string("newline_replacement");
    const std::string& unit = config.get_string("duration_unit");
    s.microseconds = unit == "us" || unit == "microseconds";
    s.canonical = config.get_bool("use_canonical_form");

    if (s.filebase.empty() && (s.session_file || s.unified_file))
    {
        error = "parameter 'filebase': must not be empty";
        return nullptr;
    }

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
    f->m_match = compile(config, "match", options, problem);
    if (problem.empty())
    {
        f->m_exclude = compile(config, "exclude", options, problem);
    }
    if (!problem.empty())
    {
        error = problem;
        return nullptr;
    }

    if (s.unified_file)
    {
        f->m_unified_path = s.filebase + ".unified";
        f->m_unified = f->open_log(f->m_unified_path, false);
        if (!f->m_unified)
        {
            error =
                "cannot open the unified log file '" + f->m_unified_path + "': " + strerror(errno);
            return nullptr;
        }
    }
    return f;
}

std::unique_ptr<FilterSession> QlaFilter::new_session(Session& session)
{
    return std::make_unique<QlaSession>(*this, session);
}

bool QlaFilter::session_matches(const Session& session) const
{
    return (m_settings.user.empty() || session.user() == m_settings.user) &&
           (m_settings.source.empty() || session.remote() == m_settings.source);
}

pcre2_match_data* QlaFilter::new_match_data() const
{
    if (!m_match && !m_exclude)
    {
        return nullptr;
    }
    // One ovector pair is enough: only whether it matched is used.
    return pcre2_match_data_create(1, nullptr);
}

bool QlaFilter::statement_matches(std::string_view sql, pcre2_match_data* md) const
{
    auto subject = reinterpret_cast<PCRE2_SPTR>(sql.data());
    if (m_match && pcre2_match(m_match.get(), subject, sql.size(), 0, 0, md, nullptr) < 0)
    {
        return false;
    }
    if (m_exclude && pcre2_match(m_exclude.get(), subject, sql.size(), 0, 0, md, nullptr) >= 0)
    {
        return false;
    }
    return true;
}

std::string QlaFilter::header(bool session_file) const
{
    std::string out;
    const char* sep = "";
    for (const auto& field : FIELDS)
    {
        if ((m_settings.data & field.flag) && !(session_file && field.flag == LOG_SESSION))
        {
            out += sep;
            out += field.header;
            sep = m_settings.separator.c_str();
        }
    }
    out += '\n';
    return out;
}

std::string QlaFilter::format(const Event& ev, const Session& session, bool session_file) const
{
    const Settings& s = m_settings;
    const Reply* r = ev.reply;
    std::string out;
    out.reserve(ev.sql.size() + 128);
    const char* sep = "";
    for (const auto& field : FIELDS)
    {
        if (!(s.data & field.flag) || (session_file && field.flag == LOG_SESSION))
        {
            continue;
        }
        out += sep;
        sep = s.separator.c_str();
        switch (field.flag)
        {
            case LOG_SERVICE:
                out += session.service().name;
                break;
            case LOG_SESSION:
                out += std::to_string(session.id());
                break;
            case LOG_DATE:
            {
                struct tm tm;
                localtime_r(&ev.date, &tm);
                char buf[32];
                strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
                out += buf;
                break;
            }
            case LOG_USER:
                out += session.user();
                out += '@';
                out += session.remote();
                break;
            case LOG_REPLY_TIME:
                if (r && ev.replied)
                {
                    append_duration(out, ev.reply_time, s.microseconds);
                }
                break;
            case LOG_TOTAL_REPLY_TIME:
                if (r)
                {
                    append_duration(out, ev.total_time, s.microseconds);
                }
                break;
            case LOG_QUERY:
            {
                std::string canon;
                std::string_view sql = ev.sql;
                if (s.canonical)
                {
                    canon = canonical(sql);
                    sql = canon;
                }
                if (s.newline_replacement.empty())
                {
                    out += sql;
                    break;
                }
                for (size_t i = 0; i < sql.size(); ++i)
                {
                    char c = sql[i];
                    if (c == '\r' || c == '\n')
                    {
                        if (c == '\r' && i + 1 < sql.size() && sql[i + 1] == '\n')
                        {
                            ++i;
                        }
                        out += s.newline_replacement;
                    }
                    else
                    {
                        out += c;
                    }
                }
                break;
            }
            case LOG_DEFAULT_DB:
                out += session.database();
                break;
            case LOG_NUM_ROWS:
                if (r)
                {
                    out += std::to_string(r->rows);
                }
                break;
            case LOG_REPLY_SIZE:
                if (r)
                {
                    out += std::to_string(r->bytes);
                }
                break;
            case LOG_TRANSACTION:
                out += ev.transaction;
                break;
            case LOG_TRANSACTION_TIME:
                if (ev.transaction_time)
                {
                    append_duration(out, *ev.transaction_time, s.microseconds);
                }
                break;
            case LOG_NUM_WARNINGS:
                if (r)
                {
                    out += std::to_string(r->warnings);
                }
                break;
            case LOG_ERROR_MSG:
                if (r && r->is_error)
                {
                    out += r->error_message;
                }
                break;
            case LOG_SERVER:
                if (r && r->server)
                {
                    out += r->server;
                }
                break;
        }
    }
    out += '\n';
    return out;
}

FILE* QlaFilter::open_log(const std::string& path, bool session_file) const
{
    FILE* fp = fopen(path.c_str(), m_settings.append ? "a" : "w");
    if (!fp)
    {
        return nullptr;
    }
    // A header only at the start of a file (append mode keeps the old one).
    if (fseek(fp, 0, SEEK_END) == 0 && ftell(fp) == 0)
    {
        std::string h = header(session_file);
        fwrite(h.data(), 1, h.size(), fp);
        if (m_settings.flush)
        {
            fflush(fp);
        }
    }
    return fp;
}

bool QlaFilter::read_unified(size_t start, size_t end, std::vector<std::string>& lines,
                             std::string& error)
{
    {
        std::lock_guard<std::mutex> guard(m_lock);
        if (!m_unified)
        {
            error = "The filter has no unified log file (it needs log_type=unified)";
            return false;
        }
        fflush(m_unified);
    }
    FILE* f = fopen(m_unified_path.c_str(), "r");
    if (!f)
    {
        error = "Cannot open " + m_unified_path + ": " + strerror(errno);
        return false;
    }
    std::string line;
    size_t n = 0;
    int c;
    while (n < end && (c = fgetc(f)) != EOF)
    {
        if (c != '\n')
        {
            if (n >= start)
            {
                line += static_cast<char>(c);
            }
            continue;
        }
        if (n >= start)
        {
            lines.push_back(std::move(line));
            line.clear();
        }
        ++n;
    }
    fclose(f);
    return true;
}

void QlaFilter::write_shared(const std::string& line)
{
    std::lock_guard<std::mutex> guard(m_lock);
    if (m_unified)
    {
        if (fwrite(line.data(), 1, line.size(), m_unified) != line.size() ||
            (m_settings.flush && fflush(m_unified) != 0))
        {
            write_failed(m_unified_path, errno);
        }
    }
    if (m_settings.stdout_log)
    {
        fwrite(line.data(), 1, line.size(), stdout);
        if (m_settings.flush)
        {
            fflush(stdout);
        }
    }
}

void QlaFilter::write_failed(const std::string& path, int err) const
{
    if (!m_warned.exchange(true))
    {
        SG_ERROR("Failed to write to '%s': %s. Further write errors are not reported.",
                 path.c_str(), strerror(err));
    }
}

const Specification& spec()
{
    static const Specification s(
        "qlafilter",
        all_runtime({
            make_param("filebase", ParamType::PATH,
                       "Base name of the log files: <filebase>.<session id> for session files, "
                       "<filebase>.unified for the unified file",
                       std::nullopt, true),
            make_param("match", ParamType::REGEX, "Only log statements that match this pattern"),
            make_param("exclude", ParamType::REGEX,
                       "Do not log statements that match this pattern"),
            make_param("options", ParamType::ENUM_LIST,
                       "Regular expression options for match and exclude: ignorecase, case, "
                       "extended",
                       std::string("case"), false, {"ignorecase", "case", "extended"}),
            make_param("user", ParamType::STRING, "Only log sessions of this user",
                       std::string("")),
            make_param("source", ParamType::STRING,
                       "Only log sessions whose client connects from this address",
                       std::string("")),
            make_param("log_type", ParamType::ENUM_LIST,
                       "Where to log: session (one file per session), unified (one file for all "
                       "sessions), stdout",
                       std::string("session"), false, {"session", "unified", "stdout"}),
            make_param("log_data", ParamType::ENUM_LIST,
                       "The fields of each log line, in a fixed order",
                       std::string("date,user,query"), false,
                       {"service", "session", "date", "user", "reply_time", "total_reply_time",
                        "query", "default_db", "num_rows", "reply_size", "transaction",
                        "transaction_time", "num_warnings", "error_msg", "server"}),
            make_param("flush", ParamType::BOOL, "Flush the log files after every line",
                       std::string("false")),
            make_param("append", ParamType::BOOL,
                       "Append to existing log files instead of truncating them",
                       std::string("true")),
            make_param("separator", ParamType::STRING, "Separator between the fields of a line",
                       std::string(",")),
            make_param("newline_replacement", ParamType::STRING,
                       "Written instead of each line break (\\n, \\r or \\r\\n) in a statement; "
                       "empty: line breaks are written as they are",
                       std::string(" ")),
            make_param("duration_unit", ParamType::ENUM,
                       "Unit of reply_time, total_reply_time and transaction_time: ms "
                       "(milliseconds) or us (microseconds)",
                       std::string("ms"), false, {"ms", "milliseconds", "us", "microseconds"}),
            make_param("use_canonical_form", ParamType::BOOL,
                       "Log the canonical form of statements (literals replaced by ?)",
                       std::string("false")),
        }));
    return s;
}

std::unique_ptr<Filter> create(const ObjectConfig& config, std::string& error)
{
    return QlaFilter::create(config, error);
}

}  // namespace sqlgate::qlafilter

SQLGATE_MODULE_ENTRY
{
    static const sqlgate::ModuleInfo info = {
        sqlgate::SQLGATE_ABI,
        "qlafilter",
        sqlgate::ModuleKind::FILTER,
        "1.0.0",
        "GA",
        "Query Log All: logs statements and their reply statistics to files",
        &sqlgate::qlafilter::spec(),
        nullptr,
        &sqlgate::qlafilter::create,
        nullptr,
        nullptr,
        &sqlgate::qlafilter::commands(),
    };
    return &info;
}
