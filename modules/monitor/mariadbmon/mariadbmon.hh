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

protected:
    void update(std::vector<MonitorServer>& servers) override;
    json_t* diagnostics_json(const std::vector<MonitorServer>& servers) const override;
    json_t* server_json(const MonitorServer& server) const override;

private:
    void read_node(MonitorServer& ms, NodeInfo& node);
    json_t* node_json(const NodeInfo& n) const;

    std::vector<NodeInfo> m_nodes;
    Topology m_topology;
};

const Specification& spec();

}  // namespace sqlgate::mariadbmon
