/**
 * Admin accounts: the users file, PBKDF2 password hashes and the verified-credential cache.
 * Hashing, the cache HMAC and atomic file writes are in admin_users_store.cc.
 *
 * Threads: any; see admin_users.hh. File-local helpers below touch no shared state.
 */
#include "admin_users.hh"

#include <fcntl.h>
#include <jansson.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <stdexcept>

#include "admin_users_store.hh"

namespace sqlgate::admin
{
namespace
{

int64_t now_s()
{
    using namespace std::chrono;
    return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
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
    if (!new_cache_key(m_cache_key))
    {
        throw std::runtime_error("RAND_bytes failed: cannot create the credential cache key");
    }
}

AdminUsers::~AdminUsers()
{
    wipe_cache_key(m_cache_key);
}

void AdminUsers::set_pbkdf2_iterations_for_testing(int iterations)
{
    set_hash_iterations(iterations);
}

uint64_t AdminUsers::pbkdf2_runs()
{
    return pbkdf2_run_count();
}

AdminUsers::Mac AdminUsers::password_mac(const std::string& password) const
{
    return cache_mac(m_cache_key, password);
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
            if (c != m_cache.end() && same_mac(c->second, mac))
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
        pbkdf2_decoy(password);
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
