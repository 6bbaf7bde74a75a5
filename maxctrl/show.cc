// `maxctrl show ...`: one two-column table per object.
#include "client.hh"
#include "command.hh"
#include "output.hh"

namespace maxctrl
{

namespace
{

const std::vector<Field> server_fields = {
    {"Server", "id", "Server name"},
    {"Source", "attributes.source.type", "Where the server was defined: static or runtime"},
    {"Address", "attributes.parameters.address", "Address where the server listens"},
    {"Port", "attributes.parameters.port", "Port on which the server listens"},
    {"State", "attributes.state", "Server state"},
    {"Server ID", "attributes.server_id", "The value of @@server_id"},
    {"Read Only", "attributes.read_only", "The value of @@read_only"},
    {"Replication Lag", "attributes.replication_lag", "Seconds behind the primary"},
    {"Master ID", "attributes.master_id", "The server ID of the primary"},
    {"GTID Current", "attributes.gtid_current_pos", "The value of @@gtid_current_pos"},
    {"GTID Binlog", "attributes.gtid_binlog_pos", "The value of @@gtid_binlog_pos"},
    {"Services", "relationships.services.data[].id", "Services that use this server"},
    {"Monitors", "relationships.monitors.data[].id", "Monitors that watch this server"},
    {"Statistics", "attributes.statistics", "Server statistics"},
    {"Parameters", "attributes.parameters", "Server parameters"},
};

const std::vector<Field> service_fields = {
    {"Service", "id", "Service name"},
    {"Router", "attributes.router", "Router that the service uses"},
    {"State", "attributes.state", "Service state"},
    {"Started At", "attributes.started", "When the service was started"},
    {"Current Connections", "attributes.connections", "Current connection count"},
    {"Total Connections", "attributes.total_connections", "Total connection count"},
    {"Servers", "relationships.servers.data[].id", "Servers that the service uses"},
    {"Filters", "relationships.filters.data[].id", "Filters that the service uses"},
    {"Listeners", "relationships.listeners.data[].id", "Listeners of the service"},
    {"Statistics", "attributes.statistics", "Service statistics"},
    {"Parameters", "attributes.parameters", "Service parameters"},
    {"Router Diagnostics", "attributes.router_diagnostics", "Diagnostics of the router"},
};

const std::vector<Field> monitor_fields = {
    {"Monitor", "id", "Monitor name"},
    {"Module", "attributes.module", "Monitor module"},
    {"State", "attributes.state", "Monitor state"},
    {"Servers", "relationships.servers.data[].id", "The servers that this monitor watches"},
    {"Parameters", "attributes.parameters", "Monitor parameters"},
    {"Monitor Diagnostics", "attributes.monitor_diagnostics", "Diagnostics of the monitor"},
};

const std::vector<Field> session_fields = {
    {"Id", "id", "Session ID"},
    {"Service", "relationships.services.data[].id", "The service the session connected to"},
    {"State", "attributes.state", "Session state"},
    {"User", "attributes.user", "Username"},
    {"Host", "attributes.remote", "Client host address"},
    {"Port", "attributes.port", "Client port"},
    {"Database", "attributes.database", "Current default database"},
    {"Protocol", "attributes.protocol", "Client protocol"},
    {"Connected", "attributes.connected", "Time when the session started"},
    {"Idle", "attributes.idle", "How long the session has been idle, in seconds"},
    {"Thread", "attributes.thread", "Routing thread of the session"},
    {"Connections", "attributes.connections[].server", "Ordered list of backend connections"},
    {"Connection IDs", "attributes.connections[].connection_id",
     "Thread IDs of the backend connections"},
    {"Client Statistics", "attributes.client.statistics", "I/O of the client connection"},
};

const std::vector<Field> filter_fields = {
    {"Filter", "id", "Filter name"},
    {"Module", "attributes.module", "The module of the filter"},
    {"Services", "relationships.services.data[].id", "Services that use the filter"},
    {"Parameters", "attributes.parameters", "Filter parameters"},
    {"Diagnostics", "attributes.filter_diagnostics", "Diagnostics of the filter"},
};

const std::vector<Field> listener_fields = {
    {"Name", "id", "Listener name"},
    {"Source", "attributes.source.type", "Where the listener was defined: static or runtime"},
    {"Service", "relationships.services.data[].id", "Service the listener points to"},
    {"Protocol", "attributes.protocol", "Protocol of the listener"},
    {"State", "attributes.state", "Listener state"},
    {"Parameters", "attributes.parameters", "Listener parameters"},
};

const std::vector<Field> module_fields = {
    {"Module", "id", "Module name"},
    {"Type", "attributes.module_type", "Module type"},
    {"Version", "attributes.version", "Module version"},
    {"Maturity", "attributes.maturity", "Module maturity"},
    {"Description", "attributes.description", "What the module does"},
    {"Parameters", "attributes.parameters", "The parameters the module accepts"},
    {"Commands", "attributes.commands[].id", "Commands the module provides"},
};

const std::vector<Field> thread_fields = {
    {"Id", "id", "Thread ID"},
    {"State", "attributes.stats.state", "Thread state"},
    {"Listening", "attributes.stats.listening", "Whether the thread accepts connections"},
    {"Sessions", "attributes.stats.sessions", "Current sessions of the thread"},
    {"Accepts", "attributes.stats.accepts", "Client connections the thread accepted"},
};

const std::vector<Field> maxscale_fields = {
    {"Version", "attributes.version", "sqlgate version"},
    {"Started At", "attributes.started_at", "Time when sqlgate was started"},
    {"Activated At", "attributes.activated_at", "Time when sqlgate became active"},
    {"Uptime", "attributes.uptime", "Seconds sqlgate has been running"},
    {"Config File", "attributes.config_file", "The configuration file"},
    {"Data Directory", "attributes.datadir", "Where runtime changes are kept"},
    {"Log Directory", "attributes.logdir", "Where the log file is"},
    {"PID", "attributes.pid", "Process ID"},
    {"Parameters", "attributes.parameters", "Global parameters"},
};

const std::vector<Field> logging_fields = {
    {"Current Log File", "attributes.log_file", "The log file sqlgate writes to"},
    {"Enabled Log Levels", "attributes.log_priorities", "Which log levels are on"},
};

const std::vector<Field> command_fields = {
    {"Command", "id", "Command name"},
    {"Method", "attributes.method", "HTTP method `call command` uses"},
    {"Description", "attributes.description", "What the command does"},
    {"Parameters", "attributes.parameters[].type", "Parameters the command takes"},
    {"Descriptions", "attributes.parameters[].description", "What each parameter is"},
};

TableStyle style(const Context& ctx)
{
    return TableStyle{ctx.opt.tsv, ctx.opt.color};
}

void show_one(Context& ctx, const std::string& resource, const std::vector<Field>& fields)
{
    Json doc = ctx.get(resource);
    ctx.print(render_pairs(resource_pairs(json_object_get(doc.get(), "data"), fields), style(ctx)));
}

void show_all(Context& ctx, const std::string& resource, const std::vector<Field>& fields)
{
    Json doc = ctx.get(resource);
    size_t i;
    json_t* item;
    json_array_foreach(json_object_get(doc.get(), "data"), i, item)
    {
        ctx.print(render_pairs(resource_pairs(item, fields), style(ctx)));
    }
}

// `show <kind> <name>` and `show <kinds>`.
void add_pair(Verb& v, const std::string& kind, const std::string& resource,
              const std::vector<Field>& fields)
{
    Command one;
    one.words = {"show", kind};
    one.usage_args = "<" + kind + ">";
    one.summary = "Show " + kind;
    one.description = "Show everything about one " + kind + ".\n" + describe_fields(fields);
    one.min_args = one.max_args = 1;
    one.run = [resource, &fields](Context& ctx, const Args& a)
    { show_one(ctx, resource + "/" + url_encode(a.positional[0]), fields); };
    v.commands.push_back(one);

    Command all;
    all.words = {"show", kind + "s"};
    all.summary = "Show all " + kind + "s";
    all.description = "Show everything about every " + kind + ".\n" + describe_fields(fields);
    all.run = [resource, &fields](Context& ctx, const Args&) { show_all(ctx, resource, fields); };
    v.commands.push_back(all);
}

}  // namespace

void add_show_commands()
{
    Verb& v = verb("show", "Show objects");
    add_pair(v, "server", "servers", server_fields);
    add_pair(v, "service", "services", service_fields);
    add_pair(v, "monitor", "monitors", monitor_fields);
    add_pair(v, "session", "sessions", session_fields);
    add_pair(v, "filter", "filters", filter_fields);
    add_pair(v, "listener", "listeners", listener_fields);
    add_pair(v, "module", "maxscale/modules", module_fields);
    add_pair(v, "thread", "maxscale/threads", thread_fields);

    Command maxscale;
    maxscale.words = {"show", "maxscale"};
    maxscale.summary = "Show sqlgate itself";
    maxscale.description = "Show the version, uptime, directories and global parameters.\n" +
                           describe_fields(maxscale_fields);
    maxscale.run = [](Context& ctx, const Args&) { show_one(ctx, "maxscale", maxscale_fields); };
    v.commands.push_back(maxscale);

    Command logging;
    logging.words = {"show", "logging"};
    logging.summary = "Show the logging state";
    logging.description =
        "Show the log file and the enabled log levels (see `enable "
        "log-priority`).\n" +
        describe_fields(logging_fields);
    logging.run = [](Context& ctx, const Args&) { show_one(ctx, "maxscale/logs", logging_fields); };
    v.commands.push_back(logging);

    Command commands;
    commands.words = {"show", "commands"};
    commands.usage_args = "<module>";
    commands.summary = "Show the commands of a module";
    commands.description =
        "Show the commands a module offers, their parameters and what they "
        "do (see `call command`).\n" +
        describe_fields(command_fields);
    commands.min_args = commands.max_args = 1;
    commands.run = [](Context& ctx, const Args& a)
    {
        Json doc = ctx.get("maxscale/modules/" + url_encode(a.positional[0]));
        std::vector<json_t*> found = find_values(doc.get(), "data.attributes.commands");
        size_t i;
        json_t* cmd;
        json_array_foreach(found.empty() ? nullptr : found[0], i, cmd)
        {
            ctx.print(render_pairs(resource_pairs(cmd, command_fields), style(ctx)));
        }
    };
    v.commands.push_back(commands);
}

}  // namespace maxctrl
