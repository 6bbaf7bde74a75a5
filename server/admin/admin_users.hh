/**
 * Admin accounts of the REST API: the users file <datadir>/passwd, salted slow password
 * hashes (PBKDF2-HMAC-SHA256) and a cache of verified credentials so that HTTP Basic, which
 * sends the password on every request, does not pay for PBKDF2 each time.
 *
 * Threads: any. The admin HTTP thread authenticates while the main thread changes users, so
 * all state is guarded by m_lock (admin path, not the routing path: a mutex is fine). PBKDF2
 * in authenticate() runs outside the lock; changes hold it while the file is saved.
 */
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace sqlgate::admin
{

/// "basic" = read-only, "admin" = everything.
enum class Account
{
    BASIC,
    ADMIN,
};

/// "basic" / "admin".
const char* account_name(Account account);
/// Parse "basic" / "admin" (exact, lower case). False if unknown.
bool parse_account(const std::string& name, Account& account);

/// 1..64 characters of [A-Za-z0-9_.@-], not "." or "..". False + error naming the culprit.
bool valid_user_name(const std::string& name, std::string& error);
/// Non-empty, at most 1024 bytes. False + error (which never contains the password).
bool valid_password(const std::string& password, std::string& error);

struct AdminUserInfo
{
    std::string name;
    Account account;
    int64_t created;      // unix seconds, 0 = never
    int64_t last_update;  // unix seconds, 0 = never
    int64_t last_login;   // unix seconds, 0 = never (kept in memory only)
};

class AdminUsers
{
public:
    static constexpr int DEFAULT_ITERATIONS = 100000;
    static constexpr size_t MAX_NAME = 64;
    static constexpr size_t MAX_PASSWORD = 1024;

    AdminUsers();
    ~AdminUsers();
    AdminUsers(const AdminUsers&) = delete;
    AdminUsers& operator=(const AdminUsers&) = delete;

    /// Load <path> (the file <datadir>/passwd); later changes are saved there. A missing file =
    /// no users. False + error naming the file and problem on a corrupt file; the users held
    /// before the call are then kept.
    bool load(const std::string& path, std::string& error);
    /// When there are no users: create admin/mariadb (Account::ADMIN), save and return true
    /// (the caller logs a warning). When users exist: false with an empty error. When saving
    /// fails: false with the error.
    bool ensure_default(std::string& error);
    /// The user exists -> error "user 'x' already exists".
    bool add(const std::string& name, const std::string& password, Account account,
             std::string& error);
    /// Unknown user -> error; removing the last ADMIN account is refused.
    bool remove(const std::string& name, std::string& error);
    bool set_password(const std::string& name, const std::string& password, std::string& error);
    /// Check credentials. Returns the account or std::nullopt. Records last_login in memory.
    std::optional<Account> authenticate(const std::string& name, const std::string& password);
    std::optional<AdminUserInfo> find(const std::string& name) const;
    /// Sorted by name.
    std::vector<AdminUserInfo> list() const;
    /// The file given to load() (empty before).
    std::string path() const;

    /// Test-only: PBKDF2 iterations for hashes created from now on (verification always uses
    /// the count stored in the hash). Not for production use.
    static void set_pbkdf2_iterations_for_testing(int iterations);
    /// How many PBKDF2 computations this process has run (tests, statistics).
    static uint64_t pbkdf2_runs();

private:
    struct User
    {
        AdminUserInfo info;
        std::string hash;  // "pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>"
    };
    using Users = std::map<std::string, User>;
    using Mac = std::array<unsigned char, 32>;

    /// Write @c users to m_path atomically (tmp file, fsync, rename, fsync dir). Caller holds
    /// m_lock. On failure the file is left as it was (best effort) and error says why.
    bool save(const Users& users, std::string& error) const;
    /// Under m_lock: apply @c edit to a copy of the users and save it; only if both succeed,
    /// make the copy current and drop the cached credential of @c name. edit sets the error.
    bool change(const std::string& name, std::string& error,
                const std::function<bool(Users&)>& edit);
    Mac password_mac(const std::string& password) const;

    mutable std::mutex m_lock;
    std::string m_path;                  // guarded by m_lock
    Users m_users;                       // guarded by m_lock
    std::map<std::string, Mac> m_cache;  // guarded by m_lock: name -> HMAC of verified password
    Mac m_cache_key{};                   // random, set in the constructor, then read-only
};

}  // namespace sqlgate::admin
