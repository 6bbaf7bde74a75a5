/**
 * The core parameter specifications of every object kind.
 *
 * Module parameters (router_options, filter settings, monitor settings,
 * protocol settings) come from the module's own Specification; the loader
 * combines both.
 *
 * Threads: the specifications are built once on first use and are immutable
 * afterwards; they may be read from any thread.
 */
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sqlgate/config.hh"

namespace sqlgate
{

const Specification& global_spec();    ///< [sqlgate] (alias [maxscale])
const Specification& server_spec();    ///< type=server
const Specification& service_spec();   ///< type=service
const Specification& listener_spec();  ///< type=listener
const Specification& monitor_spec();   ///< type=monitor
const Specification& filter_spec();    ///< type=filter

/// The object types a section may declare with type=, in documentation order.
const std::vector<std::string>& object_types();

/// The core specification of an object type ("server", ..., "global"), or nullptr.
const Specification* core_spec_for_type(std::string_view type);

/// MaxScale's monitor event names accepted by the monitor parameter `events`.
const std::vector<std::string>& monitor_event_names();

/// The listener protocol's module name: MaxScale's aliases (MariaDBClient,
/// MySQLClient, mariadb, ...) map to "mariadbprotocol"; other names are
/// returned lower-cased.
std::string canonical_protocol(std::string_view name);

}  // namespace sqlgate
