/**
 * JSON Web Tokens for the admin REST API (GET /v1/auth, "Authorization: Bearer"), HS256 only.
 * The key is random per JwtSigner, so tokens die on restart as in MaxScale.
 *
 * Threads: any. A JwtSigner is immutable after construction; issue() and verify() are const
 * and share no mutable state, so one instance may be used from several threads at once.
 */
#pragma once

#include <cstdint>
#include <string>

namespace sqlgate::admin
{

struct JwtClaims
{
    std::string sub;      // user name
    std::string account;  // "admin" / "basic"
    std::string iss;
    int64_t iat = 0;  // unix seconds
    int64_t exp = 0;  // unix seconds
};

class JwtSigner
{
public:
    /// Random 32-byte key from RAND_bytes (throws std::runtime_error if that fails).
    explicit JwtSigner(std::string issuer = "sqlgate");
    /// A given key (tests; later a configured admin_jwt_key). The key must not be empty.
    JwtSigner(std::string issuer, const std::string& key);
    ~JwtSigner();

    /// A token for @c sub with claims iss, sub, account, iat = now, exp = now + max_age_s.
    std::string issue(const std::string& sub, const std::string& account, int64_t max_age_s) const;
    /// Verify the signature (constant time), "alg" == "HS256" (reject "none" and everything
    /// else), iss, exp (> now), well-formed base64url and JSON. False + error ("token expired",
    /// "bad signature", "malformed token: ...", "unsupported algorithm ...", "wrong issuer").
    bool verify(const std::string& token, JwtClaims& out, std::string& error) const;

    const std::string& issuer() const { return m_issuer; }

    /// Longer tokens are rejected before any decoding.
    static constexpr size_t MAX_TOKEN = 8192;

private:
    std::string sign(const std::string& signing_input) const;

    std::string m_issuer;
    std::string m_key;
};

/// base64url without padding (RFC 7515 §2).
std::string base64url_encode(const std::string& in);
/// Strict: url alphabet only, no padding, canonical trailing bits. False on anything else.
bool base64url_decode(const std::string& in, std::string& out);

}  // namespace sqlgate::admin
