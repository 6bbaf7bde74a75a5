#include "config/ini.hh"

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "config/util.hh"

namespace sqlgate
{

bool is_global_section(std::string_view name)
{
    return iequals(name, "sqlgate") || iequals(name, "maxscale");
}

namespace
{

/// Append a continuation line to a value, comma-separated, without doubling commas.
void append_continuation(std::string& value, std::string_view more)
{
    std::string_view head = value;
    while (!head.empty() &&
           (head.back() == ',' || std::isspace(static_cast<unsigned char>(head.back()))))
    {
        head.remove_suffix(1);
    }
    while (!more.empty() &&
           (more.front() == ',' || std::isspace(static_cast<unsigned char>(more.front()))))
    {
        more.remove_prefix(1);
    }
    if (more.empty())
    {
        return;
    }
    std::string joined(head);
    if (!joined.empty())
    {
        joined += ',';
    }
    joined += more;
    value = std::move(joined);
}

}  // namespace

bool parse_ini(const std::string& file_name, std::string_view text, std::vector<IniSection>& out,
               std::vector<std::string>& errors)
{
    const size_t errors_before = errors.size();
    std::map<std::string, int> section_lines;  // name -> first line
    std::map<std::string, int> key_lines;      // keys of the current section
    IniSection* current = nullptr;
    IniSection discarded;      // the body of a duplicate section
    RawParam* last = nullptr;  // target of continuation lines
    RawParam sink;             // continuations of rejected lines

    if (text.substr(0, 3) == "\xEF\xBB\xBF")
    {
        text.remove_prefix(3);  // UTF-8 byte order mark
    }

    int line_no = 0;
    size_t pos = 0;
    while (pos < text.size())
    {
        size_t end = text.find('\n', pos);
        if (end == std::string_view::npos)
        {
            end = text.size();
        }
        std::string_view raw = text.substr(pos, end - pos);
        pos = end + 1;
        ++line_no;

        std::string_view line = trim(raw);
        const std::string section_name = current ? current->name : std::string();
        if (line.empty() || line[0] == '#' || line[0] == ';')
        {
            continue;  // blank lines do not end a multi-line value, as in inih
        }
        if (last && std::isspace(static_cast<unsigned char>(raw[0])))
        {
            append_continuation(last->value, line);
            continue;
        }
        if (line[0] == '[')
        {
            last = nullptr;
            key_lines.clear();
            size_t close = line.find(']');
            if (close == std::string_view::npos)
            {
                errors.push_back(config_error(
                    file_name, line_no, "", "",
                    "section header '" + std::string(line) + "' is missing the closing ']'"));
                current = &discarded;
                discarded = IniSection{};
                continue;
            }
            std::string name(line.substr(1, close - 1));
            if (!trim(line.substr(close + 1)).empty())
            {
                errors.push_back(config_error(file_name, line_no, name, "",
                                              "unexpected text after the section header"));
            }
            if (!is_global_section(name) && !is_valid_object_name(name))
            {
                errors.push_back(
                    config_error(file_name, line_no, name, "",
                                 std::string("invalid object name: ") + object_name_rule()));
            }
            auto [it, inserted] = section_lines.emplace(name, line_no);
            if (!inserted)
            {
                errors.push_back(config_error(
                    file_name, line_no, name, "",
                    "duplicate section, first defined at line " + std::to_string(it->second)));
                discarded = IniSection{name, line_no, {}, {}};
                current = &discarded;
                continue;
            }
            out.push_back(IniSection{name, line_no, {}, {}});
            current = &out.back();
            continue;
        }

        size_t eq = line.find('=');
        if (eq == std::string_view::npos)
        {
            errors.push_back(config_error(file_name, line_no, section_name, "",
                                          "expected 'key=value', got '" + std::string(line) + "'"));
            last = &sink;
            continue;
        }
        std::string key(trim(line.substr(0, eq)));
        std::string value(trim(line.substr(eq + 1)));
        if (key.empty())
        {
            errors.push_back(
                config_error(file_name, line_no, section_name, "",
                             "parameter name is missing in '" + std::string(line) + "'"));
            last = &sink;
            continue;
        }
        if (!current)
        {
            errors.push_back(
                config_error(file_name, line_no, "", key, "defined before the first [section]"));
            last = &sink;
            continue;
        }
        auto [it, inserted] = key_lines.emplace(key, line_no);
        if (!inserted)
        {
            errors.push_back(config_error(
                file_name, line_no, section_name, key,
                "defined twice in the section, first at line " + std::to_string(it->second)));
            last = &sink;
            continue;
        }
        current->params.push_back(RawParam{key, value, line_no});
        last = &current->params.back();
    }
    return errors.size() == errors_before;
}

bool read_text_file(const std::string& path, std::string& text, std::string& error)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
    {
        error = path + ": cannot open the file: " + std::strerror(errno);
        return false;
    }
    std::ostringstream buf;
    buf << in.rdbuf();
    if (in.bad())
    {
        error = path + ": cannot read the file: " + std::strerror(errno);
        return false;
    }
    text = buf.str();
    return true;
}

bool read_ini(const std::string& path, std::vector<IniSection>& out,
              std::vector<std::string>& errors)
{
    std::string text;
    std::string problem;
    if (!read_text_file(path, text, problem))
    {
        errors.push_back(problem);
        return false;
    }
    return parse_ini(path, text, out, errors);
}

}  // namespace sqlgate
