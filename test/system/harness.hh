// System-test harness: real mariadbd servers, the real sqlgate binary, libmariadb clients.
//
// Every process a test starts is stopped by PID: by the owning object's destructor, at
// process exit, and from SIGINT/SIGTERM/SIGHUP/SIGABRT handlers (which stop the children
// and then re-raise). A cluster also has a watchdog (see scripts/mariadb-cluster) that
// stops it and removes its directory if the test process dies by SIGKILL.
//
// Everything binds to 127.0.0.1 on free ports and lives in fresh temporary directories.
// Set SQLGATE_TEST_KEEP=1 to keep those directories after the test (paths are printed).
#pragma once

#include <mysql.h>
#include <signal.h>
#include <sys/types.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace sqlgate::test
{

using namespace std::chrono_literals;

// A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0, read it, close).
int free_port();

// True once `port` on 127.0.0.1 accepts a TCP connection.
bool port_accepts(int port);

// A plain TCP connection to 127.0.0.1:port (for raw protocol tests); -1 on failure.
int tcp_connect(int port);

// Polls `condition` every `interval` until it is true (returns true) or `timeout` passes.
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
                std::chrono::milliseconds interval = 50ms);

// The last `lines` lines of a file ("" if it cannot be read).
std::string file_tail(const std::string& path, int lines = 30);
std::string read_file(const std::string& path);

// Outcome of a process that exited (or was killed): the raw waitpid() status.
struct ExitStatus
{
    int status = -1;  // -1: no status (not started, or could not be reaped)
    std::chrono::milliseconds elapsed{0};

    bool exited() const { return status >= 0 && WIFEXITED(status); }
    int exit_code() const { return exited() ? WEXITSTATUS(status) : -1; }
    bool signaled() const { return status >= 0 && WIFSIGNALED(status); }
    int term_signal() const { return signaled() ? WTERMSIG(status) : 0; }
    std::string describe() const;  // "exit code 0", "killed by signal 9 (Killed)", ...
};

// Runs a command to completion (stdin /dev/null, stdout+stderr captured), killing it
// after `timeout`. `env` entries ("NAME=value") are added to the environment.
struct CommandResult
{
    ExitStatus status;
    std::string output;
};
CommandResult run_command(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                          const std::vector<std::string>& env = {});

// Three mariadbd servers on free loopback ports: server1 (index 0) is the primary,
// server2 and server3 (indexes 1, 2) replicate from it with GTID. Started with
// scripts/mariadb-cluster in a fresh temporary directory; the constructor throws
// std::runtime_error (with the script's output) if they do not come up.
// Users: app/app_pw (ALL on test.*, sbtest.*), sqlgate/sqlgate_pw, monitor/monitor_pw,
// repl/repl_pw; root has no password.
class Cluster
{
public:
    static constexpr int kServers = 3;

    Cluster();
    /// Use the cluster already running in @c dir (started by someone else, who
    /// also stops it): nothing is started or stopped by this object.
    explicit Cluster(const std::string& existing_dir);
    ~Cluster();
    Cluster(const Cluster&) = delete;
    Cluster& operator=(const Cluster&) = delete;

    // Index 0..2: 0 is server1, the primary.
    int port(int i) const;
    int primary_port() const { return port(0); }
    // PID from the server's pid file, or -1 if there is none.
    pid_t pid(int i) const;
    const std::string& dir() const { return m_dir; }
    std::string error_log(int i) const;

    // Sends `signal` to server i. For SIGTERM and SIGKILL, waits until it is gone.
    // SIGSTOP/SIGCONT simulate a hung server.
    void kill_server(int i, int signal = SIGKILL);
    // Starts server i again (stopping it first if it runs) and waits until it answers and,
    // with wait_replication, for a replica, replicates (for the primary: until the running
    // replicas reconnect). Without it (after a failover) only until it answers.
    void restart_server(int i, bool wait_replication = true);
    // Stops all servers by PID. The destructor calls it and removes the directory.
    void stop();

private:
    void start();
    void update_registered_pid(int i);

    std::string m_dir;
    std::array<int, kServers> m_ports{};
    std::array<pid_t, kServers> m_registered{};
    bool m_running = false;
    bool m_attached = false;  ///< someone else's cluster: never stop it
};

// A process-wide cluster, started on first use and stopped at exit. Tests that kill or
// reconfigure servers must use their own Cluster or restore the state they changed.
// Throws std::runtime_error if the cluster cannot start (again on every call).
Cluster& shared_cluster();

// The sqlgate binary under test, running with `config` written to <tmp>/sqlgate.cnf and
// --datadir <tmp>/data --logdir <tmp>/log (+ extra_args); stdout and stderr go to
// <tmp>/stdout.log and <tmp>/stderr.log. If `wait_port` is not 0, the constructor waits
// up to `timeout` for that port to accept connections and throws std::runtime_error with
// the log tail if it does not (or if sqlgate exits first).
class SqlGate
{
public:
    SqlGate(const std::string& config, int wait_port,
            const std::vector<std::string>& extra_args = {},
            std::chrono::milliseconds timeout = 10s);
    ~SqlGate();
    SqlGate(const SqlGate&) = delete;
    SqlGate& operator=(const SqlGate&) = delete;

