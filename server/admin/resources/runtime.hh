/**
 * Applying runtime changes to the object model: persisting an object's
 * configuration and rebuilding a service (new targets, filters or
 * parameters) so that new sessions use it while running sessions keep the
 * snapshot they started with.
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

/// Write @c cfg under the data directory (unless persist_runtime_changes is
/// off) and record that it now comes from there. False with @c error (and
/// nothing changed) when the file cannot be written.
bool persist(AdminContext& ctx, ObjectConfig& cfg, std::string& error);

/// True when the object was created or changed at runtime (its config lives
/// in the data directory), false when it comes from the static file.
bool is_runtime_object(const ObjectConfig& cfg);

/**
 * Build the service @c cfg.name anew from @c cfg, persist it, and make its
 * listeners use it. On failure nothing changes.
 */
bool rebuild_service(AdminContext& ctx, ObjectConfig cfg, std::string& error);

/// Make the built @c svc the one its listeners give new sessions; persisted when
/// @c save (a service rebuilt with an unchanged configuration keeps its source).
bool install_service(AdminContext& ctx, const std::shared_ptr<Service>& svc, bool save,
                     std::string& error);

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
