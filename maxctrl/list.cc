// `maxctrl list ...`: one table row per object.
#include "client.hh"
#include "command.hh"
#include "output.hh"

namespace maxctrl
{

namespace
{

const std::vector<Field> server_fields = {
    {"Server", "id", "Server name"},
    {"Address", "attributes.parameters.address", "Address (or socket) where the server listens"},
    {"Port", "attributes.parameters.port", "Port on which the server listens"},
    {"Connections", "attributes.statistics.connections", "Current connection count"},
    {"State", "attributes.state", "Server state"},
    {"GTID", "attributes.gtid_current_pos", "Current value of @@gtid_current_pos"},
    {"Monitor", "relationships.monitors.data[].id", "The monitor of the server"},
};

const std::vector<Field> service_fields = {
    {"Service", "id", "Service name"},
    {"Router", "attributes.router", "Router the service uses"},
    {"Connections", "attributes.connections", "Current connection count"},
    {"Total Connections", "attributes.total_connections", "Total connection count"},
    {"Targets", "relationships.servers.data[].id", "Servers the service uses"},
};

const std::vector<Field> listener_fields = {
    {"Name", "id", "Listener name"},
    {"Port", "attributes.parameters.port", "Port where the listener listens"},
    {"Host", "attributes.parameters.address", "Address or socket where the listener listens"},
    {"State", "attributes.state", "Listener state"},
    {"Service", "relationships.services.data[].id", "Service the listener points to"},
};

const std::vector<Field> monitor_fields = {
    {"Monitor", "id", "Monitor name"},
    {"Module", "attributes.module", "Monitor module"},
    {"State", "attributes.state", "Monitor state"},
    {"Servers", "relationships.servers.data[].id", "Servers the monitor watches"},
};

const std::vector<Field> session_fields = {
    {"Id", "id", "Session ID"},
    {"User", "attributes.user", "Username"},
    {"Host", "attributes.remote", "Client host address"},
    {"Connected", "attributes.connected", "Time when the session started"},
    {"Idle", "attributes.idle", "How long the session has been idle, in seconds"},
    {"Service", "relationships.services.data[].id", "The service the session connected to"},
};

const std::vector<Field> filter_fields = {
    {"Filter", "id", "Filter name"},
    {"Service", "relationships.services.data[].id", "Services that use the filter"},
    {"Module", "attributes.module", "The module of the filter"},
};

const std::vector<Field> module_fields = {
    {"Module", "id", "Module name"},
    {"Type", "attributes.module_type", "Module type"},
    {"Version", "attributes.version", "Module version"},
};

const std::vector<Field> thread_fields = {
    {"Id", "id", "Thread ID"},
    {"State", "attributes.stats.state", "Thread state"},
    {"Sessions", "attributes.stats.sessions", "Current sessions of the thread"},
    {"Accepts", "attributes.stats.accepts", "Client connections the thread accepted"},
};

const std::vector<Field> user_fields = {
    {"Name", "id", "User name"},
    {"Type", "type", "User type"},
    {"Privileges", "attributes.account", "User privileges"},
};

const std::vector<Field> command_fields = {
    {"Module", "id", "Module name"},
    {"Commands", "attributes.commands[].id", "Available commands"},
};

void print_collection(Context& ctx, const std::string& resource, const std::vector<Field>& fields)
{
    Json doc = ctx.get(resource);
    Row header;
    for (const Field& f : fields)
    {
        header.push_back(f.name);
    }
    ctx.print(render_table(header, collection_rows(doc.get(), fields),
                           TableStyle{ctx.opt.tsv, ctx.opt.color}));
}

Command list(const std::string& what, const std::string& resource, const std::string& summary,
             const std::string& text, const std::vector<Field>& fields)
{
    Command c;
    c.words = {"list", what};
    c.summary = summary;
    c.description = text + "\n" + describe_fields(fields);
    c.run = [resource, &fields](Context& ctx, const Args&)
    { print_collection(ctx, resource, fields); };
    return c;
}

}  // namespace

void add_list_commands()
{
    Verb& v = verb("list", "List objects");
    v.commands.push_back(list("servers", "servers", "List servers",
                              "List all servers, their state and replication position.",
                              server_fields));
    v.commands.push_back(list("services", "services", "List services",
                              "List all services and the servers they use.", service_fields));
    Command listeners = list("listeners", "listeners", "List listeners",
                             "List all listeners, or those of one service.", listener_fields);
    listeners.usage_args = "[service]";
    listeners.max_args = 1;
    listeners.run = [](Context& ctx, const Args& a)
    {
        print_collection(ctx,
                         a.positional.empty()
                             ? "listeners"
                             : "services/" + url_encode(a.positional[0]) + "/listeners",
                         listener_fields);
    };
    v.commands.push_back(listeners);
    v.commands.push_back(list("monitors", "monitors", "List monitors",
                              "List all monitors and the servers they watch.", monitor_fields));
    Command sessions =
        list("sessions", "sessions", "List sessions", "List all client sessions.", session_fields);
    sessions.flags = {{"rdns", FlagSpec::BOOL, "Resolve client addresses to host names"}};
    sessions.run = [](Context& ctx, const Args& a)
    { print_collection(ctx, a.has("rdns") ? "sessions?rdns=true" : "sessions", session_fields); };
    v.commands.push_back(sessions);
    v.commands.push_back(list("filters", "filters", "List filters",
                              "List all filters and the services that use them.", filter_fields));
    v.commands.push_back(list("modules", "maxscale/modules", "List loaded modules",
                              "List the core parameter sets and the loaded modules.",
                              module_fields));
    v.commands.push_back(list("threads", "maxscale/threads", "List threads",
                              "List the routing worker threads.", thread_fields));
    v.commands.push_back(list("users", "users/inet", "List created users",
                              "List the accounts of the REST API (and of maxctrl).", user_fields));
    Command commands = list("commands", "maxscale/modules", "List module commands",
                            "List the modules that offer commands, and their commands (see "
                            "`call command`).",
                            command_fields);
    commands.run = [](Context& ctx, const Args&)
    {
        Json doc = ctx.get("maxscale/modules");
        Row header;
        for (const Field& f : command_fields)
        {
            header.push_back(f.name);
        }
        std::vector<Row> rows;
        for (Row& r : collection_rows(doc.get(), command_fields))
        {
            if (!r[1].empty())
            {
                rows.push_back(std::move(r));
            }
        }
        ctx.print(render_table(header, rows, TableStyle{ctx.opt.tsv, ctx.opt.color}));
    };
    v.commands.push_back(commands);
}

}  // namespace maxctrl
