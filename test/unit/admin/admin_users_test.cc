/**
 * Tests of AdminUsers: the users file (load, corrupt files, atomic saves, failed saves), PBKDF2
 * hashes, the verified-credential cache, name and password rules, the last-admin rule.
 *
 * Threads: the test thread only, except AdminUsers.ConcurrentAuthenticateAndChange.
 */
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "admin_users.hh"

using namespace sqlgate::admin;
using namespace std::string_literals;
namespace fs = std::filesystem;

namespace
{

std::string slurp(const std::string& path)
{
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void spit(const std::string& path, const std::string& text)
{
    std::ofstream(path) << text;
}

class AdminUsersTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        AdminUsers::set_pbkdf2_iterations_for_testing(1000);
        char tmpl[] = "/tmp/sqlgate-adminusers-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        m_dir = tmpl;
        m_path = m_dir + "/passwd";
    }
    void TearDown() override
    {
        std::error_code ec;
        fs::permissions(m_dir, fs::perms::owner_all, fs::perm_options::add, ec);
        fs::remove_all(m_dir, ec);
        fs::remove_all(m_dir + ".moved", ec);
        AdminUsers::set_pbkdf2_iterations_for_testing(AdminUsers::DEFAULT_ITERATIONS);
    }
    /// Load the (missing) file and add users; fails the test on error.
    void load_with(AdminUsers& users,
                   std::initializer_list<std::tuple<const char*, const char*, Account>> list)
    {
        std::string error;
        ASSERT_TRUE(users.load(m_path, error)) << error;
        for (const auto& [name, password, account] : list)
        {
            ASSERT_TRUE(users.add(name, password, account, error)) << error;
        }
    }
    std::string load_error(const std::string& text)
    {
        spit(m_path, text);
        AdminUsers users;
        std::string error;
        EXPECT_FALSE(users.load(m_path, error)) << text;
        EXPECT_EQ(error.rfind(m_path + ": ", 0), 0u) << error;
        return error;
    }
    /// Replace the directory holding the users file by a regular file: every save must fail,
    /// even as root.
    void break_directory()
    {
        fs::rename(m_dir, m_dir + ".moved");
        spit(m_dir, "not a directory");
    }
    void TearDownBroken()
    {
        fs::remove(m_dir);
        fs::rename(m_dir + ".moved", m_dir);
    }

    std::string m_dir;
    std::string m_path;
};

const char* k_hash_1000 =
    "pbkdf2-sha256$1000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

std::string user_json(const std::string& name, const std::string& account)
{
    return "{\"name\":\"" + name + "\",\"account\":\"" + account + "\",\"password_hash\":\"" +
           k_hash_1000 + "\",\"created\":1,\"last_update\":2}";
}

}  // namespace

TEST(AdminUsersAccount, NamesRoundTrip)
{
    Account a;
    EXPECT_STREQ(account_name(Account::ADMIN), "admin");
    EXPECT_STREQ(account_name(Account::BASIC), "basic");
    ASSERT_TRUE(parse_account("admin", a));
    EXPECT_EQ(a, Account::ADMIN);
    ASSERT_TRUE(parse_account("basic", a));
    EXPECT_EQ(a, Account::BASIC);
    EXPECT_FALSE(parse_account("Admin", a));
    EXPECT_FALSE(parse_account("root", a));
    EXPECT_FALSE(parse_account("", a));
}

TEST_F(AdminUsersTest, MissingFileMeansNoUsers)
{
    AdminUsers users;
    std::string error;
    ASSERT_TRUE(users.load(m_path, error)) << error;
    EXPECT_TRUE(users.list().empty());
    EXPECT_EQ(users.path(), m_path);
    EXPECT_FALSE(fs::exists(m_path));  // loading does not create the file
}

