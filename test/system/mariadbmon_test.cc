// mariadbmon against its own 3-server cluster (these tests kill and reconfigure servers, so
// never the shared one): automatic failover under a write loop with semi-sync replication,
// rejoin of the old primary, switchover round trips, maintenance and the commands' errors.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "admin_gate.hh"
#include "sysbench_util.hh"

using namespace sqlgate::test;
using Clock = std::chrono::steady_clock;

namespace
{

std::string gate_config(const Cluster& c, int port, int admin, const std::string& monitor_extra,
                        const std::string& router_options)
{
    ConfigOptions o;
    o.admin_port = admin;
    o.servers = {};
    o.router_options = router_options;
    o.service_extra = "cluster=Mon\n";
    return config_for(c, port,
                      "[Mon]\ntype=monitor\nmodule=mariadbmon\nservers=server1,server2,server3\n"
                      "user=monitor\npassword=monitor_pw\nmonitor_interval=1s\n"
                      "replication_user=repl\nreplication_password=repl_pw\n" +
                          monitor_extra,
                      o);
}

struct MonGate
{
    int port = free_port();
    int admin = free_port();
    std::unique_ptr<SqlGate> gate;
    MonGate(const Cluster& c, const std::string& extra,
            const std::string& router_options = "master")
    {
        gate = std::make_unique<SqlGate>(gate_config(c, port, admin, extra, router_options), port);
        EXPECT_TRUE(eventually([&] { return port_accepts(admin); }, 20s)) << gate->diagnostics();
    }
    Http http() const { return Http(admin); }
};

std::string state_of(const Http& h, const std::string& server)
{
    return h.get("/v1/servers/" + server).str("/data/attributes/state");
}

std::string primary_of(const Http& h)
{
    return h.get("/v1/monitors/Mon").str("/data/attributes/monitor_diagnostics/primary");
}

MYSQL* root(const Cluster& c, int i)
{
    return connect(c.port(i), "root", "", "");
}

// Master_Port of server i's replication connection ("" when it has none).
std::string master_port_of(const Cluster& c, int i)
{
    MysqlPtr m(root(c, i));
    QueryResult r = m ? query(m.get(), "SHOW SLAVE STATUS") : QueryResult();
    for (size_t k = 0; k < r.columns.size() && !r.rows.empty(); ++k)
    {
        if (r.columns[k] == "Master_Port")
        {
            return r.rows[0][k];
        }
    }
    return "";
}

// Semi-synchronous replication from server1: a commit returns once a replica has it.
void enable_semi_sync(const Cluster& c)
{
    for (int i = 1; i < 3; ++i)
    {
        MysqlPtr m(root(c, i));
        ASSERT_TRUE(m);
        ASSERT_TRUE(query(m.get(), "SET GLOBAL rpl_semi_sync_slave_enabled=ON").ok);
        ASSERT_TRUE(query(m.get(), "STOP SLAVE IO_THREAD").ok);
        ASSERT_TRUE(query(m.get(), "START SLAVE IO_THREAD").ok);
    }
    MysqlPtr p(root(c, 0));
    ASSERT_TRUE(p);
    ASSERT_TRUE(query(p.get(), "SET GLOBAL rpl_semi_sync_master_timeout=30000").ok);
    // The binary log waits for the replica's ack before the engine commits, so a crash
    // loses only transactions no client saw acknowledged (and recovery can drop them).
    ASSERT_TRUE(query(p.get(), "SET GLOBAL rpl_semi_sync_master_wait_point=AFTER_SYNC").ok);
    ASSERT_TRUE(query(p.get(), "SET GLOBAL rpl_semi_sync_master_enabled=ON").ok);
    ASSERT_TRUE(eventually(
        [&]
        {
            return query(p.get(), "SHOW STATUS LIKE 'Rpl_semi_sync_master_clients'").rows.size() ==
                       1 &&
                   query(p.get(), "SHOW STATUS LIKE 'Rpl_semi_sync_master_clients'").rows[0][1] ==
                       "2";
        },
        10s));
}

// Inserts rows through sqlgate as fast as it can, reconnecting after errors, and records
// every id whose INSERT was acknowledged and when writes failed and succeeded.
class WriteLoop
{
public:
    WriteLoop(int port, std::string table) : m_port(port), m_table(std::move(table))
    {
        m_thread = std::thread([this] { run(); });
    }
    ~WriteLoop() { stop(); }
    void stop()
    {
        m_stop = true;
        if (m_thread.joinable())
        {
            m_thread.join();
        }
    }
    std::set<long> acknowledged()
    {
        std::lock_guard<std::mutex> g(m_lock);
        return m_acked;
    }
    // The first acknowledged write that started after @c t, or Clock::time_point::max().
    Clock::time_point first_success_after(Clock::time_point t)
    {
        std::lock_guard<std::mutex> g(m_lock);
        for (const auto& [start, end] : m_successes)
        {
            if (start >= t)
            {
                return end;
            }
        }
        return Clock::time_point::max();
    }
    int errors() const { return m_errors; }

private:
    void run()
    {
        long next = 1;
        MysqlPtr m;
        while (!m_stop)
        {
            if (!m)
            {
                m.reset(connect(m_port, "app", "app_pw", "test"));
                if (!m)
                {
                    ++m_errors;
                    std::this_thread::sleep_for(50ms);
                    continue;
                }
            }
            auto start = Clock::now();
            long id = next++;
            if (query(m.get(), "INSERT INTO " + m_table + " VALUES (" + std::to_string(id) + ")")
                    .ok)
            {
                std::lock_guard<std::mutex> g(m_lock);
                m_acked.insert(id);
                m_successes.emplace_back(start, Clock::now());
            }
            else
            {
                ++m_errors;
                m.reset();
                std::this_thread::sleep_for(50ms);
            }
        }
    }

