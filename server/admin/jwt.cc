/**
 * HS256 JSON Web Tokens: base64url, HMAC-SHA256 signing (OpenSSL) and claim checks (Jansson).
 *
 * Threads: any; see jwt.hh. No mutable state is shared between calls.
 */
#include "jwt.hh"

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>

namespace sqlgate::admin
{
namespace
{

constexpr char k_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr size_t k_sig_len = 32;

int64_t now_s()
{
    using namespace std::chrono;
    return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

int decode_char(unsigned char c)
{
    const char* p = c ? strchr(k_alphabet, c) : nullptr;
    return p ? p - k_alphabet : -1;
}

struct JsonDeleter
{
    void operator()(json_t* j) const { json_decref(j); }
};
using Json = std::unique_ptr<json_t, JsonDeleter>;

std::string to_compact(json_t* j)
{
    char* text = json_dumps(j, JSON_COMPACT);
    std::string out = text ? text : "";
    free(text);
    return out;
}

/// Decode one base64url part into a JSON object, or null.
Json decode_part(const std::string& part)
{
    std::string raw;
    if (!base64url_decode(part, raw))
    {
        return nullptr;
    }
    json_error_t err;
    Json j(json_loadb(raw.data(), raw.size(), JSON_REJECT_DUPLICATES, &err));
    return json_is_object(j.get()) ? std::move(j) : nullptr;
}

}  // namespace

std::string base64url_encode(const std::string& in)
{
    std::string out;
    out.reserve((in.size() * 4 + 2) / 3);
    size_t i = 0;
    auto byte = [&](size_t k) { return static_cast<unsigned char>(in[k]); };
    for (; i + 2 < in.size(); i += 3)
    {
        uint32_t v = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
        out += k_alphabet[v >> 18 & 63];
        out += k_alphabet[v >> 12 & 63];
        out += k_alphabet[v >> 6 & 63];
        out += k_alphabet[v & 63];
    }
    if (i + 1 == in.size())
    {
        uint32_t v = byte(i) << 16;
        out += k_alphabet[v >> 18 & 63];
        out += k_alphabet[v >> 12 & 63];
    }
    else if (i + 2 == in.size())
    {
        uint32_t v = byte(i) << 16 | byte(i + 1) << 8;
        out += k_alphabet[v >> 18 & 63];
        out += k_alphabet[v >> 12 & 63];
        out += k_alphabet[v >> 6 & 63];
    }
    return out;
}

bool base64url_decode(const std::string& in, std::string& out)
{
    out.clear();
    if (in.size() % 4 == 1)
    {
        return false;
    }
    out.reserve(in.size() * 3 / 4);
    uint32_t acc = 0;
    int bits = 0;
    for (unsigned char c : in)
    {
        int v = decode_char(c);
        if (v < 0)
        {
            out.clear();
            return false;
        }
        acc = (acc << 6 | v) & 0xffffff;
        bits += 6;
        if (bits >= 8)
        {
            bits -= 8;
            out += static_cast<char>(acc >> bits & 0xff);
        }
    }
    // Leftover bits must be zero, so that each byte string has exactly one encoding.
    if ((acc & ((1u << bits) - 1)) != 0)
    {
        out.clear();
        return false;
    }
    return true;
}

JwtSigner::JwtSigner(std::string issuer) : m_issuer(std::move(issuer)), m_key(32, '\0')
{
    if (RAND_bytes(reinterpret_cast<unsigned char*>(m_key.data()), m_key.size()) != 1)
    {
        throw std::runtime_error("RAND_bytes failed: cannot create the JWT signing key");
    }
}

JwtSigner::JwtSigner(std::string issuer, const std::string& key)
    : m_issuer(std::move(issuer)), m_key(key)
{
    if (m_key.empty())
    {
        throw std::invalid_argument("JWT signing key must not be empty");
    }
}

JwtSigner::~JwtSigner()
{
    OPENSSL_cleanse(m_key.data(), m_key.size());
}

std::string JwtSigner::sign(const std::string& signing_input) const
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!HMAC(EVP_sha256(), m_key.data(), m_key.size(),
              reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(),
              mac, &len))
    {
        return {};
    }
    return std::string(reinterpret_cast<char*>(mac), len);
}

std::string JwtSigner::issue(const std::string& sub, const std::string& account,
                             int64_t max_age_s) const
{
    int64_t now = now_s();
    Json header(json_pack("{s:s, s:s}", "alg", "HS256", "typ", "JWT"));
    Json claims(json_pack("{s:s, s:s, s:s, s:I, s:I}", "iss", m_issuer.c_str(), "sub", sub.c_str(),
                          "account", account.c_str(), "iat", (json_int_t)now, "exp",
                          (json_int_t)(now + max_age_s)));
    std::string input = base64url_encode(to_compact(header.get())) + "." +
                        base64url_encode(to_compact(claims.get()));
    return input + "." + base64url_encode(sign(input));
}

bool JwtSigner::verify(const std::string& token, JwtClaims& out, std::string& error) const
{
    size_t dot1 = token.find('.');
    size_t dot2 = dot1 == std::string::npos ? dot1 : token.find('.', dot1 + 1);
    if (token.size() > MAX_TOKEN || dot2 == std::string::npos ||
        token.find('.', dot2 + 1) != std::string::npos || dot1 == 0 || dot2 == dot1 + 1)
    {
        error = "malformed token";
        return false;
    }
    Json header = decode_part(token.substr(0, dot1));
    if (!header)
    {
        error = "malformed token: bad header";
        return false;
    }
    json_t* alg = json_object_get(header.get(), "alg");
    if (!json_is_string(alg) || std::string(json_string_value(alg)) != "HS256")
    {
        error = std::string("unsupported algorithm '") +
                (json_is_string(alg) ? json_string_value(alg) : "") + "' (only HS256)";
        return false;
    }
    if (json_object_get(header.get(), "crit"))
    {
        error = "malformed token: unsupported critical header";
        return false;
    }
    std::string sig;
    std::string expected = sign(token.substr(0, dot2));
    if (!base64url_decode(token.substr(dot2 + 1), sig) || sig.size() != k_sig_len ||
        expected.size() != k_sig_len || CRYPTO_memcmp(sig.data(), expected.data(), k_sig_len) != 0)
    {
        error = "bad signature";
        return false;
    }
    // Signed by us; still check everything, as a bug elsewhere must not become a bypass.
    Json claims = decode_part(token.substr(dot1 + 1, dot2 - dot1 - 1));
    json_t* iss = claims ? json_object_get(claims.get(), "iss") : nullptr;
    json_t* sub = claims ? json_object_get(claims.get(), "sub") : nullptr;
    json_t* account = claims ? json_object_get(claims.get(), "account") : nullptr;
    json_t* iat = claims ? json_object_get(claims.get(), "iat") : nullptr;
    json_t* exp = claims ? json_object_get(claims.get(), "exp") : nullptr;
    if (!json_is_string(iss) || !json_is_string(sub) || !json_is_string(account) ||
        !json_is_integer(iat) || !json_is_integer(exp))
    {
        error = "malformed token: bad claims";
        return false;
    }
    if (json_string_value(iss) != m_issuer)
    {
        error = "wrong issuer";
        return false;
    }
    if (json_integer_value(exp) <= now_s())
    {
        error = "token expired";
        return false;
    }
    out.iss = json_string_value(iss);
    out.sub = json_string_value(sub);
    out.account = json_string_value(account);
    out.iat = json_integer_value(iat);
    out.exp = json_integer_value(exp);
    return true;
}

}  // namespace sqlgate::admin
