#include "mariadbmon.hh"

#include "commands.hh"

#include <mysql.h>

#include "sqlgate/log.hh"
#include "sqlgate/module.hh"

namespace sqlgate::mariadbmon
{

bool query(st_mysql* conn, const std::string& sql, std::vector<Row>& rows, std::string& error)
{
    rows.clear();
    if (mysql_real_query(conn, sql.data(), sql.size()) != 0)
    {
        error = std::to_string(mysql_errno(conn)) + ": " + mysql_error(conn);
        return false;
    }
    MYSQL_RES* res = mysql_store_result(conn);
    if (!res)
    {
        if (mysql_field_count(conn) != 0)
        {
            error = std::to_string(mysql_errno(conn)) + ": " + mysql_error(conn);
            return false;
        }
        return true;
    }
    unsigned int n = mysql_num_fields(res);
    MYSQL_FIELD* fields = mysql_fetch_fields(res);
    while (MYSQL_ROW row = mysql_fetch_row(res))
    {
        Row r;
        for (unsigned int i = 0; i < n; ++i)
        {
            if (row[i])
            {
                r[fields[i].name] = row[i];
            }
        }
        rows.push_back(std::move(r));
    }
    mysql_free_result(res);
    return true;
}

namespace
{
std::string get(const Row& r, const char* key)
{
    auto it = r.find(key);
    return it == r.end() ? "" : it->second;
}

json_t* str_or_null(const std::string& s)
{
    return s.empty() ? json_null() : json_string(s.c_str());
}
}  // namespace

MariaDBMonitor::MariaDBMonitor(const ObjectConfig& config, std::vector<MonitorServer> targets)
    : Monitor(config, std::move(targets))
{
    for (const auto& ms : monitored())
    {
        NodeInfo n;
        n.name = ms.server->name();
        n.address = ms.server->address();
        n.port = ms.server->port();
        m_nodes.push_back(std::move(n));
    }
}

void MariaDBMonitor::read_node(MonitorServer& ms, NodeInfo& node)
{
    node.reachable = ms.conn != nullptr;
    node.queried = false;
    node.replicas_of.clear();
    // Nothing of a server that cannot be read is shown as if it were current.
    node.server_id = -1;
    node.read_only = false;
    node.gtid_current_pos.clear();
    node.gtid_binlog_pos.clear();
    if (!ms.conn)
    {
        node.error = ms.error;
        return;
    }
    std::vector<Row> rows;
    std::string err;
    if (!query(ms.conn,
               "SELECT @@server_id AS id, @@read_only AS ro, @@gtid_current_pos AS cur, "
               "@@gtid_binlog_pos AS bin",
               rows, err) ||
        rows.empty())
    {
        node.error = err;
        return;
    }
    node.server_id = std::stoll(get(rows[0], "id").empty() ? "-1" : get(rows[0], "id"));
    node.read_only = get(rows[0], "ro") == "1";
    node.gtid_current_pos = get(rows[0], "cur");
    node.gtid_binlog_pos = get(rows[0], "bin");
    if (!query(ms.conn, "SHOW ALL SLAVES STATUS", rows, err))
    {
        node.error = err;
        return;
    }
    for (const auto& r : rows)
    {
        ReplicaConnection c;
        c.name = get(r, "Connection_name");
        c.master_host = get(r, "Master_Host");
        c.master_port = atoi(get(r, "Master_Port").c_str());
        c.io_running = get(r, "Slave_IO_Running");
        c.sql_running = get(r, "Slave_SQL_Running") == "Yes";
        if (r.count("Seconds_Behind_Master"))
        {
            c.seconds_behind = std::stoll(get(r, "Seconds_Behind_Master"));
        }
        c.using_gtid = get(r, "Using_Gtid");
        c.gtid_io_pos = get(r, "Gtid_IO_Pos");
        c.last_io_error = get(r, "Last_IO_Error");
        c.last_sql_error = get(r, "Last_SQL_Error");
        node.replicas_of.push_back(std::move(c));
    }
    node.queried = true;
    node.error.clear();
}

void MariaDBMonitor::read_all()
{
    std::vector<MonitorServer>& servers = monitored();
    for (size_t i = 0; i < servers.size(); ++i)
    {
        std::string before = m_nodes[i].error;
        read_node(servers[i], m_nodes[i]);
        if (servers[i].conn && !m_nodes[i].queried && m_nodes[i].error != before)
        {
            SG_WARNING("Monitor %s: cannot read the replication state of %s: %s", name().c_str(),
                       m_nodes[i].name.c_str(), m_nodes[i].error.c_str());
        }
    }
    resolve_masters(m_nodes);
}

void MariaDBMonitor::update(std::vector<MonitorServer>& servers)
{
    read_all();
    Topology previous = m_topology;
    m_topology = compute_topology(m_nodes, previous.master);
    automatic_operations();
    if (m_topology.master >= 0 && m_topology.master != previous.master)
    {
        SG_NOTICE("Monitor %s: %s is the primary", name().c_str(),
                  m_nodes[m_topology.master].name.c_str());
    }
    else if (m_topology.master < 0 && m_topology.master_problem != previous.master_problem)
    {
        SG_WARNING("Monitor %s: %s", name().c_str(), m_topology.master_problem.c_str());
    }
    for (size_t i = 0; i < servers.size(); ++i)
    {
        uint32_t role = m_topology.roles[i];
        servers[i].status |= (role & ROLE_MASTER ? status::MASTER : 0) |
                             (role & ROLE_SLAVE ? status::SLAVE : 0) |
                             (role & ROLE_RELAY ? status::RELAY : 0);
    }
}

json_t* MariaDBMonitor::node_json(const NodeInfo& n) const
{
    json_t* conns = json_array();
    for (const auto& c : n.replicas_of)
    {
        json_t* jc = json_object();
        json_object_set_new(jc, "connection_name", json_string(c.name.c_str()));
        json_object_set_new(jc, "master_host", json_string(c.master_host.c_str()));
        json_object_set_new(jc, "master_port", json_integer(c.master_port));
        json_object_set_new(
            jc, "master_server",
            c.master_index >= 0 ? json_string(m_nodes[c.master_index].name.c_str()) : json_null());
        json_object_set_new(jc, "slave_io_running", json_string(c.io_running.c_str()));
        json_object_set_new(jc, "slave_sql_running", json_string(c.sql_running ? "Yes" : "No"));
        json_object_set_new(jc, "seconds_behind_master",
                            c.seconds_behind ? json_integer(*c.seconds_behind) : json_null());
        json_object_set_new(jc, "using_gtid", json_string(c.using_gtid.c_str()));
        json_object_set_new(jc, "gtid_io_pos", json_string(c.gtid_io_pos.c_str()));
        json_object_set_new(jc, "last_io_error", json_string(c.last_io_error.c_str()));
        json_object_set_new(jc, "last_sql_error", json_string(c.last_sql_error.c_str()));
        json_array_append_new(conns, jc);
    }
    json_t* j = json_object();
    json_object_set_new(j, "name", json_string(n.name.c_str()));
    json_object_set_new(j, "server_id", n.queried ? json_integer(n.server_id) : json_null());
    json_object_set_new(j, "read_only", n.queried ? json_boolean(n.read_only) : json_null());
    json_object_set_new(j, "gtid_current_pos", str_or_null(n.gtid_current_pos));
    json_object_set_new(j, "gtid_binlog_pos", str_or_null(n.gtid_binlog_pos));
    json_object_set_new(j, "slave_connections", conns);
    json_object_set_new(j, "last_error", str_or_null(n.error));
    return j;
}

json_t* MariaDBMonitor::diagnostics_json(const std::vector<MonitorServer>&) const
{
    json_t* d = json_object();
    const char* master = m_topology.master >= 0 ? m_nodes[m_topology.master].name.c_str() : nullptr;
    json_object_set_new(d, "master", master ? json_string(master) : json_null());
    json_object_set_new(d, "primary", master ? json_string(master) : json_null());
    json_object_set_new(d, "master_problem", str_or_null(m_topology.master_problem));
    json_object_set_new(d, "state", json_string("Idle"));
    json_t* info = json_array();
    for (const auto& n : m_nodes)
    {
        json_array_append_new(info, node_json(n));
    }
    json_object_set_new(d, "server_info", info);
    return d;
}

json_t* MariaDBMonitor::server_json(const MonitorServer& ms) const
{
    for (const auto& n : m_nodes)
    {
        if (n.name != ms.server->name())
        {
            continue;
        }
        json_t* j = node_json(n);
        json_object_del(j, "name");
        json_object_del(j, "last_error");
        int64_t lag = replication_lag(n);
        json_object_set_new(j, "replication_lag", json_integer(lag));
        int64_t master_id = -1;
        for (const auto& c : n.replicas_of)
        {
            if (c.master_index >= 0 && m_nodes[c.master_index].queried)
            {
                master_id = m_nodes[c.master_index].server_id;
                break;
            }
        }
        json_object_set_new(j, "master_id", json_integer(master_id));
        return j;
    }
    return json_object();
}

const Specification& spec()
{
    using T = ParamType;
    auto bool_param = [](const char* name, const char* what, const char* dflt)
    { return make_param(name, T::BOOL, what, std::string(dflt)); };
    auto duration = [](const char* name, const char* what, const char* dflt)
    { return make_param(name, T::DURATION, what, std::string(dflt)); };
    static const Specification s(
        "mariadbmon",
        all_runtime({
            bool_param("auto_failover",
                       "Promote a replica when the primary is down for failcount ticks", "false"),
            bool_param("auto_rejoin",
                       "Make a returning old primary or a stray replica replicate from the primary",
                       "false"),
            make_param("failcount", T::COUNT,
                       "Monitor ticks the primary must be down before automatic failover",
                       std::string("5")),
            make_param(
                "replication_user", T::STRING,
                "User the replicas connect to the primary with (default: the monitor's user)"),
            make_param("replication_password", T::PASSWORD, "Password of `replication_user`"),
            duration("failover_timeout", "Time a failover may take, including relay log catch-up",
                     "90s"),
            duration("switchover_timeout",
                     "Time a switchover may take, including the new primary catching up", "90s"),
            bool_param("verify_master_failure",
                       "Fail over only when no replica still receives events from the primary",
                       "true"),
            make_param("servers_no_promotion", T::LIST, "Servers never promoted to primary"),
            bool_param("enforce_read_only_slaves", "Set read_only=ON on replicas that lack it",
                       "false"),
            bool_param("enforce_writable_master", "Set read_only=OFF on a read-only primary",
                       "false"),
        }));
    return s;
}

namespace
{
std::unique_ptr<Monitor> create(const ObjectConfig& config, std::vector<MonitorServer> targets,
                                std::string& error)
{
    (void)error;
    return std::make_unique<MariaDBMonitor>(config, std::move(targets));
}
}  // namespace

}  // namespace sqlgate::mariadbmon

SQLGATE_MODULE_ENTRY
{
    static const sqlgate::ModuleInfo info = {
        sqlgate::SQLGATE_ABI,
        "mariadbmon",
        sqlgate::ModuleKind::MONITOR,
        "1.0.0",
        "GA",
        "MariaDB primary/replica monitor: detects the primary, replicas and relay masters",
        &sqlgate::mariadbmon::spec(),
        nullptr,
        nullptr,
        nullptr,
        &sqlgate::mariadbmon::create,
        &sqlgate::mariadbmon::commands(),
    };
    return &info;
}
