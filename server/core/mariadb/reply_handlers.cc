/**
 * ReplyTracker's handlers of whole control packets: they decide where the
 * reply goes next (see the facts in reply_tracker.cc) and note in m_packet
 * what the packet is, for the observer. Without an observer they see only the
 * first PEEK bytes of the payload, enough for every decision; the fields of
 * m_packet past those bytes are then meaningless, and nobody reads them.
 */
#include <algorithm>

#include "sqlgate/mariadb.hh"

namespace sqlgate::mariadb
{
namespace
{
inline uint16_t u16(const unsigned char* p)
{
    return static_cast<uint16_t>(p[0] | p[1] << 8);
}

inline uint32_t u32(const unsigned char* p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | static_cast<uint32_t>(p[3]) << 24;
}

inline std::string_view view(const unsigned char* p, size_t n)
{
    return {reinterpret_cast<const char*>(p), n};
}
}  // namespace

void ReplyTracker::read_ok(const unsigned char* p, size_t n)
{
    OkFields ok;
    if (!parse_ok_packet(view(p, n), m_caps, ok))
    {
        m_packet.malformed = true;
        return;
    }
    m_reply.affected_rows = ok.affected_rows;
    m_reply.server_status = ok.status;
    m_reply.warnings = ok.warnings;
    m_packet.affected_rows = ok.affected_rows;
    m_packet.insert_id = ok.insert_id;
    m_packet.server_status = ok.status;
    m_packet.warnings = ok.warnings;
    m_packet.info = ok.info;
}

void ReplyTracker::read_eof(const unsigned char* p, size_t n)
{
    if (n >= 5)
    {
        m_reply.warnings = u16(p + 1);
        m_reply.server_status = u16(p + 3);
    }
    eof_fields(p, n);
}

/// The EOF's fields for the observer only (the reply keeps its status).
void ReplyTracker::eof_fields(const unsigned char* p, size_t n)
{
    m_packet.malformed = !parse_eof_packet(view(p, n), m_packet.warnings, m_packet.server_status);
}

void ReplyTracker::read_err(const Buffer& data, size_t pos, const unsigned char* p, size_t n,
                            uint32_t len)
{
    m_packet.kind = PacketKind::ERR;
    unsigned char head[9] = {};
    size_t have = data.copy_out(pos + HEADER_LEN, head, std::min<size_t>(len, sizeof(head)));
    m_reply.is_error = true;
    m_reply.error_code = have >= 3 ? u16(head + 1) : 0;
    // The message follows "#" and the 5-character SQLSTATE (protocol 4.1).
    size_t skip = (have >= 9 && head[3] == '#') ? 9 : std::min<size_t>(have, 3);
    m_reply.error_message.resize(len > skip ? len - skip : 0);
    data.copy_out(pos + HEADER_LEN + skip, m_reply.error_message.data(),
                  m_reply.error_message.size());
    if (m_observer)
    {
        ErrFields err;
        m_packet.malformed = !parse_err_packet(view(p, n), err);
        m_packet.error_code = err.code;
        m_packet.sqlstate = err.sqlstate;
        m_packet.message = err.message;
    }
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

ReplyTracker::Action ReplyTracker::end_unless_more()
{
    if (m_reply.server_status & srv::MORE_RESULTS_EXIST)
    {
        m_state = State::START;
        return Action::CONTINUE;
    }
    return Action::END;
}

/// OK/EOF ending a result (rows, or column definitions of a cursor).
ReplyTracker::Action ReplyTracker::handle_terminator(const unsigned char* p, size_t n, uint32_t len)
{
    m_packet.kind = PacketKind::RESULT_END;
    read_terminator(p, n, len);
    return end_unless_more();
}

/// A 0xfe packet that ends something: an OK if it is long enough for one
/// (DEPRECATE_EOF puts OKs in place of EOFs), else an EOF. Returns true for an OK.
bool ReplyTracker::read_terminator(const unsigned char* p, size_t n, uint32_t len)
{
    if (len >= 9 || ((m_caps & cap::DEPRECATE_EOF) && len >= 7))
    {
        read_ok(p, n);
        return true;
    }
    read_eof(p, n);
    return false;
}

/// The first packet of a COM_STMT_PREPARE reply that is not an ERR.
ReplyTracker::Action ReplyTracker::handle_prepare(const unsigned char* p, size_t n)
{
    m_packet.kind = PacketKind::PREPARE_OK;
    m_packet.statement_id = u32(p + 1);
    m_prepare_columns = m_packet.columns = u16(p + 5);
    m_params_left = m_packet.params = u16(p + 7);
    m_reply.warnings = m_packet.warnings = u16(p + 10);
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

/// A result set: column count, and with MARIADB_CACHE_METADATA a byte saying
/// whether the column definitions follow.
ReplyTracker::Action ReplyTracker::handle_column_count(const unsigned char* p, size_t n)
{
    const unsigned char* q = p;
    const unsigned char* end = p + n;
    uint64_t columns = 0;
    bool good = read_lenenc(q, end, columns) && columns > 0;
    bool metadata = true;
    if (m_caps & cap::MARIADB_CACHE_METADATA)
    {
        good = good && q < end;
        if (q < end)
        {
            metadata = *q++ != 0;
        }
    }
    m_packet.kind = PacketKind::COLUMN_COUNT;
    m_packet.count = columns;
    m_packet.metadata = metadata;
    m_packet.malformed = !good || q != end;
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

ReplyTracker::Action ReplyTracker::handle_first(const unsigned char* p, size_t n, uint32_t len)
{
    const uint8_t first = n ? p[0] : 0;
    if (m_command == COM_STMT_PREPARE && first == 0x00 && n >= 12)
    {
        return handle_prepare(p, n);
    }
    if (m_command == COM_CHANGE_USER && (first == 0xfe || first == 0x01))
    {
        m_packet.kind = PacketKind::AUTH_SWITCH;
        m_auth_pending = true;  // auth switch / more data: the final OK/ERR comes later
        return Action::PIECE;
    }
    switch (first)
    {
        case 0x00:
            m_packet.kind = PacketKind::OK;
            read_ok(p, n);
            return end_unless_more();

        case 0xfe:
            // EOF (COM_SET_OPTION without DEPRECATE_EOF) or an OK with a 0xfe header.
            m_packet.kind = read_terminator(p, n, len) ? PacketKind::OK : PacketKind::EOF_PACKET;
            return end_unless_more();

        case 0xfb:
            m_packet.kind = PacketKind::LOCAL_INFILE;
            m_packet.info = view(p + 1, n - 1);
            m_state = State::LOAD_DATA;
            return Action::PIECE;

        default:
            return handle_column_count(p, n);
    }
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
            m_packet.kind = PacketKind::PROGRESS;
            return Action::CONTINUE;  // MariaDB progress report
        }
        read_err(data, pos, p, n, len);
        return Action::END;
    }
    switch (m_state)
    {
        case State::START:
        case State::LOAD_DATA:
        case State::LOAD_DATA_END:
            return handle_first(p, n, len);

        case State::COLDEFS:
            m_packet.kind = PacketKind::COLUMN_DEF;
            m_packet.count = --m_columns_left;
            if (m_columns_left == 0)
            {
                m_state = deprecate_eof ? State::ROWS : State::COLDEF_EOF;
            }
            return Action::CONTINUE;

        case State::COLDEF_EOF:
            m_packet.kind = PacketKind::COLUMNS_END;
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

        default:
            return handle_other(p, n, len);
    }
}

/// The states of prepare, COM_FIELD_LIST and COM_STATISTICS replies.
ReplyTracker::Action ReplyTracker::handle_other(const unsigned char* p, size_t n, uint32_t len)
{
    const uint8_t first = n ? p[0] : 0;
    const bool deprecate_eof = m_caps & cap::DEPRECATE_EOF;
    switch (m_state)
    {
        case State::PREPARE_PARAMS:
            m_packet.kind = PacketKind::PARAM_DEF;
            m_packet.count = --m_params_left;
            if (m_params_left == 0)
            {
                if (!deprecate_eof)
                {
                    m_state = State::PREPARE_PARAMS_EOF;
                    return Action::CONTINUE;
                }
                return prepare_columns();
            }
            return Action::CONTINUE;

        case State::PREPARE_PARAMS_EOF:
            m_packet.kind = PacketKind::PARAMS_END;
            eof_fields(p, n);
            return prepare_columns();

        case State::PREPARE_COLS:
            m_packet.kind = PacketKind::PREPARE_COLUMN_DEF;
            m_packet.count = --m_columns_left;
            if (m_columns_left == 0)
            {
                if (deprecate_eof)
                {
                    return Action::END;
                }
                m_state = State::PREPARE_COLS_EOF;
            }
            return Action::CONTINUE;

        case State::PREPARE_COLS_EOF:
            m_packet.kind = PacketKind::PREPARE_COLUMNS_END;
            eof_fields(p, n);
            return Action::END;

        case State::FIELD_LIST:
            if (first == 0xfe && len < MAX_PAYLOAD)
            {
                m_packet.kind = PacketKind::RESULT_END;
                read_terminator(p, n, len);
                return Action::END;
            }
            m_packet.kind = PacketKind::FIELD_DEF;
            return Action::CONTINUE;

        case State::STATISTICS:
            m_packet.kind = PacketKind::STATISTICS;
            m_packet.info = view(p, n);
            return Action::END;

        default:
            return Action::CONTINUE;
    }
}

/// After the parameter definitions of a prepare reply: its column definitions, if any.
ReplyTracker::Action ReplyTracker::prepare_columns()
{
    if (!m_prepare_columns)
    {
        return Action::END;
    }
    m_columns_left = m_prepare_columns;
    m_state = State::PREPARE_COLS;
    return Action::CONTINUE;
}

}  // namespace sqlgate::mariadb
