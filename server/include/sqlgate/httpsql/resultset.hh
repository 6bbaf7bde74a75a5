/**
 * httpsql reply decoding: turns the MariaDB server's replies (to COM_QUERY,
 * COM_STMT_PREPARE, COM_STMT_EXECUTE) into column definitions, rows and
 * end/error events for a ResultSink. The framing is the core's ReplyTracker's;
 * this only decodes values. Binary rows are converted to the exact text the
 * text protocol shows for the same value, so one JSON encoder (values.hh)
 * serves both kinds of rows.
 *
 * Threads: none (pure functions / owned by one session).
 */
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sqlgate/buffer.hh"
#include "sqlgate/httpsql/packets.hh"
#include "sqlgate/mariadb.hh"

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

/**
 * Turns the packets of replies into ResultSink events. It does not frame
 * replies itself: it runs a mariadb::ReplyTracker (the same class as the
 * backend connection's) over the bytes it is given and decodes the values of
 * the packets the tracker reports: column definitions, text and binary rows,
 * the fields of OK/EOF/ERR. It refuses packets whose kind does not belong in
 * the reply (a row in a prepare reply) or whose values are malformed.
 *
 * Two ways to use it: a stream of replies (command_sent() for every command
 * written, feed() with the bytes read, set_sink() per reply), as SqlClient
 * does; or one reply given as whole payloads (start(), packet()).
 */
class ReplyDecoder : private mariadb::ReplyObserver
{
public:
    /// The command whose reply start() expects.
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
    ReplyDecoder(const ReplyDecoder&) = delete;
    ReplyDecoder& operator=(const ReplyDecoder&) = delete;
    /// The capabilities agreed with the server, if they were not known at
    /// construction; before the first byte of a reply.
    void set_capabilities(uint64_t capabilities);

    // ---- a stream of replies

    /// A whole command packet is being sent; true if it gets a reply.
    bool command_sent(const Buffer& command) { return m_tracker.command_sent(command); }
    /// Where the events of the reply now decoded (or the next one) go.
    void set_sink(ResultSink& sink) { m_sink = &sink; }
    /**
     * Decode the whole packets at the front of @c data and remove them, up to
     * the end of the current reply (done() then tells) or until more bytes
     * are needed; a partial packet stays in @c data. False = malformed or
     * unexpected (error() says why); the decoder then refuses everything until
     * the next start().
     */
    bool feed(Buffer& data);
    /// No reply outstanding.
    bool idle() const { return m_tracker.idle(); }

    // ---- one reply as whole payloads

    /// Forget any reply in progress and expect the reply to one command of @c kind.
    void start(Kind kind, ResultSink& sink);
    /// One whole packet payload (16 MiB and more is framed as its packet train).
    bool packet(std::string_view payload);

    /// The last feed() or packet() ended the reply (all result sets of a
    /// MORE_RESULTS chain).
    bool done() const { return m_done && !m_failed; }
    const std::string& error() const { return m_error; }

    /**
     * True after the server asked for a LOAD DATA LOCAL file (0xfb): the
     * decoder reported it with on_error(LOCAL_INFILE_ERRNO, ...) and the
     * caller must now send an empty packet (sequence = the request's + 1).
     * The server's OK/ERR that follows is consumed silently and ends the
     * reply.
     */
    bool wants_empty_packet() const { return m_infile && !m_done && !m_failed; }

    /// Column definitions of the current result set (or of the prepared
    /// statement's result, after a PREPARE).
    const std::vector<Column>& columns() const { return m_columns; }

private:
    void on_packet(const mariadb::ReplyPacket& p) override;
    void begin_reply();
    bool decode(const mariadb::ReplyPacket& p);
    bool result_packet(const mariadb::ReplyPacket& p);
    bool prepare_packet(const mariadb::ReplyPacket& p);
    bool after_infile(const mariadb::ReplyPacket& p);
    bool error_packet(const mariadb::ReplyPacket& p);
    bool continuation(const mariadb::ReplyPacket& p);
    bool column(std::string_view p, bool keep);
    bool row(mariadb::PacketKind kind, std::string_view p);
    bool text_row(std::string_view p);
    bool binary_row(std::string_view p);
    bool end_of_result(const mariadb::ReplyPacket& p);
    bool fail(std::string msg);

    uint64_t m_caps;
    mariadb::ReplyTracker m_tracker;
    ResultSink* m_sink = nullptr;
    uint8_t m_seq = 0;  ///< sequence numbers of the packets framed by packet()
    bool m_done = false;
    bool m_failed = false;
    bool m_infile = false;  ///< a LOAD DATA LOCAL request was answered with an error
    std::vector<Column> m_columns;
    uint32_t m_stmt_id = 0;
    uint16_t m_params = 0;
    uint16_t m_prep_columns = 0;
    std::string m_train;  ///< a row of 16 MiB and more, joined so far
    mariadb::PacketKind m_train_kind = mariadb::PacketKind::TEXT_ROW;
    bool m_in_train = false;
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
