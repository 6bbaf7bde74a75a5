/**
 * mysql_native_password: SHA1 helpers, token computation and verification
 * (recovering SHA1(password) from a client's token, as MaxScale does), and
 * random scrambles.
 */
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <cstdlib>
#include <cstring>

#include "sqlgate/mariadb.hh"

namespace sqlgate::mariadb
{
namespace
{
/// SHA1 of a followed by b (b at most 64 bytes; one-shot SHA1() is not deprecated in OpenSSL 3).
Sha1 sha1_of(const void* a, size_t alen, const void* b, size_t blen)
{
    Sha1 out;
    if (blen == 0)
    {
        SHA1(static_cast<const unsigned char*>(a), alen, out.data());
        return out;
    }
    unsigned char tmp[128];
    if (alen + blen > sizeof(tmp))
    {
        std::string joined(static_cast<const char*>(a), alen);
        joined.append(static_cast<const char*>(b), blen);
        SHA1(reinterpret_cast<const unsigned char*>(joined.data()), joined.size(), out.data());
        return out;
    }
    std::memcpy(tmp, a, alen);
    std::memcpy(tmp + alen, b, blen);
    SHA1(tmp, alen + blen, out.data());
    return out;
}

int hex_value(char c)
{
    if (c >= '0' && c <= '9')
    {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f')
    {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F')
    {
        return c - 'A' + 10;
    }
    return -1;
}
}  // namespace

Sha1 sha1(std::string_view data)
{
    return sha1_of(data.data(), data.size(), nullptr, 0);
}

Sha1 native_token_from_sha1(const Sha1& sha1_password, const uint8_t* scramble20)
{
    Sha1 double_sha = sha1_of(sha1_password.data(), sha1_password.size(), nullptr, 0);
    Sha1 mask = sha1_of(scramble20, SCRAMBLE_LEN, double_sha.data(), double_sha.size());
    Sha1 out;
    for (size_t i = 0; i < out.size(); ++i)
    {
        out[i] = sha1_password[i] ^ mask[i];
    }
    return out;
}

Sha1 native_token(std::string_view password, const uint8_t* scramble20)
{
    return native_token_from_sha1(sha1(password), scramble20);
}

bool check_native(const uint8_t* scramble20, std::string_view token, std::string_view stored_hash,
                  Sha1& sha1_password)
{
    if (stored_hash.empty())
    {
        sha1_password.fill(0);
        return token.empty();
    }
    if (token.size() != SCRAMBLE_LEN || stored_hash.size() != SCRAMBLE_LEN)
    {
        return false;
    }
    // token = SHA1(pw) XOR SHA1(scramble + stored): undo the XOR, then check
    // that SHA1 of the result is the stored SHA1(SHA1(pw)).
    Sha1 mask = sha1_of(scramble20, SCRAMBLE_LEN, stored_hash.data(), stored_hash.size());
    Sha1 candidate;
    for (size_t i = 0; i < candidate.size(); ++i)
    {
        candidate[i] = static_cast<uint8_t>(token[i]) ^ mask[i];
    }
    Sha1 check = sha1_of(candidate.data(), candidate.size(), nullptr, 0);
    if (std::memcmp(check.data(), stored_hash.data(), check.size()) != 0)
    {
        return false;
    }
    sha1_password = candidate;
    return true;
}

bool decode_password_hash(std::string_view text, std::string& raw)
{
    raw.clear();
    if (text.empty())
    {
        return true;
    }
    if (text.size() != 41 || text[0] != '*')
    {
        return false;
    }
    raw.resize(SCRAMBLE_LEN);
    for (size_t i = 0; i < SCRAMBLE_LEN; ++i)
    {
        int hi = hex_value(text[1 + 2 * i]);
        int lo = hex_value(text[2 + 2 * i]);
        if (hi < 0 || lo < 0)
        {
            raw.clear();
            return false;
        }
        raw[i] = static_cast<char>(hi << 4 | lo);
    }
    return true;
}

void random_scramble(uint8_t* out, size_t n)
{
    if (RAND_bytes(out, static_cast<int>(n)) != 1)
    {
        // Never expected; fall back to something that is at least not constant.
        for (size_t i = 0; i < n; ++i)
        {
            out[i] = static_cast<uint8_t>(std::rand());
        }
    }
    // Printable ASCII 33..126 except '$' (MariaDB's scrambles avoid it too).
    for (size_t i = 0; i < n; ++i)
    {
        uint8_t c = static_cast<uint8_t>(33 + out[i] % 94);
        out[i] = c == '$' ? '%' : c;
    }
}

}  // namespace sqlgate::mariadb
