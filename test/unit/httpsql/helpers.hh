// Fixture builders and a recording ResultSink for the httpsql tests.
#pragma once

#include <string>
#include <vector>

#include "sqlgate/httpsql/resultset.hh"
#include "sqlgate/mariadb.hh"

namespace httpsql_test
{
using namespace sqlgate::httpsql;

inline std::string le(uint64_t v, int bytes)
{
    std::string s;
    for (int i = 0; i < bytes; ++i)
    {
        s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    }
    return s;
}

inline std::string lenenc_str(std::string_view s)
{
    std::string out;
    sqlgate::mariadb::write_lenenc_str(out, s);
    return out;
}

/// A column definition payload; @c ext is the raw extended-type-info block
/// (written, length-prefixed, only if @c with_ext).
inline std::string coldef(const std::string& name, uint8_t type, uint16_t flags = 0,
                          uint16_t charset = 45, uint32_t length = 11, uint8_t decimals = 0,
                          bool with_ext = false, const std::string& ext = "")
{
    std::string p = lenenc_str("def") + lenenc_str("db") + lenenc_str("t") + lenenc_str("t0") +
                    lenenc_str(name) + lenenc_str(name + "_org");
    if (with_ext)
    {
        p += lenenc_str(ext);
    }
    p += '\x0c' + le(charset, 2) + le(length, 4) + static_cast<char>(type) + le(flags, 2) +
         static_cast<char>(decimals) + std::string(2, '\0');
    return p;
}

inline std::string eof(uint16_t status = 2, uint16_t warnings = 0)
{
    return "\xfe" + le(warnings, 2) + le(status, 2);
}

inline std::string ok(uint64_t affected, uint64_t insert_id, uint16_t status, uint16_t warnings,
                      char header = 0)
{
    std::string p(1, header);
    sqlgate::mariadb::write_lenenc(p, affected);
    sqlgate::mariadb::write_lenenc(p, insert_id);
    return p + le(status, 2) + le(warnings, 2);
}

inline std::string err(uint16_t code, const std::string& state, const std::string& msg)
{
    return "\xff" + le(code, 2) + "#" + state + msg;
}

/// Text row: each entry a value, or nullptr-like "\0NULL" marker for NULL.
inline const std::string NUL = std::string("\0NULL", 5);
inline std::string text_row(const std::vector<std::string>& values)
{
    std::string p;
    for (const auto& v : values)
    {
        p += v == NUL ? std::string("\xfb") : lenenc_str(v);
    }
    return p;
}

inline std::string frame(uint8_t seq, std::string_view payload)
{
    return sqlgate::mariadb::make_packet(seq, payload).to_string();
}

struct Recorder : ResultSink
{
    std::vector<std::string> events;
    std::vector<Column> columns;
    std::vector<std::vector<Field>> rows_raw;
    std::vector<std::vector<std::string>> rows;  ///< "NULL" for null

    void on_columns(const std::vector<Column>& c) override
    {
        columns = c;
        std::string s = "columns:";
        for (const auto& col : c)
        {
            s += col.name + "/" + std::to_string(col.type) + ";";
        }
        events.push_back(s);
    }
    void on_row(const std::vector<Field>& f) override
    {
        std::string s = "row:";
        std::vector<std::string> r;
        for (const auto& v : f)
        {
            r.push_back(v.null ? "NULL" : std::string(v.value));
            s += (v.null ? "NULL" : "'" + std::string(v.value) + "'") + ";";
        }
        rows.push_back(r);
        events.push_back(s);
    }
    void on_end(const EndInfo& e) override
    {
        events.push_back("end:" + std::to_string(e.affected_rows) + "," +
                         std::to_string(e.insert_id) + "," + std::to_string(e.status) + "," +
                         std::to_string(e.warnings) + (e.more_results() ? ",more" : ""));
    }
    void on_error(uint16_t code, std::string_view state, std::string_view msg) override
    {
        events.push_back("error:" + std::to_string(code) + "," + std::string(state) + "," +
                         std::string(msg));
    }
    void on_prepared(uint32_t id, uint16_t params, uint16_t cols) override
    {
        events.push_back("prepared:" + std::to_string(id) + "," + std::to_string(params) + "," +
                         std::to_string(cols));
    }
};

}  // namespace httpsql_test
