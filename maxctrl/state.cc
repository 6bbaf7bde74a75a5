// `maxctrl set|clear server` and `maxctrl enable|disable log-priority`.
#include "client.hh"
#include "command.hh"

namespace maxctrl
{

namespace
{

const char* kStates = "master, slave, maintenance, drain, running, synced (or maint, blr)";

Command server_state(bool set)
{
    Command c;
    c.words = {set ? "set" : "clear", "server"};
    c.usage_args = "<server> <state>";
    c.summary = set ? "Set server state" : "Clear server state";
    c.description =
        std::string(set ? "Set" : "Clear") + " a state of a server: " + kStates +
        ".\nIf a running monitor watches the server, only maintenance and drain can be " +
        (set ? "set" : "cleared") + "; the monitor owns the others." +
        (set ? "\nWith --force, setting maintenance also closes the server's connections at "
               "once."
             : "");
    c.min_args = c.max_args = 2;
    if (set)
    {
        c.flags = {
            {"force", FlagSpec::BOOL, "With maintenance: close all connections to the server now"}};
    }
    c.run = [set](Context& ctx, const Args& a)
    {
        std::string r = "servers/" + url_encode(a.positional[0]) + (set ? "/set" : "/clear") +
                        "?state=" + url_encode(a.positional[1]);
        if (set && a.has("force") && a.value("force") != "false")
        {
            r += "&force=yes";
        }
        ctx.send("PUT", r);
        ctx.ok();
    };
    return c;
}

Command log_priority(bool enable)
{
    Command c;
    c.words = {enable ? "enable" : "disable", "log-priority"};
    c.usage_args = "<log>";
    c.summary = enable ? "Enable log priority [warning|notice|info|debug]"
                       : "Disable log priority [warning|notice|info|debug]";
    c.description = std::string(enable ? "Enable" : "Disable") +
                    " messages of one log level: warning, notice, info or debug. Errors are "
                    "always logged.\nThe same as `alter maxscale log_<level>=" +
                    (enable ? "true" : "false") + "`.";
    c.min_args = c.max_args = 1;
    c.run = [enable](Context& ctx, const Args& a)
    {
        const std::string& level = a.positional[0];
        if (level != "warning" && level != "notice" && level != "info" && level != "debug")
        {
            throw Error("Invalid log priority '" + level +
                        "': expected warning, notice, info or debug");
        }
        json_t* params = json_object();
        json_object_set_new(params, ("log_" + level).c_str(), json_boolean(enable));
        Json doc = make_document("maxscale", "maxscale", json_pack("{s:o}", "parameters", params));
        ctx.send("PATCH", "maxscale", doc.get());
        ctx.ok();
    };
    return c;
}

}  // namespace

void add_state_commands()
{
    verb("set", "Set object state").commands.push_back(server_state(true));
    verb("clear", "Clear object state").commands.push_back(server_state(false));
    verb("enable", "Enable functionality").commands.push_back(log_priority(true));
    verb("disable", "Disable functionality").commands.push_back(log_priority(false));
}

}  // namespace maxctrl
