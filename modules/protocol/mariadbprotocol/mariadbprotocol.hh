/**
 * The mariadbprotocol module's protocol instance: MariaDB clients, with the
 * core's MariaDB backend connections and account manager.
 *
 * Threads: MariaDBProtocol is created on the main thread and shared by all
 * workers (its members are immutable or thread-safe).
 */
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sqlgate/mariadb.hh"
#include "sqlgate/mariadb/accounts.hh"
#include "sqlgate/mariadb/session_data.hh"
#include "sqlgate/protocol.hh"
#include "sqlgate/session.hh"

namespace sqlgate::mariadbprotocol
{

class MariaDBProtocol : public Protocol
{
public:
    MariaDBProtocol(std::shared_ptr<const Service> service,
                    std::shared_ptr<mariadb::UserManager> users)
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
    mariadb::UserManager& users() { return *m_users; }

private:
    std::shared_ptr<const Service> m_service;
    std::shared_ptr<mariadb::UserManager> m_users;
};

}  // namespace sqlgate::mariadbprotocol
