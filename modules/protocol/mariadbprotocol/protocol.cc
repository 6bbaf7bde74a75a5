// MariaDBProtocol's factories. Here, not in module.cc, so that its vtable and
// type info live in the library the SQL-over-HTTP modules share.
#define SQLGATE_MODULE_NAME "mariadbprotocol"
#include "protocol.hh"

#include "backend.hh"
#include "client.hh"

namespace sqlgate::mariadbprotocol
{

std::unique_ptr<ClientConnection> MariaDBProtocol::new_client(Session& session, Stream& stream)
{
    return std::make_unique<MariaDBClient>(session, stream, *this);
}

std::unique_ptr<BackendConnection> MariaDBProtocol::new_backend(Session& session, ServerPtr server,
                                                                BackendHandler& handler)
{
    return std::make_unique<MariaDBBackend>(session, std::move(server), handler);
}

}  // namespace sqlgate::mariadbprotocol
