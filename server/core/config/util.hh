/**
 * Small string helpers shared by the configuration code.
 */
#pragma once

#include <cstdint>
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

/// "", "::" and "0.0.0.0" listen on every address.
bool is_wildcard_address(const std::string& address);
/// Two TCP listeners of this process collide: the same port and the same
/// address, or either listens on every address. (SO_REUSEPORT would let both
/// bind, and the kernel would share the clients between them.) The one rule for
/// the configuration file and runtime changes.
bool endpoints_collide(const std::string& address_a, int64_t port_a, const std::string& address_b,
                       int64_t port_b);
/// "address A port N is already used by listener 'OTHER' (B port N)".
std::string endpoint_conflict_message(const std::string& address, int64_t port,
                                      const std::string& other, const std::string& other_address);

/// "FILE:LINE: [SECTION] parameter 'NAME': PROBLEM", leaving out the empty parts.
std::string config_error(const std::string& file, int line, const std::string& section,
                         const std::string& param, const std::string& problem);

}  // namespace sqlgate
