#include "topology.hh"

#include <algorithm>
#include <deque>

namespace sqlgate::mariadbmon
{

namespace
{
// The monitored, reachable server that @c c replicates from with a live IO thread.
int live_master(const std::vector<NodeInfo>& nodes, const ReplicaConnection& c)
{
    if (c.master_index < 0 || c.io_running != "Yes")
    {
        return -1;
    }
    return nodes[c.master_index].reachable ? c.master_index : -1;
}

// A server replicates (and is no primary candidate) while it has a started
// connection to a monitored server, even one the monitor cannot reach (a hung
// primary keeps its replicas' IO threads "Yes" until slave_net_timeout, a lost
// one "Connecting"). Only failover changes that.
bool replicates(const std::vector<NodeInfo>& nodes, const NodeInfo& n)
{
    return std::any_of(
        n.replicas_of.begin(), n.replicas_of.end(),
        [&](const ReplicaConnection& c)
        { return c.master_index >= 0 && (c.io_running == "Yes" || c.io_running == "Connecting"); });
}

// How many servers replicate, directly or through others, from @c root.
size_t tree_size(const std::vector<NodeInfo>& nodes, int root)
{
    std::vector<bool> seen(nodes.size(), false);
    std::deque<int> todo{root};
    seen[root] = true;
    size_t count = 0;
    while (!todo.empty())
    {
        int cur = todo.front();
        todo.pop_front();
        for (size_t i = 0; i < nodes.size(); ++i)
        {
            if (seen[i])
            {
                continue;
            }
            for (const auto& c : nodes[i].replicas_of)
            {
                if (live_master(nodes, c) == cur)
                {
                    seen[i] = true;
                    ++count;
                    todo.push_back(static_cast<int>(i));
                    break;
                }
            }
        }
    }
    return count;
}
}  // namespace

void resolve_masters(std::vector<NodeInfo>& nodes)
{
    auto same_host = [](const std::string& a, const std::string& b)
    {
        auto local = [](const std::string& h)
        { return h == "127.0.0.1" || h == "localhost" || h == "::1"; };
        return a == b || (local(a) && local(b));
    };
    for (auto& n : nodes)
    {
        for (auto& c : n.replicas_of)
        {
            c.master_index = -1;
            for (size_t i = 0; i < nodes.size(); ++i)
            {
                if (nodes[i].port == c.master_port && same_host(nodes[i].address, c.master_host))
                {
                    c.master_index = static_cast<int>(i);
                    break;
                }
            }
        }
    }
}

Topology compute_topology(const std::vector<NodeInfo>& nodes, int previous_master)
{
    Topology t;
    t.roles.assign(nodes.size(), ROLE_NONE);
    int best = -1;
    size_t best_size = 0;
    std::string read_only_roots;
    for (size_t i = 0; i < nodes.size(); ++i)
    {
        const NodeInfo& n = nodes[i];
        if (!n.reachable || !n.queried || replicates(nodes, n))
        {
            continue;
        }
        if (n.read_only)
        {
            read_only_roots += (read_only_roots.empty() ? "" : ", ") + n.name;
            continue;
        }
        size_t size = tree_size(nodes, static_cast<int>(i));
        if (static_cast<int>(i) == previous_master)
        {
            best = previous_master;
            break;
        }
        if (best < 0 || size > best_size)
        {
            best = static_cast<int>(i);
            best_size = size;
        }
    }
    t.master = best;
    if (best >= 0)
    {
        t.roles[best] |= ROLE_MASTER;
    }
    else if (!read_only_roots.empty())
    {
        bool one = read_only_roots.find(',') == std::string::npos;
        t.master_problem = "no primary: " + read_only_roots + (one ? " replicates" : " replicate") +
                           " from no other server but " + (one ? "is" : "are") + " read_only";
    }
    else
    {
        t.master_problem =
            "no primary: every reachable server replicates from another (or none is reachable)";
    }
    for (size_t i = 0; i < nodes.size(); ++i)
    {
        if (static_cast<int>(i) == best || !nodes[i].reachable)
        {
            continue;
        }
        for (const auto& c : nodes[i].replicas_of)
        {
            int m = live_master(nodes, c);
            if (m >= 0 && c.sql_running)
            {
                t.roles[i] |= ROLE_SLAVE;
                if (m != best)
                {
                    t.roles[m] |= ROLE_RELAY;
                }
            }
        }
    }
    for (size_t i = 0; i < nodes.size(); ++i)
    {
        if ((t.roles[i] & ROLE_RELAY) && !(t.roles[i] & ROLE_SLAVE))
        {
            t.roles[i] &= ~ROLE_RELAY;  // the top of a tree without a primary
        }
    }
    return t;
}

int64_t replication_lag(const NodeInfo& node)
{
    for (const auto& c : node.replicas_of)
    {
        if (c.master_index >= 0)
        {
            return c.seconds_behind ? *c.seconds_behind : -1;
        }
    }
    return -1;
}

int choose_primary(const std::vector<Candidate>& candidates, bool failover)
{
    // Lower is better: 1, 2, ... and then 0.
    auto rank = [](int64_t priority) { return priority > 0 ? priority : INT64_MAX; };
    const Candidate* best = nullptr;
    for (const Candidate& c : candidates)
    {
        if (c.priority < 0)
        {
            continue;
        }
        bool better = !best;
        if (best && failover && c.progress != best->progress)
        {
            better = c.progress > best->progress;
        }
        else if (best && rank(c.priority) != rank(best->priority))
        {
            better = rank(c.priority) < rank(best->priority);
        }
        else if (best)
        {
            better = c.progress > best->progress;
        }
        best = better ? &c : best;
    }
    return best ? best->index : -1;
}

}  // namespace sqlgate::mariadbmon
