/**
 * Tests of the HS256 JWT signer: base64url, round trip, expiry, tampering, "alg": "none",
 * wrong issuer, garbage, tokens of another signer.
 *
 * Threads: the test thread only, except Jwt.ConcurrentVerify.
 */
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <random>
#include <thread>

#include "jwt.hh"

using namespace sqlgate::admin;

namespace
{

const std::string k_key = "0123456789abcdef0123456789abcdef";

std::string hs256(const std::string& key, const std::string& input)
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.data(), key.size(), reinterpret_cast<const unsigned char*>(input.data()),
         input.size(), mac, &len);
    return std::string(reinterpret_cast<char*>(mac), len);
}

/// A token with the given header and claims JSON, signed with @c key ("" = empty signature).
std::string forge(const std::string& header, const std::string& claims,
                  const std::string& key = k_key)
{
    std::string input = base64url_encode(header) + "." + base64url_encode(claims);
    return input + "." + (key.empty() ? "" : base64url_encode(hs256(key, input)));
}

std::string claims_json(const std::string& iss = "sqlgate", int64_t exp_offset = 3600)
{
    int64_t now = time(nullptr);
    return "{\"iss\":\"" + iss +
           "\",\"sub\":\"alice\",\"account\":\"admin\",\"iat\":" + std::to_string(now) +
           ",\"exp\":" + std::to_string(now + exp_offset) + "}";
}

const std::string k_hs256 = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";

std::vector<std::string> split(const std::string& token)
{
    std::vector<std::string> parts;
    size_t start = 0, dot;
    while ((dot = token.find('.', start)) != std::string::npos)
    {
        parts.push_back(token.substr(start, dot - start));
        start = dot + 1;
    }
    parts.push_back(token.substr(start));
    return parts;
}

}  // namespace

TEST(JwtBase64url, KnownVectorsAndRoundTrip)
{
    EXPECT_EQ(base64url_encode(""), "");
    EXPECT_EQ(base64url_encode("f"), "Zg");
    EXPECT_EQ(base64url_encode("fo"), "Zm8");
    EXPECT_EQ(base64url_encode("foo"), "Zm9v");
    EXPECT_EQ(base64url_encode("foob"), "Zm9vYg");
    EXPECT_EQ(base64url_encode("\xfb\xff\xbf"), "-_-_");

    std::mt19937 rng(42);
    for (size_t len = 0; len < 80; ++len)
    {
        std::string in(len, '\0');
        for (auto& c : in)
        {
            c = static_cast<char>(rng());
        }
        std::string out;
        ASSERT_TRUE(base64url_decode(base64url_encode(in), out)) << len;
        EXPECT_EQ(out, in);
    }
}

TEST(JwtBase64url, RejectsMalformedInput)
{
    std::string out;
    EXPECT_TRUE(base64url_decode("", out));
    EXPECT_FALSE(base64url_decode("Zg==", out));  // padding
    EXPECT_FALSE(base64url_decode("+/8", out));   // standard alphabet
    EXPECT_FALSE(base64url_decode("Z", out));     // impossible length
    EXPECT_FALSE(base64url_decode("Zh", out));    // non-zero leftover bits
    EXPECT_FALSE(base64url_decode("Zm9", out));
    EXPECT_FALSE(base64url_decode("Zm 9v", out));
    EXPECT_FALSE(base64url_decode(std::string("Zm\0v", 4), out));
    EXPECT_TRUE(out.empty());
}

TEST(Jwt, IssueVerifyRoundTrip)
{
    JwtSigner signer;
    EXPECT_EQ(signer.issuer(), "sqlgate");
    int64_t now = time(nullptr);
    std::string token = signer.issue("alice", "basic", 28800);
    auto parts = split(token);
    ASSERT_EQ(parts.size(), 3u) << token;
    std::string header;
    ASSERT_TRUE(base64url_decode(parts[0], header));
    EXPECT_NE(header.find("\"alg\":\"HS256\""), std::string::npos) << header;

    JwtClaims claims;
    std::string error;
    ASSERT_TRUE(signer.verify(token, claims, error)) << error;
    EXPECT_EQ(claims.sub, "alice");
    EXPECT_EQ(claims.account, "basic");
    EXPECT_EQ(claims.iss, "sqlgate");
    EXPECT_GE(claims.iat, now);
    EXPECT_EQ(claims.exp, claims.iat + 28800);

    JwtSigner custom("maxscale");
    ASSERT_TRUE(custom.verify(custom.issue("bob", "admin", 60), claims, error)) << error;
    EXPECT_EQ(claims.iss, "maxscale");
    EXPECT_EQ(claims.account, "admin");
}

TEST(Jwt, ExpiredTokensFail)
{
    JwtSigner signer;
    JwtClaims claims;
    std::string error;
    EXPECT_FALSE(signer.verify(signer.issue("alice", "admin", 0), claims, error));
    EXPECT_EQ(error, "token expired");
    EXPECT_FALSE(signer.verify(signer.issue("alice", "admin", -3600), claims, error));
    EXPECT_EQ(error, "token expired");
    JwtSigner keyed("sqlgate", k_key);
    EXPECT_FALSE(keyed.verify(forge(k_hs256, claims_json("sqlgate", -1)), claims, error));
    EXPECT_EQ(error, "token expired");
    EXPECT_TRUE(keyed.verify(forge(k_hs256, claims_json("sqlgate", 60)), claims, error)) << error;
}

