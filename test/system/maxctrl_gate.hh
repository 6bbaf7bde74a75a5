// Gates for the maxctrl tests: the real sqlgate with its REST API on a free port, and
// maxctrl pointed at it. MaxctrlGate is in front of the shared 3-server cluster (AdminGate);
// BareMaxctrlGate has no servers of the cluster at all (for golden files of objects the
// test creates with fixed names and values).
#pragma once

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <memory>
#include <string>
#include <vector>

#include "admin_gate.hh"
#include "http_client.hh"
#include "maxctrl_output.hh"
#include "maxctrl_runner.hh"

namespace sqlgate::test
{

// A missing maxctrl binary fails the test (it is built with sqlgate_system).
#define REQUIRE_MAXCTRL()                                                                    \
    do                                                                                       \
    {                                                                                        \
        ASSERT_TRUE(maxctrl_exists()) << "maxctrl has not been built: " << maxctrl_binary(); \
    } while (0)

// For TEST_F(MaxctrlX, ...): `using MaxctrlX = MaxctrlTest;`.
class MaxctrlTest : public ::testing::Test
{
protected:
    void SetUp() override { REQUIRE_MAXCTRL(); }
};

// HOME for maxctrl runs: an empty directory (mode 0700), removed with what is in it.
struct MaxctrlHome
{
    std::string path;
    MaxctrlHome()
    {
        char tmpl[] = "/tmp/sqlgate-maxctrl-home-XXXXXX";
        path = mkdtemp(tmpl) ? tmpl : "";
    }
    ~MaxctrlHome() { run_command({"rm", "-rf", path}, 10s); }
    MaxctrlHome(const MaxctrlHome&) = delete;
    MaxctrlHome& operator=(const MaxctrlHome&) = delete;

    // Writes a file (relative to HOME unless absolute) with `mode`; returns its path.
    std::string write(const std::string& name, const std::string& text, mode_t mode = 0600) const
    {
        std::string p = name[0] == '/' ? name : path + "/" + name;
        FILE* f = fopen(p.c_str(), "w");
        if (f)
        {
            fwrite(text.data(), 1, text.size(), f);
            fclose(f);
        }
        chmod(p.c_str(), mode);
        return p;
    }
    // ~/.maxctrl.cnf
    std::string write_config(const std::string& text, mode_t mode = 0600) const
    {
        return write(".maxctrl.cnf", text, mode);
    }
};

inline std::string host_of(int port)
{
    return "127.0.0.1:" + std::to_string(port);
}

// Runs maxctrl against `admin` with -h/-u/-p before `args`, HOME = home.
inline MaxctrlResult mc_at(int admin, const MaxctrlHome& home, const std::vector<std::string>& args,
                           MaxctrlOptions o = {})
{
    std::vector<std::string> all{"-h", host_of(admin), "-u", "admin", "-p", "mariadb"};
    all.insert(all.end(), args.begin(), args.end());
    if (o.home.empty())
    {
        o.home = home.path;
    }
    return run_maxctrl(all, o);
}

struct MaxctrlGate : AdminGate
{
    MaxctrlHome home;

    explicit MaxctrlGate(const std::string& extra_sections = "", ConfigOptions o = {},
                         const std::vector<std::string>& args = {})
        : AdminGate(args, o, extra_sections)
    {
    }
    std::string host() const { return host_of(admin); }
    // maxctrl -h 127.0.0.1:<admin> -u admin -p mariadb ARGS
    MaxctrlResult mc(const std::vector<std::string>& args, MaxctrlOptions o = {}) const
    {
        return mc_at(admin, home, args, o);
    }
    // maxctrl ARGS, with only HOME set.
    MaxctrlResult mc_bare(const std::vector<std::string>& args, MaxctrlOptions o = {}) const
    {
        if (o.home.empty())
        {
            o.home = home.path;
        }
        return run_maxctrl(args, o);
    }
};

// sqlgate with [maxscale] and `extra_sections` only: no servers, services or listeners.
struct BareMaxctrlGate
{
    int admin = free_port();
    std::unique_ptr<SqlGate> gate;
    MaxctrlHome home;

    explicit BareMaxctrlGate(const std::string& extra_sections = "")
    {
        std::string config =
            "[maxscale]\nthreads=2\nadmin_host=127.0.0.1\nadmin_port=" + std::to_string(admin) +
            "\n\n" + extra_sections;
        gate = std::make_unique<SqlGate>(config, admin);
    }
    Http http() const { return Http(admin); }
    std::string host() const { return host_of(admin); }
    MaxctrlResult mc(const std::vector<std::string>& args, MaxctrlOptions o = {}) const
    {
        return mc_at(admin, home, args, o);
    }
};

// exit 0, nothing on stderr, no colours.
inline ::testing::AssertionResult mc_ok(const MaxctrlResult& r)
{
    if (r.exit_code() == 0 && r.err.empty() && !has_ansi(r.out) && !r.timed_out)
    {
        return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure() << "expected exit 0, no stderr, no colours:\n"
                                         << r.describe();
}

// A successful write: exit 0 and "OK" alone on stdout.
inline ::testing::AssertionResult mc_wrote(const MaxctrlResult& r)
{
    if (r.exit_code() == 0 && r.out == "OK\n" && r.err.empty())
    {
        return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure() << "expected exit 0 and stdout 'OK':\n" << r.describe();
}

// An error: exit 1, stderr starting "Error: " and containing `needle`, no colours.
inline ::testing::AssertionResult mc_error(const MaxctrlResult& r, const std::string& needle = "")
{
    if (r.exit_code() == 1 && r.err.rfind("Error: ", 0) == 0 &&
        r.err.find(needle) != std::string::npos && !has_ansi(r.err) && !r.timed_out)
    {
        return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure()
           << "expected exit 1 and stderr starting 'Error: '"
           << (needle.empty() ? "" : " containing '" + needle + "'") << ":\n"
           << r.describe();
}

// The output as a box table whose layout follows the rules (see BoxTable).
inline ::testing::AssertionResult well_formed(const MaxctrlResult& r, BoxTable* table)
{
    *table = parse_box_table(r.out);
    if (table->layout_error.empty())
    {
        return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure() << "table layout: " << table->layout_error << "\n"
                                         << r.describe();
}

}  // namespace sqlgate::test
