// Monitor events and the `script` run on them (monitor_script.cc).
// Threads: the monitor's thread.
#pragma once

#include <string>
#include <vector>

#include "sqlgate/monitor.hh"

namespace sqlgate
{

/// MaxScale's event names for a server whose status went from @c before to
/// @c after (master_down, slave_up, new_master, lost_slave, server_down, ...).
std::vector<std::string> server_events(uint64_t before, uint64_t after);

/// Run the monitor's script for @c event on @c initiator if `events` selects it.
void run_monitor_script(const ObjectConfig& config, const std::vector<MonitorServer>& servers,
                        const MonitorServer& initiator, const std::string& event);

}  // namespace sqlgate
