// libmariadb transcripts of the prepared-CALL tests (see ps_call_observe.hh).
#include "ps_call_observe.hh"

#include <cstdio>
#include <memory>

namespace sqlgate::test
{
namespace
{
std::string str(const char* s)
{
    return s ? std::string("'") + s + "'" : "(null)";
}

std::string fields_text(const MYSQL_FIELD* f, unsigned n)
{
    std::string out;
    for (unsigned i = 0; i < n; ++i)
    {
        char nums[200];
        snprintf(nums, sizeof nums,
                 " length=%lu max_length=%lu flags=0x%x decimals=%u charsetnr=%u type=%d\n",
                 f[i].length, f[i].max_length, f[i].flags, f[i].decimals, f[i].charsetnr,
                 static_cast<int>(f[i].type));
        out += "  field " + std::to_string(i) + ": name=" + str(f[i].name) +
               " org_name=" + str(f[i].org_name) + " table=" + str(f[i].table) +
               " org_table=" + str(f[i].org_table) + " db=" + str(f[i].db) +
               " catalog=" + str(f[i].catalog) + nums;
    }
    return out;
}

std::string value_text(const char* v, unsigned long len, bool null)
{
    return null ? " NULL" : " [" + std::string(v, len) + "](" + std::to_string(len) + ")";
}

std::string status_text(MYSQL* m)
{
    unsigned int status = 0;
    mariadb_get_infov(m, MARIADB_CONNECTION_SERVER_STATUS, &status);
    char buf[80];
    snprintf(buf, sizeof buf, " warnings=%u status=0x%04x more_results=%d", mysql_warning_count(m),
             status, mysql_more_results(m) ? 1 : 0);
    return buf;
}

std::string error_text(unsigned code, const char* sqlstate, const char* message)
{
    return "  error " + std::to_string(code) + " " + sqlstate + " " + message + "\n";
}

std::string rows_text(MYSQL_RES* res)
{
    std::string out;
    unsigned n = mysql_num_fields(res);
    while (MYSQL_ROW row = mysql_fetch_row(res))
    {
        unsigned long* len = mysql_fetch_lengths(res);
        out += "  row:";
        for (unsigned i = 0; i < n; ++i)
        {
            out += value_text(row[i], len[i], row[i] == nullptr);
        }
        out += "\n";
    }
    return out;
}

/// Fetches the current result of @c st row by row, every column as a string.
std::string stmt_rows_text(MYSQL_STMT* st, unsigned n)
{
    std::vector<std::string> buf(n, std::string(4096, '\0'));
    std::vector<unsigned long> len(n);
    std::unique_ptr<my_bool[]> null(new my_bool[n]()), error(new my_bool[n]());
    std::vector<MYSQL_BIND> b(n);
    for (unsigned i = 0; i < n; ++i)
    {
        b[i] = MYSQL_BIND{};
        b[i].buffer_type = MYSQL_TYPE_STRING;
        b[i].buffer = buf[i].data();
        b[i].buffer_length = buf[i].size();
        b[i].length = &len[i];
        b[i].is_null = &null[i];
        b[i].error = &error[i];
    }
    if (mysql_stmt_bind_result(st, b.data()))
    {
        return "  bind_result failed" +
               error_text(mysql_stmt_errno(st), mysql_stmt_sqlstate(st), mysql_stmt_error(st));
    }
    std::string out;
    int rc;
    while ((rc = mysql_stmt_fetch(st)) == 0 || rc == MYSQL_DATA_TRUNCATED)
    {
        out += rc ? "  row (truncated):" : "  row:";
        for (unsigned i = 0; i < n; ++i)
        {
            out += value_text(buf[i].data(), len[i], null[i]);
        }
        out += "\n";
    }
    out += "  fetch end " + std::to_string(rc) + "\n";
    if (rc == 1)
    {
        out += error_text(mysql_stmt_errno(st), mysql_stmt_sqlstate(st), mysql_stmt_error(st));
    }
    return out;
}

/// The current result of @c st: metadata, rows, counts and status.
std::string stmt_result_text(MYSQL* m, MYSQL_STMT* st, int index)
{
    unsigned n = mysql_stmt_field_count(st);
    std::string out =
        "result " + std::to_string(index) + ": field_count=" + std::to_string(n) + "\n";
    if (n)
    {
        MYSQL_RES* meta = mysql_stmt_result_metadata(st);
        if (meta)
        {
            out += fields_text(mysql_fetch_fields(meta), mysql_num_fields(meta));
            mysql_free_result(meta);
        }
        out += stmt_rows_text(st, n);
    }
    out += "  affected_rows=" + std::to_string(mysql_stmt_affected_rows(st)) +
           " insert_id=" + std::to_string(mysql_stmt_insert_id(st)) + status_text(m) + "\n";
    return out;
}

/// Binds @c params (the storage lives in @c ints / @c lens, sized by the caller).
bool bind_params(MYSQL_STMT* st, const std::vector<StmtParam>& params, std::vector<int>& ints,
                 std::vector<unsigned long>& lens, std::vector<my_bool>& nulls)
{
    std::vector<MYSQL_BIND> b(params.size());
    for (size_t i = 0; i < params.size(); ++i)
    {
        const StmtParam& p = params[i];
        b[i] = MYSQL_BIND{};
        b[i].buffer_type = p.type;
        nulls[i] = !p.value;
        b[i].is_null = &nulls[i];
        if (p.type == MYSQL_TYPE_LONG)
        {
            ints[i] = p.value ? std::stoi(*p.value) : 0;
            b[i].buffer = &ints[i];
        }
        else
        {
            lens[i] = p.value ? p.value->size() : 0;
            b[i].buffer = p.value ? const_cast<char*>(p.value->data()) : nullptr;
            b[i].buffer_length = lens[i];
            b[i].length = &lens[i];
        }
    }
    return params.empty() || mysql_stmt_bind_param(st, b.data()) == 0;
}
}  // namespace

std::string text_transcript(MYSQL* m, const std::string& sql)
{
    std::string out = "query: " + sql + "\n";
    if (mysql_real_query(m, sql.data(), sql.size()))
    {
        return out + error_text(mysql_errno(m), mysql_sqlstate(m), mysql_error(m));
    }
    for (int index = 0;; ++index)
    {
        MYSQL_RES* res = mysql_store_result(m);
        out += "result " + std::to_string(index) +
               ": field_count=" + std::to_string(mysql_field_count(m)) + "\n";
        if (res)
        {
            out += fields_text(mysql_fetch_fields(res), mysql_num_fields(res));
            out += rows_text(res);
            mysql_free_result(res);
        }
        else if (mysql_field_count(m))
        {
            out += error_text(mysql_errno(m), mysql_sqlstate(m), mysql_error(m));
        }
        out += "  affected_rows=" + std::to_string(mysql_affected_rows(m)) +
               " insert_id=" + std::to_string(mysql_insert_id(m)) + status_text(m) +
               " info=" + str(mysql_info(m)) + "\n";
        int rc = mysql_next_result(m);
        out += "  next_result " + std::to_string(rc) + "\n";
        if (rc > 0)
        {
            out += error_text(mysql_errno(m), mysql_sqlstate(m), mysql_error(m));
        }
        if (rc != 0)
        {
            return out;
        }
    }
}

std::string stmt_transcript(MYSQL* m, const std::string& sql, const std::vector<StmtParam>& params,
                            unsigned long cursor_type)
{
    std::string out = "prepare: " + sql + "\n";
    MYSQL_STMT* st = mysql_stmt_init(m);
    if (cursor_type != CURSOR_TYPE_NO_CURSOR)
    {
        mysql_stmt_attr_set(st, STMT_ATTR_CURSOR_TYPE, &cursor_type);
    }
    std::vector<int> ints(params.size());
    std::vector<unsigned long> lens(params.size());
    std::vector<my_bool> nulls(params.size());
    if (mysql_stmt_prepare(st, sql.data(), sql.size()) ||
        !bind_params(st, params, ints, lens, nulls))
    {
        out += error_text(mysql_stmt_errno(st), mysql_stmt_sqlstate(st), mysql_stmt_error(st));
        mysql_stmt_close(st);
        return out;
    }
    out += "  param_count=" + std::to_string(mysql_stmt_param_count(st)) +
           " field_count=" + std::to_string(mysql_stmt_field_count(st)) + status_text(m) + "\n";
    if (mysql_stmt_execute(st))
    {
        out += "execute failed\n" +
               error_text(mysql_stmt_errno(st), mysql_stmt_sqlstate(st), mysql_stmt_error(st));
        mysql_stmt_close(st);
        return out;
    }
    for (int index = 0;; ++index)
    {
        out += stmt_result_text(m, st, index);
        int rc = mysql_stmt_next_result(st);
        out += "  next_result " + std::to_string(rc) + "\n";
        if (rc > 0)
        {
            out += error_text(mysql_stmt_errno(st), mysql_stmt_sqlstate(st), mysql_stmt_error(st));
        }
        if (rc != 0)
        {
            break;
        }
    }
    mysql_stmt_close(st);
    return out;
}

}  // namespace sqlgate::test
