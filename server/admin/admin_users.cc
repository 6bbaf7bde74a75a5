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

#include <algorithm>
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

/// Split "pbkdf2-sha256$<iterations>$<salt>$<dk>". False if it is anything else.
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

/// Write <path>.tmp (0600), fsync, rename over <path>, fsync the directory. @c renamed tells
/// whether <path> was replaced (true also when only the directory sync failed).
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
    char buf[8192];
    ssize_t n = fd < 0 ? -1 : 1;
    while (n != 0 && fd >= 0)
    {
        n = read(fd, buf, sizeof(buf));
        content.append(buf, n > 0 ? n : 0);
        if (n < 0 && errno != EINTR)
        {
            int err = errno;
            close(fd);
            errno = err;
            return false;
        }
    }
    return fd >= 0 && close(fd) == 0;
}

/// One element of the users file. Returns the problem, or "" when it is fine.
std::string parse_user(json_t* obj, AdminUserInfo& info, std::string& hash)
{
    json_t* name = json_object_get(obj, "name");
    json_t* account = json_object_get(obj, "account");
    json_t* password_hash = json_object_get(obj, "password_hash");
    json_t* created = json_object_get(obj, "created");
    json_t* last_update = json_object_get(obj, "last_update");
    std::string why;
    int iterations;
    std::string salt, dk;
    if (!json_is_object(obj))
    {
        return " is not a JSON object";
    }
    else if (!json_is_string(name))
    {
        return " has no 'name'";
    }
    else if (info.name = json_string_value(name); !valid_user_name(info.name, why))
    {
        return ": " + why;
    }
    else if (!json_is_string(account))
    {
        return " ('" + info.name + "') has no 'account'";
    }
    else if (!parse_account(json_string_value(account), info.account))
    {
        return " ('" + info.name + "') has unknown account '" + json_string_value(account) +
               "' (expected 'admin' or 'basic')";
    }
    else if (!json_is_string(password_hash))
    {
        return " ('" + info.name + "') has no 'password_hash'";
    }
    else if (hash = json_string_value(password_hash); !parse_hash(hash, iterations, salt, dk))
    {
        return " ('" + info.name + "') has an unsupported or malformed 'password_hash'";
    }
    else if ((created && !json_is_integer(created)) ||
             (last_update && !json_is_integer(last_update)))
    {
        return " ('" + info.name + "'): 'created' and 'last_update' must be integers";
    }
    info.created = json_integer_value(created);  // 0 when absent
    info.last_update = json_integer_value(last_update);
    return {};
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
    size_t bad = name.find_first_not_of(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.@-");
    if (bad != std::string::npos)
    {
        unsigned char c = name[bad];
        char shown[16];
        snprintf(shown, sizeof(shown), c > 0x20 && c < 0x7f ? "'%c'" : "byte 0x%02x", c);
        error = std::string("invalid character ") + shown +
                " in user name (allowed: A-Z a-z 0-9 _ . @ -)";
        return false;
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
    size_t i;
    json_t* obj;
    std::string problem = json_is_array(root) ? "" : "expected a JSON array of users";
    json_array_foreach(root, i, obj)
    {
        User u{};
        std::string why = parse_user(obj, u.info, u.hash);
        if (why.empty() && users.count(u.info.name))
        {
            why = " ('" + u.info.name + "') is listed twice";
        }
        if (!why.empty())
        {
            problem = "user " + std::to_string(i + 1) + why;
            break;
        }
        users.emplace(u.info.name, std::move(u));
    }
    json_decref(root);
    if (!problem.empty())
    {
        error = path + ": " + problem;
        return false;
    }

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
    std::string hash;
    auto edit = [&](Users& users)
    {
        int64_t now = now_s();
        return users.empty() &&
               users.emplace("admin", User{{"admin", Account::ADMIN, now, now, 0}, hash}).second;
    };
    error.clear();
    return list().empty() && hash_password("mariadb", hash, error) && change("admin", error, edit);
}

bool AdminUsers::add(const std::string& name, const std::string& password, Account account,
                     std::string& error)
{
    std::string hash;
    auto edit = [&](Users& users)
    {
        int64_t now = now_s();
        bool added = users.emplace(name, User{{name, account, now, now, 0}, hash}).second;
        error = added ? error : "user '" + name + "' already exists";
        return added;
    };
    return valid_user_name(name, error) && valid_password(password, error) &&
           hash_password(password, hash, error) && change(name, error, edit);
}

bool AdminUsers::remove(const std::string& name, std::string& error)
{
    auto edit = [&](Users& users)
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
    };
    return change(name, error, edit);
}

bool AdminUsers::set_password(const std::string& name, const std::string& password,
                              std::string& error)
{
    std::string hash;
    auto edit = [&](Users& users)
    {
        auto it = users.find(name);
        if (it == users.end())
        {
            error = "user '" + name + "' does not exist";
            return false;
        }
        it->second.hash = hash;
        it->second.info.last_update = now_s();
        return true;
    };
    return valid_password(password, error) && hash_password(password, hash, error) &&
           change(name, error, edit);
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
