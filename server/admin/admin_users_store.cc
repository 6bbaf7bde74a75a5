/**
 * Internal helpers of AdminUsers: PBKDF2 password hashes, the credential-cache HMAC and atomic
 * file writes. See admin_users_store.hh.
 *
 * Threads: pure functions, callable from any thread; the only shared state is the atomic
 * iteration count and PBKDF2 counter.
 */
#include "admin_users_store.hh"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <functional>
#include <string>
#include <system_error>

#include "admin_users.hh"  // AdminUsers::DEFAULT_ITERATIONS
#include "jwt.hh"          // base64url

namespace sqlgate::admin
{
namespace
{

constexpr const char* k_scheme = "pbkdf2-sha256";
constexpr size_t k_salt_len = 16;
constexpr size_t k_dk_len = 32;
constexpr long k_max_iterations = 10000000;  // a hostile file must not stall the admin thread

std::atomic<int> g_iterations{AdminUsers::DEFAULT_ITERATIONS};
std::atomic<uint64_t> g_pbkdf2_runs{0};

/// Standard base64 with padding, via the strict base64url codec (alphabets differ in 2 chars).
std::string b64_encode(const std::string& in)
{
    std::string out = base64url_encode(in);
    for (char& c : out)
    {
        c = c == '-' ? '+' : c == '_' ? '/' : c;
    }
    return out.append((4 - out.size() % 4) % 4, '=');
}

bool b64_decode(std::string in, std::string& out)
{
    size_t pad = in.size() - std::min(in.size(), in.find_last_not_of('=') + 1);
    if (in.size() % 4 != 0 || pad > 2 || in.find_first_of("-_") != std::string::npos)
    {
        return false;
    }
    in.resize(in.size() - pad);
    for (char& c : in)
    {
        c = c == '+' ? '-' : c == '/' ? '_' : c;
    }
    return base64url_decode(in, out) && b64_encode(out).size() == in.size() + pad;
}

bool pbkdf2(const std::string& password, const std::string& salt, int iterations, unsigned char* dk)
{
    g_pbkdf2_runs.fetch_add(1, std::memory_order_relaxed);
    return PKCS5_PBKDF2_HMAC(password.data(), password.size(),
                             reinterpret_cast<const unsigned char*>(salt.data()), salt.size(),
                             iterations, EVP_sha256(), k_dk_len, dk) == 1;
}

bool write_all(int fd, const std::string& content)
{
    for (size_t done = 0; done < content.size();)
    {
        ssize_t n = write(fd, content.data() + done, content.size() - done);
        if (n < 0 && errno != EINTR)
        {
            return false;
        }
        done += n > 0 ? n : 0;
    }
    return true;
}

}  // namespace

std::string errno_text(int err)
{
    return std::system_category().message(err);
}

void set_hash_iterations(int iterations)
{
    g_iterations = iterations;
}

uint64_t pbkdf2_run_count()
{
    return g_pbkdf2_runs.load();
}

bool hash_password(const std::string& password, std::string& hash, std::string& error)
{
    std::string salt(k_salt_len, '\0'), dk(k_dk_len, '\0');
    int iterations = g_iterations.load();
    auto* dk_bytes = reinterpret_cast<unsigned char*>(dk.data());
    if (RAND_bytes(reinterpret_cast<unsigned char*>(salt.data()), salt.size()) != 1 ||
        !pbkdf2(password, salt, iterations, dk_bytes))
    {
        error = "cannot hash the password: OpenSSL failure";
        return false;
    }
    hash = std::string(k_scheme) + "$" + std::to_string(iterations) + "$" + b64_encode(salt) + "$" +
           b64_encode(dk);
    OPENSSL_cleanse(dk.data(), dk.size());
    return true;
}

bool parse_hash(const std::string& hash, int& iterations, std::string& salt, std::string& dk)
{
    constexpr size_t npos = std::string::npos;
    size_t d1 = hash.find('$');
    size_t d2 = d1 == npos ? npos : hash.find('$', d1 + 1);
    size_t d3 = d2 == npos ? npos : hash.find('$', d2 + 1);
    if (d3 == npos || hash.find('$', d3 + 1) != std::string::npos ||
        hash.compare(0, d1, k_scheme) != 0 || d2 - d1 < 2 || d2 - d1 > 9 ||
        hash.find_first_not_of("0123456789", d1 + 1) != d2)
    {
        return false;
    }
    iterations = std::stoi(hash.substr(d1 + 1, d2 - d1 - 1));
    return iterations >= 1 && iterations <= k_max_iterations &&
           b64_decode(hash.substr(d2 + 1, d3 - d2 - 1), salt) && salt.size() >= 8 &&
           b64_decode(hash.substr(d3 + 1), dk) && dk.size() == k_dk_len;
}

bool verify_password(const std::string& hash, const std::string& password)
{
    int iterations;
    std::string salt, expected;
    unsigned char dk[k_dk_len];
    bool ok = parse_hash(hash, iterations, salt, expected) &&
              pbkdf2(password, salt, iterations, dk) &&
              CRYPTO_memcmp(dk, expected.data(), k_dk_len) == 0;
    OPENSSL_cleanse(dk, sizeof(dk));
    return ok;
}

void pbkdf2_decoy(const std::string& password)
{
    unsigned char dk[k_dk_len];
    pbkdf2(password, "sqlgate-no-such-user", g_iterations.load(), dk);
}

bool new_cache_key(CacheKey& key)
{
    return RAND_bytes(key.data(), key.size()) == 1;
}

void wipe_cache_key(CacheKey& key)
{
    OPENSSL_cleanse(key.data(), key.size());
}

CacheMac cache_mac(const CacheKey& key, const std::string& password)
{
    CacheMac mac{};
    unsigned int len = mac.size();
    HMAC(EVP_sha256(), key.data(), key.size(),
         reinterpret_cast<const unsigned char*>(password.data()), password.size(), mac.data(),
         &len);
    return mac;
}

bool same_mac(const CacheMac& a, const CacheMac& b)
{
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool write_atomic(const std::string& path, const std::string& content, bool& renamed,
                  std::string& error)
{
    std::string tmp = path + ".tmp";
    renamed = false;
    // A stale .tmp (crash mid-write) is replaced; O_EXCL|O_NOFOLLOW refuses a planted symlink.
    unlink(tmp.c_str());
    int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
    {
        error = tmp + ": cannot create: " + errno_text(errno);
        return false;
    }
    const char* what = nullptr;  // the first step that failed
    int err = 0;
    auto step = [&](const char* name, const std::function<bool()>& op)
    {
        if (!what && !op())
        {
            what = name;
            err = errno;
        }
    };
    step("chmod", [&] { return fchmod(fd, 0600) == 0; });  // whatever the umask
    step("write", [&] { return write_all(fd, content); });
    step("fsync", [&] { return fsync(fd) == 0; });
    bool closed = close(fd) == 0;
    step("close", [&] { return closed; });
    step("rename", [&] { return rename(tmp.c_str(), path.c_str()) == 0; });
    if (what)
    {
        unlink(tmp.c_str());
        error = tmp + ": " + what + " failed: " + errno_text(err);
        return false;
    }
    renamed = true;
    size_t slash = path.rfind('/');
    std::string dir = slash == std::string::npos ? "." : path.substr(0, std::max<size_t>(slash, 1));
    int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    step("directory fsync", [&] { return dfd >= 0 && fsync(dfd) == 0; });
    if (dfd >= 0)
    {
        close(dfd);
    }
    error = what ? dir + ": " + what + " failed: " + errno_text(err) : error;
    return !what;
}

}  // namespace sqlgate::admin