TEST_F(AdminUsersTest, CorruptFilesNameTheFileAndProblem)
{
    std::string e = load_error("[{\"name\": \"a\",\n  \"account\": }]");
    EXPECT_NE(e.find("line 2 col"), std::string::npos) << e;
    EXPECT_NE(e.find("invalid JSON"), std::string::npos) << e;

    EXPECT_NE(load_error("").find("invalid JSON"), std::string::npos);
    EXPECT_NE(load_error("{}").find("expected a JSON array"), std::string::npos);
    EXPECT_NE(load_error("[1]").find("user 1 is not a JSON object"), std::string::npos);

    e = load_error("[" + user_json("a", "admin") + ", {\"account\":\"admin\"}]");
    EXPECT_EQ(e, m_path + ": user 2 has no 'name'");

    e = load_error("[" + user_json("a", "superuser") + "]");
    EXPECT_NE(e.find("user 1 ('a') has unknown account 'superuser'"), std::string::npos) << e;
    e = load_error("[{\"name\":\"a\",\"password_hash\":\"" + std::string(k_hash_1000) + "\"}]");
    EXPECT_NE(e.find("has no 'account'"), std::string::npos) << e;
    e = load_error("[{\"name\":\"a\",\"account\":\"admin\"}]");
    EXPECT_NE(e.find("has no 'password_hash'"), std::string::npos) << e;
    const std::string salt = "AAAAAAAAAAAAAAAAAAAAAA==", dk = std::string(43, 'A') + "=";
    for (std::string bad :
         {"secret"s, "pbkdf2-sha1$1000$" + salt + "$" + dk, "pbkdf2-sha256$0$" + salt + "$" + dk,
          "pbkdf2-sha256$20000000$" + salt + "$" + dk,  // too slow to verify
          "pbkdf2-sha256$1000$" + salt + "==$" + dk + "=", "pbkdf2-sha256$1000$" + salt + "$AAAA",
          "pbkdf2-sha256$1000$" + salt, "pbkdf2-sha256$1000$" + salt + "$" + dk + "$x"})
    {
        e = load_error("[{\"name\":\"a\",\"account\":\"admin\",\"password_hash\":\"" + bad +
                       "\"}]");
        EXPECT_NE(e.find("malformed 'password_hash'"), std::string::npos) << e;
    }
    e = load_error("[" + user_json("a", "admin") + "," + user_json("a", "basic") + "]");
    EXPECT_NE(e.find("user 2 ('a') is listed twice"), std::string::npos) << e;
    e = load_error("[" + user_json("../etc", "admin") + "]");
    EXPECT_NE(e.find("invalid character '/'"), std::string::npos) << e;
    e = load_error("[{\"name\":\"a\",\"account\":\"admin\",\"password_hash\":\"" +
                   std::string(k_hash_1000) + "\",\"created\":\"yesterday\"}]");
    EXPECT_NE(e.find("must be integers"), std::string::npos) << e;
}

TEST_F(AdminUsersTest, FailedLoadKeepsUsersAndUnreadablePathFails)
{
    AdminUsers users;
    load_with(users, {{"alice", "pw1", Account::ADMIN}});
    std::string error;
    ASSERT_FALSE(users.load(m_dir, error));  // a directory
    EXPECT_NE(error.find(m_dir + ": cannot read: "), std::string::npos) << error;
    EXPECT_TRUE(users.find("alice"));
    EXPECT_EQ(users.path(), m_path);
}

TEST_F(AdminUsersTest, AddAuthenticateRemove)
{
    AdminUsers users;
    load_with(users, {{"alice", "s3cret", Account::ADMIN}, {"bob", "hunter2", Account::BASIC}});
    EXPECT_EQ(users.authenticate("alice", "s3cret"), Account::ADMIN);
    EXPECT_EQ(users.authenticate("bob", "hunter2"), Account::BASIC);
    EXPECT_EQ(users.authenticate("alice", "hunter2"), std::nullopt);
    EXPECT_EQ(users.authenticate("alice", "s3cret "), std::nullopt);
    EXPECT_EQ(users.authenticate("alice", ""), std::nullopt);
    EXPECT_EQ(users.authenticate("carol", "s3cret"), std::nullopt);

    std::string error;
    EXPECT_FALSE(users.add("alice", "x", Account::BASIC, error));
    EXPECT_EQ(error, "user 'alice' already exists");

    ASSERT_TRUE(users.remove("bob", error)) << error;
    EXPECT_EQ(users.authenticate("bob", "hunter2"), std::nullopt);
    EXPECT_FALSE(users.find("bob"));
    EXPECT_FALSE(users.remove("bob", error));
    EXPECT_NE(error.find("'bob' does not exist"), std::string::npos) << error;
    EXPECT_FALSE(users.set_password("bob", "x", error));
}

