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
 *   Without DEPRECATE_EOF the protocol also calls a 0xfe packet of 9 bytes
 *   or more a row (an EOF is shorter): MariaDB sends none, but so it is read.
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
 *
 * The handlers that decide the framing (reply_handlers.cc) also note in
 * m_packet what each packet is; process() hands that to the observer, if any.
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
    const bool binary = m_command == COM_STMT_EXECUTE || m_command == COM_STMT_FETCH ||
                        m_command == COM_STMT_BULK_EXECUTE;
    m_row_kind = binary ? PacketKind::BINARY_ROW : PacketKind::TEXT_ROW;
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

/// Row packets (and continuations) are not held: they are told apart from
/// the terminator of the rows by their first byte and length. Once per
/// packet on the hot path: inlined into process().
[[gnu::always_inline]] inline ReplyTracker::RowTest ReplyTracker::row_test(const unsigned char* p,
                                                                           size_t n,
                                                                           uint32_t len) const
{
    if (m_state != State::ROWS)
    {
        // A 16 MiB control packet continues: pass it through.
        return m_continuation ? RowTest::ROW : RowTest::CONTROL;
    }
    if (m_continuation || len >= MAX_PAYLOAD || len == 0)
    {
        return RowTest::ROW;
    }
    if (n == 0)
    {
        return RowTest::MORE;  // need the first payload byte to tell
    }
    if (p[0] < 0xfe)
    {
        return RowTest::ROW;
    }
    const bool eof_sized = (m_caps & cap::DEPRECATE_EOF) || len < 9;
    return p[0] == 0xfe && !eof_sized ? RowTest::ROW : RowTest::CONTROL;
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
    SliceCursor cursor;
    while (pos < size && action == Action::CONTINUE)
    {
        if (m_packet_left > 0)
        {
            // The rest of a row packet released in part (never with an observer).
            size_t n = std::min<uint64_t>(size - pos, m_packet_left);
            pos += n;
            m_packet_left -= n;
            continue;
        }
        unsigned char buf[HEADER_LEN + PEEK];
        const unsigned char* h = cursor.at(data, pos, sizeof(buf));
        size_t have = sizeof(buf);
        if (!h)
        {
            have = data.copy_out(pos, buf, sizeof(buf));
            h = buf;
        }
        if (have < HEADER_LEN)
        {
            break;
        }
        const uint32_t len = payload_length(h);
        const size_t total = HEADER_LEN + len;
        const unsigned char* p = h + HEADER_LEN;
        const size_t n = std::min<size_t>(have - HEADER_LEN, len);
        const RowTest test = row_test(p, n, len);
        if (test == RowTest::MORE || (test == RowTest::CONTROL && size - pos < total))
        {
            break;  // control packets are held until whole
        }
        if (test == RowTest::ROW)
        {
            if (m_observer)
            {
                if (size - pos < total)
                {
                    break;  // an observer gets whole packets
                }
                report_row(data, pos, len, h[3], cursor);
            }
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
        m_continuation = len == MAX_PAYLOAD;
        if (m_observer)
        {
            std::string_view payload = payload_view(data, pos, len, cursor);
            m_packet = ReplyPacket{};
            action = handle_packet(
                data, pos, reinterpret_cast<const unsigned char*>(payload.data()), len, len);
            m_row_ready = false;
            report(payload, pos, h[3], action == Action::END);
        }
        else
        {
            action = handle_packet(data, pos, p, n, len);
        }
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

std::string_view ReplyTracker::payload_view(const Buffer& data, size_t pos, uint32_t len,
                                            SliceCursor& c)
{
    if (len == 0)
    {
        return {};
    }
    if (const unsigned char* p = c.at(data, pos + HEADER_LEN, len))
    {
        return {reinterpret_cast<const char*>(p), len};
    }
    m_scratch.resize(len);
    data.copy_out(pos + HEADER_LEN, m_scratch.data(), len);
    return m_scratch;
}

void ReplyTracker::report(std::string_view payload, size_t pos, uint8_t seq, bool last)
{
    m_packet.command = m_command;
    m_packet.sequence = seq;
    m_packet.last = last;
    m_packet.continued = payload.size() == MAX_PAYLOAD;
    m_packet.offset = pos;
    m_packet.payload = payload;
    m_observer->on_packet(m_packet);
}

void ReplyTracker::report_row(const Buffer& data, size_t pos, uint32_t len, uint8_t seq,
                              SliceCursor& c)
{
    std::string_view payload = payload_view(data, pos, len, c);
    if (!m_row_ready)
    {
        m_packet = ReplyPacket{};  // rows set no other field: once after a control packet
        m_row_ready = true;
    }
    if (m_continuation)
    {
        m_packet.kind = PacketKind::CONTINUATION;
    }
    else
    {
        m_packet.kind = m_row_kind;
    }
    report(payload, pos, seq, false);
}

}  // namespace sqlgate::mariadb
