#include "sqlgate/httpsql/values.hh"

#include <algorithm>
#include <charconv>
#include <cstring>

namespace sqlgate::httpsql
{

namespace
{
constexpr uint32_t MAX_LENGTH = 2147483647;  // Flink STRING / BYTES length

/// How append_value() writes a non-null field of a column.
enum class Shape
{
    NUMBER,    ///< JSON number if the text is one, else a string
    BIT,       ///< BIT(1) true/false, wider BIT a number
    DATETIME,  ///< string with 'T' between date and time
    BINARY,    ///< base64 string
    STRING,
};

Shape shape_of(const Column& col)
{
    switch (col.type)
    {
        case type::TINY:
        case type::SHORT:
        case type::LONG:
        case type::INT24:
        case type::LONGLONG:
        case type::YEAR:
        case type::DECIMAL:
        case type::NEWDECIMAL:
        case type::FLOAT:
        case type::DOUBLE:
            return Shape::NUMBER;
        case type::BIT:
            return Shape::BIT;
        case type::DATETIME:
        case type::TIMESTAMP:
            return Shape::DATETIME;
        default:
            return is_binary(col) ? Shape::BINARY : Shape::STRING;
    }
}

bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/// Length of the valid UTF-8 sequence at @c p, or minus the length of its
/// maximal invalid subpart (Unicode 15, table 3-7).
int utf8_sequence(const unsigned char* p, const unsigned char* end)
{
    unsigned char c = p[0];
    unsigned char lo = 0x80, hi = 0xbf;
    int n = 0;
    if (c >= 0xc2 && c <= 0xdf)
    {
        n = 2;
    }
    else if (c >= 0xe0 && c <= 0xef)
    {
        n = 3;
        lo = c == 0xe0 ? 0xa0 : 0x80;
        hi = c == 0xed ? 0x9f : 0xbf;
    }
    else if (c >= 0xf0 && c <= 0xf4)
    {
        n = 4;
        lo = c == 0xf0 ? 0x90 : 0x80;
        hi = c == 0xf4 ? 0x8f : 0xbf;
    }
    else
    {
        return -1;
    }
    for (int i = 1; i < n; ++i)
    {
        if (p + i >= end || p[i] < lo || p[i] > hi)
        {
            return -i;
        }
        lo = 0x80;
        hi = 0xbf;
    }
    return n;
}

void append_uint(std::string& out, uint64_t v)
{
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof(buf), v);
    out.append(buf, r.ptr);
}

/// Big-endian unsigned value of a BIT field's bytes; false above 64 bits.
bool bit_value(std::string_view bytes, uint64_t& out)
{
    while (!bytes.empty() && bytes[0] == '\0')
    {
        bytes.remove_prefix(1);
    }
    if (bytes.size() > 8)
    {
        return false;
    }
    out = 0;
    for (unsigned char c : bytes)
    {
        out = (out << 8) | c;
    }
    return true;
}

/// Writes a BIT field as JSON (quoted: as a JSON string of the same text).
void append_bit(std::string& out, const Column& col, std::string_view bytes, bool quoted)
{
    const char* q = quoted ? "\"" : "";
    uint64_t v = 0;
    if (col.length == 1)
    {
        bool set = bytes.find_first_not_of('\0') != std::string_view::npos;
        out += q;
        out += set ? "true" : "false";
        out += q;
    }
    else if (bit_value(bytes, v))
    {
        out += q;
        append_uint(out, v);
        out += q;
    }
    else
    {
        out.push_back('"');
        append_base64(out, bytes);
        out.push_back('"');
    }
}

void append_datetime(std::string& out, std::string_view text)
{
    size_t start = out.size();
    append_json_string(out, text);
    size_t space = text.find(' ');
    // The date part is plain ASCII, so the space keeps its offset (+1 for the quote).
    if (space != std::string_view::npos && out[start + 1 + space] == ' ')
    {
        out[start + 1 + space] = 'T';
    }
}

/// Flink's precision of TIME/TIMESTAMP: the fractional digits, 0 when not fixed.
unsigned time_precision(const Column& col)
{
    return col.decimals <= 6 ? col.decimals : 0;
}

/// Column length in characters of the column's character set.
uint32_t char_length(const Column& col)
{
    return std::min(col.length / charset_max_bytes(col.charset), MAX_LENGTH);
}
}  // namespace

