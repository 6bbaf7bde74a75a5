// Internals shared by the harness's source files (not for tests).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace sqlgate::test::detail
{

using Clock = std::chrono::steady_clock;

// Stop every tracked child by PID at exit and on fatal signals (installed once).
void install_cleanup();
void track(pid_t pid);
void untrack(pid_t pid);
// SQLGATE_TEST_KEEP=1 keeps temporary directories for inspection.
bool keep_files();
std::string make_temp_dir(const std::string& prefix);
void write_file(const std::string& path, const std::string& text);
// Path of scripts/mariadb-cluster.
std::string cluster_script();
// environ with `env` ("NAME=value") added, each replacing a variable of the same name.
std::vector<std::string> environment_with(const std::vector<std::string>& env);
// fork/exec with output files; with kill_with_parent the child dies with us.
pid_t spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env,
            const std::string& stdout_path, const std::string& stderr_path, bool kill_with_parent);
// Reap @c pid within @c timeout; the wait status, or nothing if it still runs.
std::optional<int> wait_child(pid_t pid, std::chrono::milliseconds timeout);
std::optional<pid_t> read_pid_file(const std::string& path);
void sleep_ms(int ms) noexcept;
// True if @c pid no longer runs: reaped (if it is our child), gone, or a zombie.
bool process_gone(pid_t pid) noexcept;
void init_mysql_library();

}  // namespace sqlgate::test::detail