TEST_F(AdminUsersTest, ListSortedAndTimestamps)
{
    AdminUsers users;
    int64_t before = time(nullptr);
    load_with(
        users,
        {{"zed", "a", Account::BASIC}, {"amy", "b", Account::ADMIN}, {"mo", "c", Account::BASIC}});
    auto all = users.list();
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(all[0].name, "amy");
    EXPECT_EQ(all[1].name, "mo");
    EXPECT_EQ(all[2].name, "zed");
    EXPECT_EQ(all[0].account, Account::ADMIN);
    EXPECT_GE(all[0].created, before);
    EXPECT_EQ(all[0].last_update, all[0].created);
    EXPECT_EQ(all[0].last_login, 0);

    ASSERT_TRUE(users.authenticate("mo", "c"));
    EXPECT_GE(users.find("mo")->last_login, before);
    std::string error;
    ASSERT_TRUE(users.set_password("mo", "d", error)) << error;
    EXPECT_GE(users.find("mo")->last_update, users.find("mo")->created);
}

TEST_F(AdminUsersTest, LastAdminCannotBeRemoved)
{
    AdminUsers users;
    load_with(users, {{"root1", "a", Account::ADMIN},
                      {"root2", "b", Account::ADMIN},
                      {"viewer", "c", Account::BASIC}});
    std::string error;
    ASSERT_TRUE(users.remove("root1", error)) << error;  // another admin remains
    EXPECT_FALSE(users.remove("root2", error));
    EXPECT_NE(error.find("last admin account"), std::string::npos) << error;
    EXPECT_TRUE(users.find("root2"));
    ASSERT_TRUE(users.remove("viewer", error)) << error;  // basic, one admin remains: fine
    EXPECT_EQ(users.list().size(), 1u);
}

TEST_F(AdminUsersTest, FileHasNoPlainPasswordAndMode0600)
{
    AdminUsers users;
    load_with(users, {{"alice", "Plain-Text-Pw-1", Account::ADMIN},
                      {"bob", "Plain-Text-Pw-1", Account::BASIC}});
    std::string text = slurp(m_path);
    EXPECT_EQ(text.find("Plain-Text-Pw-1"), std::string::npos);
    EXPECT_NE(text.find("\"password_hash\": \"pbkdf2-sha256$1000$"), std::string::npos) << text;
    EXPECT_NE(text.find("\"account\": \"basic\""), std::string::npos) << text;
    struct stat st;
    ASSERT_EQ(stat(m_path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0600u);
    EXPECT_FALSE(fs::exists(m_path + ".tmp"));
    // Same password, different salts: the two hashes differ.
    size_t first = text.find("pbkdf2-sha256$");
    size_t second = text.find("pbkdf2-sha256$", first + 1);
    ASSERT_NE(second, std::string::npos);
    EXPECT_NE(text.substr(first, text.find('"', first) - first),
              text.substr(second, text.find('"', second) - second));
}

TEST_F(AdminUsersTest, ReloadGivesSameUsersAndPasswords)
{
    AdminUsers users;
    load_with(users, {{"alice", "pw-a", Account::ADMIN}, {"b.o-b@x_1", "pw-b", Account::BASIC}});
    AdminUsers again;
    std::string error;
    ASSERT_TRUE(again.load(m_path, error)) << error;
    auto a = users.list(), b = again.list();
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i)
    {
        EXPECT_EQ(a[i].name, b[i].name);
        EXPECT_EQ(a[i].account, b[i].account);
        EXPECT_EQ(a[i].created, b[i].created);
        EXPECT_EQ(a[i].last_update, b[i].last_update);
    }
    EXPECT_EQ(again.authenticate("alice", "pw-a"), Account::ADMIN);
    EXPECT_EQ(again.authenticate("b.o-b@x_1", "pw-b"), Account::BASIC);
    EXPECT_EQ(again.authenticate("alice", "pw-b"), std::nullopt);
}

TEST_F(AdminUsersTest, HashesKeepTheirIterationCount)
{
    AdminUsers users;
    load_with(users, {{"alice", "pw", Account::ADMIN}});
    AdminUsers::set_pbkdf2_iterations_for_testing(2000);  // verification uses the stored 1000
    AdminUsers again;
    std::string error;
    ASSERT_TRUE(again.load(m_path, error)) << error;
    EXPECT_EQ(again.authenticate("alice", "pw"), Account::ADMIN);
}

