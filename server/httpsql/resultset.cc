#include "sqlgate/httpsql/resultset.hh"

#include <algorithm>

#include "sqlgate/mariadb.hh"
#include "wire.hh"

namespace sqlgate::httpsql
{

namespace
{
using mariadb::read_lenenc_str;
}  // namespace

// ---------------------------------------------------------------- decoder

using mariadb::PacketKind;
using mariadb::ReplyPacket;

ReplyDecoder::ReplyDecoder(uint64_t capabilities) : m_caps(capabilities)
{
    m_tracker.set_capabilities(capabilities);
    m_tracker.set_observer(this);
}

void ReplyDecoder::set_capabilities(uint64_t capabilities)
{
    m_caps = capabilities;
    m_tracker.set_capabilities(capabilities);
}

void ReplyDecoder::start(Kind kind, ResultSink& sink)
{
    static const char commands[] = {mariadb::COM_QUERY, mariadb::COM_STMT_PREPARE,
                                    mariadb::COM_STMT_EXECUTE};
    m_tracker = mariadb::ReplyTracker();
    m_tracker.set_capabilities(m_caps);
    m_tracker.set_observer(this);
    m_tracker.command_sent(
        mariadb::make_packet(0, std::string_view(&commands[static_cast<int>(kind)], 1)));
    m_sink = &sink;
    m_seq = 1;
    m_failed = false;
    m_error.clear();
    m_done = false;
    begin_reply();
}

void ReplyDecoder::begin_reply()
{
    m_done = false;
    m_infile = false;
    m_in_train = false;
    m_train.clear();
    m_columns.clear();
}

bool ReplyDecoder::fail(std::string msg)
{
    if (!m_failed)
    {
        m_failed = true;
        m_error = std::move(msg);
    }
    return false;
}

bool ReplyDecoder::packet(std::string_view payload)
{
    if (m_failed)
    {
        return false;
    }
    if (m_done || m_tracker.idle())
    {
        return fail("packet outside a reply");
    }
    Buffer b = mariadb::make_packet(m_seq, payload);
    m_seq += payload.size() / mariadb::MAX_PAYLOAD + 1;
    if (!feed(b))
    {
        return false;
    }
    return b.empty() || fail("packet outside a reply");
}

bool ReplyDecoder::feed(Buffer& data)
{
    if (m_failed)
    {
        return false;
    }
    if (m_done)
    {
        begin_reply();
    }
    while (!data.empty())
    {
        if (m_tracker.idle())
        {
            return fail("bytes outside a reply");
        }
        Reply reply;
        size_t n = m_tracker.process(data, reply);
        if (n == 0)
        {
            break;
        }
        data.consume(n);
        if (m_failed)
        {
            return false;
        }
        if (reply.complete)
        {
            break;
        }
    }
    return true;
}

void ReplyDecoder::on_packet(const ReplyPacket& p)
{
    if (m_failed || m_done)
    {
        return;
    }
    const bool plain_row = (p.kind == PacketKind::TEXT_ROW || p.kind == PacketKind::BINARY_ROW) &&
                           !p.continued && !m_in_train && !m_infile;
    if (plain_row && p.command != mariadb::COM_STMT_PREPARE)
    {
        row(p.kind, p.payload);  // the common case, first
        return;
    }
    if (decode(p) && p.last)
    {
        m_done = true;
    }
}

bool ReplyDecoder::decode(const ReplyPacket& p)
{
    if (p.kind == PacketKind::CONTINUATION)
    {
        return continuation(p);
    }
    if (m_in_train)
    {
        return fail("a packet of 16 MiB is not continued");
    }
    if (p.payload.empty())
    {
        return fail("empty packet");
    }
    if (p.continued && p.kind != PacketKind::TEXT_ROW && p.kind != PacketKind::BINARY_ROW)
    {
        return fail(std::string(mariadb::packet_kind_name(p.kind)) + " packet of 16 MiB");
    }
    if (p.kind == PacketKind::PROGRESS)
    {
        return true;
    }
    if (m_infile)
    {
        return after_infile(p);
    }
    if (p.kind == PacketKind::ERR)
    {
        return error_packet(p);
    }
    return p.command == mariadb::COM_STMT_PREPARE ? prepare_packet(p) : result_packet(p);
}

bool ReplyDecoder::error_packet(const ReplyPacket& p)
{
    if (p.malformed)
    {
        return fail("truncated ERR packet");
    }
    m_sink->on_error(p.error_code, p.sqlstate.empty() ? "HY000" : p.sqlstate, p.message);
    return true;
}

/// After a LOAD DATA LOCAL request: the server's OK or ERR, consumed silently.
bool ReplyDecoder::after_infile(const ReplyPacket& p)
{
    if (p.kind == PacketKind::ERR || (p.kind == PacketKind::OK && !p.malformed))
    {
        m_infile = false;
        return true;
    }
    return fail("malformed reply after LOAD DATA LOCAL");
}

bool ReplyDecoder::result_packet(const ReplyPacket& p)
{
    switch (p.kind)
    {
        case PacketKind::OK:
            return p.malformed ? fail("malformed OK packet") : end_of_result(p);
        case PacketKind::LOCAL_INFILE:
            m_infile = true;
            m_sink->on_error(LOCAL_INFILE_ERRNO, LOCAL_INFILE_SQLSTATE,
                             "LOAD DATA LOCAL is not supported over HTTP");
            return true;
        case PacketKind::COLUMN_COUNT:
            if (!p.metadata)
            {
                return fail("result set without metadata (cached metadata is not supported)");
            }
            if (p.malformed)
            {
                return fail("malformed column count packet");
            }
            m_columns.clear();
            m_columns.reserve(std::min<uint64_t>(p.count, 4096));
            return true;
        case PacketKind::COLUMN_DEF:
            if (!column(p.payload, true))
            {
                return false;
            }
            if (p.count == 0)
            {
                m_sink->on_columns(m_columns);
            }
            return true;
        case PacketKind::COLUMNS_END:
            if (p.malformed)
            {
                return fail("expected an EOF packet");
            }
            return !p.last || end_of_result(p);  // the end of a reply that opened a cursor
        case PacketKind::TEXT_ROW:
        case PacketKind::BINARY_ROW:
            if (p.continued)
            {
                m_train.assign(p.payload);
                m_train_kind = p.kind;
                m_in_train = true;
                return true;
            }
            return row(p.kind, p.payload);
        case PacketKind::RESULT_END:
            return p.malformed ? fail("malformed end of result set") : end_of_result(p);
        default:
            return fail(std::string("unexpected ") + mariadb::packet_kind_name(p.kind) + " packet");
    }
}

bool ReplyDecoder::prepare_packet(const ReplyPacket& p)
{
    switch (p.kind)
    {
        case PacketKind::PREPARE_OK:
            m_stmt_id = p.statement_id;
            m_params = p.params;
            m_prep_columns = p.columns;
            m_columns.clear();
            break;
        case PacketKind::PARAM_DEF:
        case PacketKind::PREPARE_COLUMN_DEF:
            // Parameter definitions carry nothing useful; only check them.
            if (!column(p.payload, p.kind == PacketKind::PREPARE_COLUMN_DEF))
            {
                return false;
            }
            break;
        case PacketKind::PARAMS_END:
        case PacketKind::PREPARE_COLUMNS_END:
            if (p.malformed)
            {
                return fail("expected an EOF packet");
            }
            break;
        default:
            return fail("malformed COM_STMT_PREPARE reply");
    }
    if (p.last)
    {
        m_sink->on_prepared(m_stmt_id, m_params, m_prep_columns);
    }
    return true;
}

/// The rest of a row of 16 MiB and more; the last (shorter) packet completes it.
bool ReplyDecoder::continuation(const ReplyPacket& p)
{
    if (!m_in_train)
    {
        return fail("unexpected continuation packet");
    }
    m_train.append(p.payload);
    if (p.continued)
    {
        return true;
    }
    m_in_train = false;
    std::string joined;
    joined.swap(m_train);
    return row(m_train_kind, joined);
}

bool ReplyDecoder::column(std::string_view p, bool keep)
{
    Column col;
    if (!parse_column(p, m_caps, col))
    {
        return fail("malformed column definition");
    }
    if (keep)
    {
        m_columns.push_back(std::move(col));
    }
    return true;
}

bool ReplyDecoder::row(PacketKind kind, std::string_view p)
{
    if (p.empty())
    {
        return fail("empty packet");
    }
    return kind == PacketKind::BINARY_ROW ? binary_row(p) : text_row(p);
}

bool ReplyDecoder::text_row(std::string_view p)
{
    const unsigned char* q = ubegin(p);
    const unsigned char* end = q + p.size();
    m_fields.resize(m_columns.size());
    for (Field& f : m_fields)
    {
        if (q < end && *q == 0xfb)
        {
            f.null = true;
            f.value = {};
            ++q;
        }
        else if (read_lenenc_str(q, end, f.value))
        {
            f.null = false;
        }
        else
        {
            return fail("malformed text row");
        }
    }
    if (q != end)
    {
        return fail("malformed text row: trailing bytes");
    }
    m_sink->on_row(m_fields);
    return true;
}

bool ReplyDecoder::binary_row(std::string_view p)
{
    const unsigned char* q = ubegin(p);
    const unsigned char* end = q + p.size();
    size_t n = m_columns.size();
    size_t bitmap_len = (n + 7 + 2) / 8;
    if (q[0] != 0x00 || p.size() < 1 + bitmap_len)
    {
        return fail("malformed binary row");
    }
    const unsigned char* bitmap = q + 1;
    q += 1 + bitmap_len;
    m_fields.resize(n);
    m_spans.clear();
    m_text.clear();
    for (size_t i = 0; i < n; ++i)
    {
        Field& f = m_fields[i];
        const Column& col = m_columns[i];
        f.null = bitmap[(i + 2) / 8] & (1 << ((i + 2) % 8));
        f.value = {};
        if (f.null || col.type == type::NULL_TYPE)
        {
            f.null = true;
            continue;
        }
        if (binary_is_lenenc(col.type))
        {
            if (!read_lenenc_str(q, end, f.value))
            {
                return fail("malformed binary row");
            }
            continue;
        }
        size_t start = m_text.size();
        if (!binary_to_text(col, q, end, m_text))
        {
            return fail("malformed binary value in column " + std::to_string(i + 1));
        }
        m_spans.emplace_back(i, start);
    }
    if (q != end)
    {
        return fail("malformed binary row: trailing bytes");
    }
    // m_text is complete now: point the converted fields into it.
    for (size_t k = 0; k < m_spans.size(); ++k)
    {
        size_t start = m_spans[k].second;
        size_t stop = k + 1 < m_spans.size() ? m_spans[k + 1].second : m_text.size();
        m_fields[m_spans[k].first].value = std::string_view(m_text).substr(start, stop - start);
    }
    m_sink->on_row(m_fields);
    return true;
}

bool ReplyDecoder::end_of_result(const ReplyPacket& p)
{
    EndInfo end;
    end.affected_rows = p.affected_rows;
    end.insert_id = p.insert_id;
    end.status = p.server_status;
    end.warnings = p.warnings;
    m_sink->on_end(end);
    return true;
}

}  // namespace sqlgate::httpsql
