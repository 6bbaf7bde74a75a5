// Output formatting: MaxScale-style box tables for `list`, two-column key/value tables
// for `show`, tab-separated rows for --tsv, and field extraction from JSON:API
// documents by path ("attributes.parameters.port", "relationships.servers.data[].id").
//
// Threads: pure functions.
#pragma once

#include <jansson.h>

#include <string>
#include <utility>
#include <vector>

#include "command.hh"

namespace maxctrl
{

/// A column of `list` or a row of `show`: its title and where its value is.
struct Field
{
    std::string name;
    std::string path;
    std::string description;
};

using Row = std::vector<std::string>;

struct TableStyle
{
    bool tsv = false;
    bool color = false;
};

/// A table with a header row; a cell may span several lines ('\n').
std::string render_table(const Row& header, const std::vector<Row>& rows, const TableStyle& style);
/// A two-column table of name/value pairs (no header row).
std::string render_pairs(const std::vector<std::pair<std::string, std::string>>& pairs,
                         const TableStyle& style);

/// The values found at `path` in `root`: a segment ending in "[]" maps over an array.
std::vector<json_t*> find_values(json_t* root, const std::string& path);
/// A value as text: strings as they are, null as "", objects and arrays as indented JSON.
std::string value_text(json_t* value);
/// The values at `path` as one cell: several values joined with `separator`.
std::string field_text(json_t* root, const std::string& path, const std::string& separator);

/// The rows of a `list` table: one per element of the document's data array.
std::vector<Row> collection_rows(json_t* document, const std::vector<Field>& fields);
/// The pairs of a `show` table for one resource.
std::vector<std::pair<std::string, std::string>> resource_pairs(json_t* resource,
                                                                const std::vector<Field>& fields);
/// The field descriptions for a command's --help.
std::string describe_fields(const std::vector<Field>& fields);

/// Colour helpers: the text unchanged when colour is off.
std::string green(const std::string& s, bool color);
std::string cyan(const std::string& s, bool color);
std::string yellow(const std::string& s, bool color);
std::string red(const std::string& s, bool color);

}  // namespace maxctrl
