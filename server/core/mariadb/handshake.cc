/**
 * Connection phase packets: initial handshake v10, handshake response (and
 * SSL request), auth switch request and COM_CHANGE_USER.
 */
#include <algorithm>
#include <cstring>
#include <string>

#include "sqlgate/mariadb.hh"

namespace sqlgate::mariadb
{
namespace
{
/// Bounds-checked reader over a payload.
struct Reader
{
    const unsigned char* p;
    const unsigned char* end;

    explicit Reader(std::string_view s)
        : p(reinterpret_cast<const unsigned char*>(s.data())), end(p + s.size())
    {
    }
    size_t left() const { return end - p; }
    bool u8(uint8_t& v)
    {
        if (left() < 1)
        {
            return false;
        }
        v = *p++;
        return true;
    }
    bool uint(size_t n, uint64_t& v)
    {
        if (left() < n)
        {
            return false;
        }
        v = 0;
        for (size_t i = 0; i < n; ++i)
        {
            v |= static_cast<uint64_t>(p[i]) << (8 * i);
        }
        p += n;
        return true;
    }
    bool skip(size_t n)
    {
        if (left() < n)
        {
            return false;
        }
        p += n;
        return true;
    }
    bool bytes(size_t n, std::string& out)
    {
        if (left() < n)
        {
            return false;
        }
        out.assign(reinterpret_cast<const char*>(p), n);
        p += n;
        return true;
    }
    /// NUL-terminated string; a missing terminator takes the rest (lenient, as servers are).
    void cstr(std::string& out)
    {
        const unsigned char* z = static_cast<const unsigned char*>(std::memchr(p, 0, left()));
        const unsigned char* stop = z ? z : end;
        out.assign(reinterpret_cast<const char*>(p), stop - p);
        p = z ? z + 1 : end;
    }
    bool lenenc_str(std::string& out)
    {
        std::string_view sv;
        if (!read_lenenc_str(p, end, sv))
        {
            return false;
        }
        out.assign(sv);
        return true;
    }
};

void put_int(std::string& out, uint64_t v, size_t n)
{
    for (size_t i = 0; i < n; ++i)
    {
        out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    }
}

void put_cstr(std::string& out, std::string_view s)
{
    out.append(s);
    out.push_back('\0');
}
}  // namespace

std::string build_handshake(const Handshake& hs)
{
    std::string p;
    p.reserve(64 + hs.server_version.size() + hs.auth_plugin.size());
    p.push_back(static_cast<char>(hs.protocol_version));
    put_cstr(p, hs.server_version);
    put_int(p, hs.connection_id, 4);
    p.append(reinterpret_cast<const char*>(hs.scramble), 8);
    p.push_back('\0');
    put_int(p, hs.capabilities & 0xffff, 2);
    p.push_back(static_cast<char>(hs.charset));
    put_int(p, hs.status, 2);
    put_int(p, (hs.capabilities >> 16) & 0xffff, 2);
    p.push_back(static_cast<char>((hs.capabilities & cap::PLUGIN_AUTH) ? SCRAMBLE_LEN + 1 : 0));
    p.append(6, '\0');
    // MariaDB: the last 4 filler bytes carry the extended capabilities when
    // the server does not claim CLIENT_MYSQL (LONG_PASSWORD).
    put_int(p, (hs.capabilities & cap::LONG_PASSWORD) ? 0 : (hs.capabilities >> 32), 4);
    if (hs.capabilities & cap::SECURE_CONNECTION)
    {
        p.append(reinterpret_cast<const char*>(hs.scramble) + 8, SCRAMBLE_LEN - 8);
        p.push_back('\0');
    }
    if (hs.capabilities & cap::PLUGIN_AUTH)
    {
        put_cstr(p, hs.auth_plugin);
    }
    return p;
}

bool parse_handshake(std::string_view payload, Handshake& out, std::string& error)
{
    Reader r(payload);
    uint64_t v = 0;
    if (!r.u8(out.protocol_version))
    {
        error = "empty handshake";
        return false;
    }
    if (out.protocol_version == 0xff)
    {
        error = "server sent an error instead of a handshake";
        return false;
    }
    if (out.protocol_version != 10)
    {
        error = "unsupported protocol version " + std::to_string(out.protocol_version);
        return false;
    }
    r.cstr(out.server_version);
    if (!r.uint(4, v))
    {
        error = "handshake too short";
        return false;
    }
    out.connection_id = static_cast<uint32_t>(v);
    std::memset(out.scramble, 0, sizeof(out.scramble));
    if (r.left() < 9)
    {
        error = "handshake too short";
        return false;
    }
    std::memcpy(out.scramble, r.p, 8);
    r.skip(9);
    uint64_t caps_low = 0;
    if (!r.uint(2, caps_low))
    {
        error = "handshake too short";
        return false;
    }
    out.capabilities = caps_low;
    out.auth_plugin.clear();
    uint8_t auth_len = 0;
    uint64_t status = 0, caps_high = 0, ext = 0;
    if (r.left() == 0)
    {
        return true;  // pre-4.1 server: nothing more
    }
    if (!r.u8(out.charset) || !r.uint(2, status) || !r.uint(2, caps_high) || !r.u8(auth_len) ||
        !r.skip(6) || !r.uint(4, ext))
    {
        error = "handshake too short";
        return false;
    }
    out.status = static_cast<uint16_t>(status);
    out.capabilities |= caps_high << 16;
    if (!(out.capabilities & cap::LONG_PASSWORD))
    {
        out.capabilities |= ext << 32;
    }
    if (out.capabilities & cap::SECURE_CONNECTION)
    {
        size_t n = auth_len > 8 ? auth_len - 8 : 13;
        n = std::max<size_t>(n, 13);
        if (r.left() < n)
        {
            n = r.left();
        }
        size_t copy = std::min<size_t>(n, SCRAMBLE_LEN - 8);
        std::memcpy(out.scramble + 8, r.p, copy);
        r.skip(n);
    }
    if (out.capabilities & cap::PLUGIN_AUTH)
    {
        r.cstr(out.auth_plugin);
    }
    return true;
}

bool parse_handshake_response(std::string_view payload, HandshakeResponse& out, bool& ssl_request,
                              std::string& error)
{
    Reader r(payload);
    uint64_t caps = 0, max_packet = 0, ext = 0;
    ssl_request = false;
    if (!r.uint(4, caps) || !r.uint(4, max_packet) || !r.u8(out.charset) || !r.skip(19) ||
        !r.uint(4, ext))
    {
        error = "handshake response too short";
        return false;
    }
    if (!(caps & cap::PROTOCOL_41))
    {
        error = "client does not support protocol 4.1";
        return false;
    }
    if (!(caps & cap::LONG_PASSWORD))
    {
        caps |= ext << 32;
    }
    out.capabilities = caps;
    out.max_packet = static_cast<uint32_t>(max_packet);
    out.user.clear();
    out.auth_token.clear();
    out.database.clear();
    out.auth_plugin.clear();
    out.attributes.clear();
    if (r.left() == 0)
    {
        ssl_request = true;
        return true;
    }
    r.cstr(out.user);
    if (caps & cap::PLUGIN_AUTH_LENENC_CLIENT_DATA)
    {
        if (!r.lenenc_str(out.auth_token))
        {
            error = "bad auth data";
            return false;
        }
    }
    else if (caps & cap::SECURE_CONNECTION)
    {
        uint8_t n = 0;
        if (!r.u8(n) || !r.bytes(n, out.auth_token))
        {
            error = "bad auth data";
            return false;
        }
    }
    else
    {
        r.cstr(out.auth_token);
    }
    if ((caps & cap::CONNECT_WITH_DB) && r.left())
    {
        r.cstr(out.database);
    }
    if ((caps & cap::PLUGIN_AUTH) && r.left())
    {
        r.cstr(out.auth_plugin);
    }
    if ((caps & cap::CONNECT_ATTRS) && r.left())
    {
        if (!r.lenenc_str(out.attributes))
        {
            error = "bad connection attributes";
            return false;
        }
    }
    return true;
}

std::string build_handshake_response(const HandshakeResponse& rsp)
{
    std::string p;
    p.reserve(64 + rsp.user.size() + rsp.auth_token.size() + rsp.database.size() +
              rsp.attributes.size());
    uint64_t caps = rsp.capabilities;
    put_int(p, caps & 0xffffffff, 4);
    put_int(p, rsp.max_packet, 4);
    p.push_back(static_cast<char>(rsp.charset));
    p.append(19, '\0');
    put_int(p, (caps & cap::LONG_PASSWORD) ? 0 : (caps >> 32), 4);
    put_cstr(p, rsp.user);
    if (caps & cap::PLUGIN_AUTH_LENENC_CLIENT_DATA)
    {
        write_lenenc_str(p, rsp.auth_token);
    }
    else if (caps & cap::SECURE_CONNECTION)
    {
        size_t n = std::min<size_t>(rsp.auth_token.size(), 255);
        p.push_back(static_cast<char>(n));
        p.append(rsp.auth_token, 0, n);
    }
    else
    {
        put_cstr(p, rsp.auth_token);
    }
    if (caps & cap::CONNECT_WITH_DB)
    {
        put_cstr(p, rsp.database);
    }
    if (caps & cap::PLUGIN_AUTH)
    {
        put_cstr(p, rsp.auth_plugin);
    }
    if (caps & cap::CONNECT_ATTRS)
    {
        write_lenenc_str(p, rsp.attributes);
    }
    return p;
}

std::string build_auth_switch(std::string_view plugin, std::string_view data)
{
    std::string p;
    p.reserve(2 + plugin.size() + data.size());
    p.push_back(static_cast<char>(0xfe));
    put_cstr(p, plugin);
    p.append(data);
    return p;
}

bool parse_auth_switch(std::string_view payload, std::string& plugin, std::string& data)
{
    Reader r(payload);
    uint8_t marker = 0;
    if (!r.u8(marker) || marker != 0xfe)
    {
        return false;
    }
    if (r.left() == 0)
    {
        // Old-style "use the old password" request: no plugin name.
        plugin = "mysql_old_password";
        data.clear();
        return true;
    }
    r.cstr(plugin);
    data.assign(reinterpret_cast<const char*>(r.p), r.left());
    return true;
}

bool parse_change_user(std::string_view payload, uint64_t client_caps, ChangeUser& out)
{
    Reader r(payload);
    uint8_t cmd = 0;
    if (!r.u8(cmd) || cmd != COM_CHANGE_USER)
    {
        return false;
    }
    out = ChangeUser{};
    r.cstr(out.user);
    if (client_caps & cap::SECURE_CONNECTION)
    {
        uint8_t n = 0;
        if (!r.u8(n) || !r.bytes(n, out.auth_token))
        {
            return false;
        }
    }
    else
    {
        r.cstr(out.auth_token);
    }
    r.cstr(out.database);
    uint64_t charset = 0;
    if (r.left() >= 2)
    {
        r.uint(2, charset);
        out.charset = static_cast<uint16_t>(charset);
    }
    if ((client_caps & cap::PLUGIN_AUTH) && r.left())
    {
        r.cstr(out.auth_plugin);
    }
    if ((client_caps & cap::CONNECT_ATTRS) && r.left())
    {
        if (!r.lenenc_str(out.attributes))
        {
            return false;
        }
    }
    return true;
}

std::string build_change_user(const ChangeUser& c, uint64_t caps)
{
    std::string p;
    p.reserve(32 + c.user.size() + c.auth_token.size() + c.database.size() + c.attributes.size());
    p.push_back(static_cast<char>(COM_CHANGE_USER));
    put_cstr(p, c.user);
    if (caps & cap::SECURE_CONNECTION)
    {
        size_t n = std::min<size_t>(c.auth_token.size(), 255);
        p.push_back(static_cast<char>(n));
        p.append(c.auth_token, 0, n);
    }
    else
    {
        put_cstr(p, c.auth_token);
    }
    put_cstr(p, c.database);
    put_int(p, c.charset, 2);
    if (caps & cap::PLUGIN_AUTH)
    {
        put_cstr(p, c.auth_plugin);
    }
    if (caps & cap::CONNECT_ATTRS)
    {
        write_lenenc_str(p, c.attributes);
    }
    return p;
}

}  // namespace sqlgate::mariadb
