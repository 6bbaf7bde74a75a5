// Global options: the command line, the [maxctrl] section of the config file (default
// ~/.maxctrl.cnf, refused when group or others may read it) and the password prompt.
//
// Threads: single-threaded.
#pragma once

#include <string>
#include <vector>

#include "command.hh"

namespace maxctrl
{

/// One global option, as --help lists it and the config file names it.
struct GlobalOption
{
    std::string long_name;  ///< also the key in the config file
    char short_name = 0;
    bool takes_value = true;
    std::string value_name;
    std::string help;
};

const std::vector<GlobalOption>& global_options();

/// The result of taking the global options out of argv.
struct ParsedLine
{
    std::vector<std::string> words;  ///< everything that is not a global option
    bool help = false;
    bool version = false;
};

/// Applies the config file and then the global options of `argv` to `opt`; returns the
/// remaining words. Throws Error for an unknown option value, a missing value, a bad
/// config file or one with loose permissions.
ParsedLine parse_command_line(const std::vector<std::string>& argv, Options& opt);

/// Only the global options of `argv` (no config file, no prompt): `prompt` is set when
/// an empty password asks for one.
ParsedLine parse_options(const std::vector<std::string>& argv, Options& opt, bool& prompt);

/// Parses "10000", "500ms", "10s", "2m", "1h" into milliseconds; throws Error.
long parse_timeout(const std::string& text);

/// Asks for the password on the terminal (echo off) or reads the first line of stdin.
std::string read_password();

/// The global options part of --help.
std::string global_options_help();

}  // namespace maxctrl
