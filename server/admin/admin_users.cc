/**
 * Admin accounts: the users file, PBKDF2 password hashes and the verified-credential cache.
 *
 * Threads: any; see admin_users.hh. File-local helpers below touch no shared state except the
 * atomic iteration count and PBKDF2 counter.
 */
#include "admin_users.hh"

#include <fcntl.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <functional>
#include <stdexcept>
#include <system_error>

#include "jwt.hh"  // base64url

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

int64_t now_s()
{
    using namespace std::chrono;
    return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

std::string errno_text(int err)
{
    return std::system_category().message(err);
}

bool pbkdf2(const std::string& password, const std::string& salt, int iterations, unsigned char* dk)
{
    g_pbkdf2_runs.fetch_add(1, std::memory_order_relaxed);
    return PKCS5_PBKDF2_HMAC(password.data(), password.size(),
                             reinterpret_cast<const unsigned char*>(salt.data()), salt.size(),
                             iterations, EVP_sha256(), k_dk_len, dk) == 1;
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
    hash = std::string(k_scheme) + "$" + std::to_string(iterations) + "$" + base64url_encode(salt) +
           "$" + base64url_encode(dk);
    OPENSSL_cleanse(dk.data(), dk.size());
    return true;
}

/// Split "pbkdf2-sha256$<iterations>$<salt>$<dk>". False if it is anything else.
bool parse_hash(const std::string& hash, int& iterations, std::string& salt, std::string& dk)
{
    std::vector<std::string> parts;
    size_t start = 0;
    for (size_t pos; (pos = hash.find('$', start)) != std::string::npos; start = pos + 1)
    {
        parts.push_back(hash.substr(start, pos - start));
    }
    parts.push_back(hash.substr(start));
    if (parts.size() != 4 || parts[0] != k_scheme || parts[1].empty() || parts[1].size() > 8 ||
        parts[1].find_first_not_of("0123456789") != std::string::npos)
    {
        return false;
    }
    long n = std::stol(parts[1]);
    if (n < 1 || n > k_max_iterations)
    {
        return false;
    }
    iterations = static_cast<int>(n);
    return base64url_decode(parts[2], salt) && salt.size() >= 8 && base64url_decode(parts[3], dk) &&
           dk.size() == k_dk_len;
}

bool verify_password(const std::string& hash, const std::string& password)
{
    int iterations;
    std::string salt, expected;
    unsigned char dk[k_dk_len];
    if (!parse_hash(hash, iterations, salt, expected) || !pbkdf2(password, salt, iterations, dk))
    {
        return false;
    }
    bool ok = CRYPTO_memcmp(dk, expected.data(), k_dk_len) == 0;
    OPENSSL_cleanse(dk, sizeof(dk));
    return ok;
}

/// Written to <path>.tmp (0600), fsynced, renamed over <path>, then the directory is fsynced.
/// @c renamed tells whether <path> was replaced (true even if only the directory sync failed).
bool write_atomic(const std::string& path, const std::string& content, bool& renamed,
                  std::string& error)
{
    renamed = false;
    std::string tmp = path + ".tmp";
    // A stale .tmp (crash mid-write) is replaced; O_EXCL|O_NOFOLLOW refuses a planted symlink.
    if (unlink(tmp.c_str()) != 0 && errno != ENOENT)
    {
        error = tmp + ": cannot remove stale file: " + errno_text(errno);
        return false;
    }
    int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
    {
        error = tmp + ": cannot create: " + errno_text(errno);
        return false;
    }
    const char* what = nullptr;
    if (fchmod(fd, 0600) != 0)
    {
        what = "chmod";
    }
    for (size_t done = 0; !what && done < content.size();)
    {
        ssize_t n = write(fd, content.data() + done, content.size() - done);
        if (n < 0 && errno != EINTR)
        {
            what = "write";
            break;
        }
        done += n > 0 ? n : 0;
    }
    if (!what && fsync(fd) != 0)
    {
        what = "fsync";
    }
    int err = errno;
    if (close(fd) != 0 && !what)
    {
        what = "close";
        err = errno;
    }
    if (!what && rename(tmp.c_str(), path.c_str()) != 0)
    {
        what = "rename";
        err = errno;
    }
    if (what)
    {
        unlink(tmp.c_str());
        error = tmp + ": " + what + " failed: " + errno_text(err);
        return false;
    }
    renamed = true;
    size_t slash = path.rfind('/');
    std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
    int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0 || fsync(dfd) != 0)
    {
        error = dir + ": cannot sync the directory: " + errno_text(errno);
        if (dfd >= 0)
        {
            close(dfd);
        }
        return false;
    }
    close(dfd);
    return true;
}

