/**
 * PCRE2 helpers shared by the configuration parser and modules.
 *
 * Threads: a compiled pattern may be shared by all threads; match data may not
 * (give each session its own pcre2_match_data).
 */
#pragma once

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>

#include <memory>
#include <string>
#include <string_view>

namespace sqlgate
{

struct RegexFree
{
    void operator()(pcre2_code* c) const { pcre2_code_free(c); }
};
using RegexPtr = std::unique_ptr<pcre2_code, RegexFree>;

/**
 * Compile @c pattern (JIT where available). On failure returns nullptr and sets
 * @c error to "invalid regular expression 'PATTERN': PCRE2 MESSAGE at offset N".
 */
RegexPtr compile_regex(std::string_view pattern, uint32_t options, std::string& error);

/// PCRE2's text for an error code.
std::string regex_error_message(int code);

}  // namespace sqlgate
