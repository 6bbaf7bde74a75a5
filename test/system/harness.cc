#include "harness.hh"

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

namespace
{

using Clock = std::chrono::steady_clock;

// ---- processes to stop on exit or on a fatal signal ----------------------------------
//
// A fixed table of atomics so that the signal handler only does async-signal-safe work.

constexpr int kMaxTracked = 128;
std::atomic<pid_t> g_tracked[kMaxTracked];

// True if `pid` no longer runs: reaped (if it is our child), gone, or a zombie.
bool process_gone(pid_t pid) noexcept
{
    int status = 0;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid)
    {
        return true;
    }
    if (r == 0)
    {
        return false;  // our child, still running
    }
    if (kill(pid, 0) != 0 && errno == ESRCH)
    {
        return true;
    }
    // Not our child: a zombie waits for another parent to reap it.
    char path[64];
    char buf[512];
    snprintf(path, sizeof(path), "/proc/%d/stat", static_cast<int>(pid));
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
    {
        return true;
    }
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
    {
        return true;
    }
    buf[n] = '\0';
    const char* paren = strrchr(buf, ')');
    return paren && paren[1] == ' ' && paren[2] == 'Z';
}

void sleep_ms(int ms) noexcept
{
    timespec ts{ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, nullptr);
}

// SIGCONT + SIGTERM to every tracked process, up to 10 s for them to go, then SIGKILL.
void stop_tracked() noexcept
{
    int saved_errno = errno;
    pid_t pids[kMaxTracked];
    int n = 0;
    for (auto& slot : g_tracked)
    {
        pid_t pid = slot.exchange(0);
        if (pid > 0)
        {
            pids[n++] = pid;
            kill(pid, SIGCONT);
            kill(pid, SIGTERM);
        }
    }
    for (int round = 0; round < 200; ++round)
    {
        bool all_gone = true;
        for (int i = 0; i < n; ++i)
        {
            if (pids[i] > 0 && process_gone(pids[i]))
            {
                pids[i] = 0;
            }
            all_gone = all_gone && pids[i] == 0;
        }
        if (all_gone)
        {
            break;
        }
        sleep_ms(50);
    }
    for (int i = 0; i < n; ++i)
    {
        if (pids[i] > 0)
        {
            kill(pids[i], SIGKILL);
        }
    }
    errno = saved_errno;
}

extern "C" void on_fatal_signal(int sig)
{
    stop_tracked();
    signal(sig, SIG_DFL);
    raise(sig);
}

void install_cleanup()
{
    static std::once_flag once;
    std::call_once(once,
                   []
                   {
                       for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGABRT})
                       {
                           struct sigaction old
                           {
                           };
                           sigaction(sig, nullptr, &old);
                           if (old.sa_handler != SIG_DFL)
                           {
                               continue;  // ignored (nohup) or someone else's handler: leave it
                           }
                           struct sigaction sa
                           {
                           };
                           sa.sa_handler = on_fatal_signal;
                           sigemptyset(&sa.sa_mask);
                           sa.sa_flags = SA_RESETHAND;
                           sigaction(sig, &sa, nullptr);
                       }
                       std::atexit(stop_tracked);
                   });
}

void track(pid_t pid)
{
    install_cleanup();
    for (auto& slot : g_tracked)
    {
        pid_t expected = 0;
        if (slot.compare_exchange_strong(expected, pid))
        {
            return;
        }
    }
    throw std::runtime_error("harness: too many tracked processes");
}

void untrack(pid_t pid)
{
    for (auto& slot : g_tracked)
    {
        pid_t expected = pid;
        if (slot.compare_exchange_strong(expected, 0))
        {
            return;
        }
    }
}

bool keep_files()
{
    const char* keep = getenv("SQLGATE_TEST_KEEP");
    return keep && *keep && std::string(keep) != "0";
}

std::string temp_base()
{
    const char* tmp = getenv("TMPDIR");
    return tmp && *tmp ? tmp : "/tmp";
}

std::string make_temp_dir(const std::string& prefix)
{
    std::string templ = temp_base() + "/" + prefix + "-XXXXXX";
    if (!mkdtemp(templ.data()))
    {
        throw std::runtime_error("mkdtemp(" + templ + "): " + strerror(errno));
    }
    return templ;
}

void write_file(const std::string& path, const std::string& text)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out)
    {
        throw std::runtime_error("cannot write " + path);
    }
}

std::string cluster_script()
{
    return std::string(SQLGATE_SOURCE_DIR) + "/scripts/mariadb-cluster";
}

