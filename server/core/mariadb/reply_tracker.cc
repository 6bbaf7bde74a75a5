/**
 * ReplyTracker: finds where each reply of a backend connection ends.
 *
 * Facts this relies on (checked against MariaDB 10.11, see
 * test/unit/fixtures/mariadb/capture/README.md):
 * - OK is 0x00; ERR is 0xff (code 0xffff is a progress report, not an end);
 *   EOF is 0xfe with a payload under 9 bytes. With DEPRECATE_EOF, the EOF
 *   after column definitions disappears and the one ending the rows becomes
 *   an OK packet with a 0xfe header (any length under 0xffffff).
 * - A row packet can start with 0xfe/0xff only when it is 0xffffff long; a
 *   packet of 0xffffff bytes is continued by the next one (maybe empty).
 * - With MARIADB_CACHE_METADATA the column count is followed by one byte
 *   saying whether column definitions follow.
 * - A COM_STMT_EXECUTE that opens a cursor ends after the column definitions
 *   with an EOF carrying CURSOR_EXISTS. MariaDB 10.11 sends that packet even
 *   with DEPRECATE_EOF, as a 0xfe OK packet: in ROWS state such a packet ends
 *   the reply like any other terminator. If the server decides not to open
 *   a cursor, rows follow as usual.
 * - The server opens a cursor only if the COM_STMT_EXECUTE asked for one
 *   (flags & CURSOR_TYPE_READ_ONLY), and never for a CALL, even when asked.
 *   But inside a procedure (or BEGIN NOT ATOMIC block) that has used a cursor,
 *   every result set carries CURSOR_EXISTS (also after CLOSE), in the EOF
 *   after its column definitions too, together with MORE_RESULTS_EXIST (a
 *   CALL always ends with an OK). So without DEPRECATE_EOF the EOF after the
 *   column definitions ends the reply only for an execute that asked for a
 *   cursor, in the first result set, with CURSOR_EXISTS and without
 *   MORE_RESULTS_EXIST; otherwise rows follow.
 * - COM_CHANGE_USER: 0xfe (auth switch) or 0x01 (more auth data) from the
 *   server ends nothing: the piece is released with complete=false and the
 *   tracker waits for the final OK/ERR. Packets written while the switch is
 *   under way are auth data: command_sent() returns false for them.
 * - Bytes that arrive with no command outstanding (e.g. the ERR a server
 *   sends when the connection is killed) are tracked as a reply to COM_SLEEP
 *   that ends with the first OK/ERR.
 */
#include <algorithm>

#include "sqlgate/mariadb.hh"

