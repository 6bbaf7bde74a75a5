// Processes, files and small helpers of the system-test harness.
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

namespace sqlgate::test::detail
{

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

std::vector<std::string> environment_with(const std::vector<std::string>& env)
{
    std::vector<std::string> out;
    for (char** e = environ; *e; ++e)
    {
        std::string entry(*e);
        std::string name = entry.substr(0, entry.find('='));
        bool replaced = false;
        for (const auto& add : env)
        {
            replaced = replaced || add.substr(0, add.find('=')) == name;
        }
        if (!replaced)
        {
            out.push_back(entry);
        }
    }
    out.insert(out.end(), env.begin(), env.end());
    return out;
}

// fork/exec with stdin from /dev/null and stdout/stderr to the given files, in its own
// process group. With `die_with_parent`, the child gets SIGKILL if we die.
pid_t spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env,
            const std::string& out_path, const std::string& err_path, bool die_with_parent)
{
    // Everything the child needs is prepared before fork().
    std::vector<std::string> env_strings = environment_with(env);
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

}  // namespace sqlgate::test::detail

namespace sqlgate::test
{
using namespace detail;

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

int tcp_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
    {
        return -1;
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0)
    {
        close(fd);
        return -1;
    }
    return fd;
}

bool port_accepts(int port)
{
    int fd = tcp_connect(port);
    if (fd >= 0)
    {
        close(fd);
    }
    return fd >= 0;
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

}  // namespace sqlgate::test
