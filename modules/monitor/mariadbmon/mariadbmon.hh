/**
 * mariadbmon: the MariaDB primary/replica monitor.
 *
 * Every tick it reads @@server_id, @@read_only, the GTID positions and
 * SHOW ALL SLAVES STATUS from each reachable server, works out the
 * replication topology (topology.hh) and sets Master, Slave and Relay Master.
 *
 * Threads: everything here runs on the monitor's thread (see
 * sqlgate/monitor.hh); the core publishes the results.
 */
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "sqlgate/monitor.hh"
#include "topology.hh"

namespace sqlgate::mariadbmon
{

using Row = std::map<std::string, std::string>;

/// Run @c sql on @c conn; rows by column name (NULL as an absent key).
bool query(st_mysql* conn, const std::string& sql, std::vector<Row>& rows, std::string& error);

class MariaDBMonitor : public Monitor
{
public:
    MariaDBMonitor(const ObjectConfig& config, std::vector<MonitorServer> targets);
    /// The thread calls update(): it stops before this object's members go.
    ~MariaDBMonitor() override { stop(); }

    // Operations, on the monitor thread (commands reach it through execute()).
    // Each returns false with a reason a person can act on; the servers' states
    // are refreshed (tick_now) by the caller afterwards.
    bool failover(std::string& error);
    bool switchover(const std::string& new_master, const std::string& old_master,
                    std::string& error);
    bool rejoin(const std::string& server, std::string& error);
    bool reset_replication(const std::string& master, std::string& error);

    /// The last asynchronous command's state for fetch-cmd-result (any thread).
    void set_command_state(const std::string& command, const std::string& state,
                           const std::string& error);
    json_t* command_state() const;

protected:
    void update(std::vector<MonitorServer>& servers) override;
    json_t* diagnostics_json(const std::vector<MonitorServer>& servers) const override;
    json_t* server_json(const MonitorServer& server) const override;

private:
    void read_node(MonitorServer& ms, NodeInfo& node);
    void read_all();
    json_t* node_json(const NodeInfo& n) const;

    // operations.cc
    void automatic_operations();
    int index_of(const std::string& server) const;
    bool run(int i, const std::string& sql, std::string& error);
    /// Close the client sessions on server @c i (not replication, not the monitor's).
    void kill_clients(int i);
    bool promote(int i, std::string& error);
    bool redirect(int i, int master, bool from_own_history, std::string& error);
    bool wait_gtid(int i, const std::string& gtid, int64_t timeout_ms, std::string& error);
    /// The replica of @c old_master to promote (choose_primary()), or -1 with @c why_not.
    int failover_candidate(int old_master, bool failover, std::string& why_not) const;
    bool promotable(int i) const;
    bool can_rejoin(int i, std::string& why_not) const;

    std::vector<NodeInfo> m_nodes;
    Topology m_topology;
    int m_last_master = -1;    ///< the primary before it was lost, for failover
    int64_t m_down_ticks = 0;  ///< ticks m_last_master has been unreachable
    std::map<std::string, std::string> m_rejoin_refused;  ///< server -> why, until it changes
    bool m_verify_warned = false;  ///< the verify_master_failure warning was logged
    std::string m_fork_gtid;       ///< the new primary's GTID when the last failover promoted it

    mutable std::mutex m_cmd_lock;
    std::string m_cmd_name, m_cmd_state = "none", m_cmd_error;
};

const Specification& spec();

}  // namespace sqlgate::mariadbmon
