#include "sqlgate/httpsql/resultset.hh"

#include <strings.h>
#include <algorithm>
#include <array>
#include <iterator>

#include "sqlgate/mariadb.hh"
#include "wire.hh"

namespace sqlgate::httpsql
{

namespace
{
using mariadb::read_lenenc;
using mariadb::read_lenenc_str;

}  // namespace

// ---------------------------------------------------------------- decoder

ReplyDecoder::ReplyDecoder(uint64_t capabilities) : m_caps(capabilities) {}

void ReplyDecoder::start(Kind kind, ResultSink& sink)
{
    m_kind = kind;
    m_sink = &sink;
    m_state = State::FIRST;
    m_columns.clear();
    m_left = 0;
    m_error.clear();
}

bool ReplyDecoder::fail(std::string msg)
{
    m_state = State::FAILED;
    m_error = std::move(msg);
    return false;
}

bool ReplyDecoder::packet(std::string_view p)
{
    if (m_state == State::IDLE || m_state == State::DONE || m_state == State::FAILED)
    {
        return m_state == State::FAILED ? false : fail("packet outside a reply");
    }
    if (p.empty())
    {
        return fail("empty packet");
    }
    auto head = static_cast<unsigned char>(p[0]);
    if (head == 0xff && m_state != State::INFILE)
    {
        if (p.size() < 3)
        {
            return fail("truncated ERR packet");
        }
        uint16_t code = u16(ubegin(p) + 1);
        std::string_view rest = p.substr(3), state = "HY000";
        if (code == 0xffff && (m_caps & mariadb::cap::MARIADB_PROGRESS))
        {
            return true;  // progress report
        }
        if (!rest.empty() && rest[0] == '#')
        {
            if (rest.size() < 6)
            {
                return fail("truncated ERR packet");
            }
            state = rest.substr(1, 5);
            rest.remove_prefix(6);
        }
        m_state = State::DONE;
        m_sink->on_error(code, state, rest);
        return true;
    }
    switch (m_state)
    {
        case State::FIRST:
            return m_kind == Kind::PREPARE ? prepare_ok(p) : first(p);
        case State::COLDEFS:
        case State::PREP_PARAMS:
        case State::PREP_COLS:
            return column(p);
        case State::COLDEFS_EOF:
            return expect_eof(p, State::ROWS);
        case State::PREP_PARAMS_EOF:
            if (!expect_eof(p, State::PREP_COLS))
            {
                return false;
            }
            return after_prepare_block();
        case State::PREP_COLS_EOF:
            if (!expect_eof(p, State::DONE))
            {
                return false;
            }
            m_sink->on_prepared(m_stmt_id, m_params, m_prep_columns);
            return true;
        case State::ROWS:
            return row(p);
        case State::INFILE:
        {
            EndInfo end;
            if (head != 0xff && !parse_ok(p, end))
            {
                return fail("malformed reply after LOAD DATA LOCAL");
            }
            m_state = State::DONE;
            return true;
        }
        default:
            return fail("unexpected packet");
    }
}

bool ReplyDecoder::first(std::string_view p)
{
    auto head = static_cast<unsigned char>(p[0]);
    if (head == 0x00)
    {
        EndInfo end;
        if (!parse_ok(p, end))
        {
            return fail("malformed OK packet");
        }
        return end_of_result(end);
    }
    if (head == 0xfb)
    {
        m_state = State::INFILE;
        m_sink->on_error(LOCAL_INFILE_ERRNO, LOCAL_INFILE_SQLSTATE,
                         "LOAD DATA LOCAL is not supported over HTTP");
        return true;
    }
    const unsigned char* q = ubegin(p);
    const unsigned char* end = q + p.size();
    uint64_t count = 0;
    if (head == 0xfe || !read_lenenc(q, end, count) || count == 0)
    {
        return fail("malformed column count packet");
    }
    if (m_caps & mariadb::cap::MARIADB_CACHE_METADATA)
    {
        if (q == end || *q != 1)
        {
            return fail("result set without metadata (cached metadata is not supported)");
        }
        ++q;
    }
    if (q != end)
    {
        return fail("malformed column count packet");
    }
    m_columns.clear();
    m_columns.reserve(std::min<uint64_t>(count, 4096));
    m_left = count;
    m_state = State::COLDEFS;
    return true;
}

bool ReplyDecoder::prepare_ok(std::string_view p)
{
    const unsigned char* q = ubegin(p);
    if (p.size() < 9 || q[0] != 0x00)
    {
        return fail("malformed COM_STMT_PREPARE reply");
    }
    m_stmt_id = u32(q + 1);
    m_prep_columns = u16(q + 5);
    m_params = u16(q + 7);
    m_columns.clear();
    m_left = m_params;
    m_state = State::PREP_PARAMS;
    return after_prepare_block();
}

/// Moves past empty definition blocks of a prepare reply.
bool ReplyDecoder::after_prepare_block()
{
    if (m_state == State::PREP_PARAMS && m_left == 0)
    {
        m_state = State::PREP_COLS;
        m_left = m_prep_columns;
        m_columns.clear();
    }
    if (m_state == State::PREP_COLS && m_left == 0)
    {
        m_state = State::DONE;
        m_sink->on_prepared(m_stmt_id, m_params, m_prep_columns);
    }
    return true;
}

bool ReplyDecoder::column(std::string_view p)
{
    Column col;
    if (!parse_column(p, m_caps, col))
    {
        return fail("malformed column definition");
    }
    bool deprecate_eof = m_caps & mariadb::cap::DEPRECATE_EOF;
    if (m_state == State::PREP_PARAMS)
    {
        // Parameter definitions carry nothing useful; only count them.
        if (--m_left == 0)
        {
            if (!deprecate_eof)
            {
                m_state = State::PREP_PARAMS_EOF;
                return true;
            }
            return after_prepare_block();
        }
        return true;
    }
    m_columns.push_back(std::move(col));
    if (--m_left > 0)
    {
        return true;
    }
    if (m_state == State::PREP_COLS)
    {
        if (deprecate_eof)
        {
            m_state = State::DONE;
            m_sink->on_prepared(m_stmt_id, m_params, m_prep_columns);
        }
        else
        {
            m_state = State::PREP_COLS_EOF;
        }
        return true;
    }
    m_sink->on_columns(m_columns);
    m_state = deprecate_eof ? State::ROWS : State::COLDEFS_EOF;
    return true;
}

bool ReplyDecoder::expect_eof(std::string_view p, State next)
{
    EndInfo end;
    if (!parse_eof(p, end))
    {
        return fail("expected an EOF packet");
    }
    m_state = next;
    if (next == State::PREP_COLS)
    {
        m_left = m_prep_columns;
        m_columns.clear();
    }
    return true;
}

bool ReplyDecoder::row(std::string_view p)
{
    auto head = static_cast<unsigned char>(p[0]);
    if (head == 0xfe)
    {
        EndInfo end;
        if (m_caps & mariadb::cap::DEPRECATE_EOF)
        {
            if (p.size() < mariadb::MAX_PAYLOAD)
            {
                return parse_ok(p, end) ? end_of_result(end) : fail("malformed OK packet");
            }
        }
        else if (is_eof_packet(p))
        {
            return parse_eof(p, end) ? end_of_result(end) : fail("malformed EOF packet");
        }
    }
    return m_kind == Kind::EXECUTE ? binary_row(p) : text_row(p);
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

bool ReplyDecoder::end_of_result(const EndInfo& end)
{
    m_state = end.more_results() ? State::FIRST : State::DONE;
    m_sink->on_end(end);
    return true;
}

// ---------------------------------------------------------------- column metadata

bool is_binary(const Column& col)
{
    if (col.charset != BINARY_CHARSET)
    {
        return false;
    }
    switch (col.type)
    {
        case type::VARCHAR:
        case type::TINY_BLOB:
        case type::MEDIUM_BLOB:
        case type::LONG_BLOB:
        case type::BLOB:
        case type::VAR_STRING:
        case type::STRING:
        case type::GEOMETRY:
            return true;
        default:
            return false;
    }
}

const char* type_name(const Column& col)
{
    static const char* const ext_names[][2] = {
        {"json", "JSON"},
        {"uuid", "UUID"},
        {"inet4", "INET4"},
        {"inet6", "INET6"},
        {"point", "POINT"},
        {"linestring", "LINESTRING"},
        {"polygon", "POLYGON"},
        {"multipoint", "MULTIPOINT"},
        {"multilinestring", "MULTILINESTRING"},
        {"multipolygon", "MULTIPOLYGON"},
        {"geometrycollection", "GEOMETRYCOLLECTION"},
        {"vector", "VECTOR"},
    };
    for (const auto& e : ext_names)
    {
        if (!col.ext_type.empty() && strcasecmp(col.ext_type.c_str(), e[0]) == 0)
        {
            return e[1];
        }
    }
    // Fixed names by type, UNSIGNED variant second.
    static const std::pair<uint8_t, std::array<const char*, 2>> simple[] = {
        {type::DECIMAL, {"DECIMAL", "DECIMAL UNSIGNED"}},
        {type::NEWDECIMAL, {"DECIMAL", "DECIMAL UNSIGNED"}},
        {type::TINY, {"TINYINT", "TINYINT UNSIGNED"}},
        {type::SHORT, {"SMALLINT", "SMALLINT UNSIGNED"}},
        {type::INT24, {"MEDIUMINT", "MEDIUMINT UNSIGNED"}},
        {type::LONG, {"INT", "INT UNSIGNED"}},
        {type::LONGLONG, {"BIGINT", "BIGINT UNSIGNED"}},
        {type::FLOAT, {"FLOAT", "FLOAT UNSIGNED"}},
        {type::DOUBLE, {"DOUBLE", "DOUBLE UNSIGNED"}},
        {type::NULL_TYPE, {"NULL", "NULL"}},
        {type::TIMESTAMP, {"TIMESTAMP", "TIMESTAMP"}},
        {type::DATE, {"DATE", "DATE"}},
        {type::NEWDATE, {"DATE", "DATE"}},
        {type::TIME, {"TIME", "TIME"}},
        {type::DATETIME, {"DATETIME", "DATETIME"}},
        {type::YEAR, {"YEAR", "YEAR"}},
        {type::BIT, {"BIT", "BIT"}},
        {type::JSON, {"JSON", "JSON"}},
        {type::ENUM, {"ENUM", "ENUM"}},
        {type::SET, {"SET", "SET"}},
        {type::GEOMETRY, {"GEOMETRY", "GEOMETRY"}},
    };
    for (const auto& [t, names] : simple)
    {
        if (t == col.type)
        {
            return names[(col.flags & flag::UNSIGNED) ? 1 : 0];
        }
    }
    bool binary = is_binary(col);
    switch (col.type)
    {
        case type::VARCHAR:
        case type::VAR_STRING:
            return binary ? "VARBINARY" : "VARCHAR";
        case type::STRING:
            if (col.flags & flag::ENUM)
            {
                return "ENUM";
            }
            if (col.flags & flag::SET)
            {
                return "SET";
            }
            return binary ? "BINARY" : "CHAR";
        case type::TINY_BLOB:
        case type::MEDIUM_BLOB:
        case type::LONG_BLOB:
        case type::BLOB:
        {
            // MariaDB sends most of them as BLOB: tell them apart by size.
            uint32_t n = binary ? col.length : col.length / charset_max_bytes(col.charset);
            if (n <= 255)
            {
                return binary ? "TINYBLOB" : "TINYTEXT";
            }
            if (n <= 65535)
            {
                return binary ? "BLOB" : "TEXT";
            }
            if (n <= 16777215)
            {
                return binary ? "MEDIUMBLOB" : "MEDIUMTEXT";
            }
            return binary ? "LONGBLOB" : "LONGTEXT";
        }
        default:
            return "UNKNOWN";
    }
}

unsigned charset_max_bytes(uint16_t id)
{
    if (id >= 2048 && id < 2048 + 5 * 256)
    {
        // MariaDB's UCA 14.0.0 collations: 256 ids per character set in the
        // order utf8mb3, utf8mb4, ucs2, utf16, utf32.
        static const unsigned mb[] = {3, 4, 2, 4, 4};
        return mb[(id - 2048) / 256];
    }
    if (id >= 1024 && id < 2048)
    {
        id -= 1024;  // MariaDB's _nopad_ collations
    }
    if (id == 45 || id == 46 || (id >= 224 && id <= 247) || (id >= 255 && id <= 309))
    {
        return 4;  // utf8mb4
    }
    if (id == 33 || id == 76 || id == 83 || (id >= 192 && id <= 215) || id == 223)
    {
        return 3;  // utf8mb3
    }
    if (id == 35 || id == 90 || (id >= 128 && id <= 151) || id == 159)
    {
        return 2;  // ucs2
    }
    if (id == 54 || id == 55 || id == 56 || id == 62 || (id >= 101 && id <= 124))
    {
        return 4;  // utf16, utf16le
    }
    if (id == 60 || id == 61 || (id >= 160 && id <= 183))
    {
        return 4;  // utf32
    }
    if (id == 12 || id == 91 || id == 97 || id == 98)
    {
        return 3;  // ujis, eucjpms
    }
    // big5, sjis, euckr, gb2312, gbk, cp932
    static const uint16_t two[] = {1, 84, 13, 88, 19, 85, 24, 86, 28, 87, 95, 96};
    return std::find(std::begin(two), std::end(two), id) != std::end(two) ? 2 : 1;
}

}  // namespace sqlgate::httpsql