    int m_port;
    std::string m_table;
    std::atomic<bool> m_stop{false};
    std::atomic<int> m_errors{0};
    std::mutex m_lock;
    std::set<long> m_acked;
    std::vector<std::pair<Clock::time_point, Clock::time_point>> m_successes;
    std::thread m_thread;
};

std::set<long> ids_on(const Cluster& c, int i, const std::string& table)
{
    MysqlPtr m(root(c, i));
    std::set<long> out;
    if (m)
    {
        for (const auto& row : query(m.get(), "SELECT id FROM " + table).rows)
        {
            out.insert(std::stol(row[0]));
        }
    }
    return out;
}

int index_of(const std::string& server)
{
    return server.empty() ? -1 : server.back() - '1';
}

}  // namespace

TEST(MariaDBMon, FailoverUnderWritesKeepsAcknowledgedRowsAndRejoinsTheOldPrimary)
{
    Cluster c;
    enable_semi_sync(c);
    MonGate g(c, "auto_failover=true\nauto_rejoin=true\nfailcount=3\n");
    Http h = g.http();
    ASSERT_TRUE(eventually([&] { return state_of(h, "server1") == "Master, Running"; }, 10s))
        << h.get("/v1/servers").body;
    {
        MysqlPtr m(connect(g.port, "app", "app_pw", "test"));
        ASSERT_TRUE(m);
        ASSERT_TRUE(query(m.get(), "CREATE TABLE fo (id BIGINT PRIMARY KEY)").ok);
    }
    WriteLoop loop(g.port, "fo");
    std::this_thread::sleep_for(1s);
    ASSERT_FALSE(loop.acknowledged().empty());
    c.kill_server(0, SIGKILL);
    auto killed = Clock::now();
    // What the monitor saw and sqlgate logged, for any failure below.
    auto why = [&]
    {
        return "\nmonitor: " + h.get("/v1/monitors/Mon").body +
               "\nservers: " + h.get("/v1/servers").body + "\n" + g.gate->diagnostics();
    };
    ASSERT_TRUE(eventually(
        [&] { return loop.first_success_after(killed) != Clock::time_point::max(); }, 15s))
        << why();
    double window =
        std::chrono::duration<double>(loop.first_success_after(killed) - killed).count();
    EXPECT_LE(window, 10.0) << "writes resumed " << window << " s after the kill";
    std::this_thread::sleep_for(500ms);
    loop.stop();
    std::string primary = primary_of(h);
    ASSERT_TRUE(primary == "server2" || primary == "server3") << primary << why();
    int p = index_of(primary);
    int other = p == 1 ? 2 : 1;
    // The other replica replicates from the new primary.
    EXPECT_TRUE(eventually(
        [&] { return state_of(h, "server" + std::to_string(other + 1)) == "Slave, Running"; }, 5s))
        << why();
    EXPECT_EQ(master_port_of(c, other), std::to_string(c.port(p))) << why();
    // Every acknowledged write is on the new primary (semi-sync).
    std::set<long> acked = loop.acknowledged();
    std::set<long> have = ids_on(c, p, "test.fo");
    size_t missing = 0;
    for (long id : acked)
    {
        missing += have.count(id) ? 0 : 1;
    }
    EXPECT_EQ(missing, 0u) << acked.size() << " acknowledged, " << have.size() << " on " << primary
                           << why();
    printf(
        "failover: writes resumed %.2f s after kill -9 of the primary; %zu rows acknowledged, "
        "%d client errors\n",
        window, acked.size(), loop.errors());
    // The old primary comes back and rejoins as a replica of the new one. Started with
    // init_rpl_role=SLAVE, its crash recovery drops a transaction that was in its binary
    // log but never acknowledged (MariaDB's semi-sync binlog truncation; since 10.6.19 and
    // 10.11.9 only this option triggers it, MDEV-33465). Without it, a kill that lands in
    // that window leaves the old primary with an event nobody received, and the monitor
    // rightly refuses to rejoin it.
    {
        std::ofstream cnf(c.dir() + "/s1/my.cnf", std::ios::app);
        cnf << "\n[mariadbd]\nrpl_semi_sync_slave_enabled=ON\ninit_rpl_role=SLAVE\n";
    }
    c.restart_server(0, false);
    EXPECT_TRUE(eventually([&] { return state_of(h, "server1") == "Slave, Running"; }, 10s))
        << why();
    EXPECT_EQ(master_port_of(c, 0), std::to_string(c.port(p))) << why();
    EXPECT_EQ(state_of(h, primary), "Master, Running") << why();
}

