#include "sqlgate/monitor.hh"

#include <mysql.h>
#include <mysqld_error.h>

#include <chrono>

#include "monitor_script.hh"
#include "sqlgate/log.hh"

namespace sqlgate
{

namespace
{
unsigned int seconds_of(int64_t ms)
{
    return static_cast<unsigned int>(std::max<int64_t>(1, (ms + 999) / 1000));
}

std::string dump(json_t* j)
{
    if (!j)
    {
        return "{}";
    }
    char* text = json_dumps(j, JSON_COMPACT);
    std::string out = text ? text : "{}";
    free(text);
    json_decref(j);
    return out;
}
}  // namespace

Monitor::Monitor(const ObjectConfig& config, std::vector<MonitorServer> targets)
    : m_config(config), m_servers(std::move(targets))
{
    for (const auto& ms : m_servers)
    {
        m_targets.push_back(ms.server);
    }
}

Monitor::~Monitor()
{
    stop();
    for (auto& ms : m_servers)
    {
        if (ms.conn)
        {
            mysql_close(ms.conn);
            ms.conn = nullptr;
        }
    }
}

void Monitor::start()
{
    if (m_thread.joinable())
    {
        return;
    }
    {
        std::lock_guard<std::mutex> g(m_lock);
        m_stop = false;
    }
    for (const auto& s : m_targets)
    {
        s->set_monitored(true);
    }
    m_running.store(true, std::memory_order_release);
    m_thread = std::thread([this]() { run(); });
}

void Monitor::stop()
{
    if (!m_thread.joinable())
    {
        return;
    }
    {
        std::lock_guard<std::mutex> g(m_lock);
        m_stop = true;
    }
    m_wake.notify_all();
    m_thread.join();
    m_running.store(false, std::memory_order_release);
    for (const auto& s : m_targets)
    {
        s->set_monitored(false);
    }
}

bool Monitor::execute(std::function<void()> fn)
{
    {
        std::lock_guard<std::mutex> g(m_lock);
        if (!running() || m_stop)
        {
            return false;
        }
        m_tasks.push_back(std::move(fn));
    }
    m_wake.notify_all();
    return true;
}

std::string Monitor::diagnostics() const
{
    std::lock_guard<std::mutex> g(m_lock);
    return m_diagnostics;
}

std::string Monitor::server_info(const std::string& server) const
{
    std::lock_guard<std::mutex> g(m_lock);
    auto it = m_server_info.find(server);
    return it == m_server_info.end() ? "{}" : it->second;
}

json_t* Monitor::diagnostics_json(const std::vector<MonitorServer>&) const
{
    return json_object();
}

json_t* Monitor::server_json(const MonitorServer&) const
{
    return json_object();
}

void Monitor::run()
{
    mysql_thread_init();
    auto interval = std::chrono::milliseconds(std::max<int64_t>(
        100, m_config.has("monitor_interval") ? m_config.get_int("monitor_interval") : 2000));
    auto next = std::chrono::steady_clock::now();
    std::unique_lock<std::mutex> lk(m_lock);
    while (!m_stop)
    {
        while (!m_tasks.empty())
        {
            auto fn = std::move(m_tasks.front());
            m_tasks.pop_front();
            lk.unlock();
            fn();
            lk.lock();
        }
        if (m_stop)
        {
            break;
        }
        if (std::chrono::steady_clock::now() >= next)
        {
            lk.unlock();
            tick();
            lk.lock();
            next = std::chrono::steady_clock::now() + interval;
            continue;
        }
        m_wake.wait_until(lk, next, [this]() { return m_stop || !m_tasks.empty(); });
    }
    // Commands still queued are answered by dropping them: their owners
    // (CommandDone wrappers) report that the monitor stopped.
    m_tasks.clear();
    lk.unlock();
    mysql_thread_end();
}

bool Monitor::connect(MonitorServer& ms)
{
    if (ms.conn)
    {
        if (mysql_ping(ms.conn) == 0)
        {
            return true;
        }
        ms.error_no = mysql_errno(ms.conn);
        ms.error = mysql_error(ms.conn);
        mysql_close(ms.conn);
        ms.conn = nullptr;
    }
    int64_t attempts = std::max<int64_t>(1, m_config.has("backend_connect_attempts")
                                                ? m_config.get_int("backend_connect_attempts")
                                                : 1);
    for (int64_t i = 0; i < attempts; ++i)
    {
        MYSQL* c = mysql_init(nullptr);
        unsigned int ct = seconds_of(m_config.get_int("backend_connect_timeout"));
        unsigned int rt = seconds_of(m_config.get_int("backend_read_timeout"));
        unsigned int wt = seconds_of(m_config.get_int("backend_write_timeout"));
        mysql_optionsv(c, MYSQL_OPT_CONNECT_TIMEOUT, &ct);
        mysql_optionsv(c, MYSQL_OPT_READ_TIMEOUT, &rt);
        mysql_optionsv(c, MYSQL_OPT_WRITE_TIMEOUT, &wt);
        const Server& s = *ms.server;
        bool local = !s.socket().empty();
        if (mysql_real_connect(c, local ? nullptr : s.address().c_str(), ms.user.c_str(),
                               ms.password.c_str(), nullptr, local ? 0 : s.port(),
                               local ? s.socket().c_str() : nullptr, 0))
        {
            ms.conn = c;
            ms.error_no = 0;
            ms.error.clear();
            return true;
        }
        ms.error_no = mysql_errno(c);
        ms.error = mysql_error(c);
        mysql_close(c);
        if (ms.error_no == ER_ACCESS_DENIED_ERROR || ms.error_no == ER_DBACCESS_DENIED_ERROR)
        {
            break;  // retrying does not help
        }
    }
    return false;
}

void Monitor::tick()
{
    for (auto& ms : m_servers)
    {
        ms.prev_status = ms.status;
        bool up = connect(ms);
        uint64_t st = 0;
        if (up)
        {
            st = status::RUNNING;
            ms.fail_count = 0;
        }
        else
        {
            st = status::DOWN;
            if (ms.error_no == ER_ACCESS_DENIED_ERROR || ms.error_no == ER_DBACCESS_DENIED_ERROR)
            {
                st |= status::AUTH_ERROR;
            }
            ++ms.fail_count;
            if (ms.prev_status & status::RUNNING || m_ticks.load() == 0)
            {
                SG_WARNING("Monitor %s: server %s is down: %s", name().c_str(),
                           ms.server->name().c_str(), ms.error.c_str());
            }
        }
        ms.status = st;
    }
    update(m_servers);
    for (auto& ms : m_servers)
    {
        if (!(ms.status & status::RUNNING))
        {
            ms.status &= ~(status::MASTER | status::SLAVE | status::RELAY | status::SYNCED);
        }
        ms.server->assign_status(MONITOR_STATUS_BITS, ms.status);
        if ((ms.prev_status & status::DOWN) && (ms.status & status::RUNNING))
        {
            SG_NOTICE("Monitor %s: server %s is up: %s", name().c_str(), ms.server->name().c_str(),
                      ms.server->status_string().c_str());
        }
        else if (m_ticks.load() > 0 && ms.prev_status != ms.status)
        {
            SG_NOTICE("Monitor %s: server %s is now %s", name().c_str(), ms.server->name().c_str(),
                      ms.server->status_string().c_str());
        }
    }
    if (m_ticks.load() > 0)  // no events for what the first tick finds
    {
        for (const auto& ms : m_servers)
        {
            for (const auto& event : server_events(ms.prev_status, ms.status))
            {
                run_monitor_script(m_config, m_servers, ms, event);
            }
        }
    }
    publish();
    m_ticks.fetch_add(1, std::memory_order_acq_rel);
}

void Monitor::publish()
{
    std::string diag = dump(diagnostics_json(m_servers));
    std::map<std::string, std::string> info;
    for (const auto& ms : m_servers)
    {
        info[ms.server->name()] = dump(server_json(ms));
    }
    std::lock_guard<std::mutex> g(m_lock);
    m_diagnostics = std::move(diag);
    m_server_info = std::move(info);
}

}  // namespace sqlgate