namespace sqlgate::mariadb
{
namespace
{
constexpr size_t PEEK = 32;  // enough for OK (1+9+9+2+2), prepare OK (12), column count (9+1)

inline uint16_t u16(const unsigned char* p)
{
    return static_cast<uint16_t>(p[0] | p[1] << 8);
}
}  // namespace

bool ReplyTracker::command_sent(const Buffer& packet)
{
    if (m_in_reply && m_state == State::LOAD_DATA)
    {
        // File contents; the empty packet ends them. Walk the headers in case
        // several packets come in one buffer.
        size_t pos = 0;
        unsigned char h[HEADER_LEN];
        while (packet.copy_out(pos, h, HEADER_LEN) == HEADER_LEN)
        {
            uint32_t len = payload_length(h);
            if (len == 0)
            {
                m_state = State::LOAD_DATA_END;
                break;
            }
            pos += HEADER_LEN + len;
        }
        return false;
    }
    if (m_auth_pending)
    {
        return false;  // COM_CHANGE_USER auth exchange
    }
    uint8_t cmd = command_of(packet);
    switch (cmd)
    {
        case COM_QUIT:
        case COM_STMT_CLOSE:
        case COM_STMT_SEND_LONG_DATA:
            return false;
        default:
            break;
    }
    bool cursor = false;
    if (cmd == COM_STMT_EXECUTE)
    {
        // command(1) statement_id(4) flags(1)
        uint8_t flags = 0;
        cursor = packet.copy_out(HEADER_LEN + 5, &flags, 1) == 1 && (flags & CURSOR_TYPE_READ_ONLY);
    }
    m_queue.push_back({cmd, cursor});
    return true;
}

uint8_t ReplyTracker::current_command() const
{
    if (m_in_reply)
    {
        return m_command;
    }
    return m_queue.empty() ? 0xff : m_queue.front().command;
}

void ReplyTracker::begin_reply()
{
    m_command = COM_SLEEP;  // unsolicited (e.g. ERR on kill)
    m_opening_cursor = false;
    if (!m_queue.empty())
    {
        m_command = m_queue.front().command;
        m_opening_cursor = m_queue.front().cursor;
        m_queue.pop_front();
    }
    m_in_reply = true;
    m_reply = Reply{};
    m_reply.command = m_command;
    m_columns_left = 0;
    m_params_left = 0;
    m_prepare_columns = 0;
    m_packet_left = 0;
    m_continuation = false;
    m_auth_pending = false;
    switch (m_command)
    {
        case COM_STMT_FETCH:
            m_state = State::ROWS;
            break;
        case COM_FIELD_LIST:
            m_state = State::FIELD_LIST;
            break;
        case COM_STATISTICS:
            m_state = State::STATISTICS;
            break;
        default:
            m_state = State::START;
            break;
    }
}

size_t ReplyTracker::process(const Buffer& data, Reply& reply)
{
    const size_t size = data.size();
    if (size == 0)
    {
        return 0;
    }
    if (!m_in_reply)
    {
        begin_reply();
    }
    size_t pos = 0;
    Action action = Action::CONTINUE;
    while (pos < size && action == Action::CONTINUE)
    {
        if (m_packet_left > 0)
        {
            // The rest of a row packet released in part.
            size_t n = std::min<uint64_t>(size - pos, m_packet_left);
            pos += n;
            m_packet_left -= n;
            continue;
        }
        unsigned char buf[HEADER_LEN + PEEK];
        size_t have = data.copy_out(pos, buf, sizeof(buf));
        if (have < HEADER_LEN)
        {
            break;
        }
        const uint32_t len = payload_length(buf);
        const size_t total = HEADER_LEN + len;
        const unsigned char* p = buf + HEADER_LEN;
        const size_t n = std::min<size_t>(have - HEADER_LEN, len);
        bool row = false;
        if (m_state == State::ROWS)
        {
            if (m_continuation || len >= MAX_PAYLOAD || len == 0)
            {
                row = true;
            }
            else if (n == 0)
            {
                break;  // need the first payload byte to tell
            }
            else
            {
                row = p[0] != 0xfe && p[0] != 0xff;
            }
        }
        else if (m_continuation)
        {
            row = true;  // a 16 MiB control packet continues: pass it through
        }
        if (row)
        {
            if (!m_continuation && m_state == State::ROWS)
            {
                ++m_reply.rows;
            }
            m_continuation = len == MAX_PAYLOAD;
            if (size - pos >= total)
            {
                pos += total;
            }
            else
            {
                m_packet_left = total - (size - pos);
                pos = size;
            }
            continue;
        }
        if (size - pos < total)
        {
            break;  // control packets are held until whole
        }
        m_continuation = len == MAX_PAYLOAD;
        action = handle_packet(data, pos, p, n, len);
        pos += total;
    }
    if (pos == 0)
    {
        return 0;
    }
    m_reply.bytes += pos;
    reply = m_reply;
    reply.complete = action == Action::END;
    if (action == Action::END)
    {
        m_in_reply = false;
        m_state = State::START;
        m_auth_pending = false;
        m_continuation = false;
    }
    return pos;
}

void ReplyTracker::read_ok(const unsigned char* p, size_t n)
{
    const unsigned char* q = p + 1;
    const unsigned char* end = p + n;
    uint64_t affected = 0, insert_id = 0;
    if (read_lenenc(q, end, affected) && read_lenenc(q, end, insert_id) && end - q >= 4)
    {
        m_reply.affected_rows = affected;
        m_reply.server_status = u16(q);
        m_reply.warnings = u16(q + 2);
    }
}

void ReplyTracker::read_eof(const unsigned char* p, size_t n)
{
    if (n >= 5)
    {
        m_reply.warnings = u16(p + 1);
        m_reply.server_status = u16(p + 3);
    }
}

void ReplyTracker::read_err(const Buffer& data, size_t pos, uint32_t len)
{
    unsigned char head[9] = {};
    size_t have = data.copy_out(pos + HEADER_LEN, head, std::min<size_t>(len, sizeof(head)));
    m_reply.is_error = true;
    m_reply.error_code = have >= 3 ? u16(head + 1) : 0;
    // The message follows "#" and the 5-character SQLSTATE (protocol 4.1).
    size_t skip = (have >= 9 && head[3] == '#') ? 9 : std::min<size_t>(have, 3);
    m_reply.error_message.resize(len > skip ? len - skip : 0);
    data.copy_out(pos + HEADER_LEN + skip, m_reply.error_message.data(),
                  m_reply.error_message.size());
}

/// At the EOF after the column definitions (read already): did a cursor open?
/// Only the first result set of an execute that asked for one can open it.
bool ReplyTracker::cursor_opened()
{
    const bool asked = m_opening_cursor;
    m_opening_cursor = false;
    const uint16_t status = m_reply.server_status;
    return asked && (status & srv::CURSOR_EXISTS) && !(status & srv::MORE_RESULTS_EXIST);
}

/// OK/EOF ending a result (rows, or column definitions of a cursor).
ReplyTracker::Action ReplyTracker::handle_terminator(const unsigned char* p, size_t n, uint32_t len)
{
    if ((m_caps & cap::DEPRECATE_EOF) && len >= 7)
    {
        read_ok(p, n);
    }
    else
    {
        read_eof(p, n);
    }
    if (m_reply.server_status & srv::MORE_RESULTS_EXIST)
    {
        m_state = State::START;
        return Action::CONTINUE;
    }
    return Action::END;
}

ReplyTracker::Action ReplyTracker::handle_first(const Buffer& data, size_t pos,
                                                const unsigned char* p, size_t n, uint32_t len)
{
    const uint8_t first = n ? p[0] : 0;
    if (m_command == COM_STMT_PREPARE && first == 0x00 && n >= 12)
    {
        m_prepare_columns = u16(p + 5);
        m_params_left = u16(p + 7);
        m_reply.warnings = u16(p + 10);
        if (m_params_left)
        {
            m_state = State::PREPARE_PARAMS;
            return Action::CONTINUE;
        }
        if (m_prepare_columns)
        {
            m_columns_left = m_prepare_columns;
            m_state = State::PREPARE_COLS;
            return Action::CONTINUE;
        }
        return Action::END;
    }
    if (m_command == COM_CHANGE_USER && (first == 0xfe || first == 0x01))
    {
        m_auth_pending = true;  // auth switch / more data: the final OK/ERR comes later
        return Action::PIECE;
    }
    switch (first)
    {
        case 0x00:
            read_ok(p, n);
            if (m_reply.server_status & srv::MORE_RESULTS_EXIST)
            {
                m_state = State::START;
                return Action::CONTINUE;
            }
            return Action::END;

        case 0xfe:
            // EOF (COM_SET_OPTION without DEPRECATE_EOF) or an OK with a 0xfe header.
            if (len < 9)
            {
                read_eof(p, n);
            }
            else
            {
                read_ok(p, n);
            }
            if (m_reply.server_status & srv::MORE_RESULTS_EXIST)
            {
                m_state = State::START;
                return Action::CONTINUE;
            }
            return Action::END;

        case 0xfb:
            m_state = State::LOAD_DATA;
            return Action::PIECE;

        default:
            break;
    }
    // A result set: column count, and with MARIADB_CACHE_METADATA a byte
    // saying whether the column definitions follow.
    const unsigned char* q = p;
    uint64_t columns = 0;
    read_lenenc(q, p + n, columns);
    bool metadata = true;
    if ((m_caps & cap::MARIADB_CACHE_METADATA) && q < p + n)
    {
        metadata = *q != 0;
    }
    m_reply.is_resultset = true;
    m_columns_left = metadata ? columns : 0;
    if (m_columns_left)
    {
        m_state = State::COLDEFS;
    }
    else
    {
        m_state = (m_caps & cap::DEPRECATE_EOF) ? State::ROWS : State::COLDEF_EOF;
    }
    return Action::CONTINUE;
}

ReplyTracker::Action ReplyTracker::handle_packet(const Buffer& data, size_t pos,
                                                 const unsigned char* p, size_t n, uint32_t len)
{
    const uint8_t first = n ? p[0] : 0;
    const bool deprecate_eof = m_caps & cap::DEPRECATE_EOF;
    if (first == 0xff && len > 0)
    {
        if (n >= 3 && u16(p + 1) == 0xffff)
        {
            return Action::CONTINUE;  // MariaDB progress report
        }
        read_err(data, pos, len);
        return Action::END;
    }
    switch (m_state)
    {
        case State::START:
        case State::LOAD_DATA:
        case State::LOAD_DATA_END:
            return handle_first(data, pos, p, n, len);

        case State::COLDEFS:
            if (--m_columns_left == 0)
            {
                m_state = deprecate_eof ? State::ROWS : State::COLDEF_EOF;
            }
            return Action::CONTINUE;

        case State::COLDEF_EOF:
            read_eof(p, n);
            if (cursor_opened())
            {
                return Action::END;  // rows come with COM_STMT_FETCH
            }
            m_state = State::ROWS;
            return Action::CONTINUE;

        case State::ROWS:
            // Only terminators get here (rows are handled in process()).
            return handle_terminator(p, n, len);

        case State::PREPARE_PARAMS:
            if (--m_params_left == 0)
            {
                if (!deprecate_eof)
                {
                    m_state = State::PREPARE_PARAMS_EOF;
                    return Action::CONTINUE;
                }
                if (!m_prepare_columns)
                {
                    return Action::END;
                }
                m_columns_left = m_prepare_columns;
                m_state = State::PREPARE_COLS;
            }
            return Action::CONTINUE;

        case State::PREPARE_PARAMS_EOF:
            if (!m_prepare_columns)
            {
                return Action::END;
            }
            m_columns_left = m_prepare_columns;
            m_state = State::PREPARE_COLS;
            return Action::CONTINUE;

        case State::PREPARE_COLS:
            if (--m_columns_left == 0)
            {
                if (deprecate_eof)
                {
                    return Action::END;
                }
                m_state = State::PREPARE_COLS_EOF;
            }
            return Action::CONTINUE;

        case State::PREPARE_COLS_EOF:
            return Action::END;

        case State::FIELD_LIST:
            if (first == 0xfe && len < MAX_PAYLOAD)
            {
                if (len < 9)
                {
                    read_eof(p, n);
                }
                else
                {
                    read_ok(p, n);
                }
                return Action::END;
            }
            return Action::CONTINUE;

        case State::STATISTICS:
            return Action::END;
    }
    return Action::CONTINUE;
}

}  // namespace sqlgate::mariadb