TEST(MariaDBMon, SwitchoverRoundTripUnderWritesLosesNothing)
{
    Cluster c;
    MonGate g(c, "");
    Http h = g.http();
    ASSERT_TRUE(eventually([&] { return state_of(h, "server1") == "Master, Running"; }, 10s));
    {
        MysqlPtr m(connect(g.port, "app", "app_pw", "test"));
        ASSERT_TRUE(m);
        ASSERT_TRUE(query(m.get(), "CREATE TABLE sw (id BIGINT PRIMARY KEY)").ok);
    }
    WriteLoop loop(g.port, "sw");
    std::this_thread::sleep_for(500ms);
    for (const char* target : {"server2", "server1"})
    {
        auto t0 = Clock::now();
        HttpResult r =
            h.post(std::string("/v1/maxscale/modules/mariadbmon/switchover?Mon&") + target, "");
        ASSERT_EQ(r.code, 204) << r.error();
        EXPECT_EQ(primary_of(h), target);
        EXPECT_EQ(state_of(h, target), "Master, Running");
        ASSERT_TRUE(eventually(
            [&] { return loop.first_success_after(t0) != Clock::time_point::max(); }, 10s));
        printf("switchover to %s: took %.3f s, writes succeeded again %.3f s after it began\n",
               target, std::chrono::duration<double>(Clock::now() - t0).count(),
               std::chrono::duration<double>(loop.first_success_after(t0) - t0).count());
        std::this_thread::sleep_for(500ms);
    }
    loop.stop();
    std::set<long> acked = loop.acknowledged();
    ASSERT_FALSE(acked.empty());
    // Every acknowledged row is on every server once replication has caught up.
    for (int i = 0; i < 3; ++i)
    {
        EXPECT_TRUE(eventually(
            [&]
            {
                std::set<long> have = ids_on(c, i, "test.sw");
                return std::includes(have.begin(), have.end(), acked.begin(), acked.end());
            },
            10s))
            << "server" << i + 1;
    }
    EXPECT_TRUE(eventually([&] { return state_of(h, "server2") == "Slave, Running"; }, 5s));
    printf("switchover round trip: %zu rows acknowledged, %d client errors\n", acked.size(),
           loop.errors());
}

