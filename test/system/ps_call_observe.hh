// Everything libmariadb lets a client see of a text query or a prepared statement and all
// its results, written out as text, so that the same calls made directly and through
// sqlgate can be compared with one EXPECT_EQ (and a failure shows the difference).
//
// Per result: the field count, every MYSQL_FIELD attribute (name, org_name, table,
// org_table, db, catalog, length, max_length, flags, decimals, charsetnr, type), every
// value (its bytes and length, SQL NULL told apart), affected rows, insert id, warning
// count, the server status flags of the connection after the result (with
// SERVER_PS_OUT_PARAMS and MORE_RESULTS_EXIST), mysql_more_results()/next_result()'s
// answer, and any error as code + SQLSTATE + message.
#pragma once

#include <mysql.h>

#include <optional>
#include <string>
#include <vector>

namespace sqlgate::test
{

/// A parameter bound with mysql_stmt_bind_param(): an INT or a string; nullopt is NULL.
struct StmtParam
{
    enum_field_types type = MYSQL_TYPE_LONG;
    std::optional<std::string> value;  ///< decimal text for MYSQL_TYPE_LONG
};

/// mysql_real_query(sql) and every result (mysql_store_result / mysql_next_result).
std::string text_transcript(MYSQL* m, const std::string& sql);

/// mysql_stmt_prepare(sql), bind, mysql_stmt_execute, every result (fetched row by row
/// with every column bound as MYSQL_TYPE_STRING) with mysql_stmt_next_result, close.
/// With @c cursor_type != CURSOR_TYPE_NO_CURSOR it is set as STMT_ATTR_CURSOR_TYPE.
std::string stmt_transcript(MYSQL* m, const std::string& sql,
                            const std::vector<StmtParam>& params = {},
                            unsigned long cursor_type = CURSOR_TYPE_NO_CURSOR);

}  // namespace sqlgate::test
