#include "topology.hh"

#include <gtest/gtest.h>

using namespace sqlgate::mariadbmon;

namespace
{
NodeInfo node(const std::string& name, int port, bool read_only = false)
{
    NodeInfo n;
    n.name = name;
    n.address = "127.0.0.1";
    n.port = port;
    n.reachable = true;
    n.queried = true;
    n.read_only = read_only;
    return n;
}

void replicate(NodeInfo& replica, int master_port, const char* io = "Yes", bool sql = true)
{
    ReplicaConnection c;
    c.master_host = "localhost";  // resolves to the 127.0.0.1 entry
    c.master_port = master_port;
    c.io_running = io;
    c.sql_running = sql;
    c.seconds_behind = 0;
    replica.replicas_of.push_back(c);
}

Topology run(std::vector<NodeInfo>& nodes, int previous = -1)
{
    resolve_masters(nodes);
    return compute_topology(nodes, previous);
}
}  // namespace

TEST(Topology, PrimaryAndTwoReplicas)
{
    std::vector<NodeInfo> n = {node("a", 1), node("b", 2, true), node("c", 3, true)};
    replicate(n[1], 1);
    replicate(n[2], 1);
    Topology t = run(n);
    EXPECT_EQ(t.master, 0);
    EXPECT_EQ(t.roles[0], ROLE_MASTER);
    EXPECT_EQ(t.roles[1], ROLE_SLAVE);
    EXPECT_EQ(t.roles[2], ROLE_SLAVE);
    EXPECT_EQ(replication_lag(n[1]), 0);
    EXPECT_EQ(replication_lag(n[0]), -1);
}

TEST(Topology, ChainMakesARelayMaster)
{
    std::vector<NodeInfo> n = {node("a", 1), node("b", 2, true), node("c", 3, true)};
    replicate(n[1], 1);
    replicate(n[2], 2);
    Topology t = run(n);
    EXPECT_EQ(t.master, 0);
    EXPECT_EQ(t.roles[1], ROLE_SLAVE | ROLE_RELAY);
    EXPECT_EQ(t.roles[2], ROLE_SLAVE);
}

TEST(Topology, LoneWritableServerIsPrimary)
{
    std::vector<NodeInfo> n = {node("a", 1)};
    EXPECT_EQ(run(n).master, 0);
}

TEST(Topology, ReadOnlyRootIsNoPrimary)
{
    std::vector<NodeInfo> n = {node("a", 1, true), node("b", 2, true)};
    replicate(n[1], 1);
    Topology t = run(n);
    EXPECT_EQ(t.master, -1);
    EXPECT_EQ(t.master_problem, "no primary: a replicates from no other server but is read_only");
    EXPECT_EQ(t.roles[1], ROLE_SLAVE);
    EXPECT_EQ(t.roles[0], ROLE_NONE);  // no relay without a primary above it
}

TEST(Topology, DownPrimaryLeavesReplicasWithoutRoles)
{
    std::vector<NodeInfo> n = {node("a", 1), node("b", 2, true), node("c", 3, true)};
    n[0].reachable = false;
    replicate(n[1], 1, "Connecting");
    replicate(n[2], 1, "Connecting");
    Topology t = run(n);
    EXPECT_EQ(t.master, -1);
    EXPECT_EQ(t.roles[1], ROLE_NONE);
    EXPECT_EQ(t.roles[2], ROLE_NONE);
}

TEST(Topology, WritableReplicaOfALostPrimaryDoesNotBecomePrimary)
{
    // Replicas left writable by mistake: while their IO threads try to reach the
    // lost primary they are no candidates (failover decides that, not topology).
    std::vector<NodeInfo> n = {node("a", 1), node("b", 2), node("c", 3)};
    n[0].reachable = false;
    replicate(n[1], 1, "Connecting");
    replicate(n[2], 1, "Connecting");
    Topology t = run(n);
    EXPECT_EQ(t.master, -1);
    EXPECT_NE(t.master_problem.find("replicates from another"), std::string::npos)
        << t.master_problem;
    // A replica whose replication was stopped on purpose (IO "No") is a candidate.
    n[1].replicas_of[0].io_running = "No";
    EXPECT_EQ(run(n).master, 1);
}

TEST(Topology, WritableReplicasOfAHungPrimaryStayReplicas)
{
    // SIGSTOP: the monitor cannot reach a, but the replicas' IO threads still say Yes.
    std::vector<NodeInfo> n = {node("a", 1), node("b", 2), node("c", 3, true)};
    n[0].reachable = false;
    replicate(n[1], 1);
    replicate(n[2], 1);
    Topology t = run(n);
    EXPECT_EQ(t.master, -1);
    EXPECT_EQ(t.roles[1], ROLE_NONE);
}

TEST(Topology, LargestTreeWinsAndThePreviousPrimaryIsKept)
{
    // Two writable roots: d has one replica, a has two.
    std::vector<NodeInfo> n = {node("d", 4), node("a", 1), node("b", 2, true), node("c", 3, true),
                               node("e", 5, true)};
    replicate(n[2], 1);
    replicate(n[3], 1);
    replicate(n[4], 4);
    EXPECT_EQ(run(n).master, 1);
    // d was the primary before: it still qualifies, so it stays.
    EXPECT_EQ(run(n, 0).master, 0);
}

TEST(Topology, StoppedSqlThreadIsNotASlave)
{
    std::vector<NodeInfo> n = {node("a", 1), node("b", 2, true)};
    replicate(n[1], 1, "Yes", false);
    Topology t = run(n);
    EXPECT_EQ(t.master, 0);
    EXPECT_EQ(t.roles[1], ROLE_NONE);
}

TEST(ChoosePrimary, FailoverTakesTheMostReceivedThenTheBestPriority)
{
    // index, progress, priority
    std::vector<Candidate> c = {{0, 10, 0}, {1, 12, 5}, {2, 12, 2}, {3, 12, 0}};
    EXPECT_EQ(choose_primary(c, true), 2);
    c[0].progress = 13;  // received more: wins whatever its priority
    EXPECT_EQ(choose_primary(c, true), 0);
}

TEST(ChoosePrimary, SwitchoverTakesTheBestPriorityThenTheMostReceived)
{
    std::vector<Candidate> c = {{0, 13, 0}, {1, 12, 5}, {2, 10, 2}, {3, 11, 2}};
    EXPECT_EQ(choose_primary(c, false), 3);  // priority 2, and 11 > 10
    // Without priorities: the most received, ties to the first.
    std::vector<Candidate> plain = {{0, 10, 0}, {1, 12, 0}, {2, 12, 0}};
    EXPECT_EQ(choose_primary(plain, false), 1);
    EXPECT_EQ(choose_primary(plain, true), 1);
}

TEST(ChoosePrimary, NegativePrioritiesAreNeverPromoted)
{
    std::vector<Candidate> c = {{0, 20, -1}, {1, 12, 0}};
    EXPECT_EQ(choose_primary(c, true), 1);
    EXPECT_EQ(choose_primary({{0, 20, -1}}, false), -1);
    EXPECT_EQ(choose_primary({}, true), -1);
}