TEST(MariaDBMon, MaintenanceAndCommandRefusals)
{
    Cluster c;
    MonGate g(c, "");
    Http h = g.http();
    ASSERT_TRUE(eventually([&] { return state_of(h, "server3") == "Slave, Running"; }, 10s));
    // Maintenance and drain of a replica; never of the primary.
    HttpResult r = h.put("/v1/servers/server1/set?state=maintenance");
    EXPECT_EQ(r.code, 400);
    EXPECT_NE(r.error().find("is the primary"), std::string::npos) << r.error();
    EXPECT_EQ(h.put("/v1/servers/server1/set?state=drain").code, 400);
    ASSERT_EQ(h.put("/v1/servers/server3/set?state=maintenance").code, 204);
    EXPECT_EQ(state_of(h, "server3"), "Maintenance, Slave, Running");
    std::this_thread::sleep_for(1500ms);  // a tick keeps the operator's bit
    EXPECT_EQ(state_of(h, "server3"), "Maintenance, Slave, Running");
    // A replica in maintenance is never promoted.
    r = h.post("/v1/maxscale/modules/mariadbmon/switchover?Mon&server3", "");
    EXPECT_EQ(r.code, 400);
    EXPECT_NE(r.error().find("cannot be promoted"), std::string::npos) << r.error();
    ASSERT_EQ(h.put("/v1/servers/server3/clear?state=maintenance").code, 204);
    ASSERT_EQ(h.put("/v1/servers/server2/set?state=drain").code, 204);
    EXPECT_EQ(state_of(h, "server2"), "Drained, Slave, Running");
    ASSERT_EQ(h.put("/v1/servers/server2/clear?state=drain").code, 204);

    struct Case
    {
        std::string path;
        long code;
        const char* says;
    };
    for (const Case& k : std::vector<Case>{
             {"failover?Mon", 400, "use switchover"},
             {"switchover?Mon&server1", 400, "cannot be promoted"},
             {"switchover?Mon&server2&server3", 400, "server3 is not the primary"},
             {"rejoin?Mon&server1", 400, "server1 is the primary"},
             {"rejoin?Mon", 400, "Missing argument 'server'"},
             {"switchover?nosuch", 400, "not a monitor of module mariadbmon"},
             {"switchover?Mon&nosuch", 400, "'nosuch' is not a server"},
         })
    {
        r = h.post("/v1/maxscale/modules/mariadbmon/" + k.path, "");
        EXPECT_EQ(r.code, k.code) << k.path;
        EXPECT_NE(r.error().find(k.says), std::string::npos) << k.path << ": " << r.error();
    }
    // Async: answered at once, the result is fetched later.
    ASSERT_EQ(h.post("/v1/maxscale/modules/mariadbmon/async-switchover?Mon&server2", "").code, 204);
    EXPECT_TRUE(eventually(
        [&]
        {
            return h.get("/v1/maxscale/modules/mariadbmon/fetch-cmd-result?Mon")
                       .str("/meta/state") == "done";
        },
        10s));
    EXPECT_EQ(primary_of(h), "server2");
    // A stopped monitor runs no command.
    ASSERT_EQ(h.put("/v1/monitors/Mon/stop").code, 204);
    r = h.post("/v1/maxscale/modules/mariadbmon/switchover?Mon&server1", "");
    EXPECT_EQ(r.code, 400);
    EXPECT_NE(r.error().find("is stopped"), std::string::npos) << r.error();
    ASSERT_EQ(h.put("/v1/monitors/Mon/start").code, 204);
    r = h.post("/v1/maxscale/modules/mariadbmon/switchover?Mon&server1", "");
    EXPECT_EQ(r.code, 204) << r.error();
    // reset-replication: history erased everywhere, server3 the primary of a fresh cluster.
    r = h.post("/v1/maxscale/modules/mariadbmon/reset-replication?Mon&nosuch", "");
    EXPECT_EQ(r.code, 400);
    r = h.post("/v1/maxscale/modules/mariadbmon/reset-replication?Mon&server3", "");
    ASSERT_EQ(r.code, 204) << r.error();
    EXPECT_EQ(primary_of(h), "server3");
    EXPECT_TRUE(eventually(
        [&]
        {
            return state_of(h, "server1") == "Slave, Running" &&
                   state_of(h, "server2") == "Slave, Running";
        },
        5s));
    MysqlPtr r3(root(c, 2));
    ASSERT_TRUE(r3);
    EXPECT_EQ(query(r3.get(), "SELECT @@gtid_binlog_pos").value(), "");
    ASSERT_TRUE(query(r3.get(), "CREATE DATABASE after_reset").ok);
    EXPECT_TRUE(eventually(
        [&]
        {
            MysqlPtr r1(root(c, 0));
            return r1 && query(r1.get(), "SHOW DATABASES LIKE 'after_reset'").rows.size() == 1;
        },
        5s));
}

