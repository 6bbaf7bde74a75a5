#include "output.hh"

#include <algorithm>

namespace maxctrl
{

namespace
{

// Display width of UTF-8 text: one column per code point (what the tables hold: names,
// numbers, JSON, box characters).
size_t width(const std::string& s)
{
    size_t n = 0;
    for (unsigned char c : s)
    {
        n += (c & 0xC0) != 0x80;
    }
    return n;
}

std::vector<std::string> lines(const std::string& s)
{
    std::vector<std::string> out;
    size_t start = 0;
    while (true)
    {
        size_t nl = s.find('\n', start);
        out.push_back(s.substr(start, nl == std::string::npos ? std::string::npos : nl - start));
        if (nl == std::string::npos)
        {
            return out;
        }
        start = nl + 1;
    }
}

std::string repeat(const std::string& s, size_t n)
{
    std::string out;
    out.reserve(s.size() * n);
    for (size_t i = 0; i < n; ++i)
    {
        out += s;
    }
    return out;
}

std::string paint(const std::string& s, const char* code, bool color)
{
    return color ? std::string("\x1b[") + code + "m" + s + "\x1b[39m" : s;
}

// One cell for --tsv: lines and runs of whitespace become one space.
std::string flatten(const std::string& s)
{
    std::string out;
    bool space = false;
    for (char c : s)
    {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
        {
            space = !out.empty();
            continue;
        }
        if (space)
        {
            out += ' ';
            space = false;
        }
        out += c;
    }
    return out;
}

std::string border(const std::vector<size_t>& widths, const char* left, const char* mid,
                   const char* right)
{
    std::string out = left;
    for (size_t i = 0; i < widths.size(); ++i)
    {
        out += repeat("─", widths[i] + 2);
        out += i + 1 < widths.size() ? mid : right;
    }
    return out + "\n";
}

// The lines of one table row. `paint` says which cells are coloured: all of them (the
// header) or the first (the key column of `show`).
enum class Paint
{
    NONE,
    ALL,
    FIRST,
};

std::string row_lines(const Row& row, const std::vector<size_t>& widths, Paint paint,
                      const TableStyle& style)
{
    std::vector<std::vector<std::string>> cells;
    size_t height = 1;
    for (size_t i = 0; i < widths.size(); ++i)
    {
        cells.push_back(lines(i < row.size() ? row[i] : ""));
        height = std::max(height, cells.back().size());
    }
    std::string out;
    for (size_t l = 0; l < height; ++l)
    {
        out += "│";
        for (size_t i = 0; i < widths.size(); ++i)
        {
            std::string text = l < cells[i].size() ? cells[i][l] : "";
            std::string pad(widths[i] - width(text), ' ');
            bool colored =
                !text.empty() && (paint == Paint::ALL || (paint == Paint::FIRST && i == 0));
            out += " " + (colored ? cyan(text, style.color) : text) + pad + " │";
        }
        out += "\n";
    }
    return out;
}

std::string render(const Row* header, const std::vector<Row>& rows, const TableStyle& style,
                   bool key_column)
{
    if (style.tsv)
    {
        std::string out;
        for (const Row& r : rows)
        {
            for (size_t i = 0; i < r.size(); ++i)
            {
                out += (i ? "\t" : "") + flatten(r[i]);
            }
            out += "\n";
        }
        return out;
    }
    size_t columns = header ? header->size() : 0;
    for (const Row& r : rows)
    {
        columns = std::max(columns, r.size());
    }
    std::vector<size_t> widths(columns, 0);
    auto measure = [&](const Row& r)
    {
        for (size_t i = 0; i < r.size(); ++i)
        {
            for (const std::string& l : lines(r[i]))
            {
                widths[i] = std::max(widths[i], width(l));
            }
        }
    };
    if (header)
    {
        measure(*header);
    }
    for (const Row& r : rows)
    {
        measure(r);
    }
    std::string out = border(widths, "┌", "┬", "┐");
    if (header)
    {
        out += row_lines(*header, widths, Paint::ALL, style);
        if (!rows.empty())
        {
            out += border(widths, "├", "┼", "┤");
        }
    }
    for (size_t i = 0; i < rows.size(); ++i)
    {
        out += row_lines(rows[i], widths, key_column ? Paint::FIRST : Paint::NONE, style);
        if (i + 1 < rows.size())
        {
            out += border(widths, "├", "┼", "┤");
        }
    }
    return out + border(widths, "└", "┴", "┘");
}

void collect(json_t* node, const std::vector<std::string>& segments, size_t at,
             std::vector<json_t*>& out)
{
    if (!node)
    {
        return;
    }
    if (at == segments.size())
    {
        out.push_back(node);
        return;
    }
    std::string seg = segments[at];
    bool map = seg.size() >= 2 && seg.compare(seg.size() - 2, 2, "[]") == 0;
    long index = -1;
    if (map)
    {
        seg.resize(seg.size() - 2);
    }
    else if (size_t open = seg.find('['); open != std::string::npos && seg.back() == ']')
    {
        // name[N]: element N of the array
        std::string digits = seg.substr(open + 1, seg.size() - open - 2);
        if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos)
        {
            return;
        }
        index = std::stol(digits);
        seg.resize(open);
    }
    json_t* next = seg.empty() ? node : json_object_get(node, seg.c_str());
    if (index >= 0)
    {
        next = json_array_get(next, index);
    }
    if (!map)
    {
        collect(next, segments, at + 1, out);
        return;
    }
    size_t i;
    json_t* item;
    json_array_foreach(next, i, item)
    {
        collect(item, segments, at + 1, out);
    }
}

}  // namespace

