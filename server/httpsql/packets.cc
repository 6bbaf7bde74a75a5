#include "sqlgate/httpsql/packets.hh"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "sqlgate/mariadb.hh"
#include "wire.hh"

namespace sqlgate::httpsql
{

namespace
{
using mariadb::read_lenenc;
using mariadb::read_lenenc_str;

uint64_t u64(const unsigned char* p)
{
    return u32(p) | (static_cast<uint64_t>(u32(p + 4)) << 32);
}

/// Bytes of a fixed-size binary value, 0 for the length-prefixed ones.
size_t fixed_size(uint8_t t)
{
    switch (t)
    {
        case type::TINY:
            return 1;
        case type::SHORT:
        case type::YEAR:
            return 2;
        case type::LONG:
        case type::INT24:
        case type::FLOAT:
            return 4;
        case type::LONGLONG:
        case type::DOUBLE:
            return 8;
        default:
            return 0;
    }
}

bool is_temporal(uint8_t t)
{
    return t == type::DATE || t == type::NEWDATE || t == type::DATETIME || t == type::TIMESTAMP ||
           t == type::TIME;
}

/// ZEROFILL columns show numbers left-padded with zeros to the column length.
void zerofill(std::string& out, size_t start, const Column& col)
{
    size_t len = out.size() - start;
    if ((col.flags & flag::ZEROFILL) && len < col.length)
    {
        out.insert(start, col.length - len, '0');
    }
}

template <class T>
void append_int(std::string& out, T v)
{
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof(buf), v);
    out.append(buf, r.ptr);
}

/// ".ffffff" cut to the column's decimals (none for 0 and "not fixed" 31/39).
void append_fraction(std::string& out, uint32_t micro, uint8_t decimals)
{
    if (decimals >= 1 && decimals <= 6)
    {
        char buf[8];
        snprintf(buf, sizeof(buf), "%06u", micro);
        out.push_back('.');
        out.append(buf, decimals);
    }
}

bool temporal_to_text(const Column& col, const unsigned char*& p, const unsigned char* end,
                      std::string& out)
{
    if (p >= end || static_cast<size_t>(end - p) < 1u + *p)
    {
        return false;
    }
    size_t len = *p++;
    const unsigned char* v = p;
    p += len;
    char buf[48];
    if (col.type == type::TIME)
    {
        if (len != 0 && len != 8 && len != 12)
        {
            return false;
        }
        bool neg = len && v[0];
        uint64_t hours = len ? static_cast<uint64_t>(u32(v + 1)) * 24 + v[5] : 0;
        uint32_t micro = len == 12 ? u32(v + 8) : 0;
        if ((len && (v[6] > 59 || v[7] > 59)) || micro > 999999)
        {
            return false;
        }
        snprintf(buf, sizeof(buf), "%s%02llu:%02u:%02u", neg ? "-" : "",
                 static_cast<unsigned long long>(hours), len ? v[6] : 0, len ? v[7] : 0);
        out += buf;
        append_fraction(out, micro, col.decimals);
        return true;
    }
    if (len != 0 && len != 4 && len != 7 && len != 11)
    {
        return false;
    }
    unsigned year = len ? u16(v) : 0, month = len ? v[2] : 0, day = len ? v[3] : 0;
    unsigned hour = len >= 7 ? v[4] : 0, minute = len >= 7 ? v[5] : 0, sec = len >= 7 ? v[6] : 0;
    uint32_t micro = len == 11 ? u32(v + 7) : 0;
    if (year > 9999 || month > 12 || day > 31 || hour > 23 || minute > 59 || sec > 59 ||
        micro > 999999)
    {
        return false;
    }
    snprintf(buf, sizeof(buf), "%04u-%02u-%02u", year, month, day);
    out += buf;
    if (col.type != type::DATE && col.type != type::NEWDATE)
    {
        snprintf(buf, sizeof(buf), " %02u:%02u:%02u", hour, minute, sec);
        out += buf;
        append_fraction(out, micro, col.decimals);
    }
    return true;
}
}  // namespace

// ---------------------------------------------------------------- splitter