// The first tick runs when the monitor starts, not one monitor_interval later: with a 10 s
// interval, the roles are known within 6 s of starting sqlgate (its start-up included). A
// read-only monitor, so the shared cluster is fine.
TEST(MariaDBMon, FirstTickRunsAtStart)
{
    Cluster& c = shared_cluster();
    int port = free_port();
    ConfigOptions o;
    o.admin_port = free_port();
    o.servers = {};
    o.service_extra = "cluster=Mon\n";
    auto started = Clock::now();
    SqlGate gate(config_for(c, port,
                            "[Mon]\ntype=monitor\nmodule=mariadbmon\nservers=server1,server2,"
                            "server3\nuser=monitor\npassword=monitor_pw\nmonitor_interval=10s\n",
                            o),
                 port);
    Http h(o.admin_port);
    ASSERT_TRUE(eventually(
        [&]
        {
            return state_of(h, "server1") == "Master, Running" &&
                   state_of(h, "server2") == "Slave, Running" &&
                   state_of(h, "server3") == "Slave, Running";
        },
        6s))
        << h.get("/v1/servers").body << "\n"
        << gate.diagnostics();
    double after = std::chrono::duration<double>(Clock::now() - started).count();
    EXPECT_LT(after, 6.5) << "a first tick after monitor_interval would be at 10 s";
}

