/**
 * mariadbmon's view of a replication topology: who replicates from whom,
 * and which server is the primary. Pure logic over what the queries
 * returned, so that it can be tested without servers.
 *
 * Threads: the monitor's thread only.
 */
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sqlgate::mariadbmon
{

/// One row of SHOW ALL SLAVES STATUS.
struct ReplicaConnection
{
    std::string name;  ///< Connection_name ("" for the default one)
    std::string master_host;
    int master_port = 0;
    std::string io_running;  ///< "Yes", "No", "Connecting"
    bool sql_running = false;
    std::optional<int64_t> seconds_behind;  ///< empty when NULL
    std::string using_gtid;
    std::string gtid_io_pos;
    std::string last_io_error;
    std::string last_sql_error;
    int master_index = -1;  ///< the monitored server it points to, or -1
};

/// What one tick learned about one server.
struct NodeInfo
{
    std::string name;
    std::string address;
    int port = 0;
    bool reachable = false;
    bool queried = false;  ///< the role queries succeeded
    int64_t server_id = -1;
    bool read_only = false;
    std::string gtid_current_pos;
    std::string gtid_binlog_pos;
    std::vector<ReplicaConnection> replicas_of;  ///< its replication connections
    std::string error;                           ///< last query error
};

enum Role : uint32_t
{
    ROLE_NONE = 0,
    ROLE_MASTER = 1,
    ROLE_SLAVE = 2,
    ROLE_RELAY = 4,
};

struct Topology
{
    int master = -1;              ///< index of the primary, or -1
    std::vector<uint32_t> roles;  ///< per node
    std::string master_problem;   ///< why there is no primary, for the diagnostics
};

/// Point every connection's master_index at the node with the same host and port.
void resolve_masters(std::vector<NodeInfo>& nodes);

/**
 * Roles from the replication graph. The primary is a reachable, writable
 * server that replicates from no reachable monitored server and has the
 * most replicas below it; @c previous_master is kept while it still
 * qualifies, so that a tie never flips the primary.
 */
Topology compute_topology(const std::vector<NodeInfo>& nodes, int previous_master);

/// A replica that failover or switchover may promote.
struct Candidate
{
    int index = -1;        ///< the node
    int64_t progress = 0;  ///< how far what it received got (sum of GTID sequence numbers)
    int64_t priority = 0;  ///< the server's priority parameter
};

/**
 * The index of the new primary among @c candidates (in server order), or -1.
 * Priorities rank as galeramon's: the lowest positive first, then 0 (the
 * default); a negative one is never promoted. A failover takes the candidates
 * that received the most (promoting one that got less would lose events) and
 * among them the best priority; a switchover, where the new primary catches up
 * before it takes over, the best priority and then the most received. Ties go
 * to the first.
 */
int choose_primary(const std::vector<Candidate>& candidates, bool failover);

/// Seconds_Behind_Master of the first connection to a monitored server, or
/// -1 (not a replica, or the SQL thread is stopped).
int64_t replication_lag(const NodeInfo& node);

}  // namespace sqlgate::mariadbmon
