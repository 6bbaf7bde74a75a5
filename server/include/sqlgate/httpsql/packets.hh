/**
 * httpsql wire format: parses single packets (column definitions; OK and EOF
 * through the core's parsers) and converts binary-protocol values to the text
 * the text protocol shows; cuts a packet stream into whole payloads, joining
 * the packet trains of payloads of 16 MiB and more (PacketSplitter).
 *
 * Threads: none (pure functions / owned by one session).
 */
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace sqlgate::httpsql
{

/// Column types as sent in column definitions (enum_field_types).
namespace type
{
constexpr uint8_t DECIMAL = 0;
constexpr uint8_t TINY = 1;
constexpr uint8_t SHORT = 2;
constexpr uint8_t LONG = 3;
constexpr uint8_t FLOAT = 4;
constexpr uint8_t DOUBLE = 5;
constexpr uint8_t NULL_TYPE = 6;
constexpr uint8_t TIMESTAMP = 7;
constexpr uint8_t LONGLONG = 8;
constexpr uint8_t INT24 = 9;
constexpr uint8_t DATE = 10;
constexpr uint8_t TIME = 11;
constexpr uint8_t DATETIME = 12;
constexpr uint8_t YEAR = 13;
constexpr uint8_t NEWDATE = 14;
constexpr uint8_t VARCHAR = 15;
constexpr uint8_t BIT = 16;
constexpr uint8_t JSON = 245;
constexpr uint8_t NEWDECIMAL = 246;
constexpr uint8_t ENUM = 247;
constexpr uint8_t SET = 248;
constexpr uint8_t TINY_BLOB = 249;
constexpr uint8_t MEDIUM_BLOB = 250;
constexpr uint8_t LONG_BLOB = 251;
constexpr uint8_t BLOB = 252;
constexpr uint8_t VAR_STRING = 253;
constexpr uint8_t STRING = 254;
constexpr uint8_t GEOMETRY = 255;
}  // namespace type

/// Column definition flags.
namespace flag
{
constexpr uint16_t NOT_NULL = 1;
constexpr uint16_t BLOB = 16;
constexpr uint16_t UNSIGNED = 32;
constexpr uint16_t ZEROFILL = 64;
constexpr uint16_t BINARY = 128;
constexpr uint16_t ENUM = 256;
constexpr uint16_t SET = 2048;
}  // namespace flag

/// The "binary" character set id: byte strings.
constexpr uint16_t BINARY_CHARSET = 63;

struct Column
{
    std::string name;   ///< column alias as the client sees it
    std::string table;  ///< table alias
    std::string schema;
    uint8_t type = type::NULL_TYPE;
    uint16_t flags = 0;
    uint16_t charset = 0;
    uint32_t length = 0;
    uint8_t decimals = 0;
    std::string ext_type;  ///< MariaDB extended type info ("json", "uuid", ...) if sent, else empty
};

struct EndInfo
{
    uint64_t affected_rows = 0, insert_id = 0;
    uint16_t status = 0, warnings = 0;
    bool more_results() const;
};

/// Not on the reply path: replies are framed by mariadb::ReplyTracker (see
/// ReplyDecoder). A plain cutter of packet streams.
class PacketSplitter
{
public:
    using Callback = std::function<void(std::string_view payload, uint8_t seq)>;

    /**
     * Feed the next bytes of the stream. @c fn is called once for every
     * packet completed by them, in order; the payload is valid only during
     * the call. A payload of 0xffffff bytes and the packets continuing it are
     * delivered as one payload with the sequence number of the last packet
     * of the train (the one the next command's numbering follows).
     */
    void feed(std::string_view bytes, const Callback& fn);

    /// Bytes held back: an incomplete packet and the joined part of a train.
    size_t buffered() const { return m_buf.size() + m_train.size(); }

    /// Forget everything held back (connection reset).
    void clear();

private:
    /// Cuts packets from the front of @c data; returns the bytes consumed.
    size_t split(std::string_view data, const Callback& fn);

    std::string m_buf;    ///< an incomplete packet (header included)
    std::string m_train;  ///< payloads of a 16 MiB packet train so far
    bool m_in_train = false;
};

/// Parse one column definition packet (@c caps: MARIADB_EXTENDED_TYPE_INFO).
bool parse_column(std::string_view payload, uint64_t caps, Column& out);
/// Parse an OK packet (header 0x00 or 0xfe): mariadb::parse_ok_packet().
bool parse_ok(std::string_view payload, EndInfo& out);
/// Parse an EOF packet (0xfe, warnings, status): mariadb::parse_eof_packet().
bool parse_eof(std::string_view payload, EndInfo& out);
/// An EOF packet: 0xfe and less than 9 bytes.
bool is_eof_packet(std::string_view payload);

/// True if the binary protocol sends values of type @c t as length-encoded strings.
bool binary_is_lenenc(uint8_t t);

/**
 * Convert one binary-protocol value of column @c col at @c p to the text the
 * text protocol shows for it, appended to @c out; advances @c p. False if
 * the value is truncated or malformed. Types sent as length-encoded strings
 * are copied as they are.
 */
bool binary_to_text(const Column& col, const unsigned char*& p, const unsigned char* end,
                    std::string& out);

/// MariaDB's text form of a DOUBLE (or, with @c is_float, a FLOAT) column
/// value with @c decimals (>= 31: not fixed), as my_gcvt()/my_fcvt() write it.
void append_server_real(std::string& out, double v, uint8_t decimals, bool is_float);

}  // namespace sqlgate::httpsql
