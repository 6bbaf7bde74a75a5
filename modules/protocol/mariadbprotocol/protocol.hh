/**
 * The mariadbprotocol module: protocol instance and per-session data.
 *
 * Threads: MariaDBProtocol is created on the main thread and shared by all
 * workers (its members are immutable or thread-safe). SessionData belongs to
 * its session's worker.
 */
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sqlgate/mariadb.hh"
#include "sqlgate/protocol.hh"
#include "sqlgate/session.hh"
#include "users.hh"

namespace sqlgate::mariadbprotocol
{

/// Capabilities sqlgate offers to clients (and asks of backends).
constexpr uint64_t SUPPORTED_CAPS =
    mariadb::cap::LONG_PASSWORD | mariadb::cap::FOUND_ROWS | mariadb::cap::LONG_FLAG |
    mariadb::cap::CONNECT_WITH_DB | mariadb::cap::NO_SCHEMA | mariadb::cap::ODBC |
    mariadb::cap::LOCAL_FILES | mariadb::cap::IGNORE_SPACE | mariadb::cap::PROTOCOL_41 |
    mariadb::cap::INTERACTIVE | mariadb::cap::IGNORE_SIGPIPE | mariadb::cap::TRANSACTIONS |
    mariadb::cap::RESERVED | mariadb::cap::SECURE_CONNECTION | mariadb::cap::MULTI_STATEMENTS |
    mariadb::cap::MULTI_RESULTS | mariadb::cap::PS_MULTI_RESULTS | mariadb::cap::PLUGIN_AUTH |
    mariadb::cap::CONNECT_ATTRS | mariadb::cap::PLUGIN_AUTH_LENENC_CLIENT_DATA |
    mariadb::cap::SESSION_TRACK | mariadb::cap::DEPRECATE_EOF | mariadb::cap::REMEMBER_OPTIONS |
    mariadb::cap::MARIADB_STMT_BULK_OPERATIONS | mariadb::cap::MARIADB_EXTENDED_TYPE_INFO;

/// What the client side learned at login; the backend side logs in with it.
class SessionData : public ProtocolData
{
public:
    uint64_t capabilities = 0;  ///< negotiated with the client
    uint8_t charset = 0x21;
    mariadb::Sha1 sha1_password{};
    bool has_password = false;
    bool super_priv = false;                       ///< the account may kill other users' queries
    std::string attributes;                        ///< the client's connection attributes, raw
    uint8_t scramble[mariadb::SCRAMBLE_LEN] = {};  ///< sent to the client
    std::vector<std::unique_ptr<BackendHandler>> kill_tasks;  ///< KILL QUERY helpers
};

class MariaDBProtocol : public Protocol
{
public:
    MariaDBProtocol(std::shared_ptr<const Service> service, std::shared_ptr<UserManager> users)
        : m_service(std::move(service)), m_users(std::move(users))
    {
    }
    std::unique_ptr<ClientConnection> new_client(Session& session, Stream& stream) override;
    std::unique_ptr<BackendConnection> new_backend(Session& session, ServerPtr server,
                                                   BackendHandler& handler) override;
    void start() override { m_users->start(); }
    void service_changed(std::shared_ptr<const Service> service) override
    {
        m_users->set_service(std::move(service));
    }
    void reload_users(Worker& worker, std::function<void(bool ok)> done) override
    {
        m_users->reload(worker, 0, std::move(done));
    }
    UserManager& users() { return *m_users; }

private:
    std::shared_ptr<const Service> m_service;
    std::shared_ptr<UserManager> m_users;
};

}  // namespace sqlgate::mariadbprotocol
