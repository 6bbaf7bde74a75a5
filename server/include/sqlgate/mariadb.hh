/**
 * The MariaDB client/server protocol codec: pure functions and the reply
 * tracker. No I/O here; the protocol module and the tests drive it.
 *
 * Threads: everything is either a pure function or an object owned by one
 * connection (ReplyTracker).
 */
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

#include "sqlgate/buffer.hh"
#include "sqlgate/routing.hh"

namespace sqlgate::mariadb
{

constexpr size_t HEADER_LEN = 4;
constexpr uint32_t MAX_PAYLOAD = 0xffffff;
constexpr size_t SCRAMBLE_LEN = 20;

enum Command : uint8_t
{
    COM_SLEEP = 0x00,
    COM_QUIT = 0x01,
    COM_INIT_DB = 0x02,
    COM_QUERY = 0x03,
    COM_FIELD_LIST = 0x04,
    COM_CREATE_DB = 0x05,
    COM_DROP_DB = 0x06,
    COM_REFRESH = 0x07,
    COM_SHUTDOWN = 0x08,
    COM_STATISTICS = 0x09,
    COM_PROCESS_INFO = 0x0a,
    COM_CONNECT = 0x0b,
    COM_PROCESS_KILL = 0x0c,
    COM_DEBUG = 0x0d,
    COM_PING = 0x0e,
    COM_TIME = 0x0f,
    COM_DELAYED_INSERT = 0x10,
    COM_CHANGE_USER = 0x11,
    COM_BINLOG_DUMP = 0x12,
    COM_TABLE_DUMP = 0x13,
    COM_CONNECT_OUT = 0x14,
    COM_REGISTER_SLAVE = 0x15,
    COM_STMT_PREPARE = 0x16,
    COM_STMT_EXECUTE = 0x17,
    COM_STMT_SEND_LONG_DATA = 0x18,
    COM_STMT_CLOSE = 0x19,
    COM_STMT_RESET = 0x1a,
    COM_SET_OPTION = 0x1b,
    COM_STMT_FETCH = 0x1c,
    COM_DAEMON = 0x1d,
    COM_RESET_CONNECTION = 0x1f,
    COM_STMT_BULK_EXECUTE = 0xfa,
};
const char* command_name(uint8_t cmd);

// Capability flags (lower 32 bits as in the protocol; MariaDB's extended
// capabilities are shifted up by 32 in a uint64_t).
namespace cap
{
constexpr uint64_t LONG_PASSWORD = 1ULL << 0;  // "CLIENT_MYSQL" in MariaDB
constexpr uint64_t FOUND_ROWS = 1ULL << 1;
constexpr uint64_t LONG_FLAG = 1ULL << 2;
constexpr uint64_t CONNECT_WITH_DB = 1ULL << 3;
constexpr uint64_t NO_SCHEMA = 1ULL << 4;
constexpr uint64_t COMPRESS = 1ULL << 5;
constexpr uint64_t ODBC = 1ULL << 6;
constexpr uint64_t LOCAL_FILES = 1ULL << 7;
constexpr uint64_t IGNORE_SPACE = 1ULL << 8;
constexpr uint64_t PROTOCOL_41 = 1ULL << 9;
constexpr uint64_t INTERACTIVE = 1ULL << 10;
constexpr uint64_t SSL = 1ULL << 11;
constexpr uint64_t IGNORE_SIGPIPE = 1ULL << 12;
constexpr uint64_t TRANSACTIONS = 1ULL << 13;
constexpr uint64_t RESERVED = 1ULL << 14;
constexpr uint64_t SECURE_CONNECTION = 1ULL << 15;
constexpr uint64_t MULTI_STATEMENTS = 1ULL << 16;
constexpr uint64_t MULTI_RESULTS = 1ULL << 17;
constexpr uint64_t PS_MULTI_RESULTS = 1ULL << 18;
constexpr uint64_t PLUGIN_AUTH = 1ULL << 19;
constexpr uint64_t CONNECT_ATTRS = 1ULL << 20;
constexpr uint64_t PLUGIN_AUTH_LENENC_CLIENT_DATA = 1ULL << 21;
constexpr uint64_t CAN_HANDLE_EXPIRED_PASSWORDS = 1ULL << 22;
constexpr uint64_t SESSION_TRACK = 1ULL << 23;
constexpr uint64_t DEPRECATE_EOF = 1ULL << 24;
constexpr uint64_t SSL_VERIFY_SERVER_CERT = 1ULL << 30;
constexpr uint64_t REMEMBER_OPTIONS = 1ULL << 31;
// MariaDB extended capabilities (bits 32..63).
constexpr uint64_t MARIADB_PROGRESS = 1ULL << 32;
constexpr uint64_t MARIADB_COM_MULTI = 1ULL << 33;
constexpr uint64_t MARIADB_STMT_BULK_OPERATIONS = 1ULL << 34;
constexpr uint64_t MARIADB_EXTENDED_TYPE_INFO = 1ULL << 35;
constexpr uint64_t MARIADB_CACHE_METADATA = 1ULL << 36;
}  // namespace cap

// Server status flags.
namespace srv
{
constexpr uint16_t IN_TRANS = 0x0001;
constexpr uint16_t AUTOCOMMIT = 0x0002;
constexpr uint16_t MORE_RESULTS_EXIST = 0x0008;
constexpr uint16_t CURSOR_EXISTS = 0x0040;
constexpr uint16_t LAST_ROW_SENT = 0x0080;
constexpr uint16_t SESSION_STATE_CHANGED = 0x4000;
}  // namespace srv

/// COM_STMT_EXECUTE flags: the only cursor type MariaDB opens a cursor for.
constexpr uint8_t CURSOR_TYPE_READ_ONLY = 0x01;

// ---------------------------------------------------------------- encoding

/// Payload length from a 4-byte header.
inline uint32_t payload_length(const unsigned char* h)
{
    return h[0] | (h[1] << 8) | (h[2] << 16);
}
inline void set_header(unsigned char* h, uint32_t len, uint8_t seq)
{
    h[0] = len & 0xff;
    h[1] = (len >> 8) & 0xff;
    h[2] = (len >> 16) & 0xff;
    h[3] = seq;
}

/// Length-encoded integer. Returns false if @c p..end is too short or invalid.
bool read_lenenc(const unsigned char*& p, const unsigned char* end, uint64_t& out);
/// Length-encoded string.
bool read_lenenc_str(const unsigned char*& p, const unsigned char* end, std::string_view& out);
void write_lenenc(std::string& out, uint64_t v);
void write_lenenc_str(std::string& out, std::string_view s);

/// Wrap @c payload into packets (splitting at 16 MiB) starting at @c seq.
Buffer make_packet(uint8_t seq, std::string_view payload);
Buffer make_ok(uint8_t seq, uint64_t affected_rows = 0, uint64_t insert_id = 0,
               uint16_t status = srv::AUTOCOMMIT, uint16_t warnings = 0,
               std::string_view info = {});
/// ERR packet: 0xff, code, '#', 5-char sqlstate, message.
Buffer make_err(uint8_t seq, uint16_t code, std::string_view sqlstate, std::string_view message);
/// MariaDB's SQLSTATE for the error @c code of the errors sqlgate sends itself
/// (e.g. 1040 "08004", 1045 "28000", 1927 "70100"); "HY000" for the others.
const char* sqlstate_of(uint16_t code);

/// The SQL text of a COM_QUERY / COM_STMT_PREPARE packet (whole command in @c packet).
std::string get_sql(const Buffer& packet);
/// Rebuild a COM_QUERY-style packet (same command byte and sequence) with new text.
Buffer rebuild_sql(const Buffer& packet, std::string_view sql);
/// The command byte of a whole command packet (0xff if too short).
inline uint8_t command_of(const Buffer& packet)
{
    return packet.size() > HEADER_LEN ? packet.at(HEADER_LEN) : 0xff;
}

// ---------------------------------------------------------------- auth

using Sha1 = std::array<uint8_t, 20>;
Sha1 sha1(std::string_view data);
/// mysql_native_password token: SHA1(pw) XOR SHA1(scramble + SHA1(SHA1(pw))).
Sha1 native_token(std::string_view password, const uint8_t* scramble20);
/// Same, from SHA1(pw) (what the proxy recovers from a client's token).
Sha1 native_token_from_sha1(const Sha1& sha1_password, const uint8_t* scramble20);
/**
 * Check a client's token against the stored hash SHA1(SHA1(pw)) (the 20 raw
 * bytes of mysql.user's "*HEX" string). On success writes SHA1(pw) to @c
 * sha1_password. An empty token matches only an empty stored hash.
 */
bool check_native(const uint8_t* scramble20, std::string_view token, std::string_view stored_hash,
                  Sha1& sha1_password);
/// "*2470C0C0..." -> 20 raw bytes; empty string -> empty. False if malformed.
bool decode_password_hash(std::string_view text, std::string& raw);
/// Fill @c out with @c n random printable scramble bytes (no '\0', no '$').
void random_scramble(uint8_t* out, size_t n);

// ---------------------------------------------------------------- handshake

struct Handshake
{
    uint8_t protocol_version = 10;
    std::string server_version;
    uint32_t connection_id = 0;
    uint8_t scramble[SCRAMBLE_LEN] = {};
    uint64_t capabilities = 0;  ///< includes MariaDB extended bits (<<32)
    uint8_t charset = 0x21;
    uint16_t status = srv::AUTOCOMMIT;
    std::string auth_plugin = "mysql_native_password";
};
/// Payload of an initial handshake packet (v10). MariaDB's extended
/// capabilities are sent only when the lowest capability bit is clear, as
/// MariaDB does: set cap::LONG_PASSWORD off to advertise them.
std::string build_handshake(const Handshake& hs);
bool parse_handshake(std::string_view payload, Handshake& out, std::string& error);

struct HandshakeResponse
{
    uint64_t capabilities = 0;  ///< includes MariaDB extended bits (<<32)
    uint32_t max_packet = 16777216;
    uint8_t charset = 0x21;
    std::string user;
    std::string auth_token;
    std::string database;
    std::string auth_plugin;
    std::string attributes;  ///< raw connection attributes block (without its length prefix)
};
/// A payload of 32 bytes is an SSL request: then only capabilities, max_packet
/// and charset are filled and @c ssl_request is set.
bool parse_handshake_response(std::string_view payload, HandshakeResponse& out, bool& ssl_request,
                              std::string& error);
std::string build_handshake_response(const HandshakeResponse& r);

/// Auth switch request payload (0xfe, plugin name, data).
std::string build_auth_switch(std::string_view plugin, std::string_view data);
bool parse_auth_switch(std::string_view payload, std::string& plugin, std::string& data);

/// COM_CHANGE_USER payload parse (needs the client's capabilities).
struct ChangeUser
{
    std::string user;
    std::string auth_token;
    std::string database;
    uint16_t charset = 0;
    std::string auth_plugin;
    std::string attributes;
};
bool parse_change_user(std::string_view payload, uint64_t client_caps, ChangeUser& out);
std::string build_change_user(const ChangeUser& c, uint64_t caps);

// ---------------------------------------------------------------- single packets

/// The fields of an OK packet.
struct OkFields
{
    uint64_t affected_rows = 0;
    uint64_t insert_id = 0;
    uint16_t status = 0;
    uint16_t warnings = 0;
    std::string_view info;  ///< human-readable info (empty when absent or cut short)
};
/// An OK packet: header 0x00, or 0xfe where DEPRECATE_EOF puts an OK in place
/// of an EOF; then affected rows, insert id, status and warnings. @c caps:
/// with SESSION_TRACK the info is a length-encoded string, else the rest.
bool parse_ok_packet(std::string_view payload, uint64_t caps, OkFields& out);
/// An EOF packet: 0xfe, warnings, status, and under 9 bytes in all.
bool parse_eof_packet(std::string_view payload, uint16_t& warnings, uint16_t& status);

/// The fields of an ERR packet.
struct ErrFields
{
    uint16_t code = 0;
    std::string_view sqlstate;  ///< 5 characters, or empty when the packet has none
    std::string_view message;
};
/// An ERR packet: 0xff, code, then ('#', 5-character SQLSTATE) and the message.
bool parse_err_packet(std::string_view payload, ErrFields& out);

// ---------------------------------------------------------------- replies

/// What a packet of a reply is, as the ReplyTracker found it.
enum class PacketKind : uint8_t
{
    OK,                   ///< OK: ends the reply, or one result of several (more_results())
    ERR,                  ///< ERR: ends the reply
    PROGRESS,             ///< MariaDB progress report (0xff, code 0xffff): ends nothing
    EOF_PACKET,           ///< an EOF that is the whole reply (COM_SET_OPTION, COM_DEBUG)
    LOCAL_INFILE,         ///< LOAD DATA LOCAL request (0xfb); info: the file name
    COLUMN_COUNT,         ///< first packet of a result set; count, metadata
    COLUMN_DEF,           ///< a column definition; count: definitions still to come
    COLUMNS_END,          ///< EOF after the column definitions (not with DEPRECATE_EOF)
    TEXT_ROW,             ///< a row of a text result set (COM_QUERY)
    BINARY_ROW,           ///< a row of a binary result set (COM_STMT_EXECUTE, COM_STMT_FETCH)
    RESULT_END,           ///< EOF (with DEPRECATE_EOF an OK with a 0xfe header) after the rows
    PREPARE_OK,           ///< first packet of a COM_STMT_PREPARE reply
    PARAM_DEF,            ///< a parameter definition; count: definitions still to come
    PARAMS_END,           ///< EOF after the parameter definitions
    PREPARE_COLUMN_DEF,   ///< a column definition of a prepare reply; count as above
    PREPARE_COLUMNS_END,  ///< EOF after them
    FIELD_DEF,            ///< a column definition answering COM_FIELD_LIST
    STATISTICS,           ///< the text answering COM_STATISTICS (in info)
    AUTH_SWITCH,          ///< COM_CHANGE_USER: auth switch request or more auth data
    CONTINUATION,         ///< a packet continuing the one before (that one had 0xffffff bytes)
};
const char* packet_kind_name(PacketKind kind);

/// One packet of a reply, reported to a ReplyObserver. Only the fields of its
/// kind are set; the others are zero or empty.
struct ReplyPacket
{
    PacketKind kind = PacketKind::OK;
    uint8_t command = 0;     ///< the command the reply answers (COM_xxx)
    uint8_t sequence = 0;    ///< sequence number from the header
    bool last = false;       ///< the packet ends the reply
    bool continued = false;  ///< 0xffffff bytes long: CONTINUATION packets follow
    /// Too short, too long or not of the layout its kind has (OK, ERR, EOFs,
    /// COLUMN_COUNT are checked; definitions and rows are not decoded here).
    bool malformed = false;
    bool metadata = true;      ///< COLUMN_COUNT: column definitions follow (MARIADB_CACHE_METADATA)
    size_t offset = 0;         ///< where the packet's header starts in the data given to process()
    std::string_view payload;  ///< the whole payload (without the header)
    uint64_t count = 0;        ///< COLUMN_COUNT: columns; *_DEF: definitions still to come
    uint64_t affected_rows = 0;  ///< OK, RESULT_END as an OK
    uint64_t insert_id = 0;      ///< OK, RESULT_END as an OK
    uint16_t server_status = 0;  ///< OK and the EOFs
    uint16_t warnings = 0;       ///< OK, the EOFs, PREPARE_OK
    uint16_t error_code = 0;     ///< ERR
    uint32_t statement_id = 0;   ///< PREPARE_OK
    uint16_t columns = 0;        ///< PREPARE_OK
    uint16_t params = 0;         ///< PREPARE_OK
    std::string_view sqlstate;   ///< ERR: empty when the packet has none
    std::string_view message;    ///< ERR
    std::string_view info;       ///< OK: info; LOCAL_INFILE: file name; STATISTICS: the text
    bool more_results() const { return server_status & srv::MORE_RESULTS_EXIST; }
};

/**
 * Told the kind of every packet a ReplyTracker walks over (see
 * ReplyTracker::set_observer()). Not owned by the tracker; called on the
 * tracker's thread, from inside process(), so it must not call the tracker.
 */
class ReplyObserver
{
public:
    /// @c packet and the views in it are valid only during the call.
    virtual void on_packet(const ReplyPacket& packet) = 0;

protected:
    ~ReplyObserver() = default;
};

/**
 * Knows where each reply of a backend connection ends, and what each of its
 * packets is. It is the one parser of MariaDB reply framing in sqlgate: the
 * backend connection runs one per server connection, the SQL-over-HTTP
 * client one of its own to decode values (see docs/architecture.md).
 *
 * The backend connection calls command_sent() for every packet it writes and
 * process() on the bytes it reads. process() returns how many leading bytes
 * can go up the chain now as one piece of the current reply; reply->complete
 * is set when that piece ends the reply. Large row packets are released in
 * part as they arrive, so memory stays bounded; small control packets (OK,
 * ERR, EOF, column definitions) are held until whole.
 *
 * Observing: with set_observer(), process() reports every packet it walks
 * over, in order, before returning the piece that holds it. Then every packet,
 * a row too, is held until whole and reported once (a packet of 0xffffff
 * bytes, then its CONTINUATION packets). The payload is a view into the
 * Buffer's block when the packet lies in one slice, else into a copy the
 * tracker keeps. Without an observer (the default, and the backend's case)
 * nothing is reported or allocated: a null test per packet is all it costs.
 *
 * Handles: OK/ERR; text and binary result sets with and without
 * DEPRECATE_EOF; multi-results (MORE_RESULTS_EXIST); COM_STMT_PREPARE
 * responses; cursors (COM_STMT_EXECUTE opening a cursor, COM_STMT_FETCH),
 * told apart from the result sets of a CALL (see reply_tracker.cc);
 * COM_FIELD_LIST; COM_STATISTICS; commands without a reply
 * (COM_STMT_CLOSE, COM_STMT_SEND_LONG_DATA, COM_QUIT); LOAD DATA LOCAL
 * INFILE (0xfb request, file packets from the client, final OK/ERR);
 * packets of 16 MiB and more split in several; pipelined commands.
 */
class ReplyTracker
{
public:
    void set_capabilities(uint64_t caps) { m_caps = caps; }
    uint64_t capabilities() const { return m_caps; }
    /// Report packets to @c observer (nullptr: to nobody). Not owned.
    void set_observer(ReplyObserver* observer)
    {
        m_observer = observer;
        m_row_ready = false;
    }

