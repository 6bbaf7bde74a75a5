/**
 * Internal helpers of AdminUsers (admin_users.cc), not a public API: PBKDF2-HMAC-SHA256 password
 * hashes in the form "pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>" (random salt, standard
 * padded base64), the HMAC-SHA256 key and MACs of the verified-credential cache, and the atomic
 * replacement of a file (tmp file + fsync + rename + directory fsync).
 *
 * Threads: pure functions, callable from any thread. The only shared state is the atomic
 * iteration count for new hashes and the atomic PBKDF2 run counter.
 */
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace sqlgate::admin
{

/// Key of the verified-credential cache and an HMAC-SHA256 of a password under it.
using CacheKey = std::array<unsigned char, 32>;
using CacheMac = std::array<unsigned char, 32>;

/// strerror-like text for @c err.
std::string errno_text(int err);

/// PBKDF2 iterations for hashes created from now on (verification uses the stored count).
void set_hash_iterations(int iterations);
/// How many PBKDF2 computations this process has run.
uint64_t pbkdf2_run_count();

/// Hash @c password with a fresh random salt and the current iteration count. False + error
/// (which never contains the password) on an OpenSSL failure.
bool hash_password(const std::string& password, std::string& hash, std::string& error);
/// Split "pbkdf2-sha256$<iterations>$<salt>$<dk>". False if it is anything else, including an
/// iteration count too high to verify in reasonable time.
bool parse_hash(const std::string& hash, int& iterations, std::string& salt, std::string& dk);
/// Full PBKDF2 check of @c password against @c hash, compared in constant time.
bool verify_password(const std::string& hash, const std::string& password);
/// One PBKDF2 of @c password at the current iteration count, result discarded: lets a lookup
/// of an unknown user take as long as a wrong password.
void pbkdf2_decoy(const std::string& password);

/// Fill @c key with random bytes. False on an OpenSSL failure.
bool new_cache_key(CacheKey& key);
/// Overwrite @c key so that it does not linger in memory.
void wipe_cache_key(CacheKey& key);
/// HMAC-SHA256 of @c password under @c key.
CacheMac cache_mac(const CacheKey& key, const std::string& password);
/// Constant-time comparison of two MACs.
bool same_mac(const CacheMac& a, const CacheMac& b);

/// Write <path>.tmp (0600), fsync, rename over <path>, fsync the directory. @c renamed tells
/// whether <path> was replaced (true also when only the directory sync failed).
bool write_atomic(const std::string& path, const std::string& content, bool& renamed,
                  std::string& error);

}  // namespace sqlgate::admin
