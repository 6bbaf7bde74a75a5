#include "sqlgate/httpsql/statements.hh"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "sqlgate/mariadb.hh"

namespace sqlgate::httpsql
{

namespace
{
constexpr size_t MAX_PARAMS = 65535;  // the protocol's limit

bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

bool is_name_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

bool is_name_char(char c)
{
    return is_name_start(c) || is_digit(c);
}

/// Characters that continue an unquoted identifier (non-ASCII ones included).
bool is_ident_char(char c)
{
    return is_name_char(c) || c == '$' || static_cast<unsigned char>(c) >= 0x80;
}

/// Offset just past the quoted string or identifier starting at @c i (its
/// opening quote); the end of @c sql if it is not closed.
size_t skip_quoted(std::string_view sql, size_t i)
{
    char q = sql[i];
    for (size_t j = i + 1; j < sql.size(); ++j)
    {
        if (sql[j] == '\\' && q != '`')
        {
            ++j;  // escaped character
        }
        else if (sql[j] == q)
        {
            if (j + 1 < sql.size() && sql[j + 1] == q)
            {
                ++j;  // doubled quote
            }
            else
            {
                return j + 1;
            }
        }
    }
    return sql.size();
}

/// Offset just past the comment starting at @c i, or @c i if none starts there.
/// Executable comments ("/*!", "/*M!") are not comments here.
size_t skip_comment(std::string_view sql, size_t i)
{
    size_t n = sql.size();
    bool dash = sql[i] == '-' && i + 1 < n && sql[i + 1] == '-' &&
                (i + 2 == n || static_cast<unsigned char>(sql[i + 2]) <= 0x20);
    if (sql[i] == '#' || dash)
    {
        size_t nl = sql.find('\n', i);
        return nl == std::string_view::npos ? n : nl;
    }
    if (sql.substr(i, 2) == "/*" && sql.substr(i + 2, 1) != "!" && sql.substr(i + 2, 2) != "M!")
    {
        size_t close = sql.find("*/", i + 2);
        return close == std::string_view::npos ? n : close + 2;
    }
    return i;
}

void put_int(std::string& out, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; ++i)
    {
        out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    }
}
}  // namespace

bool rewrite_parameters(std::string_view sql, std::string& out, std::vector<ParamRef>& refs,
                        std::string& error)
{
    out.clear();
    out.reserve(sql.size());
    int positional = 0;
    size_t i = 0, n = sql.size();
    while (i < n)
    {
        char c = sql[i];
        size_t skip =
            c == '\'' || c == '"' || c == '`' ? skip_quoted(sql, i) : skip_comment(sql, i);
        if (skip > i)
        {
            out.append(sql.substr(i, skip - i));
            i = skip;
            continue;
        }
        if (c == '?')
        {
            refs.push_back({positional++, {}});
            out.push_back('?');
            ++i;
            continue;
        }
        if (c != '$' || (i > 0 && is_ident_char(sql[i - 1])))
        {
            out.push_back(c);
            ++i;
            continue;
        }
        size_t j = i + 1;
        ParamRef ref;
        if (j < n && is_digit(sql[j]))
        {
            uint64_t v = 0;
            for (; j < n && is_digit(sql[j]); ++j)
            {
                v = std::min<uint64_t>(v * 10 + (sql[j] - '0'), MAX_PARAMS + 1);
            }
            if (v == 0 || v > MAX_PARAMS)
            {
                error = "parameter $" + std::string(sql.substr(i + 1, j - i - 1)) + " at offset " +
                        std::to_string(i) + ": numbers go from 1 to " + std::to_string(MAX_PARAMS);
                return false;
            }
            ref.index = static_cast<int>(v - 1);
        }
        else if (j < n && is_name_start(sql[j]))
        {
            for (; j < n && is_name_char(sql[j]); ++j)
            {
            }
            ref.name = sql.substr(i + 1, j - i - 1);
        }
        else
        {
            error = "bare '$' at offset " + std::to_string(i) +
                    " (parameter markers are ?, $1, $2... or $name)";
            return false;
        }
        if (j < n && is_ident_char(sql[j]))
        {
            error = "malformed parameter marker '" + std::string(sql.substr(i, j - i + 1)) +
                    "' at offset " + std::to_string(i);
            return false;
        }
        refs.push_back(std::move(ref));
        out.push_back('?');
        i = j;
    }
    return true;
}

