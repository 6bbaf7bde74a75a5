/**
 * Helpers shared by the REST resources: parameters and specifications as
 * JSON, lookups that answer 404 naming the missing object.
 *
 * Threads: main worker only (they read the object model).
 */
#pragma once

#include <string>

#include "../http.hh"
#include "objects.hh"
#include "sqlgate/config.hh"

namespace sqlgate::admin
{

/// The typed values of @c config as JSON (passwords masked as "*****").
json_t* params_json(const ObjectConfig& config);
/// A value as JSON, typed by its parameter type.
json_t* value_json(const Value& v);
/// A specification as MaxScale's module parameter list.
json_t* spec_json(const Specification& spec);
/// "static" or "runtime" and the file an object came from.
json_t* source_json(const ObjectConfig& config);

/// 404 "'NAME' is not a KIND".
HttpResponse not_found(const std::string& kind, const std::string& name);

/// The resource objects of the GET documents (servers.cc, services.cc).
json_t* server_resource(const HttpRequest& r, const Objects& o, const Server& s);
json_t* service_resource(const HttpRequest& r, const Objects& o, const Service& s, int64_t started);

/// The module's commands as MaxScale lists them in the module document (commands.cc).
json_t* module_commands_json(const HttpRequest& r, const ModuleInfo& m);

/// Unix seconds as an HTTP date ("Sat, 21 Nov 2026 14:51:15 GMT").
std::string http_date(int64_t unix_seconds);

}  // namespace sqlgate::admin
