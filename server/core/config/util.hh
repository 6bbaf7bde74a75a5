/**
 * Small string helpers shared by the configuration code.
 */
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sqlgate
{

/// Strip leading and trailing whitespace.
std::string_view trim(std::string_view s);

/// ASCII lower-case copy.
std::string lower(std::string_view s);

/// ASCII case-insensitive equality.
bool iequals(std::string_view a, std::string_view b);

/// Split at @c sep, trim each item and drop empty items.
std::vector<std::string> split(std::string_view s, char sep);

std::string join(const std::vector<std::string>& items, std::string_view sep);

/// Object names: one or more of [A-Za-z0-9_.~-] (URL safe, as MaxScale).
bool is_valid_object_name(std::string_view name);

/// The rule above in words, for error messages.
const char* object_name_rule();

/// "FILE:LINE: [SECTION] parameter 'NAME': PROBLEM", leaving out the empty parts.
std::string config_error(const std::string& file, int line, const std::string& section,
                         const std::string& param, const std::string& problem);

}  // namespace sqlgate
