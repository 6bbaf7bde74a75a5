#include "config/util.hh"

#include <cctype>

namespace sqlgate
{

std::string_view trim(std::string_view s)
{
    size_t b = 0;
    size_t e = s.size();
    while (b < e && std::isspace(static_cast<unsigned char>(s[b])))
    {
        ++b;
    }
    while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1])))
    {
        --e;
    }
    return s.substr(b, e - b);
}

std::string lower(std::string_view s)
{
    std::string r(s);
    for (char& c : r)
    {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return r;
}

bool iequals(std::string_view a, std::string_view b)
{
    if (a.size() != b.size())
    {
        return false;
    }
    for (size_t i = 0; i < a.size(); ++i)
    {
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i])))
        {
            return false;
        }
    }
    return true;
}

std::vector<std::string> split(std::string_view s, char sep)
{
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= s.size())
    {
        size_t end = s.find(sep, start);
        if (end == std::string_view::npos)
        {
            end = s.size();
        }
        std::string_view item = trim(s.substr(start, end - start));
        if (!item.empty())
        {
            out.emplace_back(item);
        }
        start = end + 1;
    }
    return out;
}

std::string join(const std::vector<std::string>& items, std::string_view sep)
{
    std::string r;
    for (size_t i = 0; i < items.size(); ++i)
    {
        if (i)
        {
            r += sep;
        }
        r += items[i];
    }
    return r;
}

bool is_valid_object_name(std::string_view name)
{
    if (name.empty())
    {
        return false;
    }
    for (char c : name)
    {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '~' &&
            c != '-')
        {
            return false;
        }
    }
    return true;
}

const char* object_name_rule()
{
    return "only letters, digits and the characters _ . ~ - are allowed";
}

std::string config_error(const std::string& file, int line, const std::string& section,
                         const std::string& param, const std::string& problem)
{
    std::string r = file;
    if (line > 0)
    {
        r += ":" + std::to_string(line);
    }
    r += ": ";
    if (!section.empty())
    {
        r += "[" + section + "] ";
    }
    if (!param.empty())
    {
        r += "parameter '" + param + "': ";
    }
    return r + problem;
}

bool is_wildcard_address(const std::string& address)
{
    return address.empty() || address == "::" || address == "0.0.0.0";
}

bool endpoints_collide(const std::string& address_a, int64_t port_a, const std::string& address_b,
                       int64_t port_b)
{
    return port_a == port_b && (address_a == address_b || is_wildcard_address(address_a) ||
                                is_wildcard_address(address_b));
}

std::string endpoint_conflict_message(const std::string& address, int64_t port,
                                      const std::string& other, const std::string& other_address)
{
    return "address " + address + " port " + std::to_string(port) +
           " is already used by listener '" + other + "' (" + other_address + " port " +
           std::to_string(port) + ")";
}

}  // namespace sqlgate
