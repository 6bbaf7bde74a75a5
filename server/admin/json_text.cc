#include "json_text.hh"

#include <charconv>
#include <cstdlib>

namespace sqlgate::admin
{

namespace
{

void append_string(std::string& out, const char* s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";  // as Jansson
    out += '"';
    size_t start = 0;
    for (size_t i = 0; i < len; ++i)
    {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c != '"' && c != '\\')
        {
            continue;
        }
        out.append(s + start, i - start);
        start = i + 1;
        switch (c)
        {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                out += "\\u00";
                out += hex[c >> 4];
                out += hex[c & 15];
        }
    }
    out.append(s + start, len - start);
    out += '"';
}

// Reals are rare in the API's documents: Jansson's own text for them.
void append_real(std::string& out, const json_t* v)
{
    char* text = json_dumps(v, JSON_ENCODE_ANY);
    out += text ? text : "null";
    free(text);
}

void newline(std::string& out, bool pretty, int depth)
{
    if (pretty)
    {
        out += '\n';
        out.append(static_cast<size_t>(depth) * 4, ' ');
    }
}

void write(std::string& out, const json_t* v, bool pretty, int depth)
{
    switch (json_typeof(v))
    {
        case JSON_OBJECT:
        {
            if (json_object_size(v) == 0)
            {
                out += "{}";
                return;
            }
            out += '{';
            bool first = true;
            const char* key;
            size_t key_len;
            json_t* item;
            json_object_keylen_foreach(const_cast<json_t*>(v), key, key_len, item)
            {
                if (!first)
                {
                    out += ',';
                }
                first = false;
                newline(out, pretty, depth + 1);
                append_string(out, key, key_len);
                out += pretty ? ": " : ":";
                write(out, item, pretty, depth + 1);
            }
            newline(out, pretty, depth);
            out += '}';
            return;
        }
        case JSON_ARRAY:
        {
            size_t n = json_array_size(v);
            if (n == 0)
            {
                out += "[]";
                return;
            }
            out += '[';
            for (size_t i = 0; i < n; ++i)
            {
                if (i > 0)
                {
                    out += ',';
                }
                newline(out, pretty, depth + 1);
                write(out, json_array_get(v, i), pretty, depth + 1);
            }
            newline(out, pretty, depth);
            out += ']';
            return;
        }
        case JSON_STRING:
            append_string(out, json_string_value(v), json_string_length(v));
            return;
        case JSON_INTEGER:
        {
            char buf[24];
            auto res = std::to_chars(buf, buf + sizeof(buf), json_integer_value(v));
            out.append(buf, res.ptr);
            return;
        }
        case JSON_REAL:
            append_real(out, v);
            return;
        case JSON_TRUE:
            out += "true";
            return;
        case JSON_FALSE:
            out += "false";
            return;
        case JSON_NULL:
            out += "null";
            return;
    }
}

}  // namespace

void append_json(std::string& out, const json_t* value, bool pretty)
{
    if (value)
    {
        write(out, value, pretty, 0);
    }
}

}  // namespace sqlgate::admin
