#include "sqlgate/session.hh"

#include <ctime>

#include "objects.hh"
#include "routing_worker.hh"
#include "sqlgate/log.hh"

namespace sqlgate
{

const char* to_string(SessionState s)
{
    switch (s)
    {
        case SessionState::CREATED:
            return "Session created";
        case SessionState::STARTED:
            return "Session started";
        case SessionState::STOPPING:
            return "Stopping session";
        case SessionState::FAILED:
            return "Session creation failed";
    }
    return "Unknown";
}

const char* to_string(BackendState s)
{
    switch (s)
    {
        case BackendState::CONNECTING:
            return "Connecting";
        case BackendState::AUTHENTICATING:
            return "Authenticating";
        case BackendState::ROUTING:
            return "Routing";
        case BackendState::FAILED:
            return "Failed";
        case BackendState::CLOSED:
            return "Closed";
    }
    return "Unknown";
}

void BackendConnection::close()
{
    if (m_stream)
    {
        m_final_stats = m_stream->stats();
        m_stream->close();
        m_stream = nullptr;
        if (m_state != BackendState::FAILED)
        {
            m_state = BackendState::CLOSED;
        }
        m_server->stats().connections.fetch_sub(1, std::memory_order_relaxed);
    }
}

Session::Session(uint64_t id, Worker& worker, ServicePtr service,
                 std::shared_ptr<Protocol> protocol, std::string listener)
    : m_id(id),
      m_worker(worker),
      m_service(std::move(service)),
      m_protocol(std::move(protocol)),
      m_listener(std::move(listener)),
      m_connected_at(time(nullptr)),
      m_last_activity(worker.now_ms())
{
}

Session::~Session()
{
    // Chain first (it may reference backends), then backends, then the client.
    m_router.reset();
    m_filters.clear();
    m_backends.clear();
    m_client.reset();
    if (m_client_stream)
    {
        m_client_stream->close();
    }
    if (m_counted)
    {
        m_service->stats().connections.fetch_sub(1, std::memory_order_relaxed);
    }
}

void Session::attach_client(Stream* stream, std::unique_ptr<ClientConnection> client)
{
    SG_ASSERT_OWNER(m_worker);
    m_client_stream = stream;
    m_client = std::move(client);
    stream->set_session(this);
    m_remote = stream->peer_address();
    m_port = stream->peer_port();
}

bool Session::start_routing()
{
    SG_ASSERT_OWNER(m_worker);
    int64_t max = m_service->max_connections();
    int64_t now = m_service->stats().connections.fetch_add(1, std::memory_order_relaxed) + 1;
    m_counted = true;
    if (max > 0 && now > max)
    {
        SG_WARNING("Service %s: refused session %lu from %s@%s: max_connections (%ld) reached",
                   m_service->name.c_str(), (unsigned long)m_id, m_user.c_str(), m_remote.c_str(),
                   (long)max);
        m_state = SessionState::FAILED;
        m_client->send_error_and_close(1040, "Too many connections");
        return false;
    }
    m_service->stats().total_connections.fetch_add(1, std::memory_order_relaxed);

    m_router = m_service->router->new_session(*this);
    for (const auto& def : m_service->filters)
    {
        m_filters.push_back(def->instance->new_session(*this));
    }
    // Link the chain: client -> f0 -> ... -> fn-1 -> router; replies go the other way.
    size_t n = m_filters.size();
    for (size_t i = 0; i < n; ++i)
    {
        Downstream* down =
            i + 1 < n ? static_cast<Downstream*>(m_filters[i + 1].get()) : m_router.get();
        Upstream* up = i > 0 ? static_cast<Upstream*>(m_filters[i - 1].get()) : this;
        m_filters[i]->set_neighbours(down, up);
    }
    m_router->set_upstream(n > 0 ? static_cast<Upstream*>(m_filters[n - 1].get()) : this);
    m_head = n > 0 ? static_cast<Downstream*>(m_filters[0].get()) : m_router.get();
    m_state = SessionState::STARTED;
    if (!m_router->start())
    {
        m_state = SessionState::FAILED;
        return false;
    }
    return true;
}

bool Session::route_query(Buffer&& packet)
{
    SG_ASSERT_OWNER(m_worker);
    m_last_activity = m_worker.now_ms();
    return m_head && m_head->route_query(std::move(packet));
}

bool Session::client_reply(Buffer&& data, const Reply& reply)
{
    SG_ASSERT_OWNER(m_worker);
    m_last_activity = m_worker.now_ms();
    return m_client && m_client->client_reply(std::move(data), reply);
}

BackendConnection* Session::connect(const ServerPtr& server, BackendHandler& handler)
{
    SG_ASSERT_OWNER(m_worker);
    if (!server->reserve_connection())
    {
        SG_WARNING("Session %lu: server %s has max_routing_connections (%ld) open: no new one",
                   (unsigned long)m_id, server->name().c_str(),
                   (long)server->max_routing_connections());
        return nullptr;
    }
    // The connection owns the count from set_stream() on (close() gives it back).
    std::unique_ptr<BackendConnection> conn = m_protocol->new_backend(*this, server, handler);
    if (!conn)
    {
        server->stats().connections.fetch_sub(1, std::memory_order_relaxed);
        return nullptr;
    }
    bool local = !server->socket().empty();
    Stream* stream =
        local ? Stream::create_local(m_worker, conn.get()) : Stream::create(m_worker, conn.get());
    stream->set_water_marks(settings().writeq_high_water, settings().writeq_low_water);
    conn->set_stream(stream);
    stream->set_session(this);
    server->stats().total_connections.fetch_add(1, std::memory_order_relaxed);
    int rc = local ? stream->connect_local(server->socket())
                   : stream->connect(server->address(), server->port());
    if (rc != 0)
    {
        std::string where =
            local ? server->socket() : server->address() + ":" + std::to_string(server->port());
        SG_ERROR("Session %lu: cannot connect to server %s (%s): %s", (unsigned long)m_id,
                 server->name().c_str(), where.c_str(), uv_strerror(rc));
        server->stats().failed_connections.fetch_add(1, std::memory_order_relaxed);
        conn->close();
        return nullptr;
    }
    m_backends.push_back(std::move(conn));
    return m_backends.back().get();
}

void Session::release(BackendConnection* conn)
{
    SG_ASSERT_OWNER(m_worker);
    for (auto it = m_backends.begin(); it != m_backends.end(); ++it)
    {
        if (it->get() == conn)
        {
            (*it)->close();
            // Keep the object: the router may still be on its call stack. It
            // is freed with the session.
            return;
        }
    }
}

void Session::close(const std::string& reason)
{
    SG_ASSERT_OWNER(m_worker);
    if (m_state == SessionState::STOPPING)
    {
        return;
    }
    SG_INFO("Session %lu (%s@%s): closing: %s", (unsigned long)m_id, m_user.c_str(),
            m_remote.c_str(), reason.c_str());
    m_state = SessionState::STOPPING;
    m_close_reason = reason;
    for (auto& b : m_backends)
    {
        b->close();
    }
    if (m_client_stream)
    {
        m_client_stream->close(true);
        m_client_stream = nullptr;
    }
    RoutingWorker::of(m_worker).add_zombie(this);
}

void Session::handler_threw(const char* event, const char* what)
{
    SG_ASSERT_OWNER(m_worker);
    SG_ERROR(
        "Session %lu (%s@%s, service %s): a module threw while handling %s: %s; closing the "
        "session",
        (unsigned long)m_id, m_user.c_str(), m_remote.c_str(), m_service->name.c_str(), event,
        what);
    if (m_client && m_state != SessionState::STOPPING)
    {
        try
        {
            m_client->send_error_and_close(1815, std::string("Internal error: ") + what);
        }
        catch (...)
        {
            // The client side is what threw: just close.
        }
    }
    close(std::string("a module threw: ") + what);
}

void Session::close_if_idle(uint64_t now)
{
    SG_ASSERT_OWNER(m_worker);
    int64_t timeout = m_service->idle_timeout_ms();
    if (timeout <= 0 || m_state != SessionState::STARTED || !m_client_stream ||
        now < m_last_activity + static_cast<uint64_t>(timeout))
    {
        return;
    }
    for (const auto& b : m_backends)
    {
        BackendState st = b->state();
        if (st != BackendState::FAILED && st != BackendState::CLOSED && b->busy())
        {
            return;  // a command is running: the session is waiting, not idle
        }
    }
    SG_WARNING(
        "Session %lu (%s@%s, service %s): closing it, idle for %lu ms: wait_timeout is %ld ms",
        (unsigned long)m_id, m_user.c_str(), m_remote.c_str(), m_service->name.c_str(),
        (unsigned long)(now - m_last_activity), (long)timeout);
    m_client->send_error_and_close(1927,
                                   "Connection was killed: idle for longer than wait_timeout");
}

void Session::throttle_backends(bool stop)
{
    for (auto& b : m_backends)
    {
        if (Stream* s = b->stream())
        {
            stop ? s->read_stop() : s->read_start();
        }
    }
}

void Session::throttle_client(bool stop)
{
    if (m_client_stream)
    {
        stop ? m_client_stream->read_stop() : m_client_stream->read_start();
    }
}

}  // namespace sqlgate