void append_json_string(std::string& out, std::string_view s)
{
    static const char hex[] = "0123456789ABCDEF";
    static constexpr std::string_view short_from("\"\\\b\f\n\r\t", 7), short_to = "\"\\bfnrt";
    auto p = reinterpret_cast<const unsigned char*>(s.data());
    auto end = p + s.size();
    auto run = p;  // bytes copied as they are
    out.reserve(out.size() + s.size() + 2);
    out.push_back('"');
    while (p < end)
    {
        unsigned char c = *p;
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80)
        {
            ++p;
            continue;
        }
        if (c >= 0x80)
        {
            int n = utf8_sequence(p, end);
            if (n > 0)
            {
                p += n;
                continue;
            }
            out.append(reinterpret_cast<const char*>(run), p - run);
            out += "\xef\xbf\xbd";
            p += -n;
            run = p;
            continue;
        }
        out.append(reinterpret_cast<const char*>(run), p - run);
        size_t k = short_from.find(static_cast<char>(c));
        if (k != std::string_view::npos)
        {
            out.push_back('\\');
            out.push_back(short_to[k]);
        }
        else
        {
            out += "\\u00";
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 0xf]);
        }
        run = ++p;
    }
    out.append(reinterpret_cast<const char*>(run), p - run);
    out.push_back('"');
}

void append_base64(std::string& out, std::string_view bytes)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    auto p = reinterpret_cast<const unsigned char*>(bytes.data());
    size_t n = bytes.size();
    out.reserve(out.size() + (n + 2) / 3 * 4);
    size_t i = 0;
    for (; i + 3 <= n; i += 3)
    {
        uint32_t v = (p[i] << 16) | (p[i + 1] << 8) | p[i + 2];
        out.push_back(alphabet[v >> 18]);
        out.push_back(alphabet[(v >> 12) & 63]);
        out.push_back(alphabet[(v >> 6) & 63]);
        out.push_back(alphabet[v & 63]);
    }
    if (i < n)
    {
        uint32_t v = p[i] << 16;
        if (i + 1 < n)
        {
            v |= p[i + 1] << 8;
        }
        out.push_back(alphabet[v >> 18]);
        out.push_back(alphabet[(v >> 12) & 63]);
        out.push_back(i + 1 < n ? alphabet[(v >> 6) & 63] : '=');
        out.push_back('=');
    }
}

bool append_json_number(std::string& out, std::string_view t)
{
    size_t i = 0, n = t.size();
    bool neg = i < n && t[i] == '-';
    i += neg;
    size_t int_start = i;
    while (i < n && is_digit(t[i]))
    {
        ++i;
    }
    size_t int_end = i;
    if (int_end == int_start)
    {
        return false;
    }
    if (i < n && t[i] == '.')
    {
        size_t frac = ++i;
        while (i < n && is_digit(t[i]))
        {
            ++i;
        }
        if (i == frac)
        {
            return false;
        }
    }
    if (i < n && (t[i] == 'e' || t[i] == 'E'))
    {
        ++i;
        if (i < n && (t[i] == '+' || t[i] == '-'))
        {
            ++i;
        }
        size_t exp = i;
        while (i < n && is_digit(t[i]))
        {
            ++i;
        }
        if (i == exp)
        {
            return false;
        }
    }
    if (i != n)
    {
        return false;
    }
    size_t z = int_start;
    while (z + 1 < int_end && t[z] == '0')
    {
        ++z;
    }
    if (neg)
    {
        out.push_back('-');
    }
    out.append(t.substr(z));
    return true;
}

void append_value(std::string& out, const Column& col, const Field& field)
{
    if (field.null)
    {
        out += "null";
        return;
    }
    switch (shape_of(col))
    {
        case Shape::NUMBER:
            if (!append_json_number(out, field.value))
            {
                append_json_string(out, field.value);
            }
            break;
        case Shape::BIT:
            append_bit(out, col, field.value, false);
            break;
        case Shape::DATETIME:
            append_datetime(out, field.value);
            break;
        case Shape::BINARY:
            out.push_back('"');
            append_base64(out, field.value);
            out.push_back('"');
            break;
        case Shape::STRING:
            append_json_string(out, field.value);
            break;
    }
}

