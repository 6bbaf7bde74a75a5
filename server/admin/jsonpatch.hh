/**
 * JSON Pointer (RFC 6901) and JSON Patch (RFC 6902) on Jansson values, for the admin
 * REST API's PATCH with Content-Type: application/json-patch+json.
 *
 * Threads: pure functions, callable from any thread.
 *
 * Decisions the RFCs leave open (and the conformance tests in
 * shared/data/json-patch-tests do not settle):
 * - "test" compares numbers by value, as RFC 6902 section 4.6 says ("numerically equal"):
 *   1 equals 1.0 (Jansson's json_equal alone would say they differ). Strings, booleans and
 *   null compare with json_equal; arrays by order, objects regardless of member order.
 * - Duplicate members in an operation ({"op": "add", ..., "op": "remove"}) must be caught by
 *   the parser: parse the request body with JSON_REJECT_DUPLICATES. Once parsed, Jansson has
 *   kept only one of them and apply_patch cannot tell.
 * - "remove" of the whole document ("" path) is an error; "add"/"replace" of "" replace it.
 */
#pragma once

#include <jansson.h>

#include <string>
#include <vector>

namespace sqlgate::admin
{

/// Split an RFC 6901 pointer ("" = whole document, "/a/~1b/~0c") into unescaped tokens.
/// False with @c error ("JSON pointer 'x' must start with '/'", bad ~ escape, ...) when invalid.
bool parse_pointer(const std::string& pointer, std::vector<std::string>& tokens,
                   std::string& error);

/// The value at @c pointer in @c doc (borrowed reference), or nullptr when invalid or absent.
json_t* pointer_get(json_t* doc, const std::string& pointer);

/// Apply an RFC 6902 patch (a JSON array of operations) to a deep copy of @c doc.
/// Returns the patched document (new reference) or nullptr with @c error set; @c doc is never
/// modified (the whole patch applies or nothing does). Error messages name the operation index
/// (0-based), its op and the path, e.g. "operation 1 (replace): path '/a/b' does not exist",
/// "operation 0: unknown op 'foo'", "operation 2 (test): value at '/x' is not equal to the given
/// value".
json_t* apply_patch(const json_t* doc, const json_t* patch, std::string& error);

}  // namespace sqlgate::admin
