#include "sqlgate/server.hh"

#include "sqlgate/config.hh"

namespace sqlgate
{

void Server::configure(const ObjectConfig& config)
{
    m_rank.store(config.get_string("rank") == "secondary" ? RANK_SECONDARY : RANK_PRIMARY,
                 std::memory_order_relaxed);
    m_priority.store(config.get_int("priority"), std::memory_order_relaxed);
    m_max_routing_connections.store(config.get_int("max_routing_connections"),
                                    std::memory_order_relaxed);
}

bool Server::reserve_connection()
{
    int64_t limit = max_routing_connections();
    int64_t now = m_stats->connections.fetch_add(1, std::memory_order_relaxed) + 1;
    if (limit > 0 && now > limit)
    {
        m_stats->connections.fetch_sub(1, std::memory_order_relaxed);
        return false;
    }
    return true;
}

}  // namespace sqlgate
