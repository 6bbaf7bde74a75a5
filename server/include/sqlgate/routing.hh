/**
 * The routing chain: filters and routers.
 *
 * A session's chain is: client protocol -> filter 1 -> ... -> filter N ->
 * router session -> backend connection(s). A query travels down through
 * route_query(); a reply travels up through client_reply() in the reverse
 * order. Each call passes ownership of a Buffer; nothing is copied.
 *
 * Granularity: route_query() receives exactly one client command (one
 * MariaDB packet, or the packet train of a command over 16 MiB, or one packet
 * of LOAD DATA LOCAL file contents). client_reply() receives whole or partial
 * packets of exactly one reply; Reply::complete is true on the last piece.
 *
 * Threads: instances (Router, Filter) are created by the main thread and then
 * only read, from any worker: their state must be immutable or thread-safe.
 * Sessions (RouterSession, FilterSession) belong to their session's worker.
 */
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "sqlgate/buffer.hh"

struct json_t;

namespace sqlgate
{

class Session;
class ObjectConfig;

/// What the protocol knows about the reply a piece belongs to.
struct Reply
{
    uint8_t command = 0;    ///< the command this replies to (COM_xxx)
    bool complete = false;  ///< this piece ends the reply
    bool is_error = false;  ///< the reply is (or ended with) an ERR packet
    bool is_resultset = false;
    bool local_infile = false;  ///< the server asked for LOAD DATA LOCAL file contents
    uint16_t error_code = 0;
    std::string error_message;  ///< filled on ERR only
    uint64_t rows = 0;          ///< rows seen so far
    uint64_t bytes = 0;         ///< reply bytes seen so far
    uint16_t server_status = 0;
    uint16_t warnings = 0;
    uint64_t affected_rows = 0;
    const char* server = nullptr;  ///< name of the server that sent it
};

class Downstream
{
public:
    virtual ~Downstream() = default;
    /// Route one command. Returning false closes the session.
    virtual bool route_query(Buffer&& packet) = 0;
};

class Upstream
{
public:
    virtual ~Upstream() = default;
    /// Deliver a piece of a reply. Returning false closes the session.
    virtual bool client_reply(Buffer&& data, const Reply& reply) = 0;
};

class FilterSession : public Downstream, public Upstream
{
public:
    void set_neighbours(Downstream* down, Upstream* up)
    {
        m_down = down;
        m_up = up;
    }
    bool route_query(Buffer&& packet) override { return m_down->route_query(std::move(packet)); }
    bool client_reply(Buffer&& data, const Reply& reply) override
    {
        return m_up->client_reply(std::move(data), reply);
    }

protected:
    Downstream* m_down = nullptr;
    Upstream* m_up = nullptr;
};

class RouterSession : public Downstream
{
public:
    void set_upstream(Upstream* up) { m_up = up; }
    /// Connect to the initial backend(s). False fails the session; the
    /// router has then told the client why (or set Session::close reason).
    virtual bool start() = 0;

protected:
    Upstream* m_up = nullptr;
};

/// A filter instance, one per [filter] section.
class Filter
{
public:
    virtual ~Filter() = default;
    virtual std::unique_ptr<FilterSession> new_session(Session& session) = 0;
    /// Module-specific diagnostics for the admin API (may return nullptr).
    virtual json_t* diagnostics() const { return nullptr; }
};

/// A router instance, one per service.
class Router
{
public:
    virtual ~Router() = default;
    virtual std::unique_ptr<RouterSession> new_session(Session& session) = 0;
    virtual json_t* diagnostics() const { return nullptr; }
};

}  // namespace sqlgate
