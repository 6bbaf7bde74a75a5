// Reading maxctrl's output in system tests: the box tables of `list` and `show` (parsed,
// and their layout checked against MaxScale's cli-table rules), --tsv lines, and golden
// files under test/system/golden/maxctrl/.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace sqlgate::test
{

// A table of `list` or `show`. rows[0] is the header row of a `list` table. A cell that
// spans several terminal lines (multi-valued and object fields of `show`) has its lines
// joined with "\n", each without the one space of padding and without trailing spaces.
struct BoxTable
{
    std::vector<std::vector<std::string>> rows;
    // "" when the layout follows the rules, else the first rule broken (with the line):
    // ┌─┬─┐ top, │ cells │, ├─┼─┤ after every row but the last, └─┴─┘ bottom; every line
    // with the top's column widths; each cell one space, left-aligned text, padding to
    // the width; each column exactly as wide as its widest text + 2.
    std::string layout_error;

    // Index of a column of the header row, -1 if there is none.
    int column(const std::string& header) const;
    // The rows after the header (for `list`).
    std::vector<std::vector<std::string>> data() const;
    // The row whose first cell is `key` (after the header for `list`), or nullptr.
    const std::vector<std::string>* row(const std::string& key) const;
};

BoxTable parse_box_table(const std::string& text);

// `show` output: first column → second column ("" for a missing key in fields.at()).
std::map<std::string, std::string> show_fields(const BoxTable& table);

// The lines of --tsv output split at tabs (no trailing empty line).
std::vector<std::vector<std::string>> tsv_rows(const std::string& text);

// The text split into lines (no trailing empty line for a final "\n").
std::vector<std::string> lines_of(const std::string& text);

// True if the text has an ANSI escape sequence ("\x1b[").
bool has_ansi(const std::string& text);

// test/system/golden/maxctrl/<name>.txt
std::string golden_path(const std::string& name);

// Checks `actual` against test/system/golden/maxctrl/<name>.txt; with SQLGATE_UPDATE_GOLDEN=1
// writes the file instead (and succeeds). A mismatch shows `diff -u` of the two. This only
// compares output with output: a golden file also needs a check of what it says (see
// maxctrl_golden_test.cc, which checks each golden table against the REST API documents).
::testing::AssertionResult matches_golden(const std::string& name, const std::string& actual);

// `text` with every occurrence of each key of `replacements` replaced by its value, for
// golden files of output that contains temporary paths or ports.
std::string normalized(std::string text, const std::map<std::string, std::string>& replacements);

}  // namespace sqlgate::test
