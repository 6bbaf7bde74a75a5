/**
 * PATCH for every resource: the change a request asks for (RFC 6902 JSON
 * Patch, or MaxScale's partial JSON:API document) applied to the resource's
 * current document, and the parameter changes it amounts to, checked against
 * the parameter specification (unknown, static, wrong type, out of range →
 * an error naming the parameter; nothing is applied then).
 *
 * Threads: main worker.
 */
#pragma once

#include <map>
#include <string>
#include <vector>

#include "../http.hh"
#include "sqlgate/config.hh"

namespace sqlgate::admin
{

/// The document as the request wants it; nullptr with @c error (a 400) when
/// the body is not a valid patch or a failed `test` op.
JsonPtr changed_document(const HttpRequest& r, json_t* current, HttpResponse& error);

/// The relationship ids of @c type in @c doc (/data/relationships/TYPE/data/*/id).
std::vector<std::string> relationship_ids(const json_t* doc, const char* type);

/**
 * The parameters that differ between @c old_doc and @c new_doc
 * (/data/attributes/parameters), parsed with @c specs. False with @c error when
 * one is unknown, not modifiable at runtime, removed or invalid, or when
 * anything outside the parameters and the relationships was changed.
 */
bool parameter_changes(const json_t* old_doc, const json_t* new_doc,
                       const std::vector<const Specification*>& specs,
                       std::map<std::string, Value>& changes, std::string& error);

/// Parameters given as JSON (POST bodies) as config-file key/value pairs.
bool params_to_raw(const json_t* params, std::vector<RawParam>& out, std::string& error);

/// A JSON scalar as config-file text; false for objects, arrays and null.
bool json_param_text(const json_t* v, std::string& out);

}  // namespace sqlgate::admin
