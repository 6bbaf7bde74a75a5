/**
 * KILL [QUERY|CONNECTION] <id>, where <id> is the connection id the client
 * saw (the sqlgate session id).
 *
 * Threads: start_kill() runs on the killer's worker; the work on the target
 * runs on the target's worker; the answer is posted back to the killer.
 */
#pragma once

#include <cstdint>

#include "sqlgate/session.hh"

namespace sqlgate::mariadbprotocol
{

/// Kill session @c target_id (or only its running query). The killer's client
/// gets the answer through MariaDBClient::kill_done().
void start_kill(Session& killer, uint64_t target_id, bool query_only);

}  // namespace sqlgate::mariadbprotocol
