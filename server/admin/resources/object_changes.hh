/**
 * What the runtime creation of objects (object_changes.cc, filter_changes.cc)
 * shares: reading a POST document, building services with module calls
 * guarded, and installing a rebuilt service for new sessions.
 *
 * Threads: main worker.
 */
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "../rest_api.hh"
#include "objects.hh"
#include "registry.hh"

namespace sqlgate::admin
{

/// 400 with @c detail.
HttpResponse bad_request(const std::string& detail);

/// 400 "KIND NAME is defined in <config file>; remove it there".
HttpResponse refuse_static(const AdminContext& ctx, const std::string& kind,
                           const std::string& name);

/// The name a POST gives (/data/id) checked by the registry as a new object's of
/// @c type ("services"): valid, not reserved, not taken (409), /data/type
/// matching. "" with @c fail set otherwise.
std::string new_object_id(const AdminContext& ctx, const json_t* data, const std::string& type,
                          HttpResponse& fail);

/// A registry refusal as an HTTP error (its code and message).
HttpResponse refusal(const Refusal& r);

/// The module of a new object: /data/attributes/KEY (MaxScale's place) or the parameter KEY.
bool module_name(const json_t* data, const std::string& key, std::string& out, std::string& error);

/// The parameters of a POST as config-file lines, with type= and KEY=module.
bool post_params(const json_t* data, const std::string& type, const std::string& module_key,
                 const std::string& module, std::vector<RawParam>& raw, std::string& error);

/// The ids of each relationship of a POST; only @c allowed ones may be non-empty
/// (@c hint says where the others are set).
bool post_relationships(const json_t* data, const std::vector<std::string>& allowed,
                        const std::string& hint,
                        std::map<std::string, std::vector<std::string>>& out, std::string& error);

/// The GET document of /v1/TYPE/ID (what a PATCH changes), or nullptr.
JsonPtr current_document(RestApi& api, const HttpRequest& r, const std::string& type,
                         const std::string& id);

/// POST /v1/filters, PATCH and DELETE /v1/filters/:id (filter_changes.cc).
void add_filter_change_routes(RestApi& api);

}  // namespace sqlgate::admin
