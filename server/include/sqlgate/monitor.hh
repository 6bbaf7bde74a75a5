/**
 * Monitors: what the proxy knows about its servers' health and roles.
 *
 * A monitor module subclasses Monitor and implements update(): the core
 * runs one thread per monitor that, every monitor_interval, connects to (or
 * pings) each of its servers with libmariadb, records which answer, lets the
 * module decide the roles, and publishes the new status of every server with
 * one atomic store per server. Routing workers read those atomics on the
 * next statement; they never wait for a monitor.
 *
 * Threads: a Monitor is created, started, stopped and destroyed by the main
 * worker. update(), diagnostics_json(), server_json() and every function
 * passed to execute() run on the monitor's own thread, which owns the
 * MonitorServer vector and its connections. ticks(), running(),
 * diagnostics() and server_info() may be called from any thread: they read
 * atomics or a snapshot published under a mutex (never on the routing path).
 * A subclass's destructor must call stop() first: the thread calls its
 * virtual functions until it is joined.
 */
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <jansson.h>

#include "sqlgate/config.hh"
#include "sqlgate/server.hh"

struct st_mysql;

namespace sqlgate
{

/// The bits a monitor decides; maintenance and drain belong to the operator.
constexpr uint64_t MONITOR_STATUS_BITS = status::RUNNING | status::DOWN | status::MASTER |
                                         status::SLAVE | status::RELAY | status::SYNCED |
                                         status::AUTH_ERROR;

/// One monitored server as the monitor thread sees it.
struct MonitorServer
{
    ServerPtr server;
    std::string user;      ///< monitoruser of the server, else the monitor's user
    std::string password;  ///< in clear (decoded at creation)
    st_mysql* conn = nullptr;
    uint64_t status = 0;        ///< bits of MONITOR_STATUS_BITS decided this tick
    uint64_t prev_status = 0;   ///< last tick's
    unsigned int error_no = 0;  ///< of the last failed connect or query; 0 when connected
    std::string error;
    int64_t fail_count = 0;  ///< consecutive ticks it could not be reached
};

class Monitor
{
public:
    virtual ~Monitor();
    Monitor(const Monitor&) = delete;
    Monitor& operator=(const Monitor&) = delete;

    const std::string& name() const { return m_config.name; }
    const std::string& module() const { return m_module; }
    const ObjectConfig& config() const { return m_config; }
    const std::vector<ServerPtr>& servers() const { return m_targets; }

    /// Main worker: start the monitor thread (first tick at once) / stop and
    /// join it. A stopped monitor leaves the servers' last status in place.
    void start();
    void stop();
    bool running() const { return m_running.load(std::memory_order_acquire); }
    int64_t ticks() const { return m_ticks.load(std::memory_order_acquire); }

    /// The module's diagnostics and the per-server attributes as of the last
    /// tick, as JSON text ("{}" before the first tick).
    std::string diagnostics() const;
    std::string server_info(const std::string& server) const;

    /// Run @c fn on the monitor thread before the next tick; false (and @c fn
    /// dropped) when the monitor is not running.
    bool execute(std::function<void()> fn);

    /// Monitor thread: one tick now, outside the schedule (used by commands
    /// that must see the effect of what they did).
    void tick_now() { tick(); }

    /// Set by the core after creation.
    void set_module(std::string m) { m_module = std::move(m); }

protected:
    /// @c targets with their credentials already resolved.
    Monitor(const ObjectConfig& config, std::vector<MonitorServer> targets);

    /// Monitor thread: decide the role bits (MASTER, SLAVE, RELAY, SYNCED) of
    /// every server whose conn is open; RUNNING, DOWN and AUTH_ERROR are set
    /// by the core before the call. Reads may use the open connections.
    virtual void update(std::vector<MonitorServer>& servers) = 0;
    /// Monitor thread: this module's monitor_diagnostics object (new reference).
    virtual json_t* diagnostics_json(const std::vector<MonitorServer>& servers) const;
    /// Monitor thread: extra attributes for the server's REST document (new reference).
    virtual json_t* server_json(const MonitorServer& server) const;

    std::vector<MonitorServer>& monitored() { return m_servers; }
    const std::vector<MonitorServer>& monitored() const { return m_servers; }
    /// Monitor thread: connect @c ms if it is not connected; true when connected.
    bool connect(MonitorServer& ms);

private:
    void run();
    void tick();
    void publish();

    ObjectConfig m_config;
    std::string m_module;
    std::vector<ServerPtr> m_targets;
    std::vector<MonitorServer> m_servers;  // monitor thread

    std::thread m_thread;
    std::atomic<bool> m_running{false};
    std::atomic<int64_t> m_ticks{0};

    mutable std::mutex m_lock;  // guards the fields below (never on the routing path)
    std::condition_variable m_wake;
    bool m_stop = false;
    std::deque<std::function<void()>> m_tasks;
    std::string m_diagnostics = "{}";
    std::map<std::string, std::string> m_server_info;
};

}  // namespace sqlgate