void PacketSplitter::feed(std::string_view bytes, const Callback& fn)
{
    if (m_buf.empty())
    {
        // Common case: cut straight from the caller's bytes, keep the tail.
        size_t used = split(bytes, fn);
        m_buf.assign(bytes.substr(used));
        return;
    }
    // Complete the held packet first, without copying all of @c bytes when
    // it is big: only as much as the held packet still needs.
    if (m_buf.size() < mariadb::HEADER_LEN)
    {
        size_t n = std::min(bytes.size(), mariadb::HEADER_LEN - m_buf.size());
        m_buf.append(bytes.substr(0, n));
        bytes.remove_prefix(n);
        if (m_buf.size() < mariadb::HEADER_LEN)
        {
            return;
        }
    }
    auto h = reinterpret_cast<const unsigned char*>(m_buf.data());
    size_t total = mariadb::HEADER_LEN + mariadb::payload_length(h);
    size_t n = std::min(bytes.size(), total - m_buf.size());
    m_buf.append(bytes.substr(0, n));
    bytes.remove_prefix(n);
    if (m_buf.size() < total)
    {
        return;
    }
    std::string held;
    held.swap(m_buf);
    split(held, fn);
    size_t used = split(bytes, fn);
    m_buf.assign(bytes.substr(used));
}

size_t PacketSplitter::split(std::string_view data, const Callback& fn)
{
    size_t pos = 0;
    while (data.size() - pos >= mariadb::HEADER_LEN)
    {
        auto h = reinterpret_cast<const unsigned char*>(data.data() + pos);
        uint32_t len = mariadb::payload_length(h);
        if (data.size() - pos - mariadb::HEADER_LEN < len)
        {
            break;
        }
        uint8_t seq = h[3];
        std::string_view payload = data.substr(pos + mariadb::HEADER_LEN, len);
        pos += mariadb::HEADER_LEN + len;
        if (len == mariadb::MAX_PAYLOAD)
        {
            m_train.append(payload);
            m_in_train = true;
        }
        else if (m_in_train)
        {
            m_train.append(payload);
            std::string joined;
            joined.swap(m_train);
            m_in_train = false;
            fn(joined, seq);
        }
        else
        {
            fn(payload, seq);
        }
    }
    return pos;
}

void PacketSplitter::clear()
{
    m_buf.clear();
    m_train.clear();
    m_in_train = false;
}

bool EndInfo::more_results() const
{
    return status & mariadb::srv::MORE_RESULTS_EXIST;
}

// ---------------------------------------------------------------- values

bool binary_is_lenenc(uint8_t t)
{
    return fixed_size(t) == 0 && !is_temporal(t) && t != type::NULL_TYPE;
}

void append_server_real(std::string& out, double v, uint8_t decimals, bool is_float)
{
    char buf[400];
    if (!std::isfinite(v))
    {
        // MariaDB never stores these; keep them recognisable.
        out += std::isnan(v) ? "nan" : v < 0 ? "-inf" : "inf";
        return;
    }
    if (decimals < 31)
    {
        // my_fcvt(): fixed number of decimals.
        auto r = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::fixed, decimals);
        out.append(buf, r.ptr);
        return;
    }
    // my_gcvt(): the shortest round-trip digits of a double, at most 6
    // (FLT_DIG) for a FLOAT; then 'f' or 'e' layout as MariaDB chooses it.
    auto r = is_float ? std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific, 5)
                      : std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
    std::string_view s(buf, r.ptr - buf);
    bool neg = s[0] == '-';
    if (neg)
    {
        s.remove_prefix(1);
    }
    size_t e = s.find('e');
    std::string digits;
    for (char c : s.substr(0, e))
    {
        if (c != '.')
        {
            digits.push_back(c);
        }
    }
    while (digits.size() > 1 && digits.back() == '0')
    {
        digits.pop_back();
    }
    int exp10 = 0;
    std::string_view es = s.substr(e + 1);
    if (es[0] == '+')
    {
        es.remove_prefix(1);
    }
    std::from_chars(es.data(), es.data() + es.size(), exp10);
    int decpt = digits == "0" ? 1 : exp10 + 1;
    int len = digits.size();
    if (neg)
    {
        out.push_back('-');
    }
    if (decpt >= -14 && (decpt <= 15 || len > decpt))
    {
        if (decpt <= 0)
        {
            out += "0.";
            out.append(-decpt, '0');
            out += digits;
        }
        else if (decpt < len)
        {
            out.append(digits, 0, decpt);
            out.push_back('.');
            out.append(digits, decpt);
        }
        else
        {
            out += digits;
            out.append(decpt - len, '0');
        }
        return;
    }
    out.push_back(digits[0]);
    if (len > 1)
    {
        out.push_back('.');
        out.append(digits, 1);
    }
    out.push_back('e');
    append_int(out, decpt - 1);
}

