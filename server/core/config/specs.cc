#include "config/specs.hh"

#include <algorithm>
#include <cctype>
#include <climits>

namespace sqlgate
{

namespace
{

using T = ParamType;

ParamSpec p(std::string name, ParamType type, std::string description)
{
    ParamSpec s;
    s.name = std::move(name);
    s.type = type;
    s.description = std::move(description);
    return s;
}

ParamSpec def(ParamSpec s, std::string default_value)
{
    s.default_value = std::move(default_value);
    return s;
}

ParamSpec mandatory(ParamSpec s)
{
    s.mandatory = true;
    return s;
}

ParamSpec runtime(ParamSpec s)
{
    s.runtime = true;
    return s;
}

ParamSpec range(ParamSpec s, int64_t min, int64_t max)
{
    s.min = min;
    s.max = max;
    return s;
}

ParamSpec values(ParamSpec s, std::vector<std::string> v)
{
    s.enum_values = std::move(v);
    return s;
}

ParamSpec alias(ParamSpec s, std::string a)
{
    s.aliases.push_back(std::move(a));
    return s;
}

/// Accepted and shown, but without effect (see ParamSpec::ignored).
ParamSpec ignored(ParamSpec s, std::string why)
{
    s.ignored = std::move(why);
    return s;
}

ParamSpec type_param(const std::string& type)
{
    return mandatory(values(p("type", T::ENUM, "Object type, always `" + type + "`"), {type}));
}

}  // namespace

const Specification& global_spec()
{
    static const Specification spec(
        "global",
        {
            def(p("threads", T::THREADS,
                  "Number of routing worker threads; `auto` uses one per CPU core"),
                "auto"),
            def(p("datadir", T::PATH, "Directory for runtime data and persisted configuration"),
                "/var/lib/sqlgate"),
            def(p("logdir", T::PATH, "Directory of the log file"), "/var/log/sqlgate"),
            def(p("libdir", T::PATH,
                  "Directory of the modules; empty means the lib directory next to the binary"),
                ""),
            def(p("admin_host", T::STRING, "Address the REST API listens on"), "127.0.0.1"),
            def(range(p("admin_port", T::COUNT, "Port the REST API listens on"), 0, 65535), "8989"),
            def(p("admin_auth", T::BOOL, "Require authentication on the REST API"), "true"),
            def(p("writeq_high_water", T::SIZE,
                  "Write queue size of a connection above which sqlgate stops reading "
                  "the other side of the session"),
                "64Ki"),
            def(p("writeq_low_water", T::SIZE,
                  "Write queue size below which reading the other side resumes; must be "
                  "less than `writeq_high_water`"),
                "1024"),
            runtime(def(p("log_warning", T::BOOL, "Log messages of the warning level"), "true")),
            runtime(def(p("log_notice", T::BOOL, "Log messages of the notice level"), "true")),
            runtime(def(p("log_info", T::BOOL, "Log messages of the info level"), "false")),
            runtime(def(p("log_debug", T::BOOL, "Log messages of the debug level"), "false")),
            runtime(def(p("users_refresh_time", T::DURATION,
                          "Minimum time between two reloads of the backend user accounts"),
                        "30s")),
            def(p("users_refresh_interval", T::DURATION,
                  "Reload the user accounts periodically at this interval, but not more often "
                  "than `users_refresh_time`; 0s disables"),
                "0s"),
            def(p("persist_runtime_changes", T::BOOL,
                  "Persist objects created or changed at runtime under the data directory"),
                "true"),
            def(p("load_persisted_configs", T::BOOL,
                  "Load the persisted runtime changes on startup"),
                "true"),
            def(p("skip_name_resolve", T::BOOL,
                  "Do not resolve client addresses to host names for user matching"),
                "true"),
        });
    return spec;
}

const Specification& server_spec()
{
    static const Specification spec(
        "server",
        {
            type_param("server"),
            runtime(p("address", T::STRING,
                      "Host name or IP address of the server; mandatory unless `socket` is set")),
            runtime(def(range(p("port", T::COUNT, "TCP port of the server"), 1, 65535), "3306")),
            runtime(p("socket", T::PATH, "Unix domain socket of the server, instead of `address`")),
            ignored(def(p("protocol", T::STRING, "Backend protocol"), "mariadbbackend"),
                    "sqlgate speaks only the MariaDB protocol to servers"),
            runtime(p("monitoruser", T::STRING, "User the monitor uses for this server only")),
            runtime(p("monitorpw", T::PASSWORD, "Password of `monitoruser`")),
            runtime(def(values(p("rank", T::ENUM,
                                 "Routing preference: routers use `secondary` servers only when "
                                 "no `primary` one can take the session"),
                               {"primary", "secondary"}),
                        "primary")),
            runtime(def(range(p("priority", T::INT,
                                "mariadbmon's choice of a new primary: the lowest positive "
                                "first, then 0; a negative one is never promoted"),
                              INT64_MIN, INT64_MAX),
                        "0")),
            runtime(def(p("max_routing_connections", T::COUNT,
                          "Maximum number of session connections to the server at once; more "
                          "are refused; 0 means unlimited"),
                        "0")),
        });
    return spec;
}

const Specification& service_spec()
{
    static const Specification spec(
        "service",
        {
            type_param("service"),
            mandatory(p("router", T::STRING, "Router module of the service")),
            runtime(alias(p("servers", T::TARGETS,
                            "Comma-separated servers and services the service routes to"),
                          "targets")),
            p("cluster", T::STRING,
              "Monitor whose servers the service routes to, instead of `servers`"),
            runtime(mandatory(
                p("user", T::STRING, "User for loading user accounts from the backends"))),
            runtime(mandatory(p("password", T::PASSWORD, "Password of `user`"))),
            runtime(p("filters", T::FILTERS,
                      "Filters applied to the service, in order, separated by vertical bars")),
            runtime(def(p("max_connections", T::COUNT,
                          "Maximum number of client connections; 0 means unlimited"),
                        "0")),
            runtime(def(p("enable_root_user", T::BOOL, "Allow the root user to log in"), "false")),
            runtime(
                p("version_string", T::STRING, "Server version sent to clients in the handshake")),
            runtime(def(p("connection_timeout", T::DURATION,
                          "Older MaxScale name of `wait_timeout`, the same meaning; used when "
                          "`wait_timeout` is 0s"),
                        "0s")),
            runtime(def(p("wait_timeout", T::DURATION,
                          "Close client sessions idle for longer than this (no command and no "
                          "reply pending); 0s disables"),
                        "0s")),
            runtime(def(p("log_auth_warnings", T::BOOL, "Log authentication failures"), "true")),
            runtime(def(p("auth_all_servers", T::BOOL,
                          "Load the user accounts of every server and use their union, instead "
                          "of those of the first server that answers"),
                        "false")),
            runtime(def(p("localhost_match_wildcard_host", T::BOOL,
                          "Let the wildcard host `%` match clients connecting from localhost"),
                        "true")),
        });
    return spec;
}

const Specification& listener_spec()
{
    static const Specification spec(
        "listener",
        {
            type_param("listener"),
            mandatory(p("service", T::STRING, "Service the listener's clients are routed to")),
            def(p("protocol", T::STRING,
                  "Client protocol module; MaxScale's aliases (`MariaDBClient`, `MySQLClient`, "
                  "`mariadb`, ...) mean `mariadbprotocol`"),
                "mariadbprotocol"),
            def(p("address", T::STRING, "Address to listen on; `::` means all interfaces"), "::"),
            range(p("port", T::COUNT, "TCP port to listen on; mandatory unless `socket` is set"), 1,
                  65535),
            p("socket", T::PATH, "Unix domain socket to listen on, instead of `port`"),
            p("authenticator", T::STRING, "Authenticator modules, comma-separated"),
            p("authenticator_options", T::STRING, "Options passed to the authenticators"),
            def(values(p("sql_mode", T::ENUM, "SQL mode of the clients' parser"),
                       {"default", "oracle"}),
                "default"),
            runtime(p("connection_init_sql_file", T::PATH,
                      "File of SQL statements run on every new backend connection")),
        });
    return spec;
}

const std::vector<std::string>& monitor_event_names()
{
    static const std::vector<std::string> names = {
        "all",         "master_down", "master_up",   "slave_down",  "slave_up",
        "server_down", "server_up",   "synced_down", "synced_up",   "donor_down",
        "donor_up",    "lost_master", "lost_slave",  "lost_synced", "lost_donor",
        "new_master",  "new_slave",   "new_synced",  "new_donor",
    };
    return names;
}

const Specification& monitor_spec()
{
    static const Specification spec(
        "monitor",
        {
            type_param("monitor"),
            mandatory(p("module", T::STRING, "Monitor module")),
            runtime(p("servers", T::TARGETS, "Comma-separated servers the monitor monitors")),
            runtime(p("user", T::STRING, "User the monitor connects with")),
            runtime(p("password", T::PASSWORD, "Password of `user`")),
            runtime(
                def(p("monitor_interval", T::DURATION, "Time between two monitor ticks"), "2s")),
            runtime(
                def(p("backend_connect_timeout", T::DURATION, "Timeout for connecting to a server"),
                    "3s")),
            runtime(def(p("backend_read_timeout", T::DURATION, "Timeout for reading from a server"),
                        "3s")),
            runtime(def(p("backend_write_timeout", T::DURATION, "Timeout for writing to a server"),
                        "3s")),
            runtime(def(p("backend_connect_attempts", T::COUNT,
                          "Connection attempts before a server is considered down"),
                        "1")),
            runtime(p("script", T::STRING,
                      "Command run when a server changes state: words split on spaces, no shell; "
                      "$INITIATOR, $EVENT, $LIST, $NODELIST, $MASTERLIST and $SLAVELIST are "
                      "replaced")),
            runtime(def(p("script_timeout", T::DURATION,
                          "Time the script may run before it is killed (the monitor waits)"),
                        "90s")),
            runtime(def(values(p("events", T::ENUM_LIST, "Events that trigger the `script`"),
                               monitor_event_names()),
                        "all")),
            runtime(ignored(def(p("journal_max_age", T::DURATION,
                                  "Maximum age of the monitor journal that is still read on "
                                  "startup"),
                                "28800s"),
                            "the monitor keeps no journal")),
        });
    return spec;
}

const Specification& filter_spec()
{
    static const Specification spec("filter",
                                    {
                                        type_param("filter"),
                                        mandatory(p("module", T::STRING, "Filter module")),
                                    });
    return spec;
}

const std::vector<std::string>& object_types()
{
    static const std::vector<std::string> types = {"server", "service", "listener", "monitor",
                                                   "filter"};
    return types;
}

const Specification* core_spec_for_type(std::string_view type)
{
    if (type == "global")
    {
        return &global_spec();
    }
    if (type == "server")
    {
        return &server_spec();
    }
    if (type == "service")
    {
        return &service_spec();
    }
    if (type == "listener")
    {
        return &listener_spec();
    }
    if (type == "monitor")
    {
        return &monitor_spec();
    }
    if (type == "filter")
    {
        return &filter_spec();
    }
    return nullptr;
}

std::string canonical_protocol(std::string_view name)
{
    std::string lower(name);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    static const char* const aliases[] = {"mariadbprotocol", "mariadbclient", "mysqlclient",
                                          "mariadb"};
    for (const char* a : aliases)
    {
        if (lower == a)
        {
            return "mariadbprotocol";
        }
    }
    return lower;
}

}  // namespace sqlgate