    /// A whole command packet is being written to the server. Returns true
    /// if the server will answer it.
    bool command_sent(const Buffer& packet);
    /// See the class comment. @c data starts at the first byte not yet
    /// returned. Returns 0 when more bytes are needed.
    size_t process(const Buffer& data, Reply& reply);
    /// No reply outstanding.
    bool idle() const { return m_queue.empty() && !m_in_reply; }
    /// Replies outstanding (including the one in progress).
    size_t outstanding() const { return m_queue.size() + (m_in_reply ? 1 : 0); }
    /// True while the server waits for LOAD DATA LOCAL file contents.
    bool in_load_data() const { return m_state == State::LOAD_DATA; }
    /// True when some bytes of the current reply already went up.
    bool reply_started() const { return m_in_reply && m_reply.bytes > 0; }
    uint8_t current_command() const;

    enum class State
    {
        START,       ///< first packet of a reply
        COLDEFS,     ///< column definitions
        COLDEF_EOF,  ///< EOF after column definitions
        ROWS,
        PREPARE_PARAMS,
        PREPARE_PARAMS_EOF,
        PREPARE_COLS,
        PREPARE_COLS_EOF,
        FIELD_LIST,  ///< column definitions until EOF
        STATISTICS,  ///< one string packet
        LOAD_DATA,   ///< waiting for the client's file contents
        LOAD_DATA_END,
    };
    State state() const { return m_state; }

private:
    enum class Action
    {
        CONTINUE,  ///< the reply goes on
        PIECE,     ///< the reply goes on but the piece must end here (LOAD DATA, auth switch)
        END,       ///< the packet ends the reply
    };
    /// Where process() is in the slices of its data: packets that lie in one
    /// slice are read in place.
    struct SliceCursor
    {
        size_t index = 0;
        size_t start = 0;  ///< offset of slice @c index in the data
        size_t end = 0;    ///< offset just after it
        const unsigned char* bytes = nullptr;
        /// The bytes [pos, pos + n) in place, or nullptr if they are not in one slice.
        const unsigned char* at(const Buffer& data, size_t pos, size_t n)
        {
            while (pos >= end && index < data.slice_count())
            {
                const Slice& s = data.slice(index++);
                start = end;
                end = start + s.length;
                bytes = s.data();
            }
            return pos >= start && pos + n <= end ? bytes + (pos - start) : nullptr;
        }
    };
    enum class RowTest
    {
        ROW,      ///< a row, or a packet continuing one of 0xffffff bytes
        CONTROL,  ///< anything else: held until whole
        MORE,     ///< the first payload byte is needed to tell
    };
    RowTest row_test(const unsigned char* p, size_t n, uint32_t len) const;
    void begin_reply();
    /// One whole control packet at @c pos of @c data; @c p holds the first
    /// @c n bytes of its payload (all of it with an observer).
    Action handle_packet(const Buffer& data, size_t pos, const unsigned char* p, size_t n,
                         uint32_t len);
    Action handle_first(const unsigned char* p, size_t n, uint32_t len);
    Action handle_other(const unsigned char* p, size_t n, uint32_t len);
    Action handle_prepare(const unsigned char* p, size_t n);
    Action prepare_columns();
    Action handle_column_count(const unsigned char* p, size_t n);
    Action handle_terminator(const unsigned char* p, size_t n, uint32_t len);
    bool read_terminator(const unsigned char* p, size_t n, uint32_t len);
    Action end_unless_more();
    bool cursor_opened();
    void read_ok(const unsigned char* p, size_t n);
    void read_eof(const unsigned char* p, size_t n);
    void eof_fields(const unsigned char* p, size_t n);
    void read_err(const Buffer& data, size_t pos, const unsigned char* p, size_t n, uint32_t len);
    /// The payload of the whole packet at @c pos, contiguous (observer only).
    std::string_view payload_view(const Buffer& data, size_t pos, uint32_t len, SliceCursor& c);
    void report(std::string_view payload, size_t pos, uint8_t seq, bool last);
    void report_row(const Buffer& data, size_t pos, uint32_t len, uint8_t seq, SliceCursor& c);