void append_plain_text(std::string& out, const Column& col, const Field& field)
{
    switch (field.null ? Shape::STRING : shape_of(col))
    {
        case Shape::NUMBER:
            // Number text is plain ASCII: quote it as it is.
            out.push_back('"');
            if (append_json_number(out, field.value))
            {
                out.push_back('"');
            }
            else
            {
                out.pop_back();
                append_json_string(out, field.value);
            }
            break;
        case Shape::BIT:
            append_bit(out, col, field.value, true);
            break;
        default:
            append_value(out, col, field);  // already a string (or null)
            break;
    }
}

void append_logical_type(std::string& out, const Column& col)
{
    if (col.type == type::NULL_TYPE)
    {
        out += "{\"type\":\"NULL\"}";
        return;
    }
    bool is_unsigned = col.flags & flag::UNSIGNED;
    bool binary = is_binary(col);
    auto begin = [&](const char* name)
    {
        out += "{\"type\":\"";
        out += name;
        out += (col.flags & flag::NOT_NULL) ? "\",\"nullable\":false" : "\",\"nullable\":true";
    };
    auto key = [&](const char* name, uint64_t v)
    {
        out += ",\"";
        out += name;
        out += "\":";
        append_uint(out, v);
    };
    auto decimal = [&](uint32_t precision, uint32_t scale)
    {
        begin("DECIMAL");
        key("precision", std::max({precision, scale, 1u}));
        key("scale", scale);
    };
    switch (col.type)
    {
        case type::TINY:
            begin(is_unsigned ? "SMALLINT" : "TINYINT");
            break;
        case type::SHORT:
            begin(is_unsigned ? "INTEGER" : "SMALLINT");
            break;
        case type::INT24:
            begin("INTEGER");
            break;
        case type::LONG:
            begin(is_unsigned ? "BIGINT" : "INTEGER");
            break;
        case type::LONGLONG:
            is_unsigned ? decimal(20, 0) : begin("BIGINT");
            break;
        case type::YEAR:
            begin("SMALLINT");
            break;
        case type::FLOAT:
            begin("FLOAT");
            break;
        case type::DOUBLE:
            begin("DOUBLE");
            break;
        case type::DECIMAL:
        case type::NEWDECIMAL:
        {
            uint32_t overhead = (is_unsigned ? 0 : 1) + (col.decimals > 0 ? 1 : 0);
            decimal(col.length > overhead ? col.length - overhead : 0, col.decimals);
        }
        break;
        case type::BIT:
            // BIT(64) holds values above BIGINT's range.
            col.length == 1 ? begin("BOOLEAN") : col.length > 63 ? decimal(20, 0) : begin("BIGINT");
            break;
        case type::DATE:
        case type::NEWDATE:
            begin("DATE");
            break;
        case type::TIME:
            begin("TIME_WITHOUT_TIME_ZONE");
            key("precision", time_precision(col));
            break;
        case type::DATETIME:
        case type::TIMESTAMP:
            begin("TIMESTAMP_WITHOUT_TIME_ZONE");
            key("precision", time_precision(col));
            break;
        case type::STRING:
            if (col.flags & (flag::ENUM | flag::SET))
            {
                begin("VARCHAR");
                key("length", MAX_LENGTH);
            }
            else
            {
                begin(binary ? "BINARY" : "CHAR");
                key("length", binary ? std::min(col.length, MAX_LENGTH) : char_length(col));
            }
            break;
        case type::VARCHAR:
        case type::VAR_STRING:
            begin(binary ? "VARBINARY" : "VARCHAR");
            key("length", binary ? std::min(col.length, MAX_LENGTH) : char_length(col));
            break;
        default:  // blobs, TEXT, GEOMETRY, JSON, ENUM, SET
            begin(binary ? "VARBINARY" : "VARCHAR");
            key("length", MAX_LENGTH);
            break;
    }
    out.push_back('}');
}

}  // namespace sqlgate::httpsql
