/**
 * The database accounts a service's clients log in with, loaded from the
 * backends with the service user (mysql.user, mysql.db, mysql.tables_priv,
 * mysql.roles_mapping, SHOW DATABASES).
 *
 * Threads: each UserManager runs one loader thread (blocking libmariadb
 * calls, never on a routing worker). Snapshots are immutable and published
 * with an atomic shared_ptr; workers read them only at login. Callbacks of
 * reload requests are posted back to the requesting worker.
 */
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "sqlgate/service.hh"

namespace sqlgate
{
class Worker;
}

namespace sqlgate::mariadb
{

struct Account
{
    std::string user;
    std::string host;
    std::string hash;  ///< raw SHA1(SHA1(pw)) (20 bytes) or empty
    std::string plugin;
    bool is_role = false;
    bool global_db_priv = false;
    bool super_priv = false;
    std::string default_role;
};

struct DbGrant
{
    std::string user;
    std::string host;
    std::string db;  ///< may contain % and _ wildcards
};

class UserSnapshot
{
public:
    std::vector<Account> accounts;  ///< in MariaDB's matching order
    std::vector<DbGrant> grants;
    std::vector<std::pair<std::string, std::string>> roles;  ///< (user@host, role)
    std::set<std::string> databases;
    std::string server_version;  ///< of the server the accounts came from
    int64_t loaded_at_ms = 0;

    /// The account a client from @c client_ip logging in as @c user gets, as
    /// MariaDB picks it (most specific host first, named user before anonymous).
    const Account* find(const std::string& user, const std::string& client_ip) const;
    /// Whether @c account may use database @c db (global, db or table grants, default role).
    bool can_use_db(const Account& account, const std::string& db) const;
    /// Sort accounts in matching order (called by the loader).
    void sort();
};

/// True when @c host_pattern (MariaDB account host) matches @c ip.
bool host_matches(const std::string& host_pattern, const std::string& ip);
/// SQL LIKE-style match with % and _ (and \ escapes), case-sensitive for hosts.
bool wildcard_match(const std::string& pattern, const std::string& s, bool ci = false);

class UserManager
{
public:
    explicit UserManager(std::shared_ptr<const Service> service);
    ~UserManager();

    /// Start the loader thread and the first load; idempotent. Until then
    /// nothing contacts the servers (so --config-check never does).
    void start();
    /// The service was rebuilt at runtime (new servers or credentials): the
    /// next load uses it. Any thread.
    void set_service(std::shared_ptr<const Service> service);

    std::shared_ptr<const UserSnapshot> snapshot() const { return std::atomic_load(&m_snapshot); }
    /// Publish @c snapshot as the current accounts, as a finished load does (any
    /// thread). For unit tests, which have no servers to load from: nothing else
    /// changes (no loader thread starts, reload() behaves as before).
    void set_snapshot(std::shared_ptr<const UserSnapshot> snapshot)
    {
        std::atomic_store(&m_snapshot, std::move(snapshot));
    }
    /**
     * Ask for fresh accounts. @c done runs on @c worker when the load finished
     * (successfully or not). If a load happened less than @c min_interval_ms ago
     * no new one is made and @c done runs at once (posted) with false.
     */
    void reload(Worker& worker, int64_t min_interval_ms, std::function<void(bool reloaded)> done);

private:
    void run();
    /// From the first server that answers, or with auth_all_servers the union of
    /// all that answer; @c sources names them.
    std::shared_ptr<UserSnapshot> load(std::string& error, std::string& sources);

    std::shared_ptr<const Service> m_service;  ///< std::atomic_load/store only
    std::shared_ptr<const UserSnapshot> m_snapshot;
    std::mutex m_lock;
    std::condition_variable m_cond;
    bool m_stop = false;
    bool m_requested = true;  ///< load when started
    int64_t m_last_attempt_ms = 0;
    std::vector<std::pair<Worker*, std::function<void(bool)>>> m_waiters;
    std::thread m_thread;
};

}  // namespace sqlgate::mariadb
