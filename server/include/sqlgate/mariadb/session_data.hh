/**
 * What a MariaDB-speaking session learned from its client at login, which its
 * backend connections log in with (MariaDBBackend), and the capabilities
 * sqlgate offers clients and asks of servers.
 *
 * Threads: a SessionData belongs to its session (Session::protocol_data())
 * and is used only on the session's worker.
 */
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sqlgate/mariadb.hh"
#include "sqlgate/protocol.hh"
#include "sqlgate/session.hh"

namespace sqlgate::mariadb
{

/// Capabilities sqlgate offers to clients (and asks of backends).
constexpr uint64_t SUPPORTED_CAPS =
    cap::LONG_PASSWORD | cap::FOUND_ROWS | cap::LONG_FLAG | cap::CONNECT_WITH_DB | cap::NO_SCHEMA |
    cap::ODBC | cap::LOCAL_FILES | cap::IGNORE_SPACE | cap::PROTOCOL_41 | cap::INTERACTIVE |
    cap::IGNORE_SIGPIPE | cap::TRANSACTIONS | cap::RESERVED | cap::SECURE_CONNECTION |
    cap::MULTI_STATEMENTS | cap::MULTI_RESULTS | cap::PS_MULTI_RESULTS | cap::PLUGIN_AUTH |
    cap::CONNECT_ATTRS | cap::PLUGIN_AUTH_LENENC_CLIENT_DATA | cap::SESSION_TRACK |
    cap::DEPRECATE_EOF | cap::REMEMBER_OPTIONS | cap::MARIADB_STMT_BULK_OPERATIONS |
    cap::MARIADB_EXTENDED_TYPE_INFO;

class SessionData : public ProtocolData
{
public:
    uint64_t capabilities = 0;  ///< negotiated with the client
    uint8_t charset = 0x21;
    Sha1 sha1_password{};
    bool has_password = false;
    bool super_priv = false;              ///< the account may kill other users' queries
    std::string attributes;               ///< the client's connection attributes, raw
    uint8_t scramble[SCRAMBLE_LEN] = {};  ///< sent to the client
    std::vector<std::unique_ptr<BackendHandler>> kill_tasks;  ///< KILL QUERY helpers
};

}  // namespace sqlgate::mariadb
