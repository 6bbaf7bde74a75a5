#include "maxctrl_runner.hh"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <sstream>
#include <stdexcept>

#include "harness_internal.hh"

#ifndef MAXCTRL_BINARY
#define MAXCTRL_BINARY SQLGATE_BUILD_DIR "/bin/maxctrl"
#endif

extern char** environ;

namespace sqlgate::test
{

using namespace detail;

namespace
{

// A directory removed (with what is in it) when this goes out of scope.
struct ScratchDir
{
    std::string path = make_temp_dir("sqlgate-maxctrl");
    ~ScratchDir() { run_command({"rm", "-rf", path}, std::chrono::seconds(10)); }
};

std::vector<char*> pointers(std::vector<std::string>& strings)
{
    std::vector<char*> p;
    for (auto& s : strings)
    {
        p.push_back(s.data());
    }
    p.push_back(nullptr);
    return p;
}

// In the child after fork: die with the test process, default signal dispositions.
void child_common(pid_t parent)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
    {
        _exit(127);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT})
    {
        signal(sig, SIG_DFL);
    }
}

// Waits for `pid` up to `timeout`; then SIGTERM to its process group, 5 s, SIGKILL.
int reap(pid_t pid, std::chrono::milliseconds timeout, bool* timed_out)
{
    auto status = wait_child(pid, timeout);
    if (!status)
    {
        *timed_out = true;
        kill(-pid, SIGTERM);
        status = wait_child(pid, std::chrono::seconds(5));
        if (!status)
        {
            kill(-pid, SIGKILL);
            status = wait_child(pid, std::chrono::seconds(5));
        }
    }
    return status.value_or(-1);
}

std::string command_line(const std::vector<std::string>& args)
{
    std::string s = "maxctrl";
    for (const auto& a : args)
    {
        bool plain = !a.empty() && a.find_first_of(" \t\n'\"\\$|&;<>*?") == std::string::npos;
        s += " " + (plain ? a : "'" + a + "'");
    }
    return s;
}

// options.home, or a fresh empty HOME inside `scratch`.
std::string home_for(const MaxctrlOptions& options, const ScratchDir& scratch)
{
    if (!options.home.empty())
    {
        return options.home;
    }
    std::string home = scratch.path + "/home";
    mkdir(home.c_str(), 0700);
    return home;
}

}  // namespace

std::string maxctrl_binary()
{
    // SQLGATE_MAXCTRL: another binary (e.g. a stand-in script, to check this runner).
    const char* other = getenv("SQLGATE_MAXCTRL");
    return other && *other ? other : MAXCTRL_BINARY;
}

bool maxctrl_exists()
{
    return access(maxctrl_binary().c_str(), X_OK) == 0;
}

std::string strip_cr(const std::string& text)
{
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i)
    {
        if (!(text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n'))
        {
            out += text[i];
        }
    }
    return out;
}

std::string MaxctrlResult::describe() const
{
    std::ostringstream s;
    s << "$ " << command_line(args) << "\n"
      << (timed_out ? "[timed out] " : "") << status.describe() << "\n--- stdout ---\n"
      << out << "--- stderr ---\n"
      << err << "---\n";
    return s.str();
}

std::string PtyResult::describe() const
{
    std::ostringstream s;
    s << "$ " << command_line(args) << "  (on a terminal)\n"
      << (timed_out ? "[timed out] " : "") << status.describe()
      << (prompted ? ", prompted" : ", no prompt seen")
      << (echo_off ? ", echo off when typed" : ", echo ON when typed") << "\n--- terminal ---\n"
      << strip_cr(output) << "\n---\n";
    return s.str();
}

MaxctrlResult run_maxctrl(const std::vector<std::string>& args, const MaxctrlOptions& options)
{
    install_cleanup();
    MaxctrlResult result;
    result.args = args;
    ScratchDir scratch;
    std::string home = home_for(options, scratch);
    std::string out_path = scratch.path + "/stdout";
    std::string err_path = scratch.path + "/stderr";
    std::string in_path = "/dev/null";
    if (options.stdin_text)
    {
        in_path = scratch.path + "/stdin";
        write_file(in_path, *options.stdin_text);
    }

    std::vector<std::string> env = options.env;
    env.insert(env.begin(), "HOME=" + home);
    std::vector<std::string> env_strings = environment_with(env);
    std::vector<char*> envp = pointers(env_strings);
    std::vector<std::string> argv{maxctrl_binary()};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> argp = pointers(argv);

    int in = open(in_path.c_str(), O_RDONLY | O_CLOEXEC);
    int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (in < 0 || out < 0 || err < 0)
    {
        throw std::runtime_error("run_maxctrl: cannot open files in " + scratch.path);
    }
    auto start = Clock::now();
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0)
    {
        child_common(parent);
        setpgid(0, 0);
        dup2(in, 0);
        dup2(out, 1);
        dup2(err, 2);
        execve(argp[0], argp.data(), envp.data());
        dprintf(2, "exec %s: %s\n", argp[0], strerror(errno));
        _exit(127);
    }
    int fork_errno = errno;
    close(in);
    close(out);
    close(err);
    if (pid < 0)
    {
        throw std::runtime_error(std::string("fork: ") + strerror(fork_errno));
    }
    track(pid);
    result.status.status = reap(pid, options.timeout, &result.timed_out);
    untrack(pid);
    result.status.elapsed =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    result.out = read_file(out_path);
    result.err = read_file(err_path);
    return result;
}

