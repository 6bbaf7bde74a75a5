#include "maxctrl_output.hh"

#include <stdlib.h>
#include <unistd.h>

#include <fstream>

#include "harness.hh"
#include "harness_internal.hh"

namespace sqlgate::test
{

namespace
{

const std::string kVertical = "│";

// Splits a line at every occurrence of `sep` (a UTF-8 sequence).
std::vector<std::string> split(const std::string& line, const std::string& sep)
{
    std::vector<std::string> parts;
    size_t start = 0;
    while (true)
    {
        size_t at = line.find(sep, start);
        if (at == std::string::npos)
        {
            parts.push_back(line.substr(start));
            return parts;
        }
        parts.push_back(line.substr(start, at - start));
        start = at + sep.size();
    }
}

// Width in terminal columns: code points (maxctrl's output has no wide characters).
size_t width(const std::string& s)
{
    size_t n = 0;
    for (unsigned char c : s)
    {
        n += (c & 0xC0) != 0x80;
    }
    return n;
}

std::string rtrim(const std::string& s)
{
    size_t end = s.find_last_not_of(' ');
    return end == std::string::npos ? "" : s.substr(0, end + 1);
}

// For a border line "┌───┬──┐": the widths of its segments, or {} if it is not made of
// `left` (fill `─`, joints `mid`) `right`.
std::vector<size_t> border_widths(const std::string& line, const std::string& left,
                                  const std::string& mid, const std::string& right)
{
    if (line.rfind(left, 0) != 0 || line.size() < left.size() + right.size() ||
        line.compare(line.size() - right.size(), right.size(), right) != 0)
    {
        return {};
    }
    std::string inner = line.substr(left.size(), line.size() - left.size() - right.size());
    std::vector<size_t> widths;
    for (const auto& seg : split(inner, mid))
    {
        if (seg.empty() || split(seg, "─").size() != width(seg) + 1)
        {
            return {};
        }
        widths.push_back(width(seg));
    }
    return widths;
}

}  // namespace

std::vector<std::string> lines_of(const std::string& text)
{
    std::vector<std::string> lines = split(text, "\n");
    if (!lines.empty() && lines.back().empty())
    {
        lines.pop_back();
    }
    return lines;
}

bool has_ansi(const std::string& text)
{
    return text.find("\x1b[") != std::string::npos;
}

std::vector<std::vector<std::string>> tsv_rows(const std::string& text)
{
    std::vector<std::vector<std::string>> rows;
    for (const auto& line : lines_of(text))
    {
        rows.push_back(split(line, "\t"));
    }
    return rows;
}

BoxTable parse_box_table(const std::string& text)
{
    BoxTable t;
    std::vector<std::string> lines = lines_of(text);
    auto fail = [&](size_t i, const std::string& why)
    {
        if (t.layout_error.empty())
        {
            t.layout_error = "line " + std::to_string(i + 1) + ": " + why + ": '" +
                             (i < lines.size() ? lines[i] : std::string("<none>")) + "'";
        }
    };
    if (lines.size() < 3)
    {
        fail(0, "a table has at least a top border, one row and a bottom border");
        return t;
    }
    std::vector<size_t> widths = border_widths(lines[0], "┌", "┬", "┐");
    if (widths.empty())
    {
        fail(0, "the top border is not ┌─┬─┐");
        return t;
    }
    if (border_widths(lines.back(), "└", "┴", "┘") != widths)
    {
        fail(lines.size() - 1, "the bottom border is not └─┴─┘ with the top's widths");
    }
    std::vector<size_t> widest(widths.size(), 0);
    std::vector<std::vector<std::string>> current;  // lines of the row being read, by column
    bool row_open = false;
    for (size_t i = 1; i + 1 < lines.size(); ++i)
    {
        const std::string& line = lines[i];
        if (line.rfind("├", 0) == 0)
        {
            if (border_widths(line, "├", "┼", "┤") != widths)
            {
                fail(i, "a separator is not ├─┼─┤ with the top's widths");
            }
            if (!row_open)
            {
                fail(i, "a separator without a row before it");
            }
            if (i + 2 == lines.size())
            {
                fail(i, "a separator before the bottom border");
            }
            row_open = false;
            continue;
        }
        std::vector<std::string> cells = split(line, kVertical);
        if (cells.size() != widths.size() + 2 || !cells.front().empty() || !cells.back().empty())
        {
            fail(i, "not a row of " + std::to_string(widths.size()) + " cells between │");
            continue;
        }
        if (!row_open)
        {
            t.rows.emplace_back(widths.size());
            current.assign(widths.size(), {});
            row_open = true;
        }
        for (size_t c = 0; c < widths.size(); ++c)
        {
            const std::string& cell = cells[c + 1];
            if (width(cell) != widths[c])
            {
                fail(i, "cell " + std::to_string(c + 1) + " is not as wide as its column");
            }
            if (cell.empty() || cell[0] != ' ' || cell.back() != ' ')
            {
                fail(i, "cell " + std::to_string(c + 1) + " has no space on both sides");
            }
            std::string value = rtrim(cell.empty() ? cell : cell.substr(1));
            widest[c] = std::max(widest[c], width(value));
            std::string& joined = t.rows.back()[c];
            bool first_line = current[c].empty();
            current[c].push_back(value);
            if (first_line && !value.empty() && value[0] == ' ')
            {
                fail(i, "cell " + std::to_string(c + 1) + " is not left-aligned");
            }
            joined = first_line ? value : joined + "\n" + value;
        }
    }
    for (auto& row : t.rows)
    {
        for (auto& cell : row)
        {
            // A cell shorter than its row: drop the empty lines that only pad it.
            while (!cell.empty() && cell.back() == '\n')
            {
                cell.pop_back();
            }
        }
    }
    for (size_t c = 0; c < widths.size(); ++c)
    {
        if (widest[c] + 2 != widths[c])
        {
            fail(0, "column " + std::to_string(c + 1) + " is " + std::to_string(widths[c]) +
                        " wide; its widest text + 2 is " + std::to_string(widest[c] + 2));
        }
    }
    return t;
}

int BoxTable::column(const std::string& header) const
{
    if (rows.empty())
    {
        return -1;
    }
    for (size_t i = 0; i < rows[0].size(); ++i)
    {
        if (rows[0][i] == header)
        {
            return static_cast<int>(i);
        }
    }
    return -1;
}

std::vector<std::vector<std::string>> BoxTable::data() const
{
    return rows.size() < 2 ? std::vector<std::vector<std::string>>{}
                           : std::vector<std::vector<std::string>>(rows.begin() + 1, rows.end());
}

const std::vector<std::string>* BoxTable::row(const std::string& key) const
{
    for (size_t i = 1; i < rows.size(); ++i)
    {
        if (!rows[i].empty() && rows[i][0] == key)
        {
            return &rows[i];
        }
    }
    return nullptr;
}

std::map<std::string, std::string> show_fields(const BoxTable& table)
{
    std::map<std::string, std::string> fields;
    for (const auto& row : table.rows)
    {
        if (row.size() >= 2)
        {
            fields[row[0]] = row[1];
        }
    }
    return fields;
}

std::string normalized(std::string text, const std::map<std::string, std::string>& replacements)
{
    for (const auto& [from, to] : replacements)
    {
        if (from.empty())
        {
            continue;
        }
        for (size_t at = text.find(from); at != std::string::npos;
             at = text.find(from, at + to.size()))
        {
            text.replace(at, from.size(), to);
        }
    }
    return text;
}

std::string golden_path(const std::string& name)
{
    return std::string(SQLGATE_SOURCE_DIR) + "/test/system/golden/maxctrl/" + name + ".txt";
}

::testing::AssertionResult matches_golden(const std::string& name, const std::string& actual)
{
    std::string path = golden_path(name);
    const char* update = getenv("SQLGATE_UPDATE_GOLDEN");
    if (update && std::string(update) == "1")
    {
        run_command({"mkdir", "-p", path.substr(0, path.rfind('/'))}, std::chrono::seconds(10));
        detail::write_file(path, actual);
        return ::testing::AssertionSuccess() << "wrote " << path;
    }
    if (access(path.c_str(), R_OK) != 0)
    {
        return ::testing::AssertionFailure()
               << "no golden file " << path
               << " (SQLGATE_UPDATE_GOLDEN=1 writes it); the output was:\n"
               << actual;
    }
    std::string expected = read_file(path);
    if (expected == actual)
    {
        return ::testing::AssertionSuccess();
    }
    std::string dir = detail::make_temp_dir("sqlgate-golden");
    std::string actual_path = dir + "/" + name + ".txt";
    detail::write_file(actual_path, actual);
    CommandResult diff = run_command({"diff", "-u", "--label", "golden/maxctrl/" + name + ".txt",
                                      "--label", "actual", path, actual_path},
                                     std::chrono::seconds(10));
    run_command({"rm", "-rf", dir}, std::chrono::seconds(10));
    return ::testing::AssertionFailure()
           << "output differs from " << path << " (SQLGATE_UPDATE_GOLDEN=1 rewrites it):\n"
           << diff.output;
}

}  // namespace sqlgate::test
