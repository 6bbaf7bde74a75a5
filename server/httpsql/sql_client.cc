#define SQLGATE_MODULE_NAME "httpsql"
#include "sqlgate/httpsql/sql_client.hh"

#include "sqlgate/config.hh"
#include "sqlgate/httpsql/statements.hh"
#include "sqlgate/log.hh"
#include "sqlgate/mariadb/backend.hh"
#include "sqlgate/mariadb/kill.hh"
#include "sqlgate/mariadb/session_data.hh"
#include "sqlgate/worker.hh"

namespace sqlgate::httpsql
{

using namespace sqlgate::mariadb;

namespace
{
constexpr const char* NATIVE = "mysql_native_password";

/// What the HTTP sessions ask of backends: MariaDB 10.2+ framing without EOF
/// packets, several statements and results per request, extended type info.
constexpr uint64_t HTTP_CAPS =
    cap::LONG_PASSWORD | cap::LONG_FLAG | cap::CONNECT_WITH_DB | cap::PROTOCOL_41 |
    cap::TRANSACTIONS | cap::SECURE_CONNECTION | cap::MULTI_STATEMENTS | cap::MULTI_RESULTS |
    cap::PS_MULTI_RESULTS | cap::PLUGIN_AUTH | cap::DEPRECATE_EOF | cap::MARIADB_EXTENDED_TYPE_INFO;

/// Swallows a reply nobody asked to see (COM_RESET_CONNECTION).
class NullSink : public ResultSink
{
public:
    void on_columns(const std::vector<Column>&) override {}
    void on_row(const std::vector<Field>&) override {}
    void on_end(const EndInfo&) override {}
    void on_error(uint16_t code, std::string_view, std::string_view msg) override
    {
        SG_WARNING("Resetting an HTTP SQL session failed: %u %.*s", code, (int)msg.size(),
                   msg.data());
    }
};

/// Forwards to the command's sink and remembers whether an error came.
class Tap : public ResultSink
{
public:
    ResultSink* target = nullptr;
    bool error = false;
    void on_columns(const std::vector<Column>& c) override { target->on_columns(c); }
    void on_row(const std::vector<Field>& r) override { target->on_row(r); }
    void on_end(const EndInfo& e) override { target->on_end(e); }
    void on_error(uint16_t code, std::string_view state, std::string_view msg) override
    {
        error = true;
        target->on_error(code, state, msg);
    }
    void on_prepared(uint32_t id, uint16_t params, uint16_t columns) override
    {
        stmt_id = id;
        param_count = params;
    }
    uint32_t stmt_id = 0;
    uint16_t param_count = 0;
};
}  // namespace

class SqlClient::PrepareSink : public Tap
{
};

SqlClient::Command::~Command()
{
    for (json_t* p : params)
    {
        json_decref(p);
    }
}

HttpSqlProtocol::HttpSqlProtocol(std::shared_ptr<const Service> service, std::string listener)
    : m_service(service),
      m_listener(std::move(listener)),
      m_users(std::make_shared<mariadb::UserManager>(std::move(service)))
{
}

std::unique_ptr<BackendConnection> HttpSqlProtocol::new_backend(Session& session, ServerPtr server,
                                                                BackendHandler& handler)
{
    return std::make_unique<mariadb::MariaDBBackend>(session, std::move(server), handler);
}

void HttpSqlProtocol::service_changed(std::shared_ptr<const Service> service)
{
    std::atomic_store(&m_service, service);
    m_users->set_service(std::move(service));
}

namespace
{
void check_login(HttpSqlProtocol& protocol, const std::string& user, const std::string& password,
                 const std::string& ip, Login& out)
{
    out = Login();
    out.user = user;
    auto snap = protocol.users().snapshot();
    const mariadb::Account* acc = snap ? snap->find(user, ip) : nullptr;
    Sha1 once = sha1(password);
    Sha1 twice = sha1(std::string_view(reinterpret_cast<const char*>(once.data()), once.size()));
    bool ok = acc && acc->plugin == NATIVE &&
              (acc->hash.empty() ? password.empty()
                                 : acc->hash.size() == twice.size() &&
                                       memcmp(acc->hash.data(), twice.data(), twice.size()) == 0);
    if (!ok)
    {
        out.http_status = 401;
        out.message = "Access denied for user '" + user + "'@'" + ip +
                      "' (using password: " + (password.empty() ? "NO" : "YES") + ")";
        if (!snap)
        {
            out.http_status = 503;
            out.message = "the database accounts are not loaded yet; try again";
        }
        return;
    }
    out.ok = true;
    out.http_status = 200;
    out.sha1 = once;
    out.has_password = !acc->hash.empty();
    out.super_priv = acc->super_priv;
}
}  // namespace

void authenticate(HttpSqlProtocol& protocol, const std::string& user, const std::string& password,
                  const std::string& ip, std::function<void(const Login&)> done)
{
    Login login;
    check_login(protocol, user, password, ip, login);
    if (login.ok)
    {
        done(login);
        return;
    }
    // A new account may have appeared: reload (rate-limited) and check again.
    Worker* w = Worker::current();
    int64_t interval = global_config()->get_duration_ms("users_refresh_time");
    protocol.users().reload(*w, interval,
                            [&protocol, user, password, ip, done = std::move(done)](bool)
                            {
                                Login again;
                                check_login(protocol, user, password, ip, again);
                                if (!again.ok)
                                {
                                    protocol.service()->stats().failed_auths.fetch_add(
                                        1, std::memory_order_relaxed);
                                }
                                done(again);
                            });
}

SqlClient* SqlClient::open(HttpSqlProtocol& protocol, const Login& login,
                           const std::string& database, const std::string& remote, int port,
                           std::string& error, bool multi_statements)
{
    std::shared_ptr<Protocol> proto = protocol.shared_from_this();
    Session* s =
        Session::create_detached(protocol.service(), proto, protocol.listener(), remote, port);
    auto data = std::make_unique<mariadb::SessionData>();
    data->capabilities = multi_statements ? HTTP_CAPS : HTTP_CAPS & ~cap::MULTI_STATEMENTS;
    data->charset = 45;  // utf8mb4_general_ci: JSON text is UTF-8, all of it
    data->sha1_password = login.sha1;
    data->has_password = login.has_password;
    data->super_priv = login.super_priv;
    s->set_protocol_data(std::move(data));
    s->set_user(login.user);
    s->set_database(database);
    auto owned = std::make_unique<SqlClient>(*s, protocol);
    SqlClient* client = owned.get();
    s->attach_detached_client(std::move(owned));
    if (!s->start_routing() || client->m_closed)
    {
        error = client->m_close_reason.empty()
                    ? "no server of service " + s->service().name + " is available"
                    : client->m_close_reason;
        client->on_closed = nullptr;
        s->close("the session could not start: " + error);
        return nullptr;
    }
    return client;
}

SqlClient::SqlClient(Session& session, HttpSqlProtocol& protocol)
    : m_session(session), m_protocol(protocol), m_decoder(std::make_unique<ReplyDecoder>(HTTP_CAPS))
{
}

SqlClient::~SqlClient()
{
    *m_alive = false;
    m_closed = true;
    if (m_close_reason.empty())
    {
        m_close_reason = m_session.close_reason();  // e.g. DELETE /v1/sessions/:id
    }
    if (m_active)
    {
        fail_active(2013, "Lost connection: the session was closed" +
                              (m_close_reason.empty() ? "" : " (" + m_close_reason + ")"));
    }
    while (!m_queue.empty())
    {
        Command c = std::move(m_queue.front());
        m_queue.pop_front();
        if (c.sink)
        {
            c.sink->on_error(2013, "HY000", "Lost connection: the session was closed");
        }
        if (c.done)
        {
            c.done(false);
        }
    }
    if (auto fn = std::move(on_closed))
    {
        fn(m_close_reason.empty() ? "the session was closed" : m_close_reason);
    }
}

void SqlClient::execute(Command cmd)
{
    m_queue.push_back(std::move(cmd));
    next();
}

void SqlClient::reset()
{
    m_reset_pending = true;
}

void SqlClient::cancel(std::function<void()> done)
{
    mariadb::kill_running_query(m_session, std::move(done));
}

void SqlClient::close(const std::string& reason)
{
    if (m_close_reason.empty())
    {
        m_close_reason = reason;
    }
    m_closed = true;
    m_session.close(reason);
}

void SqlClient::kill_and_close(const std::string& reason)
{
    if (!m_active || m_closed)
    {
        close(reason);
        return;
    }
    std::shared_ptr<bool> alive = m_alive;
    Worker* worker = &m_session.worker();
    cancel(
        [worker, alive, this, reason]()
        {
            // Posted: the kill may be answered while the session is being destroyed.
            worker->post(
                [alive, this, reason]()
                {
                    if (*alive)
                    {
                        close(reason);
                    }
                });
        });
}

void SqlClient::send(const std::string& payload)
{
    // The decoder's tracker learns of the command first: a filter or router
    // may answer it at once.
    Buffer packet = make_packet(0, payload);
    m_decoder->command_sent(packet);
    if (!m_session.route_query(std::move(packet)))
    {
        send_error_and_close(2013, "Lost connection to the server");
    }
}

void SqlClient::next()
{
    if (m_closed || m_active || m_phase != Phase::IDLE || m_queue.empty())
    {
        return;
    }
    m_active = std::make_unique<Command>(std::move(m_queue.front()));
    m_queue.pop_front();
    if (m_active->still_wanted && !m_active->still_wanted())
    {
        std::unique_ptr<Command> dropped = std::move(m_active);
        if (dropped->done)
        {
            dropped->done(false);
        }
        next();
        return;
    }
    m_failed = false;
    if (m_reset_pending)
    {
        // Pipelined: the reset's OK arrives before the command's reply.
        m_reset_pending = false;
        static NullSink null_sink;
        m_phase = Phase::RESET;
        m_decoder->set_sink(null_sink);
        send(std::string(1, static_cast<char>(COM_RESET_CONNECTION)));
    }
    else
    {
        tap_active();
    }
    if (!m_closed && m_active)
    {
        send(m_active->prepare ? build_prepare(m_active->sql) : build_query(m_active->sql));
    }
}

void SqlClient::tap_active()
{
    m_phase = m_active->prepare ? Phase::PREPARE : Phase::QUERY;
    auto tap = std::make_shared<PrepareSink>();
    tap->target = m_active->sink.get();
    m_prepare_sink = tap;
    m_decoder->set_sink(*tap);
}

bool SqlClient::client_reply(Buffer&& data, const Reply&)
{
    if (!m_caps)
    {
        // The framing depends on what the server agreed to (EOF packets,
        // extended type info): decode with the backend's capabilities.
        for (const auto& b : m_session.backends())
        {
            if (b->capabilities() && b->state() == BackendState::ROUTING)
            {
                m_caps = b->capabilities();
            }
        }
        if (m_caps)
        {
            m_decoder->set_capabilities(m_caps);
        }
    }
    m_in.append(std::move(data));
    while (!m_in.empty() && !m_closed)
    {
        if (m_phase == Phase::IDLE)
        {
            m_in.reset();  // a reply nobody waits for (the command failed before)
            break;
        }
        if (!m_decoder->feed(m_in))
        {
            std::string why = "malformed reply from the server: " + m_decoder->error();
            SG_ERROR("Session %lu: %s", (unsigned long)m_session.id(), why.c_str());
            send_error_and_close(2027, why);
            break;
        }
        if (!m_decoder->done())
        {
            break;  // the rest of a packet is still to come
        }
        reply_done();
    }
    return true;
}

void SqlClient::reply_done()
{
    switch (m_phase)
    {
        case Phase::RESET:
            tap_active();
            break;
        case Phase::QUERY:
            finish(!m_prepare_sink->error);
            break;
        case Phase::PREPARE:
        {
            if (m_prepare_sink->error)
            {
                finish(false);
                break;
            }
            m_stmt_id = m_prepare_sink->stmt_id;
            size_t have = m_active->params.size();
            if (m_prepare_sink->param_count != have)
            {
                send(build_stmt_close(m_stmt_id));
                m_active->sink->on_error(
                    ER_WRONG_ARGUMENTS, "HY000",
                    "the statement has " + std::to_string(m_prepare_sink->param_count) +
                        " parameter" + (m_prepare_sink->param_count == 1 ? "" : "s") + " but " +
                        std::to_string(have) + " value" + (have == 1 ? " was" : "s were") +
                        " given");
                finish(false);
                break;
            }
            m_phase = Phase::EXECUTE;
            std::vector<const json_t*> values(m_active->params.begin(), m_active->params.end());
            send(build_execute(m_stmt_id, values));
            break;
        }
        case Phase::EXECUTE:
            send(build_stmt_close(m_stmt_id));
            finish(!m_prepare_sink->error);
            break;
        case Phase::IDLE:
            break;
    }
}

void SqlClient::finish(bool ok)
{
    m_phase = Phase::IDLE;
    std::unique_ptr<Command> cmd = std::move(m_active);
    m_prepare_sink.reset();
    if (cmd && cmd->done)
    {
        cmd->done(ok);
    }
    next();
}

void SqlClient::fail_active(uint16_t code, const std::string& message)
{
    if (!m_active)
    {
        return;
    }
    m_phase = Phase::IDLE;
    std::unique_ptr<Command> cmd = std::move(m_active);
    m_prepare_sink.reset();
    if (cmd->sink)
    {
        cmd->sink->on_error(code, "HY000", message);
    }
    if (cmd->done)
    {
        cmd->done(false);
    }
}

void SqlClient::send_error_and_close(int code, const std::string& message)
{
    if (m_close_reason.empty())
    {
        m_close_reason = message;
    }
    bool was_closed = m_closed;
    m_closed = true;
    fail_active(static_cast<uint16_t>(code), message);
    if (!was_closed)
    {
        m_session.close(message);
    }
}

}  // namespace sqlgate::httpsql
