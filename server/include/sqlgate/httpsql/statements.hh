/**
 * httpsql statements: parameter markers of SQL sent over HTTP ('?', '$1',
 * '$name') rewritten to MariaDB's '?', and the payloads of the commands the
 * HTTP protocols send (COM_QUERY, COM_STMT_PREPARE, COM_STMT_EXECUTE with
 * JSON parameter values, COM_STMT_CLOSE).
 *
 * Threads: none (pure functions / owned by one session).
 */
#pragma once

#include <jansson.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sqlgate::httpsql
{

/// What one '?' of the rewritten SQL refers to: a 0-based position or a name.
struct ParamRef
{
    int index = -1;    ///< positional '?' (k-th bare '?') or $N (N-1); -1 for a name
    std::string name;  ///< $name
};

/**
 * Copy @c sql to @c out with each parameter marker replaced by '?', and
 * append to @c refs what each one refers to, in order of appearance: a bare
 * '?' is positional (the k-th bare '?' has index k), "$N" (N >= 1) has index
 * N-1, "$name" (a letter or '_', then letters, digits, '_') has that name.
 * Markers count only outside '...' and "..." strings, `...` identifiers and
 * comments (--, # and C-style; the body of MariaDB's executable comments,
 * those opening with "!" or "M!", is SQL and is scanned). '$' counts only where
 * no identifier character ([A-Za-z0-9_$] or a non-ASCII byte) precedes it.
 * False with @c error set for a bare '$', "$0" or a malformed "$N".
 */
bool rewrite_parameters(std::string_view sql, std::string& out, std::vector<ParamRef>& refs,
                        std::string& error);

/**
 * COM_STMT_EXECUTE payload binding @c values (nullptr = JSON null): null ->
 * NULL, true/false -> TINY 1/0, integer -> LONGLONG, real -> DOUBLE, string
 * -> VAR_STRING, array/object -> VAR_STRING with its compact JSON text.
 */
std::string build_execute(uint32_t stmt_id, const std::vector<const json_t*>& values);

/// COM_STMT_CLOSE payload (the server does not answer it).
std::string build_stmt_close(uint32_t stmt_id);
/// COM_QUERY payload.
std::string build_query(std::string_view sql);
/// COM_STMT_PREPARE payload.
std::string build_prepare(std::string_view sql);

/**
 * Turn @c statement with AsterixDB-style parameters into a prepared
 * statement: markers become `?` (see rewrite_parameters) and @c values gets,
 * in marker order, new references to the values: `?` and `$N` from @c args (a
 * JSON array or nullptr), `$name` from @c named ("$name" → value). Every
 * positional value must be used and every marker must have a value; else
 * false with @c error saying which. A trailing ';' is dropped.
 */
bool bind_parameters(const std::string& statement, const json_t* args,
                     const std::vector<std::pair<std::string, json_t*>>& named, std::string& sql,
                     std::vector<json_t*>& values, std::string& error);

/// A request parameter's text: a JSON string's bytes as they are, any other value as
/// compact JSON.
std::string json_text(const json_t* v);

}  // namespace sqlgate::httpsql
