/**
 * A backend server as the routing path sees it.
 *
 * Threads: created and configured by the main thread; shared (shared_ptr)
 * with the workers. Address and port are immutable for the object's life
 * (a runtime change makes a new Server object that shares the old one's
 * ServerStats). Status and counters are atomics so that monitors and workers
 * read them without locks.
 */
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

namespace sqlgate
{

class ObjectConfig;

namespace status
{
constexpr uint64_t RUNNING = 1 << 0;
constexpr uint64_t MASTER = 1 << 1;
constexpr uint64_t SLAVE = 1 << 2;
constexpr uint64_t RELAY = 1 << 3;
constexpr uint64_t SYNCED = 1 << 4;
constexpr uint64_t MAINT = 1 << 5;
constexpr uint64_t DRAINING = 1 << 6;
constexpr uint64_t AUTH_ERROR = 1 << 7;
constexpr uint64_t DOWN = 1 << 8;  ///< known unreachable (set on connect failure)
}  // namespace status

/// Counters of a server's identity, not of one Server object: a runtime change
/// that makes a new object hands the same instance on, so connections opened
/// before the change are still counted and released on the same counter.
struct ServerStats
{
    std::atomic<int64_t> connections{0};
    std::atomic<int64_t> total_connections{0};
    std::atomic<int64_t> failed_connections{0};
};

class Server
{
public:
    Server(std::string name, std::string address, int port, std::string socket = "")
        : m_name(std::move(name)),
          m_address(std::move(address)),
          m_port(port),
          m_socket(std::move(socket))
    {
    }
    const std::string& name() const { return m_name; }
    const std::string& address() const { return m_address; }
    int port() const { return m_port; }
    /// Unix domain socket path; when set it is used instead of address and port.
    const std::string& socket() const { return m_socket; }

    uint64_t status() const { return m_status.load(std::memory_order_relaxed); }
    void set_status_bits(uint64_t bits) { m_status.fetch_or(bits, std::memory_order_relaxed); }
    void clear_status_bits(uint64_t bits) { m_status.fetch_and(~bits, std::memory_order_relaxed); }
    /// Replace the bits of @c mask with those of @c value in one atomic step,
    /// keeping the others (a monitor's tick; the operator's maintenance stays).
    void assign_status(uint64_t mask, uint64_t value)
    {
        uint64_t cur = m_status.load(std::memory_order_relaxed);
        while (!m_status.compare_exchange_weak(cur, (cur & ~mask) | (value & mask),
                                               std::memory_order_relaxed))
        {
        }
    }
    /// True when some monitor sets this server's role bits.
    bool monitored() const { return m_monitored.load(std::memory_order_relaxed); }
    void set_monitored(bool m) { m_monitored.store(m, std::memory_order_relaxed); }
    /// MaxScale's status string, e.g. "Master, Running".
    std::string status_string() const;

    /// The server parameters that change at runtime without a new object
    /// (rank, priority, max_routing_connections). Main thread (at creation and
    /// on a PATCH); the values are atomics the workers and monitors read.
    void configure(const ObjectConfig& config);
    /// MaxScale's rank: RANK_PRIMARY or RANK_SECONDARY; routers prefer the lower.
    static constexpr int RANK_PRIMARY = 1;
    static constexpr int RANK_SECONDARY = 2;
    int rank() const { return m_rank.load(std::memory_order_relaxed); }
    /// mariadbmon's preference when it picks a new primary: the lowest positive
    /// first, then 0; a negative priority is never promoted.
    int64_t priority() const { return m_priority.load(std::memory_order_relaxed); }
    /// Session connections allowed to the server at once; 0: no limit.
    int64_t max_routing_connections() const
    {
        return m_max_routing_connections.load(std::memory_order_relaxed);
    }
    /// Count one more session connection, unless max_routing_connections
    /// are open already (then false and nothing counted). Any thread.
    bool reserve_connection();

    ServerStats& stats() const { return *m_stats; }
    /// This object replaces @c previous (same server, new configuration).
    void share_stats_of(const Server& previous) { m_stats = previous.m_stats; }

private:
    std::shared_ptr<ServerStats> m_stats = std::make_shared<ServerStats>();
    std::string m_name;
    std::string m_address;
    int m_port;
    std::string m_socket;
    std::atomic<uint64_t> m_status{0};
    std::atomic<bool> m_monitored{false};
    std::atomic<int> m_rank{RANK_PRIMARY};
    std::atomic<int64_t> m_priority{0};
    std::atomic<int64_t> m_max_routing_connections{0};
};

using ServerPtr = std::shared_ptr<Server>;

}  // namespace sqlgate