/// The users file: a JSON array of {name, account, password_hash, created, last_update}.
template <class Users>
std::string to_json_text(const Users& users)
{
    json_t* arr = json_array();
    for (const auto& [name, u] : users)
    {
        json_array_append_new(
            arr,
            json_pack("{s:s, s:s, s:s, s:I, s:I}", "name", name.c_str(), "account",
                      account_name(u.info.account), "password_hash", u.hash.c_str(), "created",
                      (json_int_t)u.info.created, "last_update", (json_int_t)u.info.last_update));
    }
    char* text = json_dumps(arr, JSON_INDENT(2));
    std::string out = text ? std::string(text) + "\n" : std::string();
    free(text);
    json_decref(arr);
    return out;
}

/// Read a whole file. False with errno set on failure.
bool read_file(const std::string& path, std::string& content)
{
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
    {
        return false;
    }
    char buf[8192];
    ssize_t n;
    while ((n = read(fd, buf, sizeof(buf))) != 0)
    {
        if (n < 0 && errno != EINTR)
        {
            int err = errno;
            close(fd);
            errno = err;
            return false;
        }
        content.append(buf, n > 0 ? n : 0);
    }
    close(fd);
    return true;
}

/// An optional integer member: absent = 0; present but not an integer = error.
bool get_time(json_t* obj, const char* key, int64_t& value)
{
    json_t* v = json_object_get(obj, key);
    value = v && json_is_integer(v) ? json_integer_value(v) : 0;
    return !v || json_is_integer(v);
}

}  // namespace

const char* account_name(Account account)
{
    return account == Account::ADMIN ? "admin" : "basic";
}

bool parse_account(const std::string& name, Account& account)
{
    if (name == "admin" || name == "basic")
    {
        account = name == "admin" ? Account::ADMIN : Account::BASIC;
        return true;
    }
    return false;
}

bool valid_user_name(const std::string& name, std::string& error)
{
    if (name.empty() || name.size() > AdminUsers::MAX_NAME)
    {
        error = "user name must be 1 to " + std::to_string(AdminUsers::MAX_NAME) + " characters";
        return false;
    }
    for (unsigned char c : name)
    {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '.' || c == '@' || c == '-';
        if (!ok)
        {
            char shown[16];
            snprintf(shown, sizeof(shown), c > 0x20 && c < 0x7f ? "'%c'" : "byte 0x%02x", c);
            error = std::string("invalid character ") + shown +
                    " in user name (allowed: A-Z a-z 0-9 _ . @ -)";
            return false;
        }
    }
    if (name == "." || name == "..")
    {
        error = "user name cannot be '" + name + "'";
        return false;
    }
    return true;
}

bool valid_password(const std::string& password, std::string& error)
{
    if (password.empty() || password.size() > AdminUsers::MAX_PASSWORD)
    {
        error = "password must be 1 to " + std::to_string(AdminUsers::MAX_PASSWORD) + " bytes";
        return false;
    }
    return true;
}

AdminUsers::AdminUsers()
{
    if (RAND_bytes(m_cache_key.data(), m_cache_key.size()) != 1)
    {
        throw std::runtime_error("RAND_bytes failed: cannot create the credential cache key");
    }
}

AdminUsers::~AdminUsers()
{
    OPENSSL_cleanse(m_cache_key.data(), m_cache_key.size());
}

void AdminUsers::set_pbkdf2_iterations_for_testing(int iterations)
{
    g_iterations = iterations;
}

uint64_t AdminUsers::pbkdf2_runs()
{
    return g_pbkdf2_runs.load();
}

AdminUsers::Mac AdminUsers::password_mac(const std::string& password) const
{
    Mac mac{};
    unsigned int len = mac.size();
    HMAC(EVP_sha256(), m_cache_key.data(), m_cache_key.size(),
         reinterpret_cast<const unsigned char*>(password.data()), password.size(), mac.data(),
         &len);
    return mac;
}

