// Running the real maxctrl binary in system tests: with stdout and stderr captured apart
// (run_maxctrl), or under a pseudo-terminal that answers its password prompt
// (run_maxctrl_pty). Every run gets HOME set to a temporary directory (a fresh empty one
// unless the options name one), so that the developer's own ~/.maxctrl.cnf never leaks in.
// A run that exceeds its timeout is killed by PID (its process group), like every process
// the harness starts.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "harness.hh"

namespace sqlgate::test
{

struct MaxctrlOptions
{
    // Text fed to stdin (a regular file, not a terminal); nullopt: stdin is /dev/null.
    std::optional<std::string> stdin_text;
    // Added to (or replacing in) the environment: "NAME=value".
    std::vector<std::string> env;
    // HOME for the run; "" gives a fresh empty directory removed afterwards.
    std::string home;
    std::chrono::milliseconds timeout = std::chrono::seconds(30);
};

inline MaxctrlOptions home_at(const std::string& home)
{
    MaxctrlOptions o;
    o.home = home;
    return o;
}

inline MaxctrlOptions timeout_of(std::chrono::milliseconds timeout)
{
    MaxctrlOptions o;
    o.timeout = timeout;
    return o;
}

struct MaxctrlResult
{
    std::vector<std::string> args;
    ExitStatus status;
    bool timed_out = false;
    std::string out;  // stdout
    std::string err;  // stderr

    int exit_code() const { return status.exit_code(); }
    // The command, its exit status, stdout and stderr, for failure messages.
    std::string describe() const;
};

struct PtyResult
{
    std::vector<std::string> args;
    ExitStatus status;
    bool timed_out = false;
    bool prompted = false;      // "Password:" appeared on the terminal
    bool echo_off = false;      // the terminal's ECHO flag was off when the answer was typed
    std::string output;         // everything written to the terminal ("\r\n" line ends)
    std::string before_answer;  // the terminal output up to the moment the answer was typed
    std::string after_answer;   // the terminal output after it

    int exit_code() const { return status.exit_code(); }
    std::string describe() const;
};

// build/bin/maxctrl (the MAXCTRL_BINARY compile definition, or <build>/bin/maxctrl), or
// the path in the environment variable SQLGATE_MAXCTRL.
std::string maxctrl_binary();
bool maxctrl_exists();
MaxctrlResult run_maxctrl(const std::vector<std::string>& args, const MaxctrlOptions& options = {});

// Runs maxctrl on a pseudo-terminal (80x24): waits for "Password:", then for the terminal's
// echo to be switched off (up to 2 s; the answer is typed anyway after that, so that an
// echoed password shows), types `answer` + "\n" and collects the terminal output until
// maxctrl exits. options.stdin_text is ignored (the terminal is stdin).
PtyResult run_maxctrl_pty(const std::vector<std::string>& args, const std::string& answer,
                          const MaxctrlOptions& options = {});

// The output with "\r\n" turned into "\n".
std::string strip_cr(const std::string& text);

}  // namespace sqlgate::test