    /// A command awaiting its reply.
    struct Pending
    {
        uint8_t command;
        bool cursor;  ///< COM_STMT_EXECUTE with CURSOR_TYPE_READ_ONLY
    };

    uint64_t m_caps = 0;
    std::deque<Pending> m_queue;  ///< commands awaiting replies
    bool m_in_reply = false;
    uint8_t m_command = 0;
    bool m_opening_cursor = false;  ///< a cursor may open at the end of the first column defs
    State m_state = State::START;
    uint64_t m_columns_left = 0;
    uint64_t m_params_left = 0;
    uint64_t m_prepare_columns = 0;
    uint64_t m_packet_left = 0;   ///< bytes of a partly released packet still to come
    bool m_continuation = false;  ///< next packet continues a 16 MiB one
    bool m_auth_pending = false;  ///< COM_CHANGE_USER: auth switch under way
    Reply m_reply;
    ReplyObserver* m_observer = nullptr;
    ReplyPacket m_packet;      ///< what the handlers found (read by the observer only)
    bool m_row_ready = false;  ///< m_packet has only the fields a row sets
    PacketKind m_row_kind = PacketKind::TEXT_ROW;  ///< the rows of the current reply
    std::string m_scratch;  ///< a packet that spans slices, joined (observer only)
};

}  // namespace sqlgate::mariadb
