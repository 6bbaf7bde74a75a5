// Finding the command a line of words names, parsing its own options, and the --help
// texts of maxctrl, of each verb and of each command.
//
// Threads: single-threaded.
#pragma once

#include <string>
#include <vector>

#include "command.hh"

namespace maxctrl
{

struct Match
{
    const Verb* verb = nullptr;        ///< null: no verb given
    const Command* command = nullptr;  ///< null: only the verb (or nothing) matched
    Args args;
};

/// Registers every command once.
void register_all();

/// Finds the command; throws Error for unknown words, bad options or argument counts.
/// With `for_help` only the words are looked up (no argument checks).
Match match_command(const std::vector<std::string>& words, bool for_help);

std::string main_help();
std::string verb_help(const Verb& verb);
std::string command_help(const Command& command);

}  // namespace maxctrl
