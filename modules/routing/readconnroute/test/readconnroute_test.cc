// readconnroute's choice of server: router_options, states, least connections.
#include "readconnroute.hh"

#include <gtest/gtest.h>

using namespace sqlgate;
using namespace sqlgate::readconnroute;

namespace
{
struct Fixture
{
    Service service;
    Fixture()
    {
        for (const char* n : {"a", "b", "c"})
        {
            service.servers.push_back(std::make_shared<Server>(n, "127.0.0.1", 3306));
        }
    }
    Server& s(int i) { return *service.servers[i]; }
    std::vector<std::string> names(const ReadConnRoute& r)
    {
        std::vector<std::string> out;
        for (const auto& srv : r.candidates())
        {
            out.push_back(srv->name());
        }
        return out;
    }
};

using Names = std::vector<std::string>;

TEST(ReadConnRoute, WithoutMonitorEveryServerIsACandidateInOrder)
{
    Fixture f;
    ReadConnRoute r(f.service, 0, 0);
    EXPECT_EQ(f.names(r), (Names{"a", "b", "c"}));
}

TEST(ReadConnRoute, LeastConnectionsFirstTiesKeepConfigOrder)
{
    Fixture f;
    f.s(0).stats().connections = 5;
    f.s(1).stats().connections = 2;
    f.s(2).stats().connections = 2;
    ReadConnRoute r(f.service, 0, 0);
    EXPECT_EQ(f.names(r), (Names{"b", "c", "a"}));
}

TEST(ReadConnRoute, PrimaryRankBeforeSecondaryWhateverTheConnections)
{
    Fixture f;
    ObjectConfig secondary;
    secondary.values["rank"].text = "secondary";
    f.s(0).configure(secondary);
    f.s(1).stats().connections = 7;
    f.s(2).stats().connections = 3;
    ReadConnRoute r(f.service, 0, 0);
    // a has no connections but is secondary: tried only after every primary one.
    EXPECT_EQ(f.names(r), (Names{"c", "b", "a"}));
    f.s(2).set_status_bits(status::MAINT);
    f.s(1).set_status_bits(status::MAINT);
    EXPECT_EQ(f.names(r), (Names{"a"}));
}

TEST(ReadConnRoute, MaintenanceDrainingAndDownAreSkipped)
{
    Fixture f;
    f.s(0).set_status_bits(status::MAINT);
    f.s(1).set_status_bits(status::DRAINING);
    ReadConnRoute r(f.service, 0, 0);
    EXPECT_EQ(f.names(r), (Names{"c"}));
    f.s(2).set_status_bits(status::DOWN);
    EXPECT_TRUE(f.names(r).empty());
}

TEST(ReadConnRoute, MasterAndSlaveFollowTheRoles)
{
    Fixture f;
    for (int i = 0; i < 3; ++i)
    {
        f.s(i).set_monitored(true);
        f.s(i).set_status_bits(status::RUNNING);
    }
    f.s(1).set_status_bits(status::MASTER);
    f.s(0).set_status_bits(status::SLAVE);
    f.s(2).set_status_bits(status::SLAVE);
    ReadConnRoute master(f.service, status::MASTER, 0);
    ReadConnRoute slave(f.service, status::SLAVE, status::MASTER);
    EXPECT_EQ(f.names(master), (Names{"b"}));
    EXPECT_EQ(f.names(slave), (Names{"a", "c"}));
    // A failover: the roles change and the next session follows them.
    f.s(1).clear_status_bits(status::MASTER | status::RUNNING);
    f.s(1).set_status_bits(status::DOWN);
    f.s(0).clear_status_bits(status::SLAVE);
    f.s(0).set_status_bits(status::MASTER);
    EXPECT_EQ(f.names(master), (Names{"a"}));
    EXPECT_EQ(f.names(slave), (Names{"c"}));
}

TEST(ReadConnRoute, MonitoredServerThatIsNotRunningIsSkipped)
{
    Fixture f;
    f.s(0).set_monitored(true);  // monitored, RUNNING not set: down
    ReadConnRoute r(f.service, 0, 0);
    EXPECT_EQ(f.names(r), (Names{"b", "c"}));
}

TEST(ReadConnRoute, StatusStringsAsMaxScale)
{
    Fixture f;
    f.s(0).set_status_bits(status::MASTER | status::RUNNING);
    EXPECT_EQ(f.s(0).status_string(), "Master, Running");
    f.s(1).set_status_bits(status::MAINT | status::SLAVE | status::RUNNING);
    EXPECT_EQ(f.s(1).status_string(), "Maintenance, Slave, Running");
    f.s(2).set_status_bits(status::DOWN);
    EXPECT_EQ(f.s(2).status_string(), "Down");
}

}  // namespace
