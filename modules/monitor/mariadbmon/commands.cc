// mariadbmon's module commands (POST /v1/maxscale/modules/mariadbmon/<command>,
// `maxctrl call command mariadbmon ...`). call() runs on the main worker and
// hands the operation to the monitor's thread; the answer comes from there.
#include "commands.hh"

#include "mariadbmon.hh"

namespace sqlgate::mariadbmon
{

namespace
{

using Op = bool (*)(MariaDBMonitor&, const std::vector<CommandArg>&, std::string&);

bool do_switchover(MariaDBMonitor& m, const std::vector<CommandArg>& a, std::string& error)
{
    return m.switchover(a.size() > 1 && a[1].given ? a[1].text : "",
                        a.size() > 2 && a[2].given ? a[2].text : "", error);
}

bool do_failover(MariaDBMonitor& m, const std::vector<CommandArg>&, std::string& error)
{
    return m.failover(error);
}

bool do_rejoin(MariaDBMonitor& m, const std::vector<CommandArg>& a, std::string& error)
{
    return m.rejoin(a[1].text, error);
}

bool do_reset(MariaDBMonitor& m, const std::vector<CommandArg>& a, std::string& error)
{
    return m.reset_replication(a.size() > 1 && a[1].given ? a[1].text : "", error);
}

// Run @c op on the monitor's thread; answer when it is done, or at once (async).
void dispatch(const char* command, Op op, bool async, const std::vector<CommandArg>& args,
              CommandDone done)
{
    auto mon = std::dynamic_pointer_cast<MariaDBMonitor>(args[0].monitor);
    if (!mon || !mon->running())
    {
        done(nullptr, "Monitor " + args[0].text + " is stopped: start it first");
        return;
    }
    std::string name = command;
    if (async)
    {
        mon->set_command_state(name, "running", "");
    }
    // An async command dropped from the queue (the monitor stopped first) is reported
    // failed when the last copy of the task goes; a sync one answers through done's guard.
    struct Pending
    {
        std::shared_ptr<MariaDBMonitor> mon;
        std::string name;
        bool async = false;
        bool ran = false;
        ~Pending()
        {
            if (async && !ran)
            {
                mon->set_command_state(name, "failed", "the monitor stopped before it ran");
            }
        }
    };
    auto pending = std::make_shared<Pending>();
    pending->mon = mon;
    pending->name = name;
    pending->async = async;
    bool queued = mon->execute(
        [mon, op, args, done, async, name, pending]()
        {
            pending->ran = true;
            std::string error;
            bool ok = op(*mon, args, error);
            mon->tick_now();  // the servers' states show the result
            if (async)
            {
                mon->set_command_state(name, ok ? "done" : "failed", error);
            }
            else
            {
                done(nullptr, ok ? "" : error);
            }
        });
    if (!queued)
    {
        pending->ran = true;  // reported here
        if (async)
        {
            mon->set_command_state(name, "failed", "the monitor stopped");
        }
        done(nullptr, "Monitor " + args[0].text + " is stopped: start it first");
    }
    else if (async)
    {
        done(nullptr, "");
    }
}

#define SQLGATE_MON_COMMAND(fn, op, name, async)                   \
    void fn(const std::vector<CommandArg>& args, CommandDone done) \
    {                                                              \
        dispatch(name, op, async, args, std::move(done));          \
    }

SQLGATE_MON_COMMAND(switchover_cmd, &do_switchover, "switchover", false)
SQLGATE_MON_COMMAND(async_switchover_cmd, &do_switchover, "switchover", true)
SQLGATE_MON_COMMAND(failover_cmd, &do_failover, "failover", false)
SQLGATE_MON_COMMAND(async_failover_cmd, &do_failover, "failover", true)
SQLGATE_MON_COMMAND(rejoin_cmd, &do_rejoin, "rejoin", false)
SQLGATE_MON_COMMAND(async_rejoin_cmd, &do_rejoin, "rejoin", true)
SQLGATE_MON_COMMAND(reset_cmd, &do_reset, "reset-replication", false)
SQLGATE_MON_COMMAND(async_reset_cmd, &do_reset, "reset-replication", true)

void fetch_cmd_result(const std::vector<CommandArg>& args, CommandDone done)
{
    auto mon = std::dynamic_pointer_cast<MariaDBMonitor>(args[0].monitor);
    done(mon ? mon->command_state() : nullptr, mon ? "" : "Not a mariadbmon monitor");
}

const CommandArgSpec kMonitor{"monitor", CommandArgType::MONITOR, false, "A mariadbmon monitor"};

}  // namespace

const std::vector<ModuleCommand>& commands()
{
    const CommandArgSpec new_primary{"new_primary", CommandArgType::SERVER, true,
                                     "The replica to promote (default: by priority, then the most "
                                     "advanced one)"};
    const CommandArgSpec old_primary{"old_primary", CommandArgType::SERVER, true,
                                     "The current primary (default: the one the monitor sees)"};
    const CommandArgSpec server{"server", CommandArgType::SERVER, false, "The server to rejoin"};
    const CommandArgSpec primary{"primary", CommandArgType::SERVER, true,
                                 "The server to make primary (default: the current one)"};
    static const std::vector<ModuleCommand> cmds = {
        {"switchover",
         true,
         "Make a replica the primary and the old primary its replica (waits for the result)",
         {kMonitor, new_primary, old_primary},
         &switchover_cmd},
        {"async-switchover",
         true,
         "switchover in the background; see fetch-cmd-result",
         {kMonitor, new_primary, old_primary},
         &async_switchover_cmd},
        {"failover",
         true,
         "Promote the most advanced replica of the lost primary (by priority among equals)",
         {kMonitor},
         &failover_cmd},
        {"async-failover",
         true,
         "failover in the background; see fetch-cmd-result",
         {kMonitor},
         &async_failover_cmd},
        {"rejoin",
         true,
         "Make a server replicate from the primary, if its data has not diverged",
         {kMonitor, server},
         &rejoin_cmd},
        {"async-rejoin",
         true,
         "rejoin in the background; see fetch-cmd-result",
         {kMonitor, server},
         &async_rejoin_cmd},
        {"reset-replication",
         true,
         "Erase binary logs and GTIDs everywhere and restart replication from one primary "
         "(destroys history; writes are blocked while it runs)",
         {kMonitor, primary},
         &reset_cmd},
        {"async-reset-replication",
         true,
         "reset-replication in the background",
         {kMonitor, primary},
         &async_reset_cmd},
        {"fetch-cmd-result",
         false,
         "The state of the last async- command",
         {kMonitor},
         &fetch_cmd_result},
    };
    return cmds;
}

}  // namespace sqlgate::mariadbmon
