// The raw protocol client of the prepared-CALL tests (see ps_call_raw.hh).
#include "ps_call_raw.hh"

#include <openssl/evp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>

#include "harness.hh"

namespace sqlgate::test
{
namespace raw
{
std::string u32(uint32_t v)
{
    std::string s(4, '\0');
    for (int i = 0; i < 4; ++i)
    {
        s[i] = static_cast<char>((v >> (8 * i)) & 0xff);
    }
    return s;
}

Param int_param(int32_t v)
{
    return {3, u32(static_cast<uint32_t>(v))};  // MYSQL_TYPE_LONG
}

Param null_int_param()
{
    return {3, std::nullopt};
}

Param string_param(const std::string& s)
{
    return {0xfe, std::string(1, static_cast<char>(s.size())) + s};  // under 251 bytes
}

std::string execute_payload(uint32_t stmt, uint8_t flags, const std::vector<Param>& params)
{
    std::string p(1, static_cast<char>(COM_STMT_EXECUTE));
    p += u32(stmt);
    p += static_cast<char>(flags);
    p += u32(1);  // iteration count
    if (params.empty())
    {
        return p;
    }
    std::string nulls((params.size() + 7) / 8, '\0');
    for (size_t i = 0; i < params.size(); ++i)
    {
        if (!params[i].value)
        {
            nulls[i / 8] = static_cast<char>(nulls[i / 8] | (1 << (i % 8)));
        }
    }
    p += nulls;
    p += '\x01';  // new parameters bound: the types follow
    for (const Param& x : params)
    {
        p += static_cast<char>(x.type);
        p += '\0';
    }
    for (const Param& x : params)
    {
        p += x.value.value_or("");
    }
    return p;
}

std::string packet(uint8_t seq, const std::string& payload)
{
    std::string p = u32(static_cast<uint32_t>(payload.size())).substr(0, 3);
    p += static_cast<char>(seq);
    return p + payload;
}

std::string describe(const std::string& bytes)
{
    std::string out;
    size_t i = 0;
    while (i + 4 <= bytes.size())
    {
        auto b = [&](size_t k) { return static_cast<unsigned char>(bytes[k]); };
        size_t len = b(i) | b(i + 1) << 8 | b(i + 2) << 16;
        char head[32];
        snprintf(head, sizeof head, "seq %3u len %4zu:", b(i + 3), len);
        out += head;
        for (size_t k = i + 4; k < std::min(bytes.size(), i + 4 + len); ++k)
        {
            char h[4];
            snprintf(h, sizeof h, " %02x", b(k));
            out += h;
        }
        out += "\n";
        i += 4 + len;
    }
    if (i != bytes.size())
    {
        out += "(" + std::to_string(bytes.size() - std::min(i, bytes.size())) +
               " bytes of an incomplete packet)\n";
    }
    return out;
}
}  // namespace raw

namespace
{
std::string sha1(const std::string& data)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_Digest(data.data(), data.size(), md, &n, EVP_sha1(), nullptr);
    return std::string(reinterpret_cast<char*>(md), n);
}

// mysql_native_password: SHA1(pw) XOR SHA1(scramble + SHA1(SHA1(pw))).
std::string native_token(const std::string& password, const std::string& scramble)
{
    if (password.empty())
    {
        return "";
    }
    std::string h1 = sha1(password);
    std::string h3 = sha1(scramble + sha1(h1));
    for (size_t i = 0; i < h1.size(); ++i)
    {
        h1[i] = static_cast<char>(h1[i] ^ h3[i]);
    }
    return h1;
}

}  // namespace