TEST(MariaDBMon, RolesAtStartAndAHungReplicaIsAvoided)
{
    Cluster c;
    // The monitor's script records the events it is run for.
    TempDir dir;
    std::string script = dir.path + "/event.sh";
    {
        std::ofstream f(script);
        f << "#!/bin/sh\necho \"$1 $2\" >> " << dir.path << "/events.txt\n";
    }
    chmod(script.c_str(), 0755);
    MonGate g(c,
              "backend_connect_timeout=1s\nbackend_read_timeout=1s\nscript=" + script +
                  " $EVENT $INITIATOR\nevents=slave_down,slave_up,master_down\n",
              "slave");
    Http h = g.http();
    // Roles at start (that the first tick does not wait for monitor_interval is
    // MariaDBMon.FirstTickRunsAtStart).
    ASSERT_TRUE(eventually(
        [&]
        {
            return state_of(h, "server1") == "Master, Running" &&
                   state_of(h, "server2") == "Slave, Running" &&
                   state_of(h, "server3") == "Slave, Running";
        },
        10s));
    auto port_of_session = [&]
    {
        MysqlPtr m(connect(g.port, "app", "app_pw", "test"));
        return m ? query(m.get(), "SELECT @@port").value() : "no connection";
    };
    // SIGSTOP: the replica hangs; within read + connect timeouts it is Down and avoided.
    c.kill_server(2, SIGSTOP);
    auto stopped = Clock::now();
    EXPECT_TRUE(eventually([&] { return state_of(h, "server3") == "Down"; }, 10s))
        << state_of(h, "server3");
    printf("hung replica marked Down after %.2f s\n",
           std::chrono::duration<double>(Clock::now() - stopped).count());
    for (int i = 0; i < 6; ++i)
    {
        EXPECT_EQ(port_of_session(), std::to_string(c.port(1)));
    }
    // SIGCONT: it comes back and takes sessions again.
    c.kill_server(2, SIGCONT);
    EXPECT_TRUE(eventually([&] { return state_of(h, "server3") == "Slave, Running"; }, 10s));
    std::string where = "[127.0.0.1]:" + std::to_string(c.port(2));
    EXPECT_TRUE(eventually(
        [&]
        {
            return read_file(dir.path + "/events.txt") ==
                   "slave_down " + where + "\nslave_up " + where + "\n";
        },
        3s))
        << read_file(dir.path + "/events.txt");
    // readconnroute picks the replica with the fewest connections: with one session
    // held on server2, the next one goes to server3.
    MysqlPtr held(connect(g.port, "app", "app_pw", "test"));
    ASSERT_TRUE(held);
    EXPECT_EQ(query(held.get(), "SELECT @@port").value(), std::to_string(c.port(1)));
    EXPECT_EQ(port_of_session(), std::to_string(c.port(2)));
}

TEST(MariaDBMon, EnforceReadOnlyReplicasAndWritablePrimary)
{
    Cluster c;
    MonGate g(c, "enforce_read_only_slaves=true\nenforce_writable_master=true\n");
    Http h = g.http();
    ASSERT_TRUE(eventually([&] { return state_of(h, "server2") == "Slave, Running"; }, 5s));
    MysqlPtr r2(root(c, 1));
    MysqlPtr r1(root(c, 0));
    ASSERT_TRUE(r1 && r2);
    ASSERT_TRUE(query(r2.get(), "SET GLOBAL read_only=0").ok);
    EXPECT_TRUE(
        eventually([&] { return query(r2.get(), "SELECT @@read_only").value() == "1"; }, 5s));
    ASSERT_TRUE(query(r1.get(), "SET GLOBAL read_only=1").ok);
    EXPECT_TRUE(
        eventually([&] { return query(r1.get(), "SELECT @@read_only").value() == "0"; }, 5s));
    EXPECT_TRUE(eventually([&] { return state_of(h, "server1") == "Master, Running"; }, 5s));
}

