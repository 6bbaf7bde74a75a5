#include "sqlgate/mariadb/accounts.hh"

#include <arpa/inet.h>
#include <mysql.h>

#include <algorithm>
#include <chrono>
#include <mutex>

#include "sqlgate/config.hh"
#include "sqlgate/log.hh"
#include "sqlgate/mariadb.hh"
#include "sqlgate/worker.hh"

namespace sqlgate::mariadb
{
namespace
{
int64_t now_ms()
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

// Rank of a host pattern: lower matches first (exact before wildcard, a later
// first wildcard before an earlier one, '%' last).
int host_rank(const std::string& h)
{
    size_t w = h.find_first_of("%_");
    if (w == std::string::npos)
    {
        return h.find('/') == std::string::npos ? 0 : 1;
    }
    return 1000 - static_cast<int>(std::min<size_t>(w, 900));
}

bool parse_ip4(const std::string& s, uint32_t& out)
{
    in_addr a;
    if (inet_pton(AF_INET, s.c_str(), &a) != 1)
    {
        return false;
    }
    out = ntohl(a.s_addr);
    return true;
}

const char* USERS_QUERY =
    "SELECT u.user, u.host, u.password, u.authentication_string, u.plugin, u.is_role, "
    "u.default_role, u.super_priv, "
    "(u.select_priv = 'Y' OR u.insert_priv = 'Y' OR u.update_priv = 'Y' OR u.delete_priv = 'Y' "
    "OR u.create_priv = 'Y' OR u.drop_priv = 'Y' OR u.alter_priv = 'Y' OR u.index_priv = 'Y' "
    "OR u.execute_priv = 'Y' OR u.show_view_priv = 'Y' OR u.create_view_priv = 'Y' "
    "OR u.event_priv = 'Y' OR u.trigger_priv = 'Y' OR u.create_tmp_table_priv = 'Y' "
    "OR u.lock_tables_priv = 'Y' OR u.create_routine_priv = 'Y' OR u.alter_routine_priv = 'Y') "
    "FROM mysql.user u";
const char* DB_QUERY =
    "SELECT user, host, db FROM mysql.db UNION "
    "SELECT DISTINCT user, host, db FROM mysql.tables_priv";
const char* ROLES_QUERY = "SELECT user, host, role FROM mysql.roles_mapping";

/// One row of USERS_QUERY.
Account account_of(MYSQL_ROW r)
{
    auto str = [](const char* s) { return std::string(s ? s : ""); };
    Account a;
    a.user = str(r[0]);
    a.host = str(r[1]);
    a.plugin = str(r[4]);
    std::string text = str(r[3]).empty() ? str(r[2]) : str(r[3]);
    if (a.plugin.empty() || a.plugin == "mysql_native_password")
    {
        a.plugin = "mysql_native_password";
        if (!mariadb::decode_password_hash(text, a.hash))
        {
            a.plugin = "invalid password hash";
        }
    }
    a.is_role = str(r[5]) == "Y";
    a.default_role = str(r[6]);
    a.super_priv = str(r[7]) == "Y";
    a.global_db_priv = str(r[8]) == "1";
    return a;
}
}  // namespace

bool wildcard_match(const std::string& p, const std::string& s, bool ci)
{
    size_t pi = 0, si = 0, star_p = std::string::npos, star_s = 0;
    auto eq = [ci](char a, char b)
    {
        return ci ? std::tolower(static_cast<unsigned char>(a)) ==
                        std::tolower(static_cast<unsigned char>(b))
                  : a == b;
    };
    while (si < s.size())
    {
        if (pi < p.size() && p[pi] == '\\' && pi + 1 < p.size() && eq(p[pi + 1], s[si]))
        {
            pi += 2;
            ++si;
        }
        else if (pi < p.size() && (p[pi] == '_' || (p[pi] != '%' && eq(p[pi], s[si]))))
        {
            ++pi;
            ++si;
        }
        else if (pi < p.size() && p[pi] == '%')
        {
            star_p = pi++;
            star_s = si;
        }
        else if (star_p != std::string::npos)
        {
            pi = star_p + 1;
            si = ++star_s;
        }
        else
        {
            return false;
        }
    }
    while (pi < p.size() && p[pi] == '%')
    {
        ++pi;
    }
    return pi == p.size();
}

bool host_matches(const std::string& pattern, const std::string& ip)
{
    if (pattern == "%" || pattern.empty())
    {
        return true;
    }
    if (ip == "localhost" || pattern == "localhost")
    {
        // Unix socket clients are "localhost", as in MariaDB; TCP clients
        // never match 'localhost', even from 127.0.0.1.
        return ip == "localhost" && wildcard_match(pattern, ip, true);
    }
    size_t slash = pattern.find('/');
    if (slash != std::string::npos)
    {
        uint32_t net, mask, addr;
        return parse_ip4(pattern.substr(0, slash), net) &&
               parse_ip4(pattern.substr(slash + 1), mask) && parse_ip4(ip, addr) &&
               (addr & mask) == net;
    }
    return wildcard_match(pattern, ip, true);
}

void UserSnapshot::sort()
{
    std::stable_sort(accounts.begin(), accounts.end(),
                     [](const Account& a, const Account& b)
                     {
                         int ra = host_rank(a.host), rb = host_rank(b.host);
                         if (ra != rb)
                         {
                             return ra < rb;
                         }
                         return !a.user.empty() && b.user.empty();
                     });
}

const Account* UserSnapshot::find(const std::string& user, const std::string& ip) const
{
    for (const Account& a : accounts)
    {
        if (!a.is_role && (a.user == user || a.user.empty()) && host_matches(a.host, ip))
        {
            return &a;
        }
    }
    return nullptr;
}

bool UserSnapshot::can_use_db(const Account& account, const std::string& db) const
{
    if (account.global_db_priv)
    {
        return true;
    }
    auto granted = [&](const std::string& user, const std::string& host)
    {
        for (const DbGrant& g : grants)
        {
            if (g.user == user && g.host == host && wildcard_match(g.db, db, true))
            {
                return true;
            }
        }
        return false;
    };
    if (granted(account.user, account.host))
    {
        return true;
    }
    if (!account.default_role.empty())
    {
        for (const Account& r : accounts)
        {
            if (r.is_role && r.user == account.default_role && r.global_db_priv)
            {
                return true;
            }
        }
        return granted(account.default_role, "");
    }
    return false;
}

UserManager::UserManager(std::shared_ptr<const Service> service) : m_service(std::move(service))
{
    // libmariadb's global state, before the first loader thread uses it.
    static std::once_flag init;
    std::call_once(init, []() { mysql_library_init(0, nullptr, nullptr); });
}

void UserManager::start()
{
    std::lock_guard<std::mutex> guard(m_lock);
    if (!m_thread.joinable() && !m_stop)
    {
        m_thread = std::thread([this]() { run(); });
    }
}

UserManager::~UserManager()
{
    {
        std::lock_guard<std::mutex> guard(m_lock);
        m_stop = true;
    }
    m_cond.notify_all();
    if (m_thread.joinable())
    {
        m_thread.join();
    }
}

void UserManager::reload(Worker& worker, int64_t min_interval_ms, std::function<void(bool)> done)
{
    {
        std::lock_guard<std::mutex> guard(m_lock);
        if (!m_thread.joinable() || m_stop)
        {
            // Not started (no listener of the service ever ran): nothing will load.
        }
        else if (m_requested || now_ms() - m_last_attempt_ms >= min_interval_ms)
        {
            m_requested = true;
            m_waiters.emplace_back(&worker, std::move(done));
            m_cond.notify_all();
            return;
        }
    }
    worker.post([done = std::move(done)]() { done(false); });
}

void UserManager::run()
{
    // users_refresh_interval: reload that often, but never more often than
    // users_refresh_time (MaxScale's minimum between two reloads).
    int64_t interval = global_config()->get_duration_ms("users_refresh_interval");
    int64_t period =
        interval > 0 ? std::max(interval, global_config()->get_duration_ms("users_refresh_time"))
                     : 0;
    std::unique_lock<std::mutex> lock(m_lock);
    while (!m_stop)
    {
        if (!m_requested && period > 0 && now_ms() >= m_last_attempt_ms + period)
        {
            m_requested = true;  // the periodic reload
        }
        if (!m_requested)
        {
            if (period > 0)
            {
                m_cond.wait_for(lock,
                                std::chrono::milliseconds(m_last_attempt_ms + period - now_ms()));
            }
            else
            {
                m_cond.wait(lock);
            }
            continue;
        }
        m_last_attempt_ms = now_ms();
        lock.unlock();
        std::string error, sources;
        std::shared_ptr<UserSnapshot> snap = load(error, sources);
        if (snap)
        {
            std::shared_ptr<const UserSnapshot> c = snap;
            std::atomic_store(&m_snapshot, c);
            SG_INFO("Service %s: loaded %zu accounts and %zu databases from %s",
                    std::atomic_load(&m_service)->name.c_str(), snap->accounts.size(),
                    snap->databases.size(), sources.c_str());
        }
        else
        {
            SG_ERROR("Service %s: cannot load user accounts: %s",
                     std::atomic_load(&m_service)->name.c_str(), error.c_str());
        }
        lock.lock();
        m_requested = false;
        auto waiters = std::move(m_waiters);
        m_waiters.clear();
        for (auto& [worker, fn] : waiters)
        {
            bool ok = snap != nullptr;
            worker->post([fn = std::move(fn), ok]() { fn(ok); });
        }
    }
}

void UserManager::set_service(std::shared_ptr<const Service> service)
{
    std::atomic_store(&m_service, std::move(service));
}

namespace
{
/// The accounts of one server, or nullptr with @c error set.
std::shared_ptr<UserSnapshot> load_from(const Server& server, const Service& service,
                                        std::string& error)
{
    MYSQL* c = mysql_init(nullptr);
    unsigned int timeout = 3;
    mysql_optionsv(c, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    timeout = 10;
    mysql_optionsv(c, MYSQL_OPT_READ_TIMEOUT, &timeout);
    mysql_optionsv(c, MYSQL_OPT_WRITE_TIMEOUT, &timeout);
    bool local = !server.socket().empty();
    if (!mysql_real_connect(c, local ? "localhost" : server.address().c_str(),
                            service.user().c_str(), service.password().c_str(), nullptr,
                            local ? 0 : server.port(), local ? server.socket().c_str() : nullptr,
                            0))
    {
        error = "server " + server.name() + ": " + mysql_error(c);
        mysql_close(c);
        return nullptr;
    }
    auto snap = std::make_shared<UserSnapshot>();
    snap->server_version = mysql_get_server_info(c);
    bool ok = true;
    auto query = [&](const char* sql, auto&& row_fn)
    {
        if (!ok)
        {
            return;
        }
        if (mysql_query(c, sql) != 0)
        {
            error = "server " + server.name() + ": " + mysql_error(c);
            ok = false;
            return;
        }
        MYSQL_RES* res = mysql_store_result(c);
        while (MYSQL_ROW row = res ? mysql_fetch_row(res) : nullptr)
        {
            row_fn(row);
        }
        mysql_free_result(res);
    };
    auto str = [](const char* s) { return std::string(s ? s : ""); };
    query(USERS_QUERY, [&](MYSQL_ROW r) { snap->accounts.push_back(account_of(r)); });
    query(DB_QUERY,
          [&](MYSQL_ROW r) {
              snap->grants.push_back(DbGrant{str(r[0]), str(r[1]), str(r[2])});
          });
    query(ROLES_QUERY,
          [&](MYSQL_ROW r) { snap->roles.emplace_back(str(r[0]) + "@" + str(r[1]), str(r[2])); });
    query("SHOW DATABASES", [&](MYSQL_ROW r) { snap->databases.insert(str(r[0])); });
    mysql_close(c);
    return ok ? snap : nullptr;
}

/// auth_all_servers: add what @c from has to @c into. An account that both have
/// (same user and host) keeps @c into's, as MaxScale keeps the first server's.
void merge(UserSnapshot& into, UserSnapshot&& from)
{
    std::set<std::pair<std::string, std::string>> have;
    for (const Account& a : into.accounts)
    {
        have.emplace(a.user, a.host);
    }
    for (Account& a : from.accounts)
    {
        if (have.emplace(a.user, a.host).second)
        {
            into.accounts.push_back(std::move(a));
        }
    }
    into.grants.insert(into.grants.end(), from.grants.begin(), from.grants.end());
    into.roles.insert(into.roles.end(), from.roles.begin(), from.roles.end());
    into.databases.insert(from.databases.begin(), from.databases.end());
}
}  // namespace

std::shared_ptr<UserSnapshot> UserManager::load(std::string& error, std::string& sources)
{
    std::shared_ptr<const Service> service = std::atomic_load(&m_service);
    bool all = service->config.get_bool("auth_all_servers");
    std::shared_ptr<UserSnapshot> out;
    for (const ServerPtr& server : service->servers)
    {
        std::string problem;
        std::shared_ptr<UserSnapshot> snap = load_from(*server, *service, problem);
        if (!snap)
        {
            error = problem;
            if (all)
            {
                SG_WARNING("Service %s: cannot load user accounts from %s", service->name.c_str(),
                           problem.c_str());
            }
            continue;
        }
        sources += (sources.empty() ? "" : ", ") + server->name();
        if (out)
        {
            merge(*out, std::move(*snap));
        }
        else
        {
            out = snap;
        }
        if (!all)
        {
            break;  // the first server that answers, unless auth_all_servers
        }
    }
    if (!out)
    {
        error = service->servers.empty() ? "the service has no servers" : error;
        return nullptr;
    }
    out->sort();
    out->loaded_at_ms = now_ms();
    return out;
}

}  // namespace sqlgate::mariadb