RawClient::RawClient(int port, const std::string& user, const std::string& password,
                     const std::string& db, uint32_t caps)
{
    m_fd = tcp_connect(port);
    if (m_fd < 0)
    {
        throw std::runtime_error("cannot connect to port " + std::to_string(port));
    }
    std::string hs = read_packet().substr(4);
    // protocol(1) version\0 connection_id(4) scramble(8) filler(1) caps(2) charset(1)
    // status(2) caps_upper(2) auth_len(1) reserved(10) scramble(12+) plugin\0
    size_t pos = hs.find('\0', 1) + 1 + 4;
    std::string scramble = hs.substr(pos, 8);
    pos += 8 + 1;
    auto byte = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(hs[k])); };
    uint32_t server_caps =
        byte(pos) | byte(pos + 1) << 8 | byte(pos + 5) << 16 | byte(pos + 6) << 24;
    pos += 2 + 1 + 2 + 2 + 1 + 10;
    scramble += hs.substr(pos, 12);
    m_caps = (caps & server_caps) | (db.empty() ? 0 : raw::CONNECT_WITH_DB);
    std::string token = native_token(password, scramble);
    std::string r = raw::u32(m_caps) + raw::u32(16 * 1024 * 1024);
    r += '\x2d';                 // utf8mb4_general_ci
    r += std::string(23, '\0');  // filler, MariaDB extended capabilities 0
    r += user + '\0';
    r += static_cast<char>(token.size()) + token;
    r += db.empty() ? "" : db + '\0';
    r += std::string("mysql_native_password") + '\0';
    send(m_fd, raw::packet(1, r).data(), r.size() + 4, MSG_NOSIGNAL);
    std::string ok = read_packet();
    if (ok.size() < 5 || ok[4] != 0)
    {
        throw std::runtime_error("login refused: " + raw::describe(ok));
    }
}

RawClient::~RawClient()
{
    if (m_fd >= 0)
    {
        std::string quit = raw::packet(0, "\x01");
        send(m_fd, quit.data(), quit.size(), MSG_NOSIGNAL);
        close(m_fd);
    }
}

void RawClient::send_command(const std::string& payload)
{
    std::string p = raw::packet(0, payload);
    if (send(m_fd, p.data(), p.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(p.size()))
    {
        throw std::runtime_error("send failed");
    }
}

bool RawClient::read_some(std::string& out, std::chrono::milliseconds wait)
{
    pollfd p{m_fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(wait.count())) <= 0)
    {
        return false;
    }
    char buf[65536];
    ssize_t k = recv(m_fd, buf, sizeof buf, 0);
    if (k <= 0)
    {
        return false;
    }
    out.append(buf, static_cast<size_t>(k));
    return true;
}

std::string RawClient::read_packet()
{
    std::string in;
    auto length = [&]()
    {
        auto b = [&](size_t k) { return static_cast<size_t>(static_cast<unsigned char>(in[k])); };
        return b(0) | b(1) << 8 | b(2) << 16;
    };
    while (in.size() < 4 || in.size() < 4 + length())
    {
        if (!read_some(in, std::chrono::seconds(10)))
        {
            throw std::runtime_error("no packet: " + raw::describe(in));
        }
    }
    return in;
}

std::string RawClient::read_through_marker(const std::string& marker,
                                           std::chrono::milliseconds timeout)
{
    std::string out;
    auto end = std::chrono::steady_clock::now() + timeout;
    auto le24 = [&](size_t k)
    {
        auto b = [&](size_t i) { return static_cast<size_t>(static_cast<unsigned char>(out[i])); };
        return b(k) | b(k + 1) << 8 | b(k + 2) << 16;
    };
    for (;;)
    {
        size_t at = out.rfind(marker);
        if (at != std::string::npos)
        {
            // Walk the packets: the one holding the marker (the row), then its terminator.
            bool after_row = false;
            for (size_t pos = 0; pos + 4 <= out.size();)
            {
                size_t next = pos + 4 + le24(pos);
                if (next > out.size())
                {
                    break;
                }
                if (after_row)
                {
                    return out.substr(0, next);
                }
                after_row = at >= pos && at < next;
                pos = next;
            }
        }
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            end - std::chrono::steady_clock::now());
        if (left.count() <= 0 || !read_some(out, left))
        {
            return out;
        }
    }
}

}  // namespace sqlgate::test