TEST(MariaDBMon, SwitchoverRoundTripUnderSysbenchReadWrite)
{
    Cluster c;
    prepare_sbtest(c);
    MonGate g(c, "");
    Http h = g.http();
    ASSERT_TRUE(eventually([&] { return state_of(h, "server1") == "Master, Running"; }, 5s));
    // sysbench 1.0.20 crashes (SIGSEGV) when it reconnects after a lost connection, even
    // straight against MariaDB, and switchover closes the sessions on the old primary. So
    // it runs as back-to-back 1 s runs, each with fresh connections: a run that overlaps a
    // switchover may fail, the next ones must not.
    struct Run
    {
        double start;
        double end;
        int exit_code;
        double transactions;
    };
    std::mutex lock;
    std::vector<Run> runs;
    std::atomic<bool> stop{false};
    auto t_start = Clock::now();
    auto now = [&] { return std::chrono::duration<double>(Clock::now() - t_start).count(); };
    std::thread runner(
        [&]
        {
            while (!stop)
            {
                double at = now();
                CommandResult r =
                    run_command(sysbench_args("oltp_read_write", g.port, "run",
                                              {"--threads=4", "--time=1", "--db-ps-mode=disable",
                                               "--mysql-ignore-errors=1290,1213,1205"}),
                                30s);
                std::lock_guard<std::mutex> guard(lock);
                runs.push_back({at, now(), r.status.exit_code(),
                                report_value(r.output, "transactions:").value_or(0)});
            }
        });
    std::this_thread::sleep_for(3s);
    // [start, end] of each switchover, plus the time sessions on the old primary take to
    // be closed and clients to see it: runs that overlap it may fail.
    constexpr double kMargin = 0.5;
    std::vector<std::pair<double, double>> switched;
    for (const char* target : {"server2", "server1"})
    {
        double t0 = now();
        HttpResult r =
            h.post(std::string("/v1/maxscale/modules/mariadbmon/switchover?Mon&") + target, "");
        EXPECT_EQ(r.code, 204) << r.error();
        switched.emplace_back(t0, now());
        printf("switchover to %s under sysbench: %.3f s\n", target, now() - t0);
        std::this_thread::sleep_for(3s);
    }
    // Go on until a run that started well after the last switchover has finished.
    double quiet_from = switched.back().second + kMargin;
    EXPECT_TRUE(eventually(
        [&]
        {
            std::lock_guard<std::mutex> guard(lock);
            return !runs.empty() && runs.back().start >= quiet_from;
        },
        30s));
    stop = true;
    runner.join();
    double transactions = 0;
    int failed = 0;
    int failed_outside = 0;
    for (const Run& run : runs)
    {
        transactions += run.transactions;
        bool overlaps = false;
        for (const auto& [from, to] : switched)
        {
            overlaps = overlaps || (run.start < to + kMargin && run.end > from);
        }
        if (run.exit_code != 0)
        {
            ++failed;
            failed_outside += !overlaps;
            printf("  sysbench run %.2f-%.2f s failed (exit %d)%s\n", run.start, run.end,
                   run.exit_code, overlaps ? ", it overlapped a switchover" : "");
        }
    }
    printf(
        "sysbench oltp_read_write, 4 threads, %zu runs of 1 s, switchovers at %.2f-%.2f s and "
        "%.2f-%.2f s: %.0f transactions, %d failed runs\n",
        runs.size(), switched[0].first, switched[0].second, switched[1].first, switched[1].second,
        transactions, failed);
    // Under load a "1 s" run takes longer (connections, prepare): what matters is that
    // runs went on across both switchovers, that only runs overlapping one failed, and
    // that the last one, started after both, worked.
    ASSERT_GE(runs.size(), 3u);
    EXPECT_GE(runs.back().start, quiet_from);
    EXPECT_EQ(failed_outside, 0) << "only runs overlapping a switchover may fail";
    EXPECT_EQ(runs.back().exit_code, 0);
    EXPECT_GT(runs.back().transactions, 0);
    EXPECT_EQ(primary_of(h), "server1");
    // No committed transaction lost: oltp_read_write deletes and re-inserts the same rows,
    // so every table still has all its rows, and every server has the same data.
    for (int t = 1; t <= kSbTables; ++t)
    {
        std::string table = "sbtest.sbtest" + std::to_string(t);
        std::string sum;
        for (int i = 0; i < 3; ++i)
        {
            EXPECT_TRUE(eventually(
                [&]
                {
                    MysqlPtr m(root(c, i));
                    return m && query(m.get(), "SELECT COUNT(*) FROM " + table).value() ==
                                    std::to_string(kSbTableSize);
                },
                10s))
                << table << " on server" << i + 1;
            std::string mine;
            eventually(
                [&]
                {
                    MysqlPtr m(root(c, i));
                    QueryResult q = m ? query(m.get(), "CHECKSUM TABLE " + table) : QueryResult();
                    mine = q.rows.empty() ? "" : q.rows[0][1];
                    return i == 0 || mine == sum;
                },
                10s);
            if (i == 0)
            {
                sum = mine;
            }
            EXPECT_EQ(mine, sum) << table << " differs on server" << i + 1;
        }
    }
}
