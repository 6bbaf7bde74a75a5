/**
 * httpsql value mapping: JSON text writers for the values of decoded rows,
 * shared by the SQL-over-HTTP dialects (queryservice, sqlgateway), Flink
 * logicalType objects and MariaDB type names for column metadata. Appends to
 * a std::string; no Jansson in the hot path. Column metadata used here
 * (is_binary(), type_name(), charset_max_bytes()) is in resultset.hh.
 *
 * Threads: none (pure functions / owned by one session).
 */
#pragma once

#include <string>
#include <string_view>

#include "sqlgate/httpsql/resultset.hh"

namespace sqlgate::httpsql
{

/// A quoted JSON string, escaped as Jansson does (\" \\ \b \f \n \r \t, other
/// control characters as \u00XX); invalid UTF-8 is replaced by U+FFFD (one
/// per maximal invalid subsequence).
void append_json_string(std::string& out, std::string_view s);

/// Base64 (RFC 4648 standard alphabet, with padding), unquoted.
void append_base64(std::string& out, std::string_view bytes);

/**
 * Append @c text as a JSON number if it is one after dropping leading zeros
 * of the integer part (ZEROFILL columns send "00042"); false (nothing
 * appended) if it is not JSON number syntax ("inf", "nan", "", "1.").
 */
bool append_json_number(std::string& out, std::string_view text);

/**
 * THE value mapping of both APIs: NULL -> null; integers, YEAR, DECIMAL,
 * FLOAT, DOUBLE -> JSON numbers with the digits as sent (a string if not
 * number syntax); BIT(1) -> true/false, other BIT -> number; DATE as sent;
 * DATETIME/TIMESTAMP with 'T' between date and time; TIME as sent; binary
 * strings base64; everything else a JSON string.
 */
void append_value(std::string& out, const Column& col, const Field& field);

/// Flink PLAIN_TEXT row format: null, or a JSON string of the text
/// append_value() would write.
void append_plain_text(std::string& out, const Column& col, const Field& field);

/// Flink logicalType JSON object ("type", "nullable", then type-specific keys).
void append_logical_type(std::string& out, const Column& col);

}  // namespace sqlgate::httpsql
