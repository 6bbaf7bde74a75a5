/**
 * Single reply packets: the OK, EOF and ERR layouts (used by the ReplyTracker
 * for what it reports, and by anyone who holds one such packet) and the
 * names of the packet kinds.
 */
#include "sqlgate/mariadb.hh"

namespace sqlgate::mariadb
{
namespace
{
inline uint16_t u16(const unsigned char* p)
{
    return static_cast<uint16_t>(p[0] | p[1] << 8);
}

inline const unsigned char* ubegin(std::string_view s)
{
    return reinterpret_cast<const unsigned char*>(s.data());
}
}  // namespace

bool parse_ok_packet(std::string_view payload, uint64_t caps, OkFields& out)
{
    const unsigned char* p = ubegin(payload);
    const unsigned char* end = p + payload.size();
    if (p == end || (*p != 0x00 && *p != 0xfe))
    {
        return false;
    }
    ++p;
    uint64_t affected = 0, insert_id = 0;
    if (!read_lenenc(p, end, affected) || !read_lenenc(p, end, insert_id) || end - p < 4)
    {
        return false;
    }
    out.affected_rows = affected;
    out.insert_id = insert_id;
    out.status = u16(p);
    out.warnings = u16(p + 2);
    p += 4;
    out.info = {};
    if (caps & cap::SESSION_TRACK)
    {
        // A length-encoded string (then session state changes, not decoded here).
        read_lenenc_str(p, end, out.info);
    }
    else
    {
        out.info = std::string_view(reinterpret_cast<const char*>(p), end - p);
    }
    return true;
}

bool parse_eof_packet(std::string_view payload, uint16_t& warnings, uint16_t& status)
{
    const unsigned char* p = ubegin(payload);
    if (payload.size() < 5 || payload.size() >= 9 || p[0] != 0xfe)
    {
        return false;
    }
    warnings = u16(p + 1);
    status = u16(p + 3);
    return true;
}

bool parse_err_packet(std::string_view payload, ErrFields& out)
{
    const unsigned char* p = ubegin(payload);
    if (payload.size() < 3 || p[0] != 0xff)
    {
        return false;
    }
    out.code = u16(p + 1);
    std::string_view rest = payload.substr(3);
    out.sqlstate = {};
    if (!rest.empty() && rest[0] == '#')
    {
        // Protocol 4.1: '#' and the 5-character SQLSTATE come first.
        if (rest.size() < 6)
        {
            return false;
        }
        out.sqlstate = rest.substr(1, 5);
        rest.remove_prefix(6);
    }
    out.message = rest;
    return true;
}

const char* packet_kind_name(PacketKind kind)
{
    static const char* const names[] = {
        "OK",           "ERR",          "PROGRESS",           "EOF_PACKET",
        "LOCAL_INFILE", "COLUMN_COUNT", "COLUMN_DEF",         "COLUMNS_END",
        "TEXT_ROW",     "BINARY_ROW",   "RESULT_END",         "PREPARE_OK",
        "PARAM_DEF",    "PARAMS_END",   "PREPARE_COLUMN_DEF", "PREPARE_COLUMNS_END",
        "FIELD_DEF",    "STATISTICS",   "AUTH_SWITCH",        "CONTINUATION",
    };
    static_assert(sizeof(names) / sizeof(names[0]) ==
                  static_cast<size_t>(PacketKind::CONTINUATION) + 1);
    size_t i = static_cast<size_t>(kind);
    return i < sizeof(names) / sizeof(names[0]) ? names[i] : "UNKNOWN";
}

}  // namespace sqlgate::mariadb
