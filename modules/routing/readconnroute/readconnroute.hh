/**
 * readconnroute: connection-level load balancing. Each session gets one
 * backend, chosen at session start among the servers that match
 * router_options (master, slave, running, synced), least connections first.
 *
 * Threads: ReadConnRoute (the instance) is created on the main thread and
 * read by every worker; it is immutable. Sessions belong to their worker.
 */
#pragma once

#include <cstdint>
#include <vector>

#include "sqlgate/protocol.hh"
#include "sqlgate/routing.hh"
#include "sqlgate/service.hh"
#include "sqlgate/session.hh"

namespace sqlgate::readconnroute
{

class ReadConnRoute : public Router
{
public:
    ReadConnRoute(const Service& service, uint64_t required, uint64_t excluded);
    std::unique_ptr<RouterSession> new_session(Session& session) override;
    json_t* diagnostics() const override { return nullptr; }

    /// Servers of the service that may take a new session now, best first.
    std::vector<ServerPtr> candidates() const;
    const Service& service() const { return m_service; }

private:
    const Service& m_service;
    uint64_t m_required;  ///< status bits a server must have (0 = any running server)
    uint64_t m_excluded;  ///< status bits a server must not have
};

class ReadConnSession : public RouterSession, public BackendHandler
{
public:
    ReadConnSession(const ReadConnRoute& router, Session& session);
    bool start() override;
    bool route_query(Buffer&& packet) override;
    bool backend_reply(BackendConnection& conn, Buffer&& data, const Reply& reply) override;
    void backend_error(BackendConnection& conn, const std::string& reason,
                       bool reply_started) override;

private:
    bool connect_next();

    const ReadConnRoute& m_router;
    Session& m_session;
    std::vector<ServerPtr> m_candidates;
    size_t m_next = 0;
    BackendConnection* m_backend = nullptr;
    bool m_routed = false;   ///< a command went to the current backend
    bool m_limited = false;  ///< a candidate had its max_routing_connections open
};

}  // namespace sqlgate::readconnroute