PtyResult run_maxctrl_pty(const std::vector<std::string>& args, const std::string& answer,
                          const MaxctrlOptions& options)
{
    install_cleanup();
    PtyResult result;
    result.args = args;
    ScratchDir scratch;
    std::string home = home_for(options, scratch);
    std::vector<std::string> env = options.env;
    env.insert(env.begin(), "HOME=" + home);
    env.push_back("TERM=xterm");
    std::vector<std::string> env_strings = environment_with(env);
    std::vector<char*> envp = pointers(env_strings);
    std::vector<std::string> argv{maxctrl_binary()};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> argp = pointers(argv);

    struct winsize ws
    {
    };
    ws.ws_row = 24;
    ws.ws_col = 80;
    int master = -1;
    auto start = Clock::now();
    pid_t parent = getpid();
    pid_t pid = forkpty(&master, nullptr, nullptr, &ws);
    if (pid == 0)
    {
        child_common(parent);
        execve(argp[0], argp.data(), envp.data());
        dprintf(2, "exec %s: %s\n", argp[0], strerror(errno));
        _exit(127);
    }
    if (pid < 0)
    {
        throw std::runtime_error(std::string("forkpty: ") + strerror(errno));
    }
    track(pid);  // forkpty made it a session (and process group) leader
    fcntl(master, F_SETFD, FD_CLOEXEC);
    auto deadline = start + options.timeout;
    bool answered = false;
    std::optional<Clock::time_point> echo_wait_until;
    while (Clock::now() < deadline)
    {
        if (result.prompted && !answered)
        {
            struct termios t
            {
            };
            bool echo_off = tcgetattr(master, &t) == 0 && !(t.c_lflag & ECHO);
            if (!echo_wait_until)
            {
                echo_wait_until = Clock::now() + std::chrono::seconds(2);
            }
            if (echo_off || Clock::now() >= *echo_wait_until)
            {
                result.echo_off = echo_off;
                result.before_answer = result.output;
                std::string line = answer + "\n";
                if (write(master, line.data(), line.size()) < 0)
                {
                    break;
                }
                answered = true;
            }
        }
        struct pollfd p
        {
            master, POLLIN, 0
        };
        int n = poll(&p, 1, 20);
        if (n < 0 && errno != EINTR)
        {
            break;
        }
        if (n > 0)
        {
            char buf[4096];
            ssize_t got = read(master, buf, sizeof buf);
            if (got <= 0)
            {
                if (got < 0 && errno == EINTR)
                {
                    continue;
                }
                break;  // EIO: every slave descriptor is closed
            }
            result.output.append(buf, got);
            if (!result.prompted && result.output.find("Password:") != std::string::npos)
            {
                result.prompted = true;
            }
        }
    }
    if (answered)
    {
        result.after_answer = result.output.substr(result.before_answer.size());
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    result.status.status =
        reap(pid, std::max(left, std::chrono::milliseconds(100)), &result.timed_out);
    untrack(pid);
    close(master);
    result.status.elapsed =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    return result;
}

}  // namespace sqlgate::test
