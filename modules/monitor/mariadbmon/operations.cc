// mariadbmon's cluster operations: failover, switchover, rejoin and
// reset-replication, and the automatic ones run at the end of a tick.
// Everything here runs on the monitor's thread and blocks it (libmariadb).
#include <mysql.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <thread>

#include "mariadbmon.hh"
#include "sqlgate/log.hh"

namespace sqlgate::mariadbmon
{

namespace
{
// "0-1-12" -> {0: (1, 12)}: the server id and sequence number of each domain's last event.
std::map<int64_t, std::pair<int64_t, int64_t>> gtid_triples(const std::string& list)
{
    std::map<int64_t, std::pair<int64_t, int64_t>> out;
    size_t start = 0;
    while (start < list.size())
    {
        size_t end = list.find(',', start);
        std::string one = list.substr(start, end == std::string::npos ? end : end - start);
        int64_t domain = 0, server = 0, seq = 0;
        if (sscanf(one.c_str(), " %ld-%ld-%ld", &domain, &server, &seq) == 3)
        {
            out[domain] = {server, seq};
        }
        if (end == std::string::npos)
        {
            break;
        }
        start = end + 1;
    }
    return out;
}

// "0-1-12,1-3-4" -> {0: 12, 1: 4}.
std::map<int64_t, int64_t> gtid_seqs(const std::string& list)
{
    std::map<int64_t, int64_t> out;
    for (const auto& [domain, last] : gtid_triples(list))
    {
        out[domain] = last.second;
    }
    return out;
}

// How far a server got: the sum of its sequence numbers over the domains.
int64_t progress(const std::string& list)
{
    int64_t sum = 0;
    for (const auto& [d, seq] : gtid_seqs(list))
    {
        sum += seq;
    }
    return sum;
}

std::string quoted(const std::string& s)
{
    std::string out = "'";
    for (char c : s)
    {
        if (c == '\'' || c == '\\')
        {
            out += '\\';
        }
        out += c;
    }
    return out + "'";
}
}  // namespace

int MariaDBMonitor::index_of(const std::string& server) const
{
    for (size_t i = 0; i < m_nodes.size(); ++i)
    {
        if (m_nodes[i].name == server)
        {
            return static_cast<int>(i);
        }
    }
    return -1;
}

bool MariaDBMonitor::run(int i, const std::string& sql, std::string& error)
{
    MonitorServer& ms = monitored()[i];
    if (!ms.conn)
    {
        error = m_nodes[i].name + " is not reachable";
        return false;
    }
    std::vector<Row> rows;
    if (!query(ms.conn, sql, rows, error))
    {
        error = m_nodes[i].name + ": " + sql.substr(0, sql.find(" MASTER_PASSWORD")) + ": " + error;
        return false;
    }
    return true;
}

bool MariaDBMonitor::promotable(int i) const
{
    const auto& no = config().get_list("servers_no_promotion");
    return m_nodes[i].reachable && m_nodes[i].queried &&
           !(monitored()[i].server->status() & status::MAINT) &&
           monitored()[i].server->priority() >= 0 &&
           std::find(no.begin(), no.end(), m_nodes[i].name) == no.end();
}

bool MariaDBMonitor::promote(int i, std::string& error)
{
    return run(i, "STOP ALL SLAVES", error) && run(i, "RESET SLAVE ALL", error) &&
           run(i, "SET GLOBAL read_only=0", error);
}

// Make server @c i replicate from @c master with GTID. A server that was a
// primary itself (@c from_own_history) continues from what it has written.
bool MariaDBMonitor::redirect(int i, int master, bool from_own_history, std::string& error)
{
    const std::string& user = config().get_string("replication_user").empty()
                                  ? config().get_string("user")
                                  : config().get_string("replication_user");
    const std::string& password = config().get_string("replication_user").empty()
                                      ? config().get_string("password")
                                      : config().get_string("replication_password");
    const Server& m = *monitored()[master].server;
    std::string change = "CHANGE MASTER TO MASTER_HOST=" + quoted(m.address()) +
                         ", MASTER_PORT=" + std::to_string(m.port()) +
                         ", MASTER_USE_GTID=slave_pos, MASTER_USER=" + quoted(user) +
                         ", MASTER_PASSWORD=" + quoted(password);
    return run(i, "STOP ALL SLAVES", error) && run(i, "RESET SLAVE ALL", error) &&
           run(i, "SET GLOBAL read_only=1", error) &&
           (!from_own_history ||
            run(i, "SET GLOBAL gtid_slave_pos=@@global.gtid_current_pos", error)) &&
           run(i, change, error) && run(i, "START SLAVE", error);
}

bool MariaDBMonitor::wait_gtid(int i, const std::string& gtid, int64_t timeout_ms,
                               std::string& error)
{
    if (gtid.empty())
    {
        return true;
    }
    // On a connection of its own: the monitor's connections time out reads after
    // backend_read_timeout, and this wait may last failover/switchover_timeout.
    const MonitorServer& ms = monitored()[i];
    unsigned int seconds = static_cast<unsigned int>(std::max<int64_t>(1, timeout_ms / 1000));
    unsigned int read_timeout = seconds + 5;
    unsigned int connect_timeout = 5;
    MYSQL* conn = mysql_init(nullptr);
    mysql_optionsv(conn, MYSQL_OPT_READ_TIMEOUT, &read_timeout);
    mysql_optionsv(conn, MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
    const Server& s = *ms.server;
    bool local = !s.socket().empty();
    if (!mysql_real_connect(conn, local ? nullptr : s.address().c_str(), ms.user.c_str(),
                            ms.password.c_str(), nullptr, local ? 0 : s.port(),
                            local ? s.socket().c_str() : nullptr, 0))
    {
        error = m_nodes[i].name + ": " + mysql_error(conn);
        mysql_close(conn);
        return false;
    }
    std::vector<Row> rows;
    std::string sql =
        "SELECT MASTER_GTID_WAIT(" + quoted(gtid) + ", " + std::to_string(seconds) + ") AS w";
    bool ok = query(conn, sql, rows, error);
    mysql_close(conn);
    if (!ok)
    {
        error = m_nodes[i].name + ": " + error;
        return false;
    }
    if (rows.empty() || rows[0]["w"] != "0")
    {
        error = m_nodes[i].name + " did not reach GTID " + gtid + " in time";
        return false;
    }
    return true;
}

int MariaDBMonitor::failover_candidate(int old_master, bool failover, std::string& why_not) const
{
    std::vector<Candidate> candidates;
    for (size_t i = 0; i < m_nodes.size(); ++i)
    {
        const NodeInfo& n = m_nodes[i];
        Candidate c{static_cast<int>(i), progress(n.gtid_current_pos),
                    monitored()[i].server->priority()};
        bool replica = false;
        for (const auto& r : n.replicas_of)
        {
            if (r.master_index == old_master)
            {
                replica = true;
                c.progress = r.gtid_io_pos.empty() ? c.progress : progress(r.gtid_io_pos);
            }
        }
        if (replica && promotable(c.index))
        {
            candidates.push_back(c);
        }
    }
    int best = choose_primary(candidates, failover);
    if (best < 0)
    {
        why_not = "no valid candidate: no reachable replica of " + m_nodes[old_master].name +
                  " outside maintenance and servers_no_promotion and with a priority of 0 or more";
    }
    return best;
}

bool MariaDBMonitor::failover(std::string& error)
{
    int old = m_last_master;
    if (m_topology.master >= 0)
    {
        error = "failover is for a lost primary, and " + m_nodes[m_topology.master].name +
                " is the primary: use switchover";
        return false;
    }
    if (old < 0)
    {
        error = "no primary has been seen, so there is nothing to fail over from";
        return false;
    }
    int cand = failover_candidate(old, true, error);
    if (cand < 0)
    {
        return false;
    }
    // Let the candidate apply what it received before it takes writes.
    std::string io;
    for (const auto& c : m_nodes[cand].replicas_of)
    {
        io = c.master_index == old ? c.gtid_io_pos : io;
    }
    if (!wait_gtid(cand, io, config().get_int("failover_timeout"), error))
    {
        return false;
    }
    // Where the histories fork: the lost primary may hold events past this point
    // that nobody received, and then it must not rejoin.
    std::vector<Row> rows;
    std::string fork_error;
    if (query(monitored()[cand].conn, "SELECT @@gtid_current_pos AS pos", rows, fork_error) &&
        !rows.empty())
    {
        m_fork_gtid = rows[0]["pos"];
    }
    if (!promote(cand, error))
    {
        return false;
    }
    for (size_t i = 0; i < m_nodes.size(); ++i)
    {
        if (static_cast<int>(i) != cand && static_cast<int>(i) != old && m_nodes[i].queried &&
            !(monitored()[i].server->status() & status::MAINT) &&
            !redirect(static_cast<int>(i), cand, false, error))
        {
            SG_WARNING("Monitor %s: failover: %s", name().c_str(), error.c_str());
        }
    }
    SG_NOTICE("Monitor %s: failover: %s is the new primary (%s was lost)", name().c_str(),
              m_nodes[cand].name.c_str(), m_nodes[old].name.c_str());
    m_last_master = cand;
    m_down_ticks = 0;
    error.clear();
    return true;
}

bool MariaDBMonitor::switchover(const std::string& new_name, const std::string& old_name,
                                std::string& error)
{
    int old = old_name.empty() ? m_topology.master : index_of(old_name);
    if (old < 0 || old != m_topology.master)
    {
        error =
            (old_name.empty() ? std::string("there is no primary")
                              : old_name + " is not the primary") +
            (m_topology.master >= 0 ? " (the primary is " + m_nodes[m_topology.master].name + ")"
                                    : "; use failover");
        return false;
    }
    int cand = new_name.empty() ? failover_candidate(old, false, error) : index_of(new_name);
    if (cand < 0)
    {
        error = new_name.empty() ? error : new_name + " is not monitored by " + name();
        return false;
    }
    if (!(m_topology.roles[cand] & ROLE_SLAVE) || !promotable(cand))
    {
        error = m_nodes[cand].name + " cannot be promoted: it must be a running replica of " +
                m_nodes[old].name +
                ", not in maintenance nor in servers_no_promotion, with a priority of 0 or more";
        return false;
    }
    // Demote: no new writes on the old primary, then wait until the new one has them all.
    // read_only=1 waits for the transactions running on it: give them a second (less
    // than the connection's read timeout), then close the client sessions and try again.
    std::vector<Row> rows;
    bool demoted = run(old, "SET SESSION lock_wait_timeout=1", error) &&
                   run(old, "SET GLOBAL read_only=1", error);
    if (!demoted && error.find("Lock wait timeout") != std::string::npos)
    {
        SG_NOTICE(
            "Monitor %s: switchover: transactions on %s did not end within 1 s; "
            "closing its client sessions",
            name().c_str(), m_nodes[old].name.c_str());
        kill_clients(old);
        demoted = run(old, "SET GLOBAL read_only=1", error);
    }
    if (!demoted || !query(monitored()[old].conn, "SELECT @@gtid_binlog_pos AS pos", rows, error) ||
        rows.empty())
    {
        error = "demoting " + m_nodes[old].name + ": " + error;
        std::string undo;
        if (!run(old, "SET GLOBAL read_only=0", undo))
        {
            error += "; making it writable again failed too (" + undo + ")";
        }
        return false;
    }
    std::string pos = rows[0]["pos"];
    if (!wait_gtid(cand, pos, config().get_int("switchover_timeout"), error))
    {
        std::string undo;
        run(old, "SET GLOBAL read_only=0", undo);
        error = "switchover cancelled, " + m_nodes[old].name + " is writable again: " + error;
        return false;
    }
    if (!promote(cand, error))
    {
        std::string undo;
        bool undone = run(old, "SET GLOBAL read_only=0", undo) && run(cand, "START SLAVE", undo);
        error = "promoting " + m_nodes[cand].name + " failed: " + error +
                (undone ? "; " + m_nodes[old].name + " is the writable primary again"
                        : "; undoing failed too (" + undo + "): check the servers by hand");
        return false;
    }
    for (size_t i = 0; i < m_nodes.size(); ++i)
    {
        int k = static_cast<int>(i);
        if (monitored()[i].server->status() & status::MAINT)
        {
            continue;  // the operator's: left as it is
        }
        if (k != cand && m_nodes[i].queried && !redirect(k, cand, k == old, error))
        {
            SG_WARNING("Monitor %s: switchover: %s", name().c_str(), error.c_str());
        }
    }
    // Sessions still connected to the old primary can only fail now (read_only):
    // close them, so that their clients reconnect and reach the new primary.
    kill_clients(old);
    SG_NOTICE("Monitor %s: switchover: %s is the new primary, %s replicates from it",
              name().c_str(), m_nodes[cand].name.c_str(), m_nodes[old].name.c_str());
    m_last_master = cand;
    m_topology.master = cand;  // kept as the primary by the next topology
    error.clear();
    return true;
}

void MariaDBMonitor::kill_clients(int i)
{
    std::vector<Row> conns;
    std::string ignored;
    if (query(monitored()[i].conn,
              "SELECT ID AS id FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() "
              "AND COMMAND NOT IN ('Binlog Dump', 'Daemon', 'Killed') AND USER NOT IN "
              "('system user', 'event_scheduler', " +
                  quoted(monitored()[i].user) + ")",
              conns, ignored))
    {
        for (auto& row : conns)
        {
            run(i, "KILL CONNECTION " + row["id"], ignored);
        }
    }
}

bool MariaDBMonitor::can_rejoin(int i, std::string& why_not) const
{
    int master = m_topology.master;
    const NodeInfo& n = m_nodes[i];
    if (master < 0 || i == master)
    {
        why_not = master < 0 ? "there is no primary to rejoin" : n.name + " is the primary";
        return false;
    }
    if (!n.reachable || !n.queried)
    {
        why_not = n.name + " is not reachable";
        return false;
    }
    // Past the point where a failover forked the history, only events that came
    // from the new primary are allowed.
    auto fork = gtid_seqs(m_fork_gtid);
    for (const auto& [domain, last] : gtid_triples(n.gtid_current_pos))
    {
        auto it = fork.find(domain);
        if (!m_fork_gtid.empty() && (it == fork.end() || last.second > it->second) &&
            last.first != m_nodes[master].server_id)
        {
            why_not = n.name + " has GTID " + n.gtid_current_pos +
                      ": events past the failover point (" + m_fork_gtid +
                      ") that the primary never received; its data diverged, rebuild it";
            return false;
        }
    }
    // Its history must be a prefix of the primary's: no domain ahead of it.
    auto mine = gtid_seqs(n.gtid_current_pos);
    auto theirs = gtid_seqs(m_nodes[master].gtid_current_pos);
    for (const auto& [domain, seq] : mine)
    {
        auto it = theirs.find(domain);
        if (it == theirs.end() || it->second < seq)
        {
            why_not = n.name + " has GTID " + n.gtid_current_pos + ", which " +
                      m_nodes[master].name + " (" + m_nodes[master].gtid_current_pos +
                      ") does not have: its data diverged; rebuild it";
            return false;
        }
    }
    return true;
}

bool MariaDBMonitor::rejoin(const std::string& server, std::string& error)
{
    int i = index_of(server);
    if (i < 0)
    {
        error = server + " is not monitored by " + name();
        return false;
    }
    if (!can_rejoin(i, error))
    {
        return false;
    }
    bool was_primary = m_nodes[i].replicas_of.empty();
    if (!redirect(i, m_topology.master, was_primary, error))
    {
        return false;
    }
    SG_NOTICE("Monitor %s: rejoin: %s replicates from %s", name().c_str(), server.c_str(),
              m_nodes[m_topology.master].name.c_str());
    return true;
}

bool MariaDBMonitor::reset_replication(const std::string& master_name, std::string& error)
{
    int master = master_name.empty() ? m_topology.master : index_of(master_name);
    if (master < 0 || !m_nodes[master].queried)
    {
        error = master_name.empty() ? "there is no primary: name the server to make primary"
                                    : master_name + " is not a reachable server of " + name();
        return false;
    }
    for (size_t i = 0; i < m_nodes.size(); ++i)
    {
        if (m_nodes[i].queried && !run(static_cast<int>(i), "SET GLOBAL read_only=1", error))
        {
            return false;
        }
    }
    for (size_t i = 0; i < m_nodes.size(); ++i)
    {
        int k = static_cast<int>(i);
        if (m_nodes[i].queried &&
            !(run(k, "STOP ALL SLAVES", error) && run(k, "RESET SLAVE ALL", error) &&
              run(k, "RESET MASTER", error) && run(k, "SET GLOBAL gtid_slave_pos=''", error)))
        {
            return false;
        }
    }
    for (size_t i = 0; i < m_nodes.size(); ++i)
    {
        int k = static_cast<int>(i);
        if (k != master && m_nodes[i].queried && !redirect(k, master, false, error))
        {
            return false;
        }
    }
    if (!run(master, "SET GLOBAL read_only=0", error))
    {
        return false;
    }
    SG_NOTICE("Monitor %s: reset-replication: binary logs and GTIDs erased, %s is the primary",
              name().c_str(), m_nodes[master].name.c_str());
    m_last_master = master;
    m_topology.master = master;
    return true;
}

}  // namespace sqlgate::mariadbmon
