/**
 * Parameter specifications and typed configuration values.
 *
 * One Specification per object kind (server, service, listener, monitor,
 * filter, the global section) and one per module. The same specification
 * drives the configuration file parser, REST validation (later), the module
 * listing and the documentation. Keep the set of types small.
 *
 * Threads: specifications are immutable after module load and may be read
 * from any thread. ObjectConfig values are immutable once built.
 */
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sqlgate
{

enum class ParamType
{
    STRING,     ///< free text
    PASSWORD,   ///< free text, masked in output
    COUNT,      ///< non-negative integer within [min, max]
    INT,        ///< signed integer within [min, max]
    SIZE,       ///< bytes: 1024, 64k/64K (1000s), 64Ki (1024s), M, Mi, G, Gi, T, Ti
    DURATION,   ///< milliseconds: h, m, s, ms; a bare number is seconds
    BOOL,       ///< true/false, on/off, yes/no, 1/0
    ENUM,       ///< one of enum_values (case-insensitive)
    ENUM_LIST,  ///< comma-separated subset of enum_values
    LIST,       ///< comma-separated strings, trimmed
    TARGETS,    ///< comma-separated object names (servers, services)
    FILTERS,    ///< pipe-separated filter names, order kept
    PATH,       ///< a file system path
    REGEX,      ///< a PCRE2 pattern (checked at parse time); "/.../" quoting allowed
    THREADS,    ///< "auto" or a positive count
};

const char* to_string(ParamType type);

struct ParamSpec
{
    std::string name;
    ParamType type = ParamType::STRING;
    std::string description;
    std::optional<std::string> default_value;  ///< as written in a config file
    bool mandatory = false;
    bool runtime = false;  ///< may be changed while running
    std::vector<std::string> enum_values;
    int64_t min = 0;
    int64_t max = INT64_MAX;
    std::vector<std::string>
        aliases;  ///< accepted alternative names (e.g. "targets" for "servers")
    /// Not empty: the parameter is accepted (so that a MaxScale configuration
    /// loads) and shown, but nothing reads it. Says why; the loader logs a
    /// warning with it when the parameter is set, and the documentation shows
    /// it. Every other parameter must have a reader (test/unit/config/
    /// param_readers_test.cc checks the sources).
    std::string ignored;
};

/// A ParamSpec with the fields modules set most often (the others keep their defaults).
inline ParamSpec make_param(std::string name, ParamType type, std::string description,
                            std::optional<std::string> default_value = std::nullopt,
                            bool mandatory = false, std::vector<std::string> enum_values = {})
{
    ParamSpec p;
    p.name = std::move(name);
    p.type = type;
    p.description = std::move(description);
    p.default_value = std::move(default_value);
    p.mandatory = mandatory;
    p.enum_values = std::move(enum_values);
    return p;
}

/// @c params, every one marked modifiable at runtime: for modules whose
/// instance is simply built anew when a parameter changes (new sessions use
/// the new instance, running ones keep theirs).
inline std::vector<ParamSpec> all_runtime(std::vector<ParamSpec> params)
{
    for (auto& p : params)
    {
        p.runtime = true;
    }
    return params;
}

/// True when @c list (e.g. an ENUM_LIST value) holds @c value.
inline bool contains(const std::vector<std::string>& list, std::string_view value)
{
    for (const auto& v : list)
    {
        if (v == value)
        {
            return true;
        }
    }
    return false;
}

class Specification
{
public:
    Specification() = default;
    Specification(std::string name, std::vector<ParamSpec> params)
        : m_name(std::move(name)), m_params(std::move(params))
    {
    }
    const std::string& name() const { return m_name; }
    const std::vector<ParamSpec>& params() const { return m_params; }
    /// Find by name or alias (case-sensitive, as MaxScale).
    const ParamSpec* find(std::string_view name) const;

private:
    std::string m_name;
    std::vector<ParamSpec> m_params;
};

/// A parsed, typed value. `text` is the normalised text form.
struct Value
{
    ParamType type = ParamType::STRING;
    std::string text;
    int64_t number =
        0;  ///< COUNT, INT, SIZE (bytes), DURATION (ms), BOOL (0/1), THREADS (0 = auto)
    std::vector<std::string> list;  ///< LIST, TARGETS, FILTERS, ENUM_LIST
};

/**
 * Parse @c text as a value of @c spec's type. On failure returns false and sets
 * @c error to a message that names what was expected (not the parameter; the
 * caller adds file, line, section and parameter).
 */
bool parse_value(const ParamSpec& spec, std::string_view text, Value& out, std::string& error);

/// Where a value came from, for error messages.
struct Origin
{
    std::string file;
    int line = 0;
};

/// One configured object: its name, type and typed parameters (defaults filled in).
class ObjectConfig
{
public:
    std::string name;
    std::string type;  ///< server, service, listener, monitor, filter, global
    Origin origin;
    std::map<std::string, Value> values;
    std::map<std::string, Origin> origins;  ///< where each explicitly given parameter was set

    bool has(const std::string& key) const { return values.count(key) != 0; }
    const std::string& get_string(const std::string& key) const;
    int64_t get_int(const std::string& key) const;
    bool get_bool(const std::string& key) const;
    int64_t get_duration_ms(const std::string& key) const { return get_int(key); }
    int64_t get_size(const std::string& key) const { return get_int(key); }
    const std::vector<std::string>& get_list(const std::string& key) const;
};

/**
 * Validate the raw key/value pairs of one object against the given
 * specifications (tried in order) and fill @c out, including defaults.
 * Every problem is appended to @c errors as
 * "FILE:LINE: [SECTION] parameter 'NAME': PROBLEM".
 */
struct RawParam
{
    std::string key;
    std::string value;
    int line = 0;
};
bool build_object(const std::string& file, const std::string& section, int section_line,
                  const std::vector<RawParam>& params,
                  const std::vector<const Specification*>& specs, ObjectConfig& out,
                  std::vector<std::string>& errors);

}  // namespace sqlgate

namespace sqlgate
{
/// The global section ([sqlgate]/[maxscale]) in effect, with defaults filled
/// in: an immutable snapshot (any thread). A runtime change (PATCH
/// /v1/maxscale) publishes a new one; hold the pointer only as long as needed.
std::shared_ptr<const ObjectConfig> global_config();
}  // namespace sqlgate
