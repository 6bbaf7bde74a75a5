/**
 * KILL [QUERY|CONNECTION] <id>, where <id> is the connection id the client
 * saw (the sqlgate session id).
 *
 * Threads: start_kill() runs on the killer's worker; the work on the target
 * runs on the target's worker; the answer is posted back to the killer.
 */
#pragma once

#include <cstdint>
#include <string>

#include "sqlgate/buffer.hh"
#include "sqlgate/session.hh"

namespace sqlgate::mariadbprotocol
{

/// "KILL [QUERY|CONNECTION] <id>" → id; false if @c sql is not such a statement.
bool parse_kill(const std::string& sql, uint64_t& id, bool& query_only);
/// Cheap check (no allocation) before parse_kill(): the COM_QUERY's first word starts with K.
bool looks_like_kill(const Buffer& packet);

/// Kill session @c target_id (or only its running query). The killer's client
/// gets the answer through MariaDBClient::kill_done().
void start_kill(Session& killer, uint64_t target_id, bool query_only);

}  // namespace sqlgate::mariadbprotocol
