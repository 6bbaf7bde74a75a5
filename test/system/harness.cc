// SqlGate (the binary under test), libmariadb helpers and configurations.
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

// ---- SqlGate ---------------------------------------------------------------------------

std::string SqlGate::binary()
{
    // SQLGATE_TEST_BINARY runs the tests against another build's daemon (scripts/check's
    // sanitizer job: build-asan/bin/sqlgate); by default the one built with the tests.
    const char* other = getenv("SQLGATE_TEST_BINARY");
    return other && *other ? other : SQLGATE_BINARY;
}

bool SqlGate::binary_exists()
{
    return access(binary().c_str(), X_OK) == 0;
}

SqlGate::SqlGate(const std::string& config, int wait_port,
                 const std::vector<std::string>& extra_args, std::chrono::milliseconds timeout)
{
    if (!binary_exists())
    {
        // A test that cannot run its binary fails; it is never skipped.
        throw std::runtime_error(binary() + " is not an executable file: build sqlgate first");
    }
    install_cleanup();
    m_dir = make_temp_dir("sqlgate-test");
    std::filesystem::create_directories(m_dir + "/data");
    std::filesystem::create_directories(m_dir + "/log");
    write_file(config_path(), config);
    std::vector<std::string> argv{binary(),        "--config", config_path(), "--datadir",
                                  m_dir + "/data", "--logdir", m_dir + "/log"};
    argv.insert(argv.end(), extra_args.begin(), extra_args.end());
    m_pid = spawn(argv, {}, m_dir + "/stdout.log", m_dir + "/stderr.log", true);
    track(m_pid);
    if (wait_port != 0)
    {
        try
        {
            wait_for_port(wait_port, timeout);
        }
        catch (...)
        {
            // The exception carries the log tails; the directory goes unless kept.
            stop(SIGKILL, 5s);
            if (!keep_files())
            {
                std::error_code ec;
                std::filesystem::remove_all(m_dir, ec);
            }
            throw;
        }
    }
}

SqlGate::~SqlGate()
{
    if (m_pid > 0 && m_exit.status < 0)
    {
        stop(SIGTERM, 5s);
    }
    if (m_dir.empty())
    {
        return;
    }
    if (keep_files() || ::testing::Test::HasFailure())
    {
        fprintf(stderr, "harness: kept the sqlgate directory %s\n", m_dir.c_str());
    }
    else
    {
        std::error_code ec;
        std::filesystem::remove_all(m_dir, ec);
    }
}

void SqlGate::wait_for_port(int port, std::chrono::milliseconds timeout)
{
    auto deadline = Clock::now() + timeout;
    while (!port_accepts(port))
    {
        if (!running())
        {
            throw std::runtime_error("sqlgate exited (" + m_exit.describe() +
                                     ") before accepting on port " + std::to_string(port) + "\n" +
                                     diagnostics());
        }
        if (Clock::now() >= deadline)
        {
            throw std::runtime_error("sqlgate did not accept on port " + std::to_string(port) +
                                     " within " + std::to_string(timeout.count()) + " ms\n" +
                                     diagnostics());
        }
        sleep_ms(20);
    }
}

std::string SqlGate::log_text() const
{
    return read_file(log_path());
}

std::string SqlGate::stderr_text() const
{
    return read_file(m_dir + "/stderr.log");
}

std::string SqlGate::stdout_text() const
{
    return read_file(m_dir + "/stdout.log");
}

std::string SqlGate::diagnostics() const
{
    return "---- " + log_path() + " (tail) ----\n" + file_tail(log_path()) + "\n---- " + m_dir +
           "/stderr.log (tail) ----\n" + file_tail(m_dir + "/stderr.log") + "\n---- " + m_dir +
           "/stdout.log (tail) ----\n" + file_tail(m_dir + "/stdout.log", 10);
}

