// `maxctrl start|stop ...`, `rotate logs` and `reload service`.
#include "client.hh"
#include "command.hh"
#include "output.hh"

namespace maxctrl
{

namespace
{

std::string force_query(const Args& a)
{
    return a.has("force") && a.value("force") != "false" ? "?force=yes" : "";
}

Command one(bool start, const std::string& kind, const std::string& collection,
            const std::string& what)
{
    Command c;
    c.words = {start ? "start" : "stop", kind};
    c.usage_args = "<name>";
    c.summary = std::string(start ? "Start" : "Stop") + " a " + kind;
    c.description = what;
    c.min_args = c.max_args = 1;
    if (!start && kind != "monitor")
    {
        c.flags = {{"force", FlagSpec::BOOL, "Also close the sessions it has"}};
    }
    c.run = [start, collection](Context& ctx, const Args& a)
    {
        ctx.send("PUT", collection + "/" + url_encode(a.positional[0]) +
                            (start ? "/start" : "/stop") + force_query(a));
        ctx.ok();
    };
    return c;
}

Command all_services(bool start, const std::string& word)
{
    Command c;
    c.words = {start ? "start" : "stop", word};
    c.summary = std::string(start ? "Start" : "Stop") + " all services";
    c.description = word == "maxscale" ? std::string(start ? "Start" : "Stop") +
                                             " every service (the process keeps running)."
                                       : std::string(start ? "Start" : "Stop") + " every service.";
    if (!start)
    {
        c.flags = {{"force", FlagSpec::BOOL, "Also close the sessions they have"}};
    }
    c.run = [start](Context& ctx, const Args& a)
    {
        Json doc = ctx.get("services");
        for (json_t* id : find_values(doc.get(), "data[].id"))
        {
            ctx.send("PUT", "services/" + url_encode(json_string_value(id)) +
                                (start ? "/start" : "/stop") + force_query(a));
        }
        ctx.ok();
    };
    return c;
}

}  // namespace

void add_control_commands()
{
    for (bool start : {true, false})
    {
        Verb& v = verb(start ? "start" : "stop", start ? "Start objects" : "Stop objects");
        v.commands.push_back(one(start, "service", "services",
                                 start ? "Start a stopped service: its listeners accept again."
                                       : "Stop a service: its listeners stop accepting; "
                                         "sessions it has stay unless --force is given."));
        v.commands.push_back(one(start, "listener", "listeners",
                                 start ? "Start a stopped listener."
                                       : "Stop a listener: it stops accepting connections."));
        v.commands.push_back(one(start, "monitor", "monitors",
                                 start ? "Start a stopped monitor."
                                       : "Stop a monitor: server states stay as they were."));
        v.commands.push_back(all_services(start, "services"));
        v.commands.push_back(all_services(start, "maxscale"));
    }

    Command rotate;
    rotate.words = {"rotate", "logs"};
    rotate.summary = "Rotate log files";
    rotate.description = "Close and reopen the log file: run it after moving the file away.";
    rotate.run = [](Context& ctx, const Args&)
    {
        ctx.send("POST", "maxscale/logs/flush");
        ctx.ok();
    };
    verb("rotate", "Rotate log files").commands.push_back(rotate);

    Command reload;
    reload.words = {"reload", "service"};
    reload.usage_args = "<service>";
    reload.summary = "Reload the database users of a service";
    reload.description =
        "Read the user accounts of a service's backends again, e.g. after "
        "CREATE USER.";
    reload.min_args = reload.max_args = 1;
    reload.run = [](Context& ctx, const Args& a)
    {
        ctx.send("POST", "services/" + url_encode(a.positional[0]) + "/reload");
        ctx.ok();
    };
    verb("reload", "Reload objects").commands.push_back(reload);
}

}  // namespace maxctrl
