/**
 * Loading a configuration file: INI parsing, typed objects and cross-checks.
 *
 * Every problem is collected (the loader does not stop at the first one) as
 * "FILE:LINE: [SECTION] parameter 'NAME': PROBLEM", or without the parameter
 * part when the problem concerns the whole section.
 */
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "sqlgate/config.hh"

namespace sqlgate
{

struct ConfigFile
{
    std::string path;
    ObjectConfig global;                ///< [sqlgate] or [maxscale], defaults when absent
    std::vector<ObjectConfig> objects;  ///< in file order
    /// "FILE:LINE: [SECTION] parameter 'NAME': ignored: WHY" for every parameter
    /// that is set but marked ignored (ParamSpec::ignored); logged at startup.
    std::vector<std::string> warnings;

    /// The object called @c name, or nullptr.
    const ObjectConfig* find(const std::string& name) const;
};

/**
 * Returns the module's Specification for kind "router", "filter", "monitor" or
 * "protocol", or nullptr with @c error set ("module 'x' not found: ...").
 * nullptr with an empty @c error means the module exists but has no
 * parameters of its own. The listener's protocol is looked up by its
 * canonical name (see canonical_protocol()). An empty lookup function means
 * no module has parameters.
 */
using ModuleSpecLookup = std::function<const Specification*(
    const std::string& kind, const std::string& module, std::string& error)>;

bool load_config(const std::string& path, const ModuleSpecLookup& lookup, ConfigFile& out,
                 std::vector<std::string>& errors, const std::string& persisted_datadir = "");

bool load_config_text(const std::string& file_name, const std::string& text,
                      const ModuleSpecLookup& lookup, ConfigFile& out,
                      std::vector<std::string>& errors);

}  // namespace sqlgate
