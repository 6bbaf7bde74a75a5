// What mariadbmon does on its own at the end of a tick: automatic failover,
// enforce_writable_master, enforce_read_only_slaves and auto_rejoin; and the
// state of the last asynchronous command. Monitor thread (the command state
// is read from any thread under m_cmd_lock).
#include <algorithm>

#include "mariadbmon.hh"
#include "sqlgate/log.hh"

namespace sqlgate::mariadbmon
{

void MariaDBMonitor::automatic_operations()
{
    if (m_topology.master >= 0)
    {
        m_last_master = m_topology.master;
        m_down_ticks = 0;
        m_verify_warned = false;
    }
    else if (m_last_master >= 0 && !m_nodes[m_last_master].reachable)
    {
        ++m_down_ticks;
    }
    bool changed = false;
    std::string error;
    if (config().get_bool("auto_failover") && m_topology.master < 0 && m_last_master >= 0 &&
        m_down_ticks >= std::max<int64_t>(1, config().get_int("failcount")))
    {
        bool seen = false;
        for (const auto& n : m_nodes)
        {
            for (const auto& c : n.replicas_of)
            {
                seen |= c.master_index == m_last_master && c.io_running == "Yes";
            }
        }
        if (seen && config().get_bool("verify_master_failure"))
        {
            if (!m_verify_warned)
            {
                m_verify_warned = true;
                SG_WARNING(
                    "Monitor %s: %s is unreachable but replicas still receive its "
                    "events: no failover while they do",
                    name().c_str(), m_nodes[m_last_master].name.c_str());
            }
        }
        else if (failover(error))
        {
            changed = true;
        }
        else
        {
            SG_ERROR("Monitor %s: automatic failover failed: %s", name().c_str(), error.c_str());
            m_down_ticks = 0;  // try again after failcount more ticks
        }
    }
    if (config().get_bool("enforce_writable_master") && m_topology.master < 0)
    {
        // The server that would be primary if read_only were off everywhere.
        std::vector<NodeInfo> writable = m_nodes;
        for (auto& n : writable)
        {
            n.read_only = false;
        }
        int cand = compute_topology(writable, m_last_master).master;
        if (cand >= 0 && m_nodes[cand].read_only &&
            !(monitored()[cand].server->status() & status::MAINT))
        {
            if (run(cand, "SET GLOBAL read_only=0", error))
            {
                SG_NOTICE("Monitor %s: enforce_writable_master: read_only=OFF on %s",
                          name().c_str(), m_nodes[cand].name.c_str());
                changed = true;
            }
            else
            {
                SG_ERROR("Monitor %s: enforce_writable_master: %s", name().c_str(), error.c_str());
            }
        }
    }
    if (config().get_bool("enforce_read_only_slaves"))
    {
        for (size_t i = 0; i < m_nodes.size(); ++i)
        {
            if ((m_topology.roles[i] & ROLE_SLAVE) && !(m_topology.roles[i] & ROLE_MASTER) &&
                !m_nodes[i].read_only && !(monitored()[i].server->status() & status::MAINT))
            {
                if (run(static_cast<int>(i), "SET GLOBAL read_only=1", error))
                {
                    SG_NOTICE("Monitor %s: enforce_read_only_slaves: read_only=ON on %s",
                              name().c_str(), m_nodes[i].name.c_str());
                    changed = true;
                }
                else
                {
                    SG_ERROR("Monitor %s: enforce_read_only_slaves: %s", name().c_str(),
                             error.c_str());
                }
            }
        }
    }
    if (config().get_bool("auto_rejoin") && m_topology.master >= 0)
    {
        for (size_t i = 0; i < m_nodes.size(); ++i)
        {
            const NodeInfo& n = m_nodes[i];
            // Only a standalone server or one replicating from a lost server rejoins:
            // replicas of a relay master or of an outside server are left as they are.
            bool placed =
                std::any_of(n.replicas_of.begin(), n.replicas_of.end(),
                            [&](const ReplicaConnection& c)
                            { return c.master_index < 0 || m_nodes[c.master_index].reachable; });
            if (static_cast<int>(i) == m_topology.master || placed || !n.queried ||
                (monitored()[i].server->status() & status::MAINT))
            {
                continue;
            }
            std::string why;
            if (rejoin(n.name, why))
            {
                changed = true;
                m_rejoin_refused.erase(n.name);
            }
            else if (m_rejoin_refused[n.name] != why)
            {
                m_rejoin_refused[n.name] = why;
                SG_WARNING("Monitor %s: not rejoining %s: %s", name().c_str(), n.name.c_str(),
                           why.c_str());
            }
        }
    }
    if (changed)
    {
        read_all();
        m_topology = compute_topology(m_nodes, m_last_master);
    }
}

void MariaDBMonitor::set_command_state(const std::string& command, const std::string& state,
                                       const std::string& error)
{
    std::lock_guard<std::mutex> g(m_cmd_lock);
    m_cmd_name = command;
    m_cmd_state = state;
    m_cmd_error = error;
}

json_t* MariaDBMonitor::command_state() const
{
    std::lock_guard<std::mutex> g(m_cmd_lock);
    return json_pack("{s:s, s:s, s:s?}", "command", m_cmd_name.c_str(), "state",
                     m_cmd_state.c_str(), "error",
                     m_cmd_error.empty() ? nullptr : m_cmd_error.c_str());
}

}  // namespace sqlgate::mariadbmon