TEST_F(AdminUsersTest, EnsureDefault)
{
    AdminUsers users;
    std::string error;
    ASSERT_TRUE(users.load(m_path, error)) << error;
    ASSERT_TRUE(users.ensure_default(error)) << error;
    EXPECT_EQ(users.authenticate("admin", "mariadb"), Account::ADMIN);
    EXPECT_FALSE(users.ensure_default(error));  // users exist: nothing to do, no error
    EXPECT_TRUE(error.empty()) << error;

    AdminUsers again;
    ASSERT_TRUE(again.load(m_path, error)) << error;
    EXPECT_EQ(again.authenticate("admin", "mariadb"), Account::ADMIN);
    EXPECT_EQ(again.list().size(), 1u);
}

TEST_F(AdminUsersTest, FailedSaveLeavesMemoryUnchanged)
{
    AdminUsers users;
    load_with(users, {{"alice", "pw-a", Account::ADMIN}, {"bob", "pw-b", Account::BASIC}});
    auto before = users.list();
    break_directory();

    std::string error;
    EXPECT_FALSE(users.add("carol", "pw-c", Account::ADMIN, error));
    EXPECT_NE(error.find("Not a directory"), std::string::npos) << error;
    EXPECT_FALSE(users.find("carol"));
    EXPECT_FALSE(users.remove("bob", error));
    EXPECT_TRUE(users.find("bob"));
    EXPECT_FALSE(users.set_password("alice", "new", error));
    EXPECT_EQ(users.authenticate("alice", "pw-a"), Account::ADMIN);
    EXPECT_EQ(users.authenticate("alice", "new"), std::nullopt);
    EXPECT_EQ(users.find("alice")->last_update, before[0].last_update);
    ASSERT_EQ(users.list().size(), before.size());
    TearDownBroken();

    AdminUsers empty;
    ASSERT_TRUE(empty.load(m_dir + "/other", error)) << error;
    break_directory();
    EXPECT_FALSE(empty.ensure_default(error));
    EXPECT_FALSE(error.empty());
    EXPECT_TRUE(empty.list().empty());
    TearDownBroken();

    // The directory is back: the file still holds the state from before the failures.
    AdminUsers again;
    ASSERT_TRUE(again.load(m_path, error)) << error;
    EXPECT_EQ(again.list().size(), 2u);
    EXPECT_EQ(again.authenticate("alice", "pw-a"), Account::ADMIN);
}

TEST_F(AdminUsersTest, FailedRenameLeavesFileAndMemory)
{
    AdminUsers users;
    load_with(users, {{"alice", "pw-a", Account::ADMIN}});
    fs::remove(m_path);
    fs::create_directories(m_path + "/keep");  // rename(tmp, path) fails, even as root
    std::string error;
    EXPECT_FALSE(users.add("bob", "pw-b", Account::BASIC, error));
    EXPECT_NE(error.find("rename failed"), std::string::npos) << error;
    EXPECT_FALSE(users.find("bob"));
    EXPECT_FALSE(fs::exists(m_path + ".tmp"));
}