bool AdminUsers::load(const std::string& path, std::string& error)
{
    Users users;
    std::string content;
    if (!read_file(path, content))
    {
        if (errno != ENOENT)
        {
            error = path + ": cannot read: " + errno_text(errno);
            return false;
        }
        std::lock_guard guard(m_lock);  // no file yet: no users
        m_path = path;
        m_users.clear();
        m_cache.clear();
        return true;
    }
    json_error_t jerr;
    json_t* root = json_loadb(content.data(), content.size(), JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
    {
        error = path + ": line " + std::to_string(jerr.line) + " col " +
                std::to_string(jerr.column) + ": invalid JSON: " + jerr.text;
        return false;
    }
    auto fail = [&](const std::string& msg)
    {
        error = path + ": " + msg;
        json_decref(root);
        return false;
    };
    if (!json_is_array(root))
    {
        return fail("expected a JSON array of users");
    }
    size_t i;
    json_t* obj;
    json_array_foreach(root, i, obj)
    {
        std::string n = "user " + std::to_string(i + 1);
        json_t* name = json_object_get(obj, "name");
        json_t* account = json_object_get(obj, "account");
        json_t* hash = json_object_get(obj, "password_hash");
        User u{};
        std::string why;
        if (!json_is_object(obj))
        {
            return fail(n + " is not a JSON object");
        }
        else if (!json_is_string(name))
        {
            return fail(n + " has no 'name'");
        }
        u.info.name = json_string_value(name);
        if (!valid_user_name(u.info.name, why))
        {
            return fail(n + ": " + why);
        }
        n += " ('" + u.info.name + "')";
        if (users.count(u.info.name))
        {
            return fail(n + " is listed twice");
        }
        else if (!json_is_string(account))
        {
            return fail(n + " has no 'account'");
        }
        else if (!parse_account(json_string_value(account), u.info.account))
        {
            return fail(n + " has unknown account '" + json_string_value(account) +
                        "' (expected 'admin' or 'basic')");
        }
        else if (!json_is_string(hash))
        {
            return fail(n + " has no 'password_hash'");
        }
        int iterations;
        std::string salt, dk;
        u.hash = json_string_value(hash);
        if (!parse_hash(u.hash, iterations, salt, dk))
        {
            return fail(n + " has an unsupported or malformed 'password_hash'");
        }
        else if (!get_time(obj, "created", u.info.created) ||
                 !get_time(obj, "last_update", u.info.last_update))
        {
            return fail(n + ": 'created' and 'last_update' must be integers");
        }
        users.emplace(u.info.name, std::move(u));
    }
    json_decref(root);

    std::lock_guard guard(m_lock);
    m_path = path;
    m_users = std::move(users);
    m_cache.clear();
    return true;
}

bool AdminUsers::save(const Users& users, std::string& error) const
{
    if (m_path.empty())
    {
        error = "no users file: load() was not called";
        return false;
    }
    bool renamed;
    if (!write_atomic(m_path, to_json_text(users), renamed, error))
    {
        if (renamed)
        {
            // Only the directory sync failed and the new list is already in place: put the old
            // one back so that the file matches memory again (best effort).
            std::string ignored;
            write_atomic(m_path, to_json_text(m_users), renamed, ignored);
        }
        return false;
    }
    return true;
}

bool AdminUsers::change(const std::string& name, std::string& error,
                        const std::function<bool(Users&)>& edit)
{
    std::lock_guard guard(m_lock);
    Users users = m_users;
    if (!edit(users) || !save(users, error))
    {
        return false;  // nothing changed
    }
    m_users = std::move(users);
    m_cache.erase(name);
    return true;
}

bool AdminUsers::ensure_default(std::string& error)
{
    error.clear();
    std::string hash;
    if (!list().empty() || !hash_password("mariadb", hash, error))
    {
        return false;
    }
    return change(
        "admin", error,
        [&](Users& users)
        {
            int64_t now = now_s();
            return users.empty() &&
                   users.emplace("admin", User{{"admin", Account::ADMIN, now, now, 0}, hash})
                       .second;
        });
}

bool AdminUsers::add(const std::string& name, const std::string& password, Account account,
                     std::string& error)
{
    std::string hash;
    std::string exists = "user '" + name + "' already exists";
    if (!valid_user_name(name, error) || !valid_password(password, error))
    {
        return false;
    }
    else if (find(name))  // before the costly hash; checked again under the lock
    {
        error = exists;
        return false;
    }
    return hash_password(password, hash, error) &&
           change(name, error,
                  [&](Users& users)
                  {
                      int64_t now = now_s();
                      error = exists;
                      return users.emplace(name, User{{name, account, now, now, 0}, hash}).second;
                  });
}

bool AdminUsers::remove(const std::string& name, std::string& error)
{
    return change(name, error,
                  [&](Users& users)
                  {
                      auto it = users.find(name);
                      size_t admins = 0;
                      for (const auto& [n, u] : users)
                      {
                          admins += u.info.account == Account::ADMIN;
                      }
                      if (it == users.end())
                      {
                          error = "user '" + name + "' does not exist";
                          return false;
                      }
                      else if (it->second.info.account == Account::ADMIN && admins == 1)
                      {
                          error = "cannot remove user '" + name +
                                  "': it is the last admin account (add another admin first)";
                          return false;
                      }
                      users.erase(it);
                      return true;
                  });
}

bool AdminUsers::set_password(const std::string& name, const std::string& password,
                              std::string& error)
{
    std::string hash;
    std::string unknown = "user '" + name + "' does not exist";
    if (!valid_password(password, error))
    {
        return false;
    }
    else if (!find(name))  // before the costly hash; checked again under the lock
    {
        error = unknown;
        return false;
    }
    return hash_password(password, hash, error) && change(name, error,
                                                          [&](Users& users)
                                                          {
                                                              auto it = users.find(name);
                                                              if (it == users.end())
                                                              {
                                                                  error = unknown;
                                                                  return false;
                                                              }
                                                              it->second.hash = hash;
                                                              it->second.info.last_update = now_s();
                                                              return true;
                                                          });
}

std::optional<Account> AdminUsers::authenticate(const std::string& name,
                                                const std::string& password)
{
    std::string error;
    if (!valid_password(password, error))
    {
        return std::nullopt;  // also keeps huge inputs away from PBKDF2
    }
    Mac mac = password_mac(password);
    std::string hash;
    {
        std::lock_guard guard(m_lock);
        auto it = m_users.find(name);
        if (it != m_users.end())
        {
            auto c = m_cache.find(name);
            if (c != m_cache.end() && CRYPTO_memcmp(c->second.data(), mac.data(), mac.size()) == 0)
            {
                it->second.info.last_login = now_s();
                return it->second.info.account;
            }
            hash = it->second.hash;
        }
    }
    if (hash.empty())
    {
        // Unknown user: spend the same time as a wrong password so names cannot be probed.
        unsigned char dk[k_dk_len];
        pbkdf2(password, "sqlgate-no-such-user", g_iterations.load(), dk);
        return std::nullopt;
    }
    // A wrong password always pays the full PBKDF2 cost: online guessing stays slow.
    if (!verify_password(hash, password))
    {
        return std::nullopt;
    }
    std::lock_guard guard(m_lock);
    auto it = m_users.find(name);
    if (it == m_users.end() || it->second.hash != hash)
    {
        return std::nullopt;  // removed or password changed while PBKDF2 ran
    }
    m_cache[name] = mac;
    it->second.info.last_login = now_s();
    return it->second.info.account;
}

std::optional<AdminUserInfo> AdminUsers::find(const std::string& name) const
{
    std::lock_guard guard(m_lock);
    auto it = m_users.find(name);
    return it == m_users.end() ? std::nullopt : std::optional(it->second.info);
}

std::vector<AdminUserInfo> AdminUsers::list() const
{
    std::lock_guard guard(m_lock);
    std::vector<AdminUserInfo> out;
    for (const auto& [name, u] : m_users)
    {
        out.push_back(u.info);
    }
    return out;
}

std::string AdminUsers::path() const
{
    std::lock_guard guard(m_lock);
    return m_path;
}

}  // namespace sqlgate::admin
