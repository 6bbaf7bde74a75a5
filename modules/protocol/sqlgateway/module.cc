#define SQLGATE_MODULE_NAME "sqlgateway"
#include "sqlgate/module.hh"
#include "gateway.hh"

namespace sqlgate::sqlgateway
{
namespace
{
const Specification& spec()
{
    using T = ParamType;
    static const Specification s(
        "sqlgateway",
        {
            make_param("max_request_size", T::SIZE,
                       "Largest request body accepted (larger ones get 413)", "1Mi"),
            make_param("session_idle_timeout", T::DURATION,
                       "A session not used for this long is closed (Flink's "
                       "sql-gateway.session.idle-timeout); 0 keeps sessions until closed",
                       "10m"),
            make_param("page_size", T::COUNT,
                       "Rows per result page; a query reads at most two pages ahead of the "
                       "client",
                       "1000"),
            make_param("max_sessions", T::COUNT,
                       "Open sessions allowed on the listener (0: no limit)", "1000"),
        });
    return s;
}

int64_t get(const ObjectConfig& o, const char* name)
{
    if (o.has(name))
    {
        return o.get_int(name);
    }
    const ParamSpec* p = spec().find(name);
    Value v;
    std::string err;
    parse_value(*p, *p->default_value, v, err);
    return v.number;
}

std::unique_ptr<Protocol> create(const ObjectConfig& listener,
                                 std::shared_ptr<const Service> service, std::string&)
{
    return std::make_unique<Gateway>(listener, std::move(service));
}
}  // namespace

Gateway::Gateway(const ObjectConfig& listener, std::shared_ptr<const Service> service)
    : HttpSqlProtocol(std::move(service), listener.name)
{
    m_settings.max_request_size = static_cast<size_t>(get(listener, "max_request_size"));
    m_settings.idle_timeout_ms = get(listener, "session_idle_timeout");
    m_settings.page_size = std::max<size_t>(1, static_cast<size_t>(get(listener, "page_size")));
    m_settings.max_sessions = get(listener, "max_sessions");
}

std::unique_ptr<ListenerServer> Gateway::serve(Worker& worker, int fd, std::string& error)
{
    auto state = std::make_unique<WorkerState>(worker, *this);
    WorkerState* ws = state.get();
    auto http = httpsql::HttpServer::create(
        worker, fd, [ws](const ExchangePtr& ex) { ws->handle(ex); }, m_settings.max_request_size,
        [](const std::string& msg) { return error_body(msg); }, error);
    if (!http)
    {
        return nullptr;
    }
    state->set_http(std::move(http));
    return state;
}

}  // namespace sqlgate::sqlgateway

SQLGATE_MODULE_ENTRY
{
    static const sqlgate::ModuleInfo info = {
        sqlgate::SQLGATE_ABI,
        "sqlgateway",
        sqlgate::ModuleKind::PROTOCOL,
        "1.0.0",
        "GA",
        "SQL over HTTP, compatible with Apache Flink's SQL Gateway REST API",
        &sqlgate::sqlgateway::spec(),
        nullptr,
        nullptr,
        &sqlgate::sqlgateway::create,
        nullptr,
        nullptr,
    };
    return &info;
}