TEST_F(AdminUsersTest, StaleTmpFileIsReplaced)
{
    AdminUsers users;
    load_with(users, {{"alice", "pw-a", Account::ADMIN}});
    spit(m_path + ".tmp", "[{\"half\": ");  // as left by a crash mid-write
    chmod((m_path + ".tmp").c_str(), 0644);
    std::string error;
    ASSERT_TRUE(users.add("bob", "pw-b", Account::BASIC, error)) << error;
    EXPECT_FALSE(fs::exists(m_path + ".tmp"));
    struct stat st;
    ASSERT_EQ(stat(m_path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0600u);
    AdminUsers again;
    ASSERT_TRUE(again.load(m_path, error)) << error;
    EXPECT_EQ(again.list().size(), 2u);
}

TEST_F(AdminUsersTest, CacheSkipsPbkdf2AndIsDroppedOnChange)
{
    AdminUsers users;
    load_with(users, {{"alice", "old", Account::ADMIN}, {"bob", "pw-b", Account::BASIC}});
    ASSERT_EQ(users.authenticate("alice", "old"), Account::ADMIN);
    uint64_t runs = AdminUsers::pbkdf2_runs();
    for (int i = 0; i < 100; ++i)
    {
        ASSERT_EQ(users.authenticate("alice", "old"), Account::ADMIN);
    }
    EXPECT_EQ(AdminUsers::pbkdf2_runs(), runs);  // served from the cache
    EXPECT_EQ(users.authenticate("alice", "wrong"), std::nullopt);
    EXPECT_EQ(AdminUsers::pbkdf2_runs(), runs + 1);  // a wrong password pays full price

    std::string error;
    ASSERT_TRUE(users.set_password("alice", "new", error)) << error;
    EXPECT_EQ(users.authenticate("alice", "old"), std::nullopt);
    EXPECT_EQ(users.authenticate("alice", "new"), Account::ADMIN);

    // Removed and re-added with another password: the old one must not come back.
    ASSERT_EQ(users.authenticate("bob", "pw-b"), Account::BASIC);
    ASSERT_TRUE(users.remove("bob", error)) << error;
    EXPECT_EQ(users.authenticate("bob", "pw-b"), std::nullopt);
    ASSERT_TRUE(users.add("bob", "other", Account::ADMIN, error)) << error;
    EXPECT_EQ(users.authenticate("bob", "pw-b"), std::nullopt);
    EXPECT_EQ(users.authenticate("bob", "other"), Account::ADMIN);
}

TEST_F(AdminUsersTest, NameAndPasswordValidation)
{
    AdminUsers users;
    load_with(users, {});
    std::string error;
    for (const std::string& bad :
         std::vector<std::string>{"", "a/b", "../x", "a b", "tab\t", "caf\xc3\xa9", "a:b", ".",
                                  "..", "x%2f", std::string(65, 'a'), std::string("nul\0x", 5)})
    {
        EXPECT_FALSE(users.add(bad, "pw", Account::BASIC, error)) << bad;
        EXPECT_FALSE(error.empty());
    }
    EXPECT_FALSE(users.add("a/b", "pw", Account::BASIC, error));
    EXPECT_NE(error.find("'/'"), std::string::npos) << error;
    EXPECT_FALSE(users.add("a b", "pw", Account::BASIC, error));
    EXPECT_NE(error.find("0x20"), std::string::npos) << error;
    EXPECT_FALSE(users.add(std::string(65, 'a'), "pw", Account::BASIC, error));
    EXPECT_NE(error.find("1 to 64"), std::string::npos) << error;
    EXPECT_TRUE(users.list().empty());

    ASSERT_TRUE(users.add(std::string(64, 'a'), "pw", Account::ADMIN, error)) << error;
    ASSERT_TRUE(users.add("A-z_0.9@host", "pw", Account::BASIC, error)) << error;

    EXPECT_FALSE(users.add("p1", "", Account::BASIC, error));
    EXPECT_FALSE(users.add("p2", std::string(1025, 'x'), Account::BASIC, error));
    EXPECT_EQ(error.find("xxxx"), std::string::npos);  // the password never shows up
    ASSERT_TRUE(users.add("p3", std::string(1024, 'x'), Account::BASIC, error)) << error;
    EXPECT_EQ(users.authenticate("p3", std::string(1024, 'x')), Account::BASIC);
    EXPECT_EQ(users.authenticate("p3", std::string(1025, 'x')), std::nullopt);
    EXPECT_FALSE(users.set_password("p3", "", error));
}

TEST_F(AdminUsersTest, ChangesBeforeLoadFail)
{
    AdminUsers users;
    std::string error;
    EXPECT_FALSE(users.add("alice", "pw", Account::ADMIN, error));
    EXPECT_NE(error.find("load()"), std::string::npos) << error;
    EXPECT_TRUE(users.list().empty());
}

TEST_F(AdminUsersTest, ConcurrentAuthenticateAndChange)
{
    AdminUsers users;
    load_with(users, {{"alice", "pw-a", Account::ADMIN}});
    std::atomic<bool> stop{false};
    std::atomic<int> failures{0};
    std::thread http(
        [&]
        {
            while (!stop)
            {
                failures += users.authenticate("alice", "pw-a") != Account::ADMIN;
                users.authenticate("user1", "pw");
            }
        });
    std::string error;
    for (int i = 0; i < 20; ++i)
    {
        ASSERT_TRUE(users.add("user" + std::to_string(i), "pw", Account::BASIC, error)) << error;
        ASSERT_TRUE(users.set_password("user" + std::to_string(i), "pw2", error)) << error;
    }
    for (int i = 0; i < 20; ++i)
    {
        ASSERT_TRUE(users.remove("user" + std::to_string(i), error)) << error;
    }
    stop = true;
    http.join();
    EXPECT_EQ(failures, 0);
}
