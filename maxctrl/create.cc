// `maxctrl create ...`: POST a new object to the REST API.
#include "client.hh"
#include "command.hh"

namespace maxctrl
{

namespace
{

// {"parameters": {...}} plus the given extra attributes.
json_t* attributes(const Args& a, size_t first, json_t* extra = nullptr)
{
    json_t* attrs = extra ? extra : json_object();
    json_object_set_new(attrs, "parameters", parse_key_values(a.positional, first).release());
    return attrs;
}

// Relationships from --services, --servers, ... (only the options given).
json_t* relations(const Args& a, const std::vector<std::pair<std::string, std::string>>& map)
{
    json_t* rel = nullptr;
    for (const auto& [flag, type] : map)
    {
        if (a.has(flag))
        {
            rel = rel ? rel : json_object();
            json_object_set_new(rel, type.c_str(), relationship(a.values(flag), type));
        }
    }
    return rel;
}

void post(Context& ctx, const std::string& resource, Json doc)
{
    ctx.send("POST", resource, doc.get());
    ctx.ok();
}

Command make(const std::string& what, const std::string& args, const std::string& summary,
             const std::string& description, int min_args)
{
    Command c;
    c.words = {"create", what};
    c.usage_args = args;
    c.summary = summary;
    c.description = description;
    c.min_args = min_args;
    c.max_args = -1;
    return c;
}

}  // namespace

void add_create_commands()
{
    Verb& v = verb("create", "Create objects");

    Command server =
        make("server", "<name> <params...>", "Create a new server",
             "Create a server from key=value parameters, e.g.\n"
             "  maxctrl create server db4 address=127.0.0.1 port=3306\n"
             "The legacy form `create server <name> <host|/socket> [port]` also works.\n"
             "--services and --monitors add the server to those services and monitors.",
             2);
    server.flags = {{"services", FlagSpec::LIST, "Add the server to these services"},
                    {"monitors", FlagSpec::LIST, "Let these monitors watch the server"}};
    server.run = [](Context& ctx, const Args& a)
    {
        json_t* attrs;
        if (a.positional[1].find('=') == std::string::npos)
        {
            // Legacy: <name> <host|/socket> [port]
            if (a.positional.size() > 3)
            {
                throw Error("Legacy form: create server <name> <host|/socket> [port]");
            }
            json_t* params = json_object();
            const std::string& where = a.positional[1];
            json_object_set_new(params, where[0] == '/' ? "socket" : "address",
                                json_string(where.c_str()));
            long port = 3306;
            if (a.positional.size() == 3)
            {
                try
                {
                    port = std::stol(a.positional[2]);
                }
                catch (const std::exception&)
                {
                    throw Error("Invalid port '" + a.positional[2] + "'");
                }
            }
            if (where[0] != '/')
            {
                json_object_set_new(params, "port", json_integer(port));
            }
            attrs = json_pack("{s:o}", "parameters", params);
        }
        else
        {
            attrs = attributes(a, 1);
        }
        // Monitors take servers through the monitor: check they exist first, so that a
        // misspelt one does not leave a half-made server behind.
        for (const std::string& m : a.values("monitors"))
        {
            ctx.get("monitors/" + url_encode(m));
        }
        Json doc = make_document(a.positional[0], "servers", attrs,
                                 relations(a, {{"services", "services"}}));
        ctx.send("POST", "servers", doc.get());
        for (const std::string& m : a.values("monitors"))
        {
            change_relationship(ctx, true, "monitors", m, "servers", {a.positional[0]});
        }
        ctx.ok();
    };
    v.commands.push_back(server);

    Command monitor = make("monitor", "<name> <module> [params...]", "Create a new monitor",
                           "Create a monitor, e.g.\n"
                           "  maxctrl create monitor Mon mariadbmon user=monitor "
                           "password=pw --servers server1 server2",
                           2);
    monitor.flags = {{"servers", FlagSpec::LIST, "Servers the monitor watches"}};
    monitor.run = [](Context& ctx, const Args& a)
    {
        json_t* attrs = attributes(a, 2, json_pack("{s:s}", "module", a.positional[1].c_str()));
        post(ctx, "monitors",
             make_document(a.positional[0], "monitors", attrs,
                           relations(a, {{"servers", "servers"}})));
    };
    v.commands.push_back(monitor);

    Command service = make("service", "<name> <router> <params...>", "Create a new service",
                           "Create a service; `user` and `password` are needed, e.g.\n"
                           "  maxctrl create service RW readwritesplit user=sqlgate "
                           "password=pw --servers server1 server2",
                           2);
    service.flags = {{"servers", FlagSpec::LIST, "Servers the service uses"},
                     {"filters", FlagSpec::LIST, "Filters of the service, in order"},
                     {"cluster", FlagSpec::VALUE, "Use the servers of this monitor"}};
    service.run = [](Context& ctx, const Args& a)
    {
        json_t* attrs = attributes(a, 2, json_pack("{s:s}", "router", a.positional[1].c_str()));
        if (a.has("cluster"))
        {
            json_object_set_new(json_object_get(attrs, "parameters"), "cluster",
                                json_string(a.value("cluster").c_str()));
        }
        post(ctx, "services",
             make_document(a.positional[0], "services", attrs,
                           relations(a, {{"servers", "servers"}, {"filters", "filters"}})));
    };
    v.commands.push_back(service);

    Command filter = make("filter", "<name> <module> [params...]", "Create a new filter",
                          "Create a filter, e.g.\n"
                          "  maxctrl create filter QLA qlafilter filebase=/tmp/qla",
                          2);
    filter.run = [](Context& ctx, const Args& a)
    {
        json_t* attrs = attributes(a, 2, json_pack("{s:s}", "module", a.positional[1].c_str()));
        post(ctx, "filters", make_document(a.positional[0], "filters", attrs));
    };
    v.commands.push_back(filter);

    Command listener =
        make("listener", "<service> <name> <port> [params...]", "Create a new listener",
             "Create a listener of a service, e.g.\n"
             "  maxctrl create listener RW RW-Listener 4009 address=127.0.0.1",
             3);
    listener.run = [](Context& ctx, const Args& a)
    {
        json_t* attrs = attributes(a, 3);
        json_t* params = json_object_get(attrs, "parameters");
        const std::string& port = a.positional[2];
        if (port.empty() || port.find_first_not_of("0123456789") != std::string::npos)
        {
            throw Error("Invalid port '" + port + "'");
        }
        json_object_set_new(params, "port", json_integer(std::stol(port)));
        json_t* rel = json_pack("{s:o}", "services", relationship({a.positional[0]}, "services"));
        post(ctx, "listeners", make_document(a.positional[1], "listeners", attrs, rel));
    };
    v.commands.push_back(listener);

    Command user = make("user", "<name> <password>", "Create a new REST API user",
                        "Create an account of the REST API. --type=admin may change things; "
                        "basic (the default) may only read.",
                        2);
    user.max_args = 2;
    user.flags = {{"type", FlagSpec::VALUE, "basic (read-only, the default) or admin"}};
    user.run = [](Context& ctx, const Args& a)
    {
        std::string type = a.has("type") ? a.value("type") : "basic";
        if (type != "basic" && type != "admin")
        {
            throw Error("Invalid --type '" + type + "': expected basic or admin");
        }
        json_t* attrs =
            json_pack("{s:s, s:s}", "password", a.positional[1].c_str(), "account", type.c_str());
        post(ctx, "users/inet", make_document(a.positional[0], "inet", attrs));
    };
    v.commands.push_back(user);
}

}  // namespace maxctrl