    pid_t pid() const { return m_pid; }
    const std::string& dir() const { return m_dir; }
    std::string config_path() const { return m_dir + "/sqlgate.cnf"; }
    std::string log_path() const { return m_dir + "/log/sqlgate.log"; }
    // Contents of <tmp>/log/sqlgate.log, and of stderr/stdout.
    std::string log_text() const;
    std::string stderr_text() const;
    std::string stdout_text() const;
    // Log, stderr and stdout tails, for failure messages.
    std::string diagnostics() const;

    // True while the process runs (reaps it if it exited).
    bool running();
    // Sends `signal` and waits for the exit; after `timeout` sends SIGKILL.
    // Returns the status and the time from the signal to the exit.
    ExitStatus stop(int signal = SIGTERM, std::chrono::milliseconds timeout = 10s);
    // Waits for the process to exit by itself; status -1 if it still runs after `timeout`.
    ExitStatus wait_exit(std::chrono::milliseconds timeout);

    // Path of the binary under test.
    static std::string binary();
    static bool binary_exists();

private:
    void wait_for_port(int port, std::chrono::milliseconds timeout);

    std::string m_dir;
    pid_t m_pid = -1;
    ExitStatus m_exit;
};

// Runs the sqlgate binary with `args` to completion (e.g. --version, --config-check).
CommandResult run_sqlgate(const std::vector<std::string>& args,
                          std::chrono::milliseconds timeout = 30s);

// ---- libmariadb helpers ----------------------------------------------------------------

struct ConnectError
{
    unsigned int code = 0;
    std::string message;
};

// Connects to 127.0.0.1:port (5 s connect timeout, 30 s read/write timeouts). Returns
// nullptr on failure and fills `error` if given. Close with mysql_close() or MysqlPtr.
MYSQL* connect(int port, const std::string& user, const std::string& password,
               const std::string& db = "", unsigned long flags = 0, ConnectError* error = nullptr);

struct MysqlDeleter
{
    void operator()(MYSQL* m) const { mysql_close(m); }
};
using MysqlPtr = std::unique_ptr<MYSQL, MysqlDeleter>;

struct QueryResult
{
    bool ok = false;
    unsigned int error = 0;  // MariaDB error code when !ok
    std::string sqlstate;
    std::string message;
    std::vector<std::string> columns;
    std::vector<std::vector<std::string>> rows;  // every value as text; SQL NULL is "NULL"
    std::vector<std::vector<bool>> nulls;        // true where the value is SQL NULL
    uint64_t affected_rows = 0;

    // rows[0][0], or "" when there is no row.
    std::string value() const;
};

// Runs `sql` and fetches all rows as strings. With several results (multi-statements,
// procedures) the first result set's rows and the first statement's affected rows are
// kept; an error in any of them is reported.
QueryResult query(MYSQL* conn, const std::string& sql);

// True once a statement containing "AS <alias>" runs on the server @c root is connected
// to (another connection's: waits up to @c timeout). Tests kill statements while they run.
bool statement_running(MYSQL* root, const std::string& alias, std::chrono::milliseconds timeout);

// (Re)creates the account user@'%' with @c password on the shared cluster's primary and
// waits until every replica has it. False if it could not be created or did not arrive.
bool create_account_everywhere(const std::string& user, const std::string& password);
// Drops it again (on the primary; replication removes it elsewhere).
void drop_account(const std::string& user);

// ---- configuration ---------------------------------------------------------------------

struct ConfigOptions
{
    std::vector<int> servers{0, 1, 2};  // cluster indexes the service uses (0 = server1)
    std::string router = "readconnroute";
    std::string router_options = "running";
    std::string threads = "2";
    int admin_port = 0;         // 0: a free port, so that tests never collide on 8989
    std::string global_extra;   // more lines for [maxscale], e.g. "users_refresh_time=1s\n"
    std::string service_extra;  // more lines for [Read-Write-Service], e.g. "filters=A|B\n"
    // More lines for [server<i+1>] by cluster index, e.g. {{1, "priority=2\n"}}.
    std::map<int, std::string> server_extra;
};

// A standard sqlgate config (the format of etc/sandbox.cnf) for `cluster`: [maxscale],
// (no servers= line when options.servers is empty, e.g. for cluster=),
// [server1]..[server3], [Read-Write-Service] (user sqlgate) and [Read-Write-Listener] on
// 127.0.0.1:listener_port, followed by `extra_sections` verbatim.
std::string config_for(const Cluster& cluster, int listener_port,
                       const std::string& extra_sections = "", const ConfigOptions& options = {});

}  // namespace sqlgate::test
