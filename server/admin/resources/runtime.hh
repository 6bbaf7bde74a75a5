/**
 * What the resource adapters share for runtime changes (the rules,
 * persistence and publishing are the registry's: server/core/registry.hh):
 * rebuilding a monitor, finding what uses a server, list parameter values.
 *
 * Threads: main worker. A rebuilt service reaches the routing workers as a
 * new listener snapshot posted to each of them.
 */
#pragma once

#include <memory>
#include <string>

#include "../rest_api.hh"
#include "sqlgate/config.hh"

namespace sqlgate
{
class Service;
}

namespace sqlgate::admin
{

/**
 * Replace the monitor @c config.name with one built from @c config (running
 * if the old one was), persisted first when @c save (@c saved tells whether
 * that happened), and rebuild the services that use it through cluster=.
 * False with @c error; when the new monitor cannot be built nothing changes.
 * Defined in monitors.cc.
 */
bool rebuild_monitor(AdminContext& ctx, const ObjectConfig& config, bool save, bool& saved,
                     std::string& error);

/// Names of the services whose targets include @c server.
std::vector<std::string> services_using(const Objects& o, const std::string& server);

/// A list parameter's Value (servers=, filters=) for @c items.
bool list_value(const Specification& spec, const std::string& param,
                const std::vector<std::string>& items, Value& out, std::string& error);

}  // namespace sqlgate::admin
