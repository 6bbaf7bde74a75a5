/**
 * KILL QUERY on the backends of a session: what `KILL QUERY <id>` from a
 * client and the SQL-over-HTTP protocols' cancel requests do.
 *
 * Threads: the target session's worker.
 */
#pragma once

#include <functional>

#include "sqlgate/session.hh"

namespace sqlgate::mariadb
{

/// Send KILL QUERY for every backend connection of @c target that has a
/// command outstanding, each over an extra connection as the session's user
/// (the session's protocol data must be a mariadb::SessionData). @c done runs
/// (on the target's worker) when every kill was answered, at once when
/// nothing runs.
void kill_running_query(Session& target, std::function<void()> done);

}  // namespace sqlgate::mariadb
