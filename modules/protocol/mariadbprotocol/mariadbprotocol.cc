// MariaDBProtocol's factories: the module's clients, the core's backends.
#define SQLGATE_MODULE_NAME "mariadbprotocol"
#include "mariadbprotocol.hh"

#include "client.hh"
#include "sqlgate/mariadb/backend.hh"

namespace sqlgate::mariadbprotocol
{

std::unique_ptr<ClientConnection> MariaDBProtocol::new_client(Session& session, Stream& stream)
{
    return std::make_unique<MariaDBClient>(session, stream, *this);
}

std::unique_ptr<BackendConnection> MariaDBProtocol::new_backend(Session& session, ServerPtr server,
                                                                BackendHandler& handler)
{
    return std::make_unique<mariadb::MariaDBBackend>(session, std::move(server), handler);
}

}  // namespace sqlgate::mariadbprotocol
