#define SQLGATE_MODULE_NAME "queryservice"
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstring>

#include "request.hh"
#include "sqlgate/httpsql/values.hh"
#include "sqlgate/log.hh"
#include "sqlgate/module.hh"
#include "sqlgate/worker.hh"

namespace sqlgate::queryservice
{
namespace
{
const Specification& spec()
{
    using T = ParamType;
    static const Specification s(
        "queryservice",
        {
            make_param("max_request_size", T::SIZE,
                       "Largest request body accepted (larger ones get 413)", "1Mi"),
            make_param("result_memory_limit", T::SIZE,
                       "Bytes of deferred and async results the listener keeps in memory, over "
                       "all its workers; results beyond it are written to files under "
                       "<datadir>/queryservice/<listener>/",
                       "64Mi"),
            make_param("result_ttl", T::DURATION,
                       "How long deferred and async results are kept (a request's `result-ttl` "
                       "overrides it)",
                       "1h"),
            []
            {
                ParamSpec p = make_param("max_result_reads", T::COUNT,
                                         "How often a stored result can be read (a request's "
                                         "`max-result-reads` overrides it)",
                                         "1");
                p.min = 1;
                return p;
            }(),
            make_param("connection_pool_size", T::COUNT,
                       "Idle sessions kept per worker and user for the next requests (0: every "
                       "request opens its own)",
                       "16"),
            make_param("connection_pool_idle_timeout", T::DURATION,
                       "Idle pooled sessions are closed after this long", "60s"),
            make_param("stream_buffer", T::SIZE,
                       "Bytes of an immediate response buffered for a slow client before "
                       "sqlgate stops reading the server",
                       "256Ki"),
        });
    return s;
}

int64_t param_or(const ObjectConfig& o, const char* name, const char* fallback)
{
    if (o.has(name))
    {
        return o.get_int(name);
    }
    Value v;
    std::string err;
    parse_value(*spec().find(name), fallback, v, err);
    return v.number;
}

std::unique_ptr<Protocol> create(const ObjectConfig& listener,
                                 std::shared_ptr<const Service> service, std::string& error)
{
    (void)error;
    return std::make_unique<QueryService>(listener, std::move(service));
}
}  // namespace

QueryService::QueryService(const ObjectConfig& listener, std::shared_ptr<const Service> service)
    : HttpSqlProtocol(std::move(service), listener.name)
{
    m_settings.max_request_size =
        static_cast<size_t>(param_or(listener, "max_request_size", "1Mi"));
    m_settings.result_memory_limit = param_or(listener, "result_memory_limit", "64Mi");
    m_settings.result_ttl_ms = param_or(listener, "result_ttl", "1h");
    m_settings.max_result_reads = param_or(listener, "max_result_reads", "1");
    m_settings.pool_size = static_cast<size_t>(param_or(listener, "connection_pool_size", "16"));
    m_settings.pool_idle_ms = param_or(listener, "connection_pool_idle_timeout", "60s");
    m_settings.stream_buffer = static_cast<size_t>(param_or(listener, "stream_buffer", "256Ki"));
}

void QueryService::start()
{
    HttpSqlProtocol::start();
    // Results of an earlier run (a crash leaves them) are of no use: no handle
    // reaches them any more.
    if (DIR* d = opendir(spill_dir().c_str()))
    {
        while (dirent* e = readdir(d))
        {
            std::string name = e->d_name;
            if (name.size() > 5 && name.compare(name.size() - 5, 5, ".json") == 0)
            {
                unlink((spill_dir() + "/" + name).c_str());
            }
        }
        closedir(d);
    }
}

std::string QueryService::spill_dir() const
{
    // The global configuration is complete (with -D applied) before listeners serve.
    return global_config()->get_string("datadir") + "/queryservice/" + listener();
}

std::unique_ptr<ListenerServer> QueryService::serve(Worker& worker, int fd, std::string& error)
{
    std::string spill = spill_dir();
    std::string dir = spill.substr(0, spill.rfind('/'));
    mkdir(dir.c_str(), 0700);
    if (mkdir(spill.c_str(), 0700) != 0 && errno != EEXIST)
    {
        error = "cannot create " + spill + ": " + strerror(errno);
        return nullptr;
    }
    auto state = std::make_unique<WorkerState>(worker, *this);
    WorkerState* ws = state.get();
    auto http = httpsql::HttpServer::create(
        worker, fd, [ws](const ExchangePtr& ex) { ws->handle(ex); }, m_settings.max_request_size,
        [](const std::string& msg) { return error_body("fatal", 1, msg); }, error);
    if (!http)
    {
        return nullptr;
    }
    state->set_http(std::move(http));
    return state;
}

std::string error_body(const std::string& status, int code, const std::string& msg)
{
    std::string out = "{\"errors\": [{\"code\": " + std::to_string(code) + ", \"msg\": ";
    httpsql::append_json_string(out, msg);
    out += "}], \"status\": \"" + status + "\"}\n";
    return out;
}

bool parse_duration(const std::string& text, int64_t& ms)
{
    // AsterixDB's units: ns, us/µs, ms, s, m, h, combinable ("1m30s"); "0" alone.
    if (text == "0")
    {
        ms = 0;
        return true;
    }
    double total = 0;
    size_t i = 0;
    if (text.empty())
    {
        return false;
    }
    while (i < text.size())
    {
        size_t start = i;
        while (i < text.size() && (isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
        {
            ++i;
        }
        if (i == start)
        {
            return false;
        }
        double n = strtod(text.substr(start, i - start).c_str(), nullptr);
        static const std::pair<const char*, double> units[] = {
            {"ns", 1e-6}, {"us", 1e-3}, {"\xC2\xB5s", 1e-3}, {"ms", 1},
            {"s", 1000},  {"m", 60000}, {"h", 3600000}};
        bool matched = false;
        for (const auto& [u, f] : units)
        {
            size_t len = strlen(u);
            if (text.compare(i, len, u) == 0 &&
                !(len == 1 && u[0] == 'm' && i + 1 < text.size() && text[i + 1] == 's'))
            {
                total += n * f;
                i += len;
                matched = true;
                break;
            }
        }
        if (!matched)
        {
            return false;
        }
    }
    ms = static_cast<int64_t>(std::ceil(total));
    return true;
}

std::string format_duration(double seconds)
{
    char buf[64];
    if (seconds >= 1)
    {
        snprintf(buf, sizeof(buf), "%.6gs", seconds);
    }
    else if (seconds >= 1e-3)
    {
        snprintf(buf, sizeof(buf), "%.6gms", seconds * 1e3);
    }
    else
    {
        snprintf(buf, sizeof(buf), "%.6gus", seconds * 1e6);
    }
    return buf;
}

}  // namespace sqlgate::queryservice

SQLGATE_MODULE_ENTRY
{
    static const sqlgate::ModuleInfo info = {
        sqlgate::SQLGATE_ABI,
        "queryservice",
        sqlgate::ModuleKind::PROTOCOL,
        "1.0.0",
        "GA",
        "SQL over HTTP, compatible with AsterixDB's /query/service API",
        &sqlgate::queryservice::spec(),
        nullptr,
        nullptr,
        &sqlgate::queryservice::create,
        nullptr,
        nullptr,
    };
    return &info;
}
