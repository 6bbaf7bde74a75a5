/**
 * A service: a router instance, its targets and its filter chain.
 *
 * Threads: built by the main thread, then shared read-only with the workers
 * (shared_ptr<const Service> snapshots). A change builds a new snapshot; the
 * counters (ServiceStats, atomics) belong to the service's identity and are
 * shared by every snapshot of it, so sessions opened before a change are still
 * counted against max_connections after it.
 */
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "sqlgate/config.hh"
#include "sqlgate/routing.hh"
#include "sqlgate/server.hh"

namespace sqlgate
{

struct FilterDef
{
    std::string name;
    std::string module;
    std::shared_ptr<Filter> instance;
};

/// Counters of a service's identity (see the file comment).
struct ServiceStats
{
    std::atomic<int64_t> connections{0};
    std::atomic<int64_t> total_connections{0};
    std::atomic<int64_t> failed_auths{0};
};

class Service
{
public:
    std::string name;
    ObjectConfig config;
    std::vector<ServerPtr> servers;
    std::vector<std::shared_ptr<FilterDef>> filters;  ///< in chain order
    std::shared_ptr<Router> router;
    std::string router_module;

    const std::string& user() const { return config.get_string("user"); }
    const std::string& password() const { return config.get_string("password"); }
    int64_t max_connections() const { return config.get_int("max_connections"); }
    /// Client sessions idle for longer than this (ms) are closed; 0: never.
    /// wait_timeout, or its older MaxScale name connection_timeout when
    /// wait_timeout is 0 (MaxScale's alias, kept as a parameter of its own).
    int64_t idle_timeout_ms() const
    {
        int64_t t = config.get_duration_ms("wait_timeout");
        return t > 0 ? t : config.get_duration_ms("connection_timeout");
    }

    ServiceStats& stats() const { return *m_stats; }
    /// This snapshot replaces @c previous (same service, new configuration).
    void share_stats_of(const Service& previous) { m_stats = previous.m_stats; }

private:
    std::shared_ptr<ServiceStats> m_stats = std::make_shared<ServiceStats>();
};

using ServicePtr = std::shared_ptr<const Service>;

}  // namespace sqlgate