bool SqlGate::running()
{
    if (m_pid <= 0 || m_exit.status >= 0)
    {
        return false;
    }
    int status = 0;
    if (waitpid(m_pid, &status, WNOHANG) == m_pid)
    {
        m_exit.status = status;
        untrack(m_pid);
        return false;
    }
    return true;
}

ExitStatus SqlGate::wait_exit(std::chrono::milliseconds timeout)
{
    if (m_pid <= 0 || m_exit.status >= 0)
    {
        return m_exit;
    }
    auto start = Clock::now();
    if (auto status = wait_child(m_pid, timeout))
    {
        m_exit.status = *status;
        untrack(m_pid);
    }
    ExitStatus r = m_exit;
    r.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    return r;
}

ExitStatus SqlGate::stop(int signal, std::chrono::milliseconds timeout)
{
    if (!running())
    {
        return m_exit;
    }
    auto start = Clock::now();
    ::kill(m_pid, SIGCONT);
    ::kill(m_pid, signal);
    auto status = wait_child(m_pid, timeout);
    if (!status)
    {
        ::kill(m_pid, SIGKILL);
        status = wait_child(m_pid, 10s);
    }
    m_exit.status = status.value_or(-1);
    m_exit.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    if (status)
    {
        untrack(m_pid);
    }
    return m_exit;
}

CommandResult run_sqlgate(const std::vector<std::string>& args, std::chrono::milliseconds timeout)
{
    std::vector<std::string> argv{SqlGate::binary()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv, timeout);
}

// ---- libmariadb helpers ----------------------------------------------------------------

