// Cluster: three mariadbd processes started by scripts/mariadb-cluster.
#include "harness.hh"
#include "harness_internal.hh"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace sqlgate::test
{
using namespace detail;

// ---- Cluster -----------------------------------------------------------------------------

Cluster::Cluster()
{
    start();
}

Cluster::Cluster(const std::string& existing_dir) : m_attached(true)
{
    std::istringstream ports(read_file(existing_dir + "/ports"));
    for (auto& p : m_ports)
    {
        if (!(ports >> p))
        {
            throw std::runtime_error("no cluster in " + existing_dir + " (no ports file)");
        }
    }
    for (int i = 0; i < kServers; ++i)
    {
        if (!port_accepts(m_ports[i]))
        {
            throw std::runtime_error("the cluster in " + existing_dir +
                                     " does not answer on port " + std::to_string(m_ports[i]));
        }
    }
    m_dir = existing_dir;
    m_running = true;
}

Cluster::~Cluster()
{
    if (m_attached)
    {
        return;
    }
    try
    {
        stop();
    }
    catch (const std::exception& e)
    {
        fprintf(stderr, "harness: stopping the cluster in %s: %s\n", m_dir.c_str(), e.what());
    }
    if (!m_dir.empty())
    {
        if (keep_files())
        {
            fprintf(stderr, "harness: kept the cluster directory %s\n", m_dir.c_str());
        }
        else
        {
            std::error_code ec;
            std::filesystem::remove_all(m_dir, ec);
        }
    }
}

void Cluster::start()
{
    install_cleanup();
    std::string last_output;
    for (int attempt = 0; attempt < 3; ++attempt)
    {
        m_dir = make_temp_dir("sqlgate-cluster");
        std::set<int> used;
        for (auto& p : m_ports)
        {
            do
            {
                p = free_port();
            } while (!used.insert(p).second);
        }
        std::vector<std::string> env{"SQLGATE_CLUSTER_OWNER_PID=" + std::to_string(getpid())};
        if (!keep_files())
        {
            env.push_back("SQLGATE_CLUSTER_OWNER_CLEANUP=rm");
        }
        auto r = run_command({"bash", cluster_script(), "start", m_dir, std::to_string(m_ports[0]),
                              std::to_string(m_ports[1]), std::to_string(m_ports[2])},
                             180s, env);
        if (r.status.exit_code() == 0)
        {
            m_running = true;
            for (int i = 0; i < kServers; ++i)
            {
                update_registered_pid(i);
            }
            return;
        }
        last_output = r.status.describe() + "\n" + r.output;
        std::error_code ec;
        std::filesystem::remove_all(m_dir, ec);
        m_dir.clear();
        // Another process may have taken one of the ports in the meantime: try others.
        if (r.output.find("already in use") == std::string::npos)
        {
            break;
        }
    }
    throw std::runtime_error("scripts/mariadb-cluster start failed: " + last_output);
}

int Cluster::port(int i) const
{
    return m_ports.at(i);
}

pid_t Cluster::pid(int i) const
{
    return read_pid_file(m_dir + "/s" + std::to_string(i + 1) + "/mariadbd.pid").value_or(-1);
}

std::string Cluster::error_log(int i) const
{
    return read_file(m_dir + "/s" + std::to_string(i + 1) + "/error.log");
}

void Cluster::update_registered_pid(int i)
{
    if (m_registered.at(i) > 0)
    {
        untrack(m_registered[i]);
        m_registered[i] = 0;
    }
    pid_t p = pid(i);
    if (p > 0 && !process_gone(p))
    {
        track(p);
        m_registered[i] = p;
    }
}

void Cluster::kill_server(int i, int signal)
{
    pid_t p = pid(i);
    if (p <= 0 || process_gone(p))
    {
        throw std::runtime_error("kill_server: server" + std::to_string(i + 1) + " is not running");
    }
    if (::kill(p, signal) != 0)
    {
        throw std::runtime_error("kill_server: kill(" + std::to_string(p) +
                                 "): " + strerror(errno));
    }
    if (signal == SIGTERM || signal == SIGKILL)
    {
        if (!eventually([&] { return process_gone(p); }, 30s))
        {
            throw std::runtime_error("kill_server: server" + std::to_string(i + 1) + " (pid " +
                                     std::to_string(p) + ") still runs 30 s after signal " +
                                     std::to_string(signal));
        }
        update_registered_pid(i);
    }
}

void Cluster::restart_server(int i, bool wait_replication)
{
    if (i < 0 || i >= kServers)
    {
        throw std::out_of_range("restart_server: no server index " + std::to_string(i));
    }
    auto r = run_command(
        {"bash", cluster_script(), "start-server", m_dir, std::to_string(i + 1)}, 120s,
        {wait_replication ? "MARIADB_CLUSTER_NO_REPL_WAIT=0" : "MARIADB_CLUSTER_NO_REPL_WAIT=1"});
    update_registered_pid(i);
    if (r.status.exit_code() != 0)
    {
        throw std::runtime_error("restart of server" + std::to_string(i + 1) + " failed (" +
                                 r.status.describe() + "):\n" + r.output);
    }
}

void Cluster::stop()
{
    if (!m_running)
    {
        return;
    }
    m_running = false;
    auto r = run_command({"bash", cluster_script(), "stop", m_dir}, 60s);
    for (int i = 0; i < kServers; ++i)
    {
        if (m_registered[i] > 0)
        {
            // The script stops them; anything left is stopped here.
            if (!process_gone(m_registered[i]))
            {
                ::kill(m_registered[i], SIGKILL);
            }
            untrack(m_registered[i]);
            m_registered[i] = 0;
        }
    }
    if (r.status.exit_code() != 0)
    {
        throw std::runtime_error("scripts/mariadb-cluster stop failed (" + r.status.describe() +
                                 "):\n" + r.output);
    }
}

Cluster& shared_cluster()
{
    // Registered before the static below, so that at exit the cluster's destructor (a
    // clean stop) runs before the catch-all stop_tracked().
    install_cleanup();
    static std::unique_ptr<Cluster> cluster;
    static std::string error;
    if (!cluster)
    {
        if (!error.empty())
        {
            throw std::runtime_error(error);
        }
        try
        {
            // ctest starts one cluster for the whole run (test/system/cluster-fixture).
            const char* dir = getenv("SQLGATE_TEST_CLUSTER");
            cluster = dir && *dir ? std::make_unique<Cluster>(std::string(dir))
                                  : std::make_unique<Cluster>();
        }
        catch (const std::exception& e)
        {
            error = e.what();
            throw;
        }
    }
    return *cluster;
}

}  // namespace sqlgate::test
