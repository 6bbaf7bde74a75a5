/**
 * JSON text from Jansson values, byte for byte what json_dumps() gives with
 * JSON_INDENT(4) or JSON_COMPACT (keys in insertion order, UTF-8 as is),
 * but written straight into one std::string: the REST API serializes every
 * answer, and json_dumps' callback-per-token costs a third of its CPU.
 *
 * Threads: any; @c value must not change while it is written.
 */
#pragma once

#include <jansson.h>

#include <string>

namespace sqlgate::admin
{

/// Append @c value to @c out: indented by 4 when @c pretty, compact otherwise.
void append_json(std::string& out, const json_t* value, bool pretty);

}  // namespace sqlgate::admin