MYSQL* connect(int port, const std::string& user, const std::string& password,
               const std::string& db, unsigned long flags, ConnectError* error)
{
    init_mysql_library();
    MYSQL* m = mysql_init(nullptr);
    if (!m)
    {
        if (error)
        {
            *error = {0, "mysql_init failed"};
        }
        return nullptr;
    }
    unsigned int connect_timeout = 5;
    unsigned int rw_timeout = 30;
    mysql_optionsv(m, MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
    mysql_optionsv(m, MYSQL_OPT_READ_TIMEOUT, &rw_timeout);
    mysql_optionsv(m, MYSQL_OPT_WRITE_TIMEOUT, &rw_timeout);
    if (!mysql_real_connect(m, "127.0.0.1", user.c_str(), password.c_str(),
                            db.empty() ? nullptr : db.c_str(), static_cast<unsigned int>(port),
                            nullptr, flags))
    {
        if (error)
        {
            *error = {mysql_errno(m), mysql_error(m)};
        }
        mysql_close(m);
        return nullptr;
    }
    return m;
}

std::string QueryResult::value() const
{
    return rows.empty() || rows[0].empty() ? std::string() : rows[0][0];
}

QueryResult query(MYSQL* conn, const std::string& sql)
{
    QueryResult r;
    auto fail = [&]
    {
        r.ok = false;
        r.error = mysql_errno(conn);
        r.sqlstate = mysql_sqlstate(conn);
        r.message = mysql_error(conn);
    };
    if (mysql_real_query(conn, sql.data(), sql.size()) != 0)
    {
        fail();
        return r;
    }
    r.ok = true;
    bool first = true;
    bool have_rows = false;
    while (true)
    {
        MYSQL_RES* res = mysql_store_result(conn);
        if (res)
        {
            if (!have_rows)
            {
                have_rows = true;
                unsigned int ncols = mysql_num_fields(res);
                MYSQL_FIELD* fields = mysql_fetch_fields(res);
                for (unsigned int c = 0; c < ncols; ++c)
                {
                    r.columns.emplace_back(fields[c].name);
                }
                while (MYSQL_ROW row = mysql_fetch_row(res))
                {
                    unsigned long* lengths = mysql_fetch_lengths(res);
                    std::vector<std::string> values;
                    std::vector<bool> nulls;
                    for (unsigned int c = 0; c < ncols; ++c)
                    {
                        nulls.push_back(row[c] == nullptr);
                        values.emplace_back(row[c] ? std::string(row[c], lengths[c]) : "NULL");
                    }
                    r.rows.push_back(std::move(values));
                    r.nulls.push_back(std::move(nulls));
                }
            }
            mysql_free_result(res);
        }
        else if (mysql_field_count(conn) != 0)
        {
            fail();  // a result set was expected but could not be read
            return r;
        }
        else if (first)
        {
            r.affected_rows = mysql_affected_rows(conn);
        }
        first = false;
        int next = mysql_next_result(conn);
        if (next > 0)
        {
            fail();
            return r;
        }
        if (next < 0)
        {
            break;
        }
    }
    return r;
}

// ---- configuration ---------------------------------------------------------------------

std::string config_for(const Cluster& cluster, int listener_port, const std::string& extra_sections,
                       const ConfigOptions& options)
{
    std::ostringstream out;
    int admin_port = options.admin_port != 0 ? options.admin_port : free_port();
    out << "[maxscale]\n"
        << "threads=" << options.threads << "\n"
        << "admin_host=127.0.0.1\n"
        << "admin_port=" << admin_port << "\n"
        << options.global_extra << "\n";
    for (int i = 0; i < Cluster::kServers; ++i)
    {
        out << "[server" << i + 1 << "]\n"
            << "type=server\n"
            << "address=127.0.0.1\n"
            << "port=" << cluster.port(i) << "\n";
        if (auto extra = options.server_extra.find(i); extra != options.server_extra.end())
        {
            out << extra->second;
        }
        out << "\n";
    }
    std::string servers;
    for (int i : options.servers)
    {
        servers += (servers.empty() ? "" : ",") + std::string("server") + std::to_string(i + 1);
    }
    out << "[Read-Write-Service]\n"
        << "type=service\n"
        << "router=" << options.router << "\n";
    if (!options.router_options.empty())
    {
        out << "router_options=" << options.router_options << "\n";
    }
    if (!servers.empty())
    {
        out << "servers=" << servers << "\n";
    }
    out << "user=sqlgate\n"
        << "password=sqlgate_pw\n"
        << options.service_extra << "\n"
        << "[Read-Write-Listener]\n"
        << "type=listener\n"
        << "service=Read-Write-Service\n"
        << "protocol=mariadbprotocol\n"
        << "address=127.0.0.1\n"
        << "port=" << listener_port << "\n";
    if (!extra_sections.empty())
    {
        out << "\n" << extra_sections;
        if (extra_sections.back() != '\n')
        {
            out << "\n";
        }
    }
    return out.str();
}

bool statement_running(MYSQL* root, const std::string& alias, std::chrono::milliseconds timeout)
{
    return eventually(
        [&]
        {
            return query(root,
                         "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE "
                         "'%AS " +
                             alias + "%' AND ID <> CONNECTION_ID()")
                       .value() == "1";
        },
        timeout);
}

bool create_account_everywhere(const std::string& user, const std::string& password)
{
    Cluster& cluster = shared_cluster();
    MysqlPtr root(connect(cluster.primary_port(), "root", ""));
    if (!root)
    {
        return false;
    }
    query(root.get(), "DROP USER IF EXISTS '" + user + "'@'%'");
    if (!query(root.get(), "CREATE USER '" + user + "'@'%' IDENTIFIED BY '" + password + "'").ok)
    {
        return false;
    }
    for (int i = 1; i < Cluster::kServers; ++i)
    {
        if (!eventually(
                [&] { return MysqlPtr(connect(cluster.port(i), user, password)) != nullptr; }, 10s))
        {
            return false;
        }
    }
    return true;
}

void drop_account(const std::string& user)
{
    MysqlPtr root(connect(shared_cluster().primary_port(), "root", ""));
    if (root)
    {
        query(root.get(), "DROP USER IF EXISTS '" + user + "'@'%'");
    }
}

}  // namespace sqlgate::test