// fork/exec with stdin from /dev/null and stdout/stderr to the given files, in its own
// process group. With `die_with_parent`, the child gets SIGKILL if we die.
pid_t spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env,
            const std::string& out_path, const std::string& err_path, bool die_with_parent)
{
    // Everything the child needs is prepared before fork().
    std::vector<std::string> env_strings;
    for (char** e = environ; *e; ++e)
    {
        std::string entry(*e);
        std::string name = entry.substr(0, entry.find('='));
        bool overridden = false;
        for (const auto& add : env)
        {
            overridden = overridden || add.substr(0, add.find('=')) == name;
        }
        if (!overridden)
        {
            env_strings.push_back(entry);
        }
    }
    env_strings.insert(env_strings.end(), env.begin(), env.end());
    std::vector<char*> envp;
    for (auto& s : env_strings)
    {
        envp.push_back(s.data());
    }
    envp.push_back(nullptr);
    std::vector<std::string> args = argv;
    std::vector<char*> argp;
    for (auto& s : args)
    {
        argp.push_back(s.data());
    }
    argp.push_back(nullptr);

    int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    int err = err_path == out_path
                  ? out
                  : open(err_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (out < 0 || err < 0 || in < 0)
    {
        throw std::runtime_error("cannot open " + out_path + " or " + err_path);
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0)
    {
        if (die_with_parent)
        {
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (getppid() != parent)
            {
                _exit(127);
            }
        }
        setpgid(0, 0);
        // Handlers are not inherited across exec, but a blocked mask or ignored signal
        // would be: start the child with default dispositions and nothing blocked.
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, nullptr);
        for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE})
        {
            signal(sig, SIG_DFL);
        }
        dup2(in, 0);
        dup2(out, 1);
        dup2(err, 2);
        execvpe(argp[0], argp.data(), envp.data());
        dprintf(2, "exec %s: %s\n", argp[0], strerror(errno));
        _exit(127);
    }
    int fork_errno = errno;
    close(in);
    close(out);
    if (err != out)
    {
        close(err);
    }
    if (pid < 0)
    {
        throw std::runtime_error(std::string("fork: ") + strerror(fork_errno));
    }
    return pid;
}

// Waits for our child `pid` up to `timeout`; nullopt if it still runs.
std::optional<int> wait_child(pid_t pid, std::chrono::milliseconds timeout)
{
    auto deadline = Clock::now() + timeout;
    while (true)
    {
        int status = 0;
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
        {
            return status;
        }
        if (r < 0 && errno != EINTR)
        {
            return std::nullopt;
        }
        if (Clock::now() >= deadline)
        {
            return std::nullopt;
        }
        sleep_ms(20);
    }
}

std::optional<pid_t> read_pid_file(const std::string& path)
{
    std::ifstream in(path);
    long pid = 0;
    if (in >> pid && pid > 0)
    {
        return static_cast<pid_t>(pid);
    }
    return std::nullopt;
}

void init_mysql_library()
{
    static std::once_flag once;
    std::call_once(once, [] { mysql_library_init(0, nullptr, nullptr); });
}

}  // namespace

// ---- small helpers ---------------------------------------------------------------------

int free_port()
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
    {
        throw std::runtime_error(std::string("socket: ") + strerror(errno));
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof(addr);
    if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    {
        int e = errno;
        close(fd);
        throw std::runtime_error(std::string("bind 127.0.0.1:0: ") + strerror(e));
    }
    close(fd);
    return ntohs(addr.sin_port);
}

bool port_accepts(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
    {
        return false;
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    close(fd);
    return ok;
}

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
                std::chrono::milliseconds interval)
{
    auto deadline = Clock::now() + timeout;
    while (true)
    {
        if (condition())
        {
            return true;
        }
        if (Clock::now() >= deadline)
        {
            return false;
        }
        std::this_thread::sleep_for(interval);
    }
}

std::string read_file(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string file_tail(const std::string& path, int lines)
{
    std::string text = read_file(path);
    size_t pos = text.size();
    if (pos > 0 && text[pos - 1] == '\n')
    {
        --pos;
    }
    for (int i = 0; i < lines && pos != std::string::npos && pos > 0; ++i)
    {
        pos = text.rfind('\n', pos - 1);
    }
    return pos == std::string::npos || pos == 0 ? text : text.substr(pos + 1);
}

std::string ExitStatus::describe() const
{
    if (exited())
    {
        return "exit code " + std::to_string(exit_code());
    }
    if (signaled())
    {
        return "killed by signal " + std::to_string(term_signal()) + " (" +
               strsignal(term_signal()) + ")";
    }
    return "still running or not started";
}

CommandResult run_command(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                          const std::vector<std::string>& env)
{
    std::string out_path = temp_base() + "/sqlgate-cmd-XXXXXX";
    int fd = mkstemp(out_path.data());
    if (fd < 0)
    {
        throw std::runtime_error(std::string("mkstemp: ") + strerror(errno));
    }
    close(fd);
    CommandResult result;
    auto start = Clock::now();
    pid_t pid = spawn(argv, env, out_path, out_path, true);
    track(pid);
    auto status = wait_child(pid, timeout);
    if (!status)
    {
        // Timed out: the whole process group, politely first.
        kill(-pid, SIGTERM);
        status = wait_child(pid, 5s);
        if (!status)
        {
            kill(-pid, SIGKILL);
            status = wait_child(pid, 5s);
        }
        result.output = "[timed out after " + std::to_string(timeout.count()) + " ms]\n";
    }
    untrack(pid);
    result.status.status = status.value_or(-1);
    result.status.elapsed =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    result.output = read_file(out_path) + result.output;
    unlink(out_path.c_str());
    return result;
}

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

void Cluster::restart_server(int i)
{
    if (i < 0 || i >= kServers)
    {
        throw std::out_of_range("restart_server: no server index " + std::to_string(i));
    }
    auto r =
        run_command({"bash", cluster_script(), "start-server", m_dir, std::to_string(i + 1)}, 120s);
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

// ---- SqlGate ---------------------------------------------------------------------------

std::string SqlGate::binary()
{
    return SQLGATE_BINARY;
}

bool SqlGate::binary_exists()
{
    return access(SQLGATE_BINARY, X_OK) == 0;
}

SqlGate::SqlGate(const std::string& config, int wait_port,
                 const std::vector<std::string>& extra_args, std::chrono::milliseconds timeout)
{
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
            << "port=" << cluster.port(i) << "\n\n";
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
    out << "servers=" << servers << "\n"
        << "user=sqlgate\n"
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

}  // namespace sqlgate::test
