// Fake ends of the routing chain for filter and router unit tests: a
// downstream that records the commands it gets and an upstream that records
// the replies, plus a builder for MariaDB command packets; and a mock router and
// filter for tests of the session that builds the chain.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sqlgate/mariadb.hh"
#include "sqlgate/routing.hh"

namespace sqlgate::mocks
{

struct RecordingDownstream : Downstream
{
    std::vector<std::string> packets;  ///< each routed command, bytes as sent
    bool route_query(Buffer&& packet) override
    {
        packets.push_back(packet.to_string());
        return true;
    }
};

struct RecordingUpstream : Upstream
{
    std::vector<std::string> data;  ///< each reply piece, bytes as delivered
    std::vector<Reply> replies;
    bool client_reply(Buffer&& d, const Reply& reply) override
    {
        data.push_back(d.to_string());
        replies.push_back(reply);
        return true;
    }
};

/// One command packet: @c cmd followed by @c sql.
inline Buffer command(std::string_view sql, uint8_t cmd = mariadb::COM_QUERY, uint8_t seq = 0)
{
    std::string payload(1, static_cast<char>(cmd));
    payload += sql;
    return mariadb::make_packet(seq, payload);
}

/// A Reply as the tracker would describe a piece of the reply to @c command.
inline Reply reply_to(uint8_t command, bool complete, bool is_error = false)
{
    Reply r;
    r.command = command;
    r.complete = complete;
    r.is_error = is_error;
    return r;
}

/// What the mock routers and filters did, in order (e.g. "router: new session",
/// "f1: new session", "f1: query").
using Log = std::vector<std::string>;

class MockRouterSession;

/// A router whose sessions record the commands they get; the test answers through
/// them (MockRouterSession::reply()) as a router does with what its backends send.
class MockRouter : public Router
{
public:
    std::unique_ptr<RouterSession> new_session(Session& session) override;

    Log* log = nullptr;
    bool start_result = true;  ///< what the sessions' start() returns
    bool route_result = true;  ///< what their route_query() returns
    /// Called with each routed command (after it was recorded), e.g. to answer it.
    std::function<void(MockRouterSession&, const std::string&)> on_query;
    std::vector<MockRouterSession*> sessions;  ///< the live ones, oldest first
};

class MockRouterSession : public RouterSession
{
public:
    MockRouterSession(MockRouter& router, Session& session) : router(router), session(session)
    {
        router.sessions.push_back(this);
    }
    ~MockRouterSession() override
    {
        std::erase(router.sessions, this);
        if (router.log)
        {
            router.log->push_back("router: session freed");
        }
    }
    bool start() override
    {
        started = true;
        if (router.log)
        {
            router.log->push_back("router: start");
        }
        return router.start_result;
    }
    bool route_query(Buffer&& packet) override
    {
        packets.push_back(packet.to_string());
        if (router.log)
        {
            router.log->push_back("router: query");
        }
        if (router.on_query)
        {
            router.on_query(*this, packets.back());
        }
        return router.route_result;
    }
    /// A piece of a reply, up the chain.
    bool reply(std::string_view bytes, const Reply& reply)
    {
        return m_up->client_reply(Buffer::copy_of(bytes), reply);
    }
    Upstream* upstream() const { return m_up; }

    MockRouter& router;
    Session& session;
    bool started = false;
    std::vector<std::string> packets;  ///< each routed command, bytes as received
};

inline std::unique_ptr<RouterSession> MockRouter::new_session(Session& session)
{
    if (log)
    {
        log->push_back("router: new session");
    }
    return std::make_unique<MockRouterSession>(*this, session);
}

/// A filter whose sessions mark what passes them: " /*NAME*/" is appended to the SQL
/// of each command and "<NAME>" to each reply piece, so the order of the chain shows
/// in what comes out of it.
class MockFilter : public Filter
{
public:
    MockFilter(std::string name, Log* log) : name(std::move(name)), log(log) {}
    std::unique_ptr<FilterSession> new_session(Session& session) override;

    std::string name;
    Log* log;
};

class MockFilterSession : public FilterSession
{
public:
    explicit MockFilterSession(MockFilter& filter) : m_filter(filter) {}
    ~MockFilterSession() override { m_filter.log->push_back(m_filter.name + ": session freed"); }
    bool route_query(Buffer&& packet) override
    {
        m_filter.log->push_back(m_filter.name + ": query");
        std::string sql = mariadb::get_sql(packet) + " /*" + m_filter.name + "*/";
        return m_down->route_query(mariadb::rebuild_sql(packet, sql));
    }
    bool client_reply(Buffer&& data, const Reply& reply) override
    {
        m_filter.log->push_back(m_filter.name + ": reply");
        std::string d = data.to_string() + "<" + m_filter.name + ">";
        return m_up->client_reply(Buffer::copy_of(d), reply);
    }
    Downstream* down() const { return m_down; }
    Upstream* up() const { return m_up; }

private:
    MockFilter& m_filter;
};

inline std::unique_ptr<FilterSession> MockFilter::new_session(Session&)
{
    log->push_back(name + ": new session");
    return std::make_unique<MockFilterSession>(*this);
}

}  // namespace sqlgate::mocks
