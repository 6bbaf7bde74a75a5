/**
 * MariaDB protocol encoding: length-encoded integers and strings, packet
 * framing, OK/ERR builders, COM_QUERY text access and command names.
 */
#include <cstring>

#include "sqlgate/mariadb.hh"

namespace sqlgate::mariadb
{

bool read_lenenc(const unsigned char*& p, const unsigned char* end, uint64_t& out)
{
    if (p >= end)
    {
        return false;
    }
    unsigned char first = *p;
    size_t n = 0;
    if (first < 0xfb)
    {
        out = first;
        ++p;
        return true;
    }
    else if (first == 0xfc)
    {
        n = 2;
    }
    else if (first == 0xfd)
    {
        n = 3;
    }
    else if (first == 0xfe)
    {
        n = 8;
    }
    else
    {
        // 0xfb is NULL in a row and 0xff an ERR marker: not integers.
        return false;
    }
    if (static_cast<size_t>(end - p) < n + 1)
    {
        return false;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i)
    {
        v |= static_cast<uint64_t>(p[1 + i]) << (8 * i);
    }
    out = v;
    p += n + 1;
    return true;
}

bool read_lenenc_str(const unsigned char*& p, const unsigned char* end, std::string_view& out)
{
    const unsigned char* q = p;
    uint64_t len = 0;
    if (!read_lenenc(q, end, len) || len > static_cast<uint64_t>(end - q))
    {
        return false;
    }
    out = std::string_view(reinterpret_cast<const char*>(q), len);
    p = q + len;
    return true;
}

void write_lenenc(std::string& out, uint64_t v)
{
    if (v < 0xfb)
    {
        out.push_back(static_cast<char>(v));
        return;
    }
    size_t n = 0;
    if (v <= 0xffff)
    {
        out.push_back(static_cast<char>(0xfc));
        n = 2;
    }
    else if (v <= 0xffffff)
    {
        out.push_back(static_cast<char>(0xfd));
        n = 3;
    }
    else
    {
        out.push_back(static_cast<char>(0xfe));
        n = 8;
    }
    for (size_t i = 0; i < n; ++i)
    {
        out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    }
}

void write_lenenc_str(std::string& out, std::string_view s)
{
    write_lenenc(out, s.size());
    out.append(s);
}

Buffer make_packet(uint8_t seq, std::string_view payload)
{
    // A payload of exactly n * 0xffffff bytes ends with an empty packet.
    size_t packets = payload.size() / MAX_PAYLOAD + 1;
    std::string out;
    out.reserve(payload.size() + packets * HEADER_LEN);
    size_t pos = 0;
    for (size_t i = 0; i < packets; ++i)
    {
        size_t n = std::min<size_t>(payload.size() - pos, MAX_PAYLOAD);
        unsigned char h[HEADER_LEN];
        set_header(h, static_cast<uint32_t>(n), seq++);
        out.append(reinterpret_cast<const char*>(h), HEADER_LEN);
        out.append(payload.substr(pos, n));
        pos += n;
    }
    return Buffer::copy_of(out);
}

Buffer make_ok(uint8_t seq, uint64_t affected_rows, uint64_t insert_id, uint16_t status,
               uint16_t warnings, std::string_view info)
{
    std::string p;
    p.reserve(16 + info.size());
    p.push_back(0);
    write_lenenc(p, affected_rows);
    write_lenenc(p, insert_id);
    p.push_back(static_cast<char>(status & 0xff));
    p.push_back(static_cast<char>(status >> 8));
    p.push_back(static_cast<char>(warnings & 0xff));
    p.push_back(static_cast<char>(warnings >> 8));
    p.append(info);
    return make_packet(seq, p);
}

Buffer make_err(uint8_t seq, uint16_t code, std::string_view sqlstate, std::string_view message)
{
    std::string p;
    p.reserve(9 + message.size());
    p.push_back(static_cast<char>(0xff));
    p.push_back(static_cast<char>(code & 0xff));
    p.push_back(static_cast<char>(code >> 8));
    p.push_back('#');
    for (size_t i = 0; i < 5; ++i)
    {
        p.push_back(i < sqlstate.size() ? sqlstate[i] : '0');
    }
    p.append(message);
    return make_packet(seq, p);
}

const char* sqlstate_of(uint16_t code)
{
    // From MariaDB's sql/share/errmsg-utf8.txt.
    switch (code)
    {
        case 1040:  // ER_CON_COUNT_ERROR
            return "08004";
        case 1043:  // ER_HANDSHAKE_ERROR
        case 1153:  // ER_NET_PACKET_TOO_LARGE
            return "08S01";
        case 1044:  // ER_DBACCESS_DENIED_ERROR
        case 1049:  // ER_BAD_DB_ERROR
            return "42000";
        case 1045:  // ER_ACCESS_DENIED_ERROR
            return "28000";
        case 1927:  // ER_CONNECTION_KILLED
            return "70100";
        default:
            return "HY000";
    }
}

std::string get_sql(const Buffer& packet)
{
    // Walk the packets: a command of 16 MiB or more spans several.
    std::string out;
    size_t pos = 0;
    bool first = true;
    while (pos + HEADER_LEN <= packet.size())
    {
        unsigned char h[HEADER_LEN];
        packet.copy_out(pos, h, HEADER_LEN);
        size_t len = payload_length(h);
        size_t start = pos + HEADER_LEN + (first ? 1 : 0);
        size_t end = std::min(pos + HEADER_LEN + len, packet.size());
        if (start < end)
        {
            size_t old = out.size();
            out.resize(old + (end - start));
            packet.copy_out(start, out.data() + old, end - start);
        }
        pos += HEADER_LEN + len;
        first = false;
        if (len < MAX_PAYLOAD)
        {
            break;
        }
    }
    return out;
}

Buffer rebuild_sql(const Buffer& packet, std::string_view sql)
{
    uint8_t seq = packet.size() >= HEADER_LEN ? packet.at(3) : 0;
    std::string p;
    p.reserve(sql.size() + 1);
    p.push_back(static_cast<char>(command_of(packet)));
    p.append(sql);
    return make_packet(seq, p);
}

const char* command_name(uint8_t cmd)
{
    switch (cmd)
    {
        case COM_SLEEP:
            return "COM_SLEEP";
        case COM_QUIT:
            return "COM_QUIT";
        case COM_INIT_DB:
            return "COM_INIT_DB";
        case COM_QUERY:
            return "COM_QUERY";
        case COM_FIELD_LIST:
            return "COM_FIELD_LIST";
        case COM_CREATE_DB:
            return "COM_CREATE_DB";
        case COM_DROP_DB:
            return "COM_DROP_DB";
        case COM_REFRESH:
            return "COM_REFRESH";
        case COM_SHUTDOWN:
            return "COM_SHUTDOWN";
        case COM_STATISTICS:
            return "COM_STATISTICS";
        case COM_PROCESS_INFO:
            return "COM_PROCESS_INFO";
        case COM_CONNECT:
            return "COM_CONNECT";
        case COM_PROCESS_KILL:
            return "COM_PROCESS_KILL";
        case COM_DEBUG:
            return "COM_DEBUG";
        case COM_PING:
            return "COM_PING";
        case COM_TIME:
            return "COM_TIME";
        case COM_DELAYED_INSERT:
            return "COM_DELAYED_INSERT";
        case COM_CHANGE_USER:
            return "COM_CHANGE_USER";
        case COM_BINLOG_DUMP:
            return "COM_BINLOG_DUMP";
        case COM_TABLE_DUMP:
            return "COM_TABLE_DUMP";
        case COM_CONNECT_OUT:
            return "COM_CONNECT_OUT";
        case COM_REGISTER_SLAVE:
            return "COM_REGISTER_SLAVE";
        case COM_STMT_PREPARE:
            return "COM_STMT_PREPARE";
        case COM_STMT_EXECUTE:
            return "COM_STMT_EXECUTE";
        case COM_STMT_SEND_LONG_DATA:
            return "COM_STMT_SEND_LONG_DATA";
        case COM_STMT_CLOSE:
            return "COM_STMT_CLOSE";
        case COM_STMT_RESET:
            return "COM_STMT_RESET";
        case COM_SET_OPTION:
            return "COM_SET_OPTION";
        case COM_STMT_FETCH:
            return "COM_STMT_FETCH";
        case COM_DAEMON:
            return "COM_DAEMON";
        case COM_RESET_CONNECTION:
            return "COM_RESET_CONNECTION";
        case COM_STMT_BULK_EXECUTE:
            return "COM_STMT_BULK_EXECUTE";
        default:
            return "COM_UNKNOWN";
    }
}

}  // namespace sqlgate::mariadb