std::string render_table(const Row& header, const std::vector<Row>& rows, const TableStyle& style)
{
    return render(&header, rows, style, false);
}

std::string render_pairs(const std::vector<std::pair<std::string, std::string>>& pairs,
                         const TableStyle& style)
{
    std::vector<Row> rows;
    for (const auto& [k, v] : pairs)
    {
        rows.push_back({k, v});
    }
    return render(nullptr, rows, style, true);
}

std::vector<json_t*> find_values(json_t* root, const std::string& path)
{
    std::vector<std::string> segments;
    size_t start = 0;
    while (start <= path.size())
    {
        size_t dot = path.find('.', start);
        segments.push_back(
            path.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
        if (dot == std::string::npos)
        {
            break;
        }
        start = dot + 1;
    }
    std::vector<json_t*> out;
    collect(root, segments, 0, out);
    return out;
}

std::string value_text(json_t* v)
{
    switch (json_typeof(v))
    {
        case JSON_STRING:
            return json_string_value(v);
        case JSON_NULL:
            return "";
        case JSON_TRUE:
            return "true";
        case JSON_FALSE:
            return "false";
        case JSON_INTEGER:
            return std::to_string(json_integer_value(v));
        case JSON_REAL:
        {
            char* s = json_dumps(v, JSON_ENCODE_ANY | JSON_REAL_PRECISION(10));
            std::string out = s ? s : "";
            free(s);
            return out;
        }
        default:
        {
            char* s = json_dumps(v, JSON_INDENT(4));
            std::string out = s ? s : "";
            free(s);
            return out;
        }
    }
}

std::string field_text(json_t* root, const std::string& path, const std::string& separator)
{
    std::string out;
    bool first = true;
    for (json_t* v : find_values(root, path))
    {
        if (json_is_array(v) && path.find("[]") == std::string::npos)
        {
            // A plain array of scalars: one element per line (or per separator).
            size_t i;
            json_t* item;
            bool scalars = true;
            json_array_foreach(v, i, item)
            {
                scalars = scalars && !json_is_object(item) && !json_is_array(item);
            }
            if (scalars)
            {
                json_array_foreach(v, i, item)
                {
                    out += (first ? "" : separator) + value_text(item);
                    first = false;
                }
                continue;
            }
        }
        out += (first ? "" : separator) + value_text(v);
        first = false;
    }
    return out;
}

std::vector<Row> collection_rows(json_t* document, const std::vector<Field>& fields)
{
    std::vector<Row> rows;
    json_t* data = json_object_get(document, "data");
    size_t i;
    json_t* item;
    json_array_foreach(data, i, item)
    {
        Row r;
        for (const Field& f : fields)
        {
            r.push_back(field_text(item, f.path, ", "));
        }
        rows.push_back(std::move(r));
    }
    return rows;
}

std::vector<std::pair<std::string, std::string>> resource_pairs(json_t* resource,
                                                                const std::vector<Field>& fields)
{
    std::vector<std::pair<std::string, std::string>> out;
    for (const Field& f : fields)
    {
        out.emplace_back(f.name, field_text(resource, f.path, "\n"));
    }
    return out;
}

std::string describe_fields(const std::vector<Field>& fields)
{
    std::string out = "\nFields:\n";
    size_t w = 0;
    for (const Field& f : fields)
    {
        w = std::max(w, f.name.size());
    }
    for (const Field& f : fields)
    {
        out += "  " + f.name + std::string(w - f.name.size() + 2, ' ') + f.description + "\n";
    }
    return out;
}

std::string green(const std::string& s, bool color)
{
    return paint(s, "32", color);
}
std::string cyan(const std::string& s, bool color)
{
    return paint(s, "36", color);
}
std::string yellow(const std::string& s, bool color)
{
    return paint(s, "33", color);
}
std::string red(const std::string& s, bool color)
{
    return paint(s, "31", color);
}

}  // namespace maxctrl
