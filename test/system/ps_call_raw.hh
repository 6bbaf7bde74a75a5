// A raw MariaDB protocol client for byte-for-byte comparisons of replies: it logs in with
// exactly the capabilities asked for (e.g. with or without CLIENT_DEPRECATE_EOF, which
// libmariadb never asks for), sends command packets as given and returns the reply bytes
// as they came, headers and sequence ids included. It knows nothing about reply formats:
// a reply's end is found by a marker statement sent after it (read_through_marker).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sqlgate::test
{

namespace raw
{
constexpr uint32_t LONG_PASSWORD = 1;
constexpr uint32_t LONG_FLAG = 1 << 2;
constexpr uint32_t CONNECT_WITH_DB = 1 << 3;
constexpr uint32_t PROTOCOL_41 = 1 << 9;
constexpr uint32_t TRANSACTIONS = 1 << 13;
constexpr uint32_t SECURE_CONNECTION = 1 << 15;
constexpr uint32_t MULTI_STATEMENTS = 1 << 16;
constexpr uint32_t MULTI_RESULTS = 1 << 17;
constexpr uint32_t PS_MULTI_RESULTS = 1 << 18;
constexpr uint32_t PLUGIN_AUTH = 1 << 19;
constexpr uint32_t DEPRECATE_EOF = 1 << 24;
/// What test/unit/fixtures/mariadb/capture/capture.py asks for (no LOCAL_FILES here).
constexpr uint32_t BASE_CAPS = LONG_PASSWORD | LONG_FLAG | PROTOCOL_41 | TRANSACTIONS |
                               SECURE_CONNECTION | MULTI_STATEMENTS | MULTI_RESULTS |
                               PS_MULTI_RESULTS | PLUGIN_AUTH;

constexpr uint8_t COM_QUERY = 0x03;
constexpr uint8_t COM_STMT_PREPARE = 0x16;
constexpr uint8_t COM_STMT_EXECUTE = 0x17;
constexpr uint8_t COM_STMT_CLOSE = 0x19;
constexpr uint8_t COM_STMT_FETCH = 0x1c;

/// A COM_STMT_EXECUTE parameter: MYSQL_TYPE_xxx and its binary value (nullopt: NULL).
struct Param
{
    uint8_t type;
    std::optional<std::string> value;
};
Param int_param(int32_t v);
Param null_int_param();
Param string_param(const std::string& s);  ///< MYSQL_TYPE_STRING, length-encoded

/// COM_STMT_EXECUTE of @c stmt with @c flags (CURSOR_TYPE_xxx), iteration count 1, and
/// the types sent (new-params-bound flag 1) when there are parameters.
std::string execute_payload(uint32_t stmt, uint8_t flags, const std::vector<Param>& params);
std::string u32(uint32_t v);
/// A packet: 3-byte length, sequence id, payload (under 16 MiB).
std::string packet(uint8_t seq, const std::string& payload);

/// The payloads of the packets in @c bytes, one line each: "seq len hex".
std::string describe(const std::string& bytes);
}  // namespace raw

class RawClient
{
public:
    /// Connects to 127.0.0.1:port and logs in with mysql_native_password (character set
    /// utf8mb4_general_ci). Throws std::runtime_error on failure.
    RawClient(int port, const std::string& user, const std::string& password, const std::string& db,
              uint32_t caps);
    ~RawClient();
    RawClient(const RawClient&) = delete;
    RawClient& operator=(const RawClient&) = delete;

    /// Sends one command packet (sequence 0; payloads under 16 MiB).
    void send_command(const std::string& payload);
    /// Reads through the reply of a `SELECT '<marker>' AS m` sent after the commands
    /// whose replies are wanted: up to the end of the packet after the row that holds
    /// @c marker. Needs no timing: the marker's reply is the last thing that comes.
    std::string read_through_marker(const std::string& marker, std::chrono::milliseconds timeout);
    /// The capabilities in effect: those asked for and offered by the server.
    uint32_t capabilities() const { return m_caps; }

private:
    std::string read_packet();
    /// Appends what arrives within @c wait to @c out; false on timeout, EOF or error.
    bool read_some(std::string& out, std::chrono::milliseconds wait);

    int m_fd = -1;
    uint32_t m_caps = 0;
};

}  // namespace sqlgate::test
