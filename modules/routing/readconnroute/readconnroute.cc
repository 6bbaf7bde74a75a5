#define SQLGATE_MODULE_NAME "readconnroute"
#include "readconnroute.hh"

#include <algorithm>

#include "sqlgate/log.hh"
#include "sqlgate/module.hh"

namespace sqlgate::readconnroute
{

ReadConnRoute::ReadConnRoute(const Service& service, uint64_t required, uint64_t excluded)
    : m_service(service), m_required(required), m_excluded(excluded)
{
}

std::vector<ServerPtr> ReadConnRoute::candidates() const
{
    std::vector<ServerPtr> out;
    for (const ServerPtr& s : m_service.servers)
    {
        uint64_t st = s->status();
        if (st & (status::MAINT | status::DRAINING | status::DOWN | m_excluded))
        {
            continue;
        }
        if (m_required && (st & m_required) == 0)
        {
            continue;
        }
        // Without a monitor nothing sets RUNNING: a reachable server counts
        // as running, which the connection attempt finds out.
        if (!m_required && s->monitored() && !(st & status::RUNNING))
        {
            continue;
        }
        out.push_back(s);
    }
    // As MaxScale: the best rank first (secondary servers only when no primary
    // one can take the session), then the fewest connections.
    std::stable_sort(out.begin(), out.end(),
                     [](const ServerPtr& a, const ServerPtr& b)
                     {
                         if (a->rank() != b->rank())
                         {
                             return a->rank() < b->rank();
                         }
                         return a->stats().connections.load(std::memory_order_relaxed) <
                                b->stats().connections.load(std::memory_order_relaxed);
                     });
    return out;
}

std::unique_ptr<RouterSession> ReadConnRoute::new_session(Session& session)
{
    return std::make_unique<ReadConnSession>(*this, session);
}

ReadConnSession::ReadConnSession(const ReadConnRoute& router, Session& session)
    : m_router(router), m_session(session)
{
}

bool ReadConnSession::start()
{
    m_candidates = m_router.candidates();
    if (!connect_next())
    {
        if (m_limited)
        {
            // As the server itself refuses a client over its max_connections.
            m_session.client()->send_error_and_close(
                1040, "Too many connections: the servers of service '" + m_router.service().name +
                          "' have max_routing_connections open");
            return false;
        }
        m_session.client()->send_error_and_close(
            1927, "No server of service '" + m_router.service().name +
                      "' is available for router_options=" +
                      m_router.service().config.get_string("router_options"));
        return false;
    }
    return true;
}

bool ReadConnSession::connect_next()
{
    while (m_next < m_candidates.size())
    {
        const ServerPtr& server = m_candidates[m_next++];
        if ((m_backend = m_session.connect(server, *this)))
        {
            m_backend->set_role((server->status() & status::MASTER) ? "master" : "slave");
            m_routed = false;
            return true;
        }
        int64_t limit = server->max_routing_connections();
        m_limited |= limit > 0 && server->stats().connections.load() >= limit;
    }
    return false;
}

bool ReadConnSession::route_query(Buffer&& packet)
{
    if (!m_backend)
    {
        return false;
    }
    m_routed = true;
    return m_backend->write(std::move(packet));
}

bool ReadConnSession::backend_reply(BackendConnection& conn, Buffer&& data, const Reply& reply)
{
    return m_up->client_reply(std::move(data), reply);
}

void ReadConnSession::backend_error(BackendConnection& conn, const std::string& reason,
                                    bool reply_started)
{
    if (&conn != m_backend)
    {
        return;
    }
    // A server we never reached: try the next one. Commands that were waiting
    // for the login are sent there; the client has lost nothing.
    std::string server = conn.server().name();
    std::vector<Buffer> unsent = conn.take_unsent();
    m_backend = nullptr;
    if (conn.stats()->bytes_read == 0 && !reply_started && connect_next())
    {
        SG_WARNING("Session %lu: server %s unreachable (%s), using %s",
                   (unsigned long)m_session.id(), server.c_str(), reason.c_str(),
                   m_backend->server().name().c_str());
        for (Buffer& b : unsent)
        {
            m_routed = true;
            m_backend->write(std::move(b));
        }
        return;
    }
    m_session.client()->send_error_and_close(
        1927, "Lost connection to backend server '" + server + "': " + reason);
}

const Specification& spec()
{
    static const Specification s(
        "readconnroute",
        all_runtime(
            {make_param("router_options", ParamType::ENUM_LIST,
                        "Which servers sessions may use: master, slave, running or synced",
                        std::string("running"), false, {"master", "slave", "running", "synced"})}));
    return s;
}

std::unique_ptr<Router> create(const Service& service, std::string& error)
{
    uint64_t required = 0, excluded = 0;
    const auto& opts = service.config.get_list("router_options");
    for (const std::string& o : opts)
    {
        if (o == "master")
        {
            required |= status::MASTER;
        }
        else if (o == "slave")
        {
            required |= status::SLAVE;
            excluded |= status::MASTER;
        }
        else if (o == "synced")
        {
            required |= status::SYNCED;
        }
    }
    return std::make_unique<ReadConnRoute>(service, required, excluded);
}

}  // namespace sqlgate::readconnroute

SQLGATE_MODULE_ENTRY
{
    static const sqlgate::ModuleInfo info = {
        sqlgate::SQLGATE_ABI,
        "readconnroute",
        sqlgate::ModuleKind::ROUTER,
        "1.0.0",
        "GA",
        "Connection-level load balancing: one server per session, least connections first",
        &sqlgate::readconnroute::spec(),
        &sqlgate::readconnroute::create,
        nullptr,
        nullptr,
        nullptr,
        nullptr,
    };
    return &info;
}