std::string build_execute(uint32_t stmt_id, const std::vector<const json_t*>& values)
{
    std::string p;
    p.push_back(static_cast<char>(mariadb::COM_STMT_EXECUTE));
    put_int(p, stmt_id, 4);
    p.push_back(0);    // flags: no cursor
    put_int(p, 1, 4);  // iteration count
    size_t n = values.size();
    if (n == 0)
    {
        return p;
    }
    size_t bitmap = p.size();
    p.append((n + 7) / 8, '\0');
    p.push_back(1);  // new parameters bound: types follow
    std::string data;
    for (size_t i = 0; i < n; ++i)
    {
        const json_t* v = values[i];
        uint8_t type = 6;  // MYSQL_TYPE_NULL
        switch (v ? json_typeof(v) : JSON_NULL)
        {
            case JSON_TRUE:
            case JSON_FALSE:
                type = 1;  // TINY
                data.push_back(json_is_true(v) ? 1 : 0);
                break;
            case JSON_INTEGER:
                type = 8;  // LONGLONG
                put_int(data, static_cast<uint64_t>(json_integer_value(v)), 8);
                break;
            case JSON_REAL:
            {
                type = 5;  // DOUBLE
                double d = json_real_value(v);
                uint64_t bits;
                memcpy(&bits, &d, sizeof(bits));
                put_int(data, bits, 8);
            }
            break;
            case JSON_STRING:
                type = 253;  // VAR_STRING
                mariadb::write_lenenc_str(data, {json_string_value(v), json_string_length(v)});
                break;
            case JSON_ARRAY:
            case JSON_OBJECT:
                if (char* text = json_dumps(v, JSON_COMPACT))
                {
                    type = 253;
                    mariadb::write_lenenc_str(data, text);
                    free(text);
                }
                break;
            default:
                break;
        }
        if (type == 6)
        {
            p[bitmap + i / 8] |= static_cast<char>(1 << (i % 8));
        }
        p.push_back(static_cast<char>(type));
        p.push_back(0);  // signed
    }
    return p + data;
}

std::string build_stmt_close(uint32_t stmt_id)
{
    std::string p(1, static_cast<char>(mariadb::COM_STMT_CLOSE));
    put_int(p, stmt_id, 4);
    return p;
}

std::string build_query(std::string_view sql)
{
    std::string p(1, static_cast<char>(mariadb::COM_QUERY));
    return p.append(sql);
}

std::string build_prepare(std::string_view sql)
{
    std::string p(1, static_cast<char>(mariadb::COM_STMT_PREPARE));
    return p.append(sql);
}

bool bind_parameters(const std::string& statement, const json_t* args,
                     const std::vector<std::pair<std::string, json_t*>>& named, std::string& sql,
                     std::vector<json_t*>& values, std::string& error)
{
    std::vector<ParamRef> refs;
    if (!rewrite_parameters(statement, sql, refs, error))
    {
        return false;
    }
    // A prepared statement is one statement: drop the customary trailing ';'.
    while (!sql.empty() && (isspace(static_cast<unsigned char>(sql.back())) || sql.back() == ';'))
    {
        sql.pop_back();
    }
    size_t nargs = args ? json_array_size(args) : 0;
    for (const ParamRef& r : refs)
    {
        json_t* v = nullptr;
        if (r.name.empty())
        {
            if (r.index < 0 || static_cast<size_t>(r.index) >= nargs)
            {
                error = "the statement uses positional parameter " + std::to_string(r.index + 1) +
                        " but 'args' has " + std::to_string(nargs) + " value" +
                        (nargs == 1 ? "" : "s");
                break;
            }
            v = json_array_get(const_cast<json_t*>(args), static_cast<size_t>(r.index));
        }
        else
        {
            for (const auto& [k, val] : named)
            {
                v = k.substr(1) == r.name ? val : v;
            }
            if (!v)
            {
                error = "the statement uses $" + r.name + " but no parameter '$" + r.name +
                        "' was given";
                break;
            }
        }
        values.push_back(json_incref(v));
    }
    size_t positional = 0;
    for (const ParamRef& r : refs)
    {
        positional =
            r.name.empty() ? std::max(positional, static_cast<size_t>(r.index) + 1) : positional;
    }
    if (error.empty() && positional != nargs)
    {
        error = "'args' has " + std::to_string(nargs) + " value" + (nargs == 1 ? "" : "s") +
                " but the statement uses " + std::to_string(positional) + " positional parameter" +
                (positional == 1 ? "" : "s");
    }
    if (!error.empty())
    {
        for (json_t* v : values)
        {
            json_decref(v);
        }
        values.clear();
        return false;
    }
    return true;
}

std::string json_text(const json_t* v)
{
    if (json_is_string(v))
    {
        return std::string(json_string_value(v), json_string_length(v));
    }
    char* s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    std::string out = s ? s : "";
    free(s);
    return out;
}

}  // namespace sqlgate::httpsql