TEST(Jwt, TamperedPayloadOrSignatureFails)
{
    JwtSigner signer;
    auto parts = split(signer.issue("alice", "basic", 3600));
    JwtClaims claims;
    std::string error, payload;
    ASSERT_TRUE(base64url_decode(parts[1], payload));
    size_t pos = payload.find("basic");
    ASSERT_NE(pos, std::string::npos);
    payload.replace(pos, 5, "admin");  // privilege escalation attempt
    std::string tampered = parts[0] + "." + base64url_encode(payload) + "." + parts[2];
    EXPECT_FALSE(signer.verify(tampered, claims, error));
    EXPECT_EQ(error, "bad signature");

    std::string sig = parts[2];
    for (size_t i : {size_t(0), sig.size() / 2, sig.size() - 1})
    {
        std::string bad = sig;
        bad[i] = bad[i] == 'A' ? 'B' : 'A';
        EXPECT_FALSE(signer.verify(parts[0] + "." + parts[1] + "." + bad, claims, error)) << i;
    }
    EXPECT_FALSE(signer.verify(parts[0] + "." + parts[1] + "." + sig.substr(0, 40), claims, error));
    EXPECT_FALSE(signer.verify(parts[0] + "." + parts[1] + "." + sig + "AA", claims, error));
    EXPECT_FALSE(signer.verify(parts[0] + "." + parts[1] + ".", claims, error));
    EXPECT_EQ(error, "bad signature");
}

TEST(Jwt, AlgNoneAndOtherAlgorithmsAreRejected)
{
    JwtSigner signer("sqlgate", k_key);
    JwtClaims claims;
    std::string error;
    std::string none = forge("{\"alg\":\"none\",\"typ\":\"JWT\"}", claims_json(), "");
    EXPECT_FALSE(signer.verify(none, claims, error));
    EXPECT_NE(error.find("unsupported algorithm 'none'"), std::string::npos) << error;
    // Even correctly signed with our key, only the header "HS256" is accepted.
    for (std::string header : std::vector<std::string>{"{\"alg\":\"none\"}", "{\"alg\":\"HS512\"}",
                                                       "{\"alg\":\"RS256\"}", "{\"alg\":\"hs256\"}",
                                                       "{\"typ\":\"JWT\"}", "{\"alg\":256}"})
    {
        EXPECT_FALSE(signer.verify(forge(header, claims_json()), claims, error)) << header;
        EXPECT_NE(error.find("unsupported algorithm"), std::string::npos) << error;
    }
    EXPECT_FALSE(signer.verify(forge("{\"alg\":\"HS256\",\"crit\":[\"b64\"]}", claims_json()),
                               claims, error));
    EXPECT_TRUE(signer.verify(forge(k_hs256, claims_json()), claims, error)) << error;
}

TEST(Jwt, WrongIssuerFails)
{
    JwtSigner ours("sqlgate", k_key);
    JwtSigner theirs("elsewhere", k_key);  // same key, so only the issuer differs
    JwtClaims claims;
    std::string error;
    EXPECT_FALSE(ours.verify(theirs.issue("alice", "admin", 60), claims, error));
    EXPECT_EQ(error, "wrong issuer");
    EXPECT_FALSE(ours.verify(forge(k_hs256, claims_json("sqlgatex")), claims, error));
    EXPECT_EQ(error, "wrong issuer");
}

TEST(Jwt, TokenOfAnotherSignerFails)
{
    JwtSigner a, b;
    JwtClaims claims;
    std::string error;
    EXPECT_FALSE(b.verify(a.issue("alice", "admin", 60), claims, error));
    EXPECT_EQ(error, "bad signature");
}

TEST(Jwt, GarbageIsMalformed)
{
    JwtSigner signer("sqlgate", k_key);
    JwtClaims claims;
    std::string error;
    std::string good = signer.issue("alice", "admin", 60);
    auto parts = split(good);
    for (const std::string& bad : std::vector<std::string>{
             "", ".", "..", "abc", "a.b", "a.b.c.d", good + ".", "." + good,
             std::string("\xff\xfe.\x01.\x02"), std::string(JwtSigner::MAX_TOKEN + 1, 'A'),
             parts[0] + ".." + parts[2], "!!!." + parts[1] + "." + parts[2],
             std::string("e30.e30.e30")})
    {
        EXPECT_FALSE(signer.verify(bad, claims, error)) << bad;
        EXPECT_FALSE(error.empty());
    }
    EXPECT_FALSE(signer.verify(forge("not json", claims_json()), claims, error));
    EXPECT_NE(error.find("malformed token"), std::string::npos) << error;
    EXPECT_FALSE(signer.verify(forge("[\"HS256\"]", claims_json()), claims, error));
    EXPECT_NE(error.find("malformed token"), std::string::npos) << error;
    // Properly signed, but the claims are not usable.
    for (std::string c : std::vector<std::string>{
             "[]", "not json", "{}", "{\"iss\":\"sqlgate\",\"sub\":\"a\"}",
             "{\"iss\":\"sqlgate\",\"sub\":\"a\",\"account\":\"admin\",\"iat\":1,"
             "\"exp\":\"never\"}"})
    {
        EXPECT_FALSE(signer.verify(forge(k_hs256, c), claims, error)) << c;
        EXPECT_NE(error.find("malformed token"), std::string::npos) << error;
    }
}

TEST(Jwt, ConcurrentVerify)
{
    const JwtSigner signer;
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < 4; ++t)
    {
        threads.emplace_back(
            [&, t]
            {
                for (int i = 0; i < 200; ++i)
                {
                    JwtClaims claims;
                    std::string error, sub = "u" + std::to_string(t);
                    failures += !signer.verify(signer.issue(sub, "basic", 60), claims, error) ||
                                claims.sub != sub;
                }
            });
    }
    for (auto& t : threads)
    {
        t.join();
    }
    EXPECT_EQ(failures, 0);
}
