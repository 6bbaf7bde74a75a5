// A monitor's `script`, run on the events it names in `events` (MaxScale's
// semantics): the command is split into words, $INITIATOR, $EVENT, $LIST,
// $NODELIST, $MASTERLIST and $SLAVELIST are replaced, and it runs without a
// shell. Monitor thread; it waits for the script up to script_timeout, then
// kills it.
#include "monitor_script.hh"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <sstream>
#include <thread>

#include "sqlgate/log.hh"

extern char** environ;

namespace sqlgate
{

namespace
{
std::string endpoint(const Server& s)
{
    return s.socket().empty() ? "[" + s.address() + "]:" + std::to_string(s.port()) : s.socket();
}

std::string joined(const std::vector<MonitorServer>& servers, uint64_t need)
{
    std::string out;
    for (const auto& ms : servers)
    {
        if (need == 0 || (ms.status & need))
        {
            out += (out.empty() ? "" : ",") + endpoint(*ms.server);
        }
    }
    return out;
}

void replace_all(std::string& s, const std::string& from, const std::string& to)
{
    for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size()))
    {
        s.replace(pos, from.size(), to);
    }
}
}  // namespace

std::vector<std::string> server_events(uint64_t before, uint64_t after)
{
    std::vector<std::string> out;
    auto went = [&](uint64_t bit, bool on)
    { return on ? !(before & bit) && (after & bit) : (before & bit) && !(after & bit); };
    bool down = (after & status::DOWN) != 0;
    if (went(status::RUNNING, false))
    {
        out.push_back((before & status::MASTER)  ? "master_down"
                      : (before & status::SLAVE) ? "slave_down"
                                                 : "server_down");
    }
    else if (went(status::RUNNING, true))
    {
        out.push_back((after & status::MASTER)  ? "master_up"
                      : (after & status::SLAVE) ? "slave_up"
                                                : "server_up");
    }
    if (!down && (before & status::RUNNING) && (after & status::RUNNING))
    {
        if (went(status::MASTER, true))
        {
            out.push_back("new_master");
        }
        if (went(status::MASTER, false))
        {
            out.push_back("lost_master");
        }
        if (went(status::SLAVE, true))
        {
            out.push_back("new_slave");
        }
        if (went(status::SLAVE, false))
        {
            out.push_back("lost_slave");
        }
    }
    return out;
}

void run_monitor_script(const ObjectConfig& config, const std::vector<MonitorServer>& servers,
                        const MonitorServer& initiator, const std::string& event)
{
    const std::string& script = config.get_string("script");
    const auto& wanted = config.get_list("events");
    if (script.empty() || (!contains(wanted, "all") && !contains(wanted, event) && !wanted.empty()))
    {
        return;
    }
    std::vector<std::string> args;
    std::istringstream words(script);
    for (std::string w; words >> w;)
    {
        replace_all(w, "$INITIATOR", endpoint(*initiator.server));
        replace_all(w, "$EVENT", event);
        replace_all(w, "$NODELIST", joined(servers, status::RUNNING));
        replace_all(w, "$MASTERLIST", joined(servers, status::MASTER));
        replace_all(w, "$SLAVELIST", joined(servers, status::SLAVE));
        replace_all(w, "$LIST", joined(servers, 0));
        args.push_back(w);
    }
    std::vector<char*> argv;
    for (auto& a : args)
    {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    pid_t pid = 0;
    if (int rc = posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ); rc != 0)
    {
        SG_ERROR("Monitor %s: cannot run script %s for %s: %s", config.name.c_str(), argv[0],
                 event.c_str(), strerror(rc));
        return;
    }
    auto deadline = std::chrono::steady_clock::now() +
                    std::chrono::milliseconds(
                        config.has("script_timeout") ? config.get_int("script_timeout") : 90000);
    int status = 0;
    while (waitpid(pid, &status, WNOHANG) == 0)
    {
        if (std::chrono::steady_clock::now() > deadline)
        {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            SG_ERROR("Monitor %s: script %s for %s timed out (script_timeout) and was killed",
                     config.name.c_str(), argv[0], event.c_str());
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
    {
        SG_NOTICE("Monitor %s: ran script for %s on %s", config.name.c_str(), event.c_str(),
                  initiator.server->name().c_str());
    }
    else
    {
        SG_ERROR("Monitor %s: script %s for %s on %s failed (%s %d)", config.name.c_str(), argv[0],
                 event.c_str(), initiator.server->name().c_str(),
                 WIFEXITED(status) ? "exit code" : "signal",
                 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
    }
}

}  // namespace sqlgate
