/**
 * A MaxScale-compatible INI reader.
 *
 * - `[name]` starts a section; names must match [A-Za-z0-9_.~-]+.
 * - `key=value`, whitespace around key and value trimmed.
 * - Lines whose first non-blank character is `#` or `;` are comments. There are
 *   no trailing comments: a `#` inside a value is part of the value.
 * - A line that starts with whitespace continues the previous parameter's
 *   value; the parts are joined with a comma, as MaxScale does (so a list can
 *   be spread over lines).
 * - Errors: a duplicate key in one section, a duplicate section, a parameter
 *   before the first section, a bad section name, a line that is none of the
 *   above. Each reads "FILE:LINE: [SECTION] ..." and names the parameter when
 *   there is one.
 */
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sqlgate/config.hh"

namespace sqlgate
{

struct IniSection
{
    std::string name;
    int line = 0;
    std::vector<RawParam> params;  ///< in file order
    std::string file;              ///< set when the section comes from another file (persisted)
};

/// Read and parse @c path. Returns false (and appends to @c errors) on any error.
bool read_ini(const std::string& path, std::vector<IniSection>& out,
              std::vector<std::string>& errors);

/// Parse @c text; @c file_name is used in messages only.
bool parse_ini(const std::string& file_name, std::string_view text, std::vector<IniSection>& out,
               std::vector<std::string>& errors);

/// Read a whole file; on failure @c error reads "PATH: cannot open the file: REASON".
bool read_text_file(const std::string& path, std::string& text, std::string& error);

/// True for the global section names, "sqlgate" and "maxscale" (any case).
bool is_global_section(std::string_view name);

}  // namespace sqlgate
