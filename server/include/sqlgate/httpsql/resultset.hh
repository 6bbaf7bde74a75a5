/**
 * httpsql reply decoding: turns the MariaDB server's reply to one command
 * (COM_QUERY, COM_STMT_PREPARE, COM_STMT_EXECUTE) into column definitions,
 * rows and end/error events for a ResultSink. Binary rows are converted to
 * the exact text the text protocol shows for the same value, so one JSON
 * encoder (values.hh) serves both kinds of rows.
 *
 * Threads: none (pure functions / owned by one session).
 */
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sqlgate/httpsql/packets.hh"

namespace sqlgate::httpsql
{

struct Field
{
    bool null = false;
    std::string_view value;  ///< text form, as the text protocol shows it
};

class ResultSink
{
public:
    virtual ~ResultSink() = default;
    virtual void on_columns(const std::vector<Column>& columns) = 0;
    /// @c fields are valid only during the call.
    virtual void on_row(const std::vector<Field>& fields) = 0;
    /// End of one result set, or the OK of a statement without rows.
    virtual void on_end(const EndInfo& end) = 0;
    /// An ERR packet; it ends the reply.
    virtual void on_error(uint16_t code, std::string_view sqlstate, std::string_view msg) = 0;
    /// The whole COM_STMT_PREPARE reply arrived (on_columns is not called for it).
    virtual void on_prepared(uint32_t stmt_id, uint16_t params, uint16_t columns) {}
};

/// Error code and SQLSTATE reported when the server asks for a LOAD DATA LOCAL file.
constexpr uint16_t LOCAL_INFILE_ERRNO = 1148;  // ER_NOT_ALLOWED_COMMAND
constexpr const char* LOCAL_INFILE_SQLSTATE = "42000";

class ReplyDecoder
{
public:
    enum class Kind
    {
        QUERY,    ///< COM_QUERY: text rows
        PREPARE,  ///< COM_STMT_PREPARE
        EXECUTE,  ///< COM_STMT_EXECUTE: binary rows
    };

    /// DEPRECATE_EOF decides whether EOF packets follow column definitions
    /// and end rows; MARIADB_EXTENDED_TYPE_INFO whether column definitions
    /// carry extended type info; MARIADB_CACHE_METADATA (not supported,
    /// reported as malformed when the server skips metadata).
    explicit ReplyDecoder(uint64_t capabilities);

    /// Before feeding the reply to one command.
    void start(Kind kind, ResultSink& sink);
    /// One whole packet payload (PacketSplitter joins 16 MiB trains). False
    /// = malformed or unexpected (error() says why); the decoder then
    /// refuses everything until the next start().
    bool packet(std::string_view payload);
    /// The whole reply (all result sets of a MORE_RESULTS chain) was consumed.
    bool done() const { return m_state == State::DONE; }
    const std::string& error() const { return m_error; }

    /**
     * True after the server asked for a LOAD DATA LOCAL file (0xfb): the
     * decoder reported it with on_error(LOCAL_INFILE_ERRNO, ...) and the
     * caller must now send an empty packet (sequence = the request's + 1).
     * The server's OK/ERR that follows is consumed silently and ends the
     * reply.
     */
    bool wants_empty_packet() const { return m_state == State::INFILE; }

    /// Column definitions of the current result set (or of the prepared
    /// statement's result, after a PREPARE).
    const std::vector<Column>& columns() const { return m_columns; }

private:
    enum class State
    {
        IDLE,
        FIRST,        ///< first packet of a result
        COLDEFS,      ///< column definitions
        COLDEFS_EOF,  ///< EOF after column definitions
        ROWS,
        PREP_PARAMS,  ///< parameter definitions of a prepare reply
        PREP_PARAMS_EOF,
        PREP_COLS,  ///< column definitions of a prepare reply
        PREP_COLS_EOF,
        INFILE,  ///< waiting for the OK/ERR after a LOAD DATA LOCAL request
        DONE,
        FAILED,
    };

    bool first(std::string_view p);
    bool prepare_ok(std::string_view p);
    bool column(std::string_view p);
    bool expect_eof(std::string_view p, State next);
    bool row(std::string_view p);
    bool text_row(std::string_view p);
    bool binary_row(std::string_view p);
    bool end_of_result(const EndInfo& end);
    bool after_prepare_block();
    bool fail(std::string msg);

    uint64_t m_caps;
    Kind m_kind = Kind::QUERY;
    ResultSink* m_sink = nullptr;
    State m_state = State::IDLE;
    uint64_t m_left = 0;  ///< column definitions still to come
    std::vector<Column> m_columns;
    uint32_t m_stmt_id = 0;
    uint16_t m_params = 0;
    uint16_t m_prep_columns = 0;
    std::vector<Field> m_fields;
    std::string m_text;                              ///< converted binary values of the current row
    std::vector<std::pair<size_t, size_t>> m_spans;  ///< (field index, start in m_text)
    std::string m_error;
};

// ---------------------------------------------------------------- column metadata

/// A byte string: charset 63 and a string, blob or geometry type.
bool is_binary(const Column& col);

/// MariaDB SQL type name ("BIGINT UNSIGNED", "VARCHAR", "JSON", ...).
const char* type_name(const Column& col);

/// Maximum bytes per character of a collation id (1 for unknown ones).
unsigned charset_max_bytes(uint16_t charset);

}  // namespace sqlgate::httpsql