bool binary_to_text(const Column& col, const unsigned char*& p, const unsigned char* end,
                    std::string& out)
{
    if (is_temporal(col.type))
    {
        return temporal_to_text(col, p, end, out);
    }
    if (col.type == type::NULL_TYPE)
    {
        return true;
    }
    size_t n = fixed_size(col.type);
    if (n == 0)
    {
        std::string_view s;
        if (!read_lenenc_str(p, end, s))
        {
            return false;
        }
        out += s;
        return true;
    }
    if (static_cast<size_t>(end - p) < n)
    {
        return false;
    }
    bool is_unsigned = col.flags & flag::UNSIGNED;
    size_t start = out.size();
    switch (col.type)
    {
        case type::TINY:
            is_unsigned ? append_int(out, p[0]) : append_int(out, static_cast<int8_t>(p[0]));
            break;
        case type::SHORT:
        case type::YEAR:
            is_unsigned ? append_int(out, u16(p)) : append_int(out, static_cast<int16_t>(u16(p)));
            break;
        case type::LONG:
        case type::INT24:
            is_unsigned ? append_int(out, u32(p)) : append_int(out, static_cast<int32_t>(u32(p)));
            break;
        case type::LONGLONG:
            is_unsigned ? append_int(out, u64(p)) : append_int(out, static_cast<int64_t>(u64(p)));
            break;
        case type::FLOAT:
        {
            float f;
            uint32_t bits = u32(p);
            memcpy(&f, &bits, sizeof(f));
            append_server_real(out, f, col.decimals, true);
        }
        break;
        case type::DOUBLE:
        {
            double d;
            uint64_t bits = u64(p);
            memcpy(&d, &bits, sizeof(d));
            append_server_real(out, d, col.decimals, false);
        }
        break;
    }
    zerofill(out, start, col);
    p += n;
    return true;
}

// ---------------------------------------------------------------- packets

bool is_eof_packet(std::string_view p)
{
    return !p.empty() && static_cast<unsigned char>(p[0]) == 0xfe && p.size() < 9;
}

bool parse_column(std::string_view payload, uint64_t caps, Column& out)
{
    const unsigned char* p = ubegin(payload);
    const unsigned char* end = p + payload.size();
    std::string_view catalog, schema, table, org_table, name, org_name;
    if (!read_lenenc_str(p, end, catalog) || !read_lenenc_str(p, end, schema) ||
        !read_lenenc_str(p, end, table) || !read_lenenc_str(p, end, org_table) ||
        !read_lenenc_str(p, end, name) || !read_lenenc_str(p, end, org_name))
    {
        return false;
    }
    out.ext_type.clear();
    if (caps & mariadb::cap::MARIADB_EXTENDED_TYPE_INFO)
    {
        // A block of (kind byte, lenenc string) entries: 0 = type name
        // ("uuid", "inet6", "point"...), 1 = format ("json"). Unknown kinds
        // are skipped.
        std::string_view block, format;
        if (!read_lenenc_str(p, end, block))
        {
            return false;
        }
        const unsigned char* q = ubegin(block);
        const unsigned char* qend = q + block.size();
        while (q < qend)
        {
            uint8_t kind = *q++;
            std::string_view value;
            if (!read_lenenc_str(q, qend, value))
            {
                return false;
            }
            if (kind == 0)
            {
                out.ext_type = value;
            }
            else if (kind == 1)
            {
                format = value;
            }
        }
        if (out.ext_type.empty())
        {
            out.ext_type = format;
        }
    }
    uint64_t fixed_len = 0;
    if (!read_lenenc(p, end, fixed_len) || fixed_len < 10 || static_cast<uint64_t>(end - p) < 10)
    {
        return false;
    }
    out.schema = schema;
    out.table = table;
    out.name = name;
    out.charset = u16(p);
    out.length = u32(p + 2);
    out.type = p[6];
    out.flags = u16(p + 7);
    out.decimals = p[9];
    return true;
}

bool parse_ok(std::string_view payload, EndInfo& out)
{
    mariadb::OkFields ok;
    if (!mariadb::parse_ok_packet(payload, 0, ok))
    {
        return false;
    }
    out.affected_rows = ok.affected_rows;
    out.insert_id = ok.insert_id;
    out.status = ok.status;
    out.warnings = ok.warnings;
    return true;
}

bool parse_eof(std::string_view payload, EndInfo& out)
{
    uint16_t warnings = 0, status = 0;
    if (!mariadb::parse_eof_packet(payload, warnings, status))
    {
        return false;
    }
    out = EndInfo();
    out.warnings = warnings;
    out.status = status;
    return true;
}

}  // namespace sqlgate::httpsql
