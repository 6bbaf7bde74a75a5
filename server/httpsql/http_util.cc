// Small HTTP helpers of the SQL-over-HTTP protocols: form decoding, Basic
// credentials, handles.
#include <strings.h>

#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>

#include "sqlgate/httpsql/http_server.hh"

namespace sqlgate::httpsql
{

namespace
{
int hex_value(char c)
{
    if (c >= '0' && c <= '9')
    {
        return c - '0';
    }
    c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

std::string url_decode(std::string_view s)
{
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i)
    {
        if (s[i] == '+')
        {
            out += ' ';
        }
        else if (s[i] == '%' && i + 2 < s.size() + 0 && hex_value(s[i + 1]) >= 0 &&
                 hex_value(s[i + 2]) >= 0)
        {
            out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
            i += 2;
        }
        else
        {
            out += s[i];
        }
    }
    return out;
}

bool base64_decode(std::string_view in, std::string& out)
{
    static const std::string chars =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    uint32_t acc = 0;
    int bits = 0;
    for (char c : in)
    {
        if (c == '=')
        {
            break;
        }
        size_t v = chars.find(c);
        if (v == std::string::npos)
        {
            return false;
        }
        acc = (acc << 6) | static_cast<uint32_t>(v);
        bits += 6;
        if (bits >= 8)
        {
            bits -= 8;
            out += static_cast<char>((acc >> bits) & 0xff);
        }
    }
    return true;
}
}  // namespace

std::string make_uuid(int worker)
{
    thread_local std::mt19937_64 rng{std::random_device{}()};
    uint64_t a = rng(), b = rng();
    a = (a & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;
    b = (b & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;
    if (worker >= 0)
    {
        b = (b & ~0xFFFFULL) | (static_cast<uint64_t>(worker) & 0xFFFF);
    }
    char buf[40];
    snprintf(buf, sizeof(buf), "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(a >> 32),
             static_cast<unsigned>((a >> 16) & 0xFFFF), static_cast<unsigned>(a & 0xFFFF),
             static_cast<unsigned>(b >> 48),
             static_cast<unsigned long long>(b & 0xFFFFFFFFFFFFULL));
    return buf;
}

int uuid_worker(const std::string& uuid)
{
    if (uuid.size() != 36 || uuid[8] != '-' || uuid[13] != '-' || uuid[18] != '-' ||
        uuid[23] != '-' || uuid.find_first_not_of("0123456789abcdef-") != std::string::npos)
    {
        return -1;
    }
    return static_cast<int>(strtol(uuid.substr(32).c_str(), nullptr, 16));
}

std::vector<std::pair<std::string, std::string>> parse_form(std::string_view body)
{
    std::vector<std::pair<std::string, std::string>> out;
    while (!body.empty())
    {
        size_t amp = body.find('&');
        std::string_view part = body.substr(0, amp);
        body = amp == std::string_view::npos ? std::string_view() : body.substr(amp + 1);
        if (part.empty())
        {
            continue;
        }
        size_t eq = part.find('=');
        out.emplace_back(url_decode(part.substr(0, eq)),
                         eq == std::string_view::npos ? "" : url_decode(part.substr(eq + 1)));
    }
    return out;
}

bool basic_credentials(const std::string& authorization, std::string& user, std::string& password)
{
    if (strncasecmp(authorization.c_str(), "Basic ", 6) != 0)
    {
        return false;
    }
    std::string decoded;
    if (!base64_decode(authorization.substr(6), decoded))
    {
        return false;
    }
    size_t colon = decoded.find(':');
    if (colon == std::string::npos)
    {
        return false;
    }
    user = decoded.substr(0, colon);
    password = decoded.substr(colon + 1);
    return true;
}

}  // namespace sqlgate::httpsql
