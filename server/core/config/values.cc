/**
 * parse_value(): text to typed Value for every ParamType.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <cctype>
#include <charconv>
#include <climits>
#include <cstring>

#include "config/util.hh"
#include "sqlgate/config.hh"
#include "sqlgate/regex.hh"

namespace sqlgate
{

const char* to_string(ParamType type)
{
    switch (type)
    {
        case ParamType::STRING:
            return "string";
        case ParamType::PASSWORD:
            return "password";
        case ParamType::COUNT:
            return "count";
        case ParamType::INT:
            return "int";
        case ParamType::SIZE:
            return "size";
        case ParamType::DURATION:
            return "duration";
        case ParamType::BOOL:
            return "bool";
        case ParamType::ENUM:
            return "enum";
        case ParamType::ENUM_LIST:
            return "enum_list";
        case ParamType::LIST:
            return "list";
        case ParamType::TARGETS:
            return "targets";
        case ParamType::FILTERS:
            return "filters";
        case ParamType::PATH:
            return "path";
        case ParamType::REGEX:
            return "regex";
        case ParamType::THREADS:
            return "threads";
    }
    return "unknown";
}

namespace
{

bool all_digits(std::string_view s)
{
    if (s.empty())
    {
        return false;
    }
    for (char c : s)
    {
        if (!std::isdigit(static_cast<unsigned char>(c)))
        {
            return false;
        }
    }
    return true;
}

/// Unsigned decimal without sign; false on syntax error or overflow of int64_t.
bool parse_unsigned(std::string_view s, int64_t& out)
{
    if (!all_digits(s))
    {
        return false;
    }
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && ptr == s.data() + s.size();
}

std::string range_text(const ParamSpec& spec)
{
    if (spec.max == INT64_MAX)
    {
        return "must be at least " + std::to_string(spec.min);
    }
    return "must be between " + std::to_string(spec.min) + " and " + std::to_string(spec.max);
}

bool check_range(const ParamSpec& spec, int64_t n, std::string_view shown, std::string& error)
{
    if (n < spec.min || n > spec.max)
    {
        error = "value '" + std::string(shown) + "' is out of range: " + range_text(spec);
        return false;
    }
    return true;
}

bool mul_overflows(int64_t a, int64_t b)
{
    return a != 0 && b > INT64_MAX / a;
}

/// "123abc" -> 123 and "abc" (lower case); false without leading digits or on overflow.
bool split_number(std::string_view s, int64_t& n, std::string& suffix)
{
    size_t i = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])))
    {
        ++i;
    }
    if (!parse_unsigned(s.substr(0, i), n))
    {
        return false;
    }
    suffix = lower(s.substr(i));
    return true;
}

bool parse_size(std::string_view s, int64_t& out)
{
    int64_t n = 0;
    std::string suffix;
    if (!split_number(s, n, suffix))
    {
        return false;
    }
    int64_t mult = 1;
    if (!suffix.empty())
    {
        static const char units[] = "kmgt";
        const char* u = suffix[0] ? std::strchr(units, suffix[0]) : nullptr;
        if (!u || suffix.size() > 2 || (suffix.size() == 2 && suffix[1] != 'i'))
        {
            return false;
        }
        int64_t base = suffix.size() == 2 ? 1024 : 1000;
        for (int k = 0; k <= u - units; ++k)
        {
            mult *= base;
        }
    }
    if (mul_overflows(n, mult))
    {
        return false;
    }
    out = n * mult;
    return true;
}

bool parse_duration(std::string_view s, int64_t& out_ms)
{
    int64_t n = 0;
    std::string unit;
    if (!split_number(s, n, unit))
    {
        return false;
    }
    int64_t mult = 0;
    if (unit.empty() || unit == "s")
    {
        mult = 1000;  // a bare number is seconds (deprecated in MaxScale, still accepted)
    }
    else if (unit == "ms")
    {
        mult = 1;
    }
    else if (unit == "m")
    {
        mult = 60 * 1000;
    }
    else if (unit == "h")
    {
        mult = 3600 * 1000;
    }
    else
    {
        return false;
    }
    if (mul_overflows(n, mult))
    {
        return false;
    }
    out_ms = n * mult;
    return true;
}

bool parse_bool(std::string_view s, bool& out)
{
    std::string v = lower(s);
    if (v == "true" || v == "on" || v == "yes" || v == "1")
    {
        out = true;
        return true;
    }
    if (v == "false" || v == "off" || v == "no" || v == "0")
    {
        out = false;
        return true;
    }
    return false;
}

const std::string* match_enum(const ParamSpec& spec, std::string_view s)
{
    for (const auto& v : spec.enum_values)
    {
        if (iequals(v, s))
        {
            return &v;
        }
    }
    return nullptr;
}

std::string enum_choices(const ParamSpec& spec)
{
    std::string r;
    for (const auto& v : spec.enum_values)
    {
        r += (r.empty() ? "'" : ", '") + v + "'";
    }
    return r;
}

bool check_regex(const std::string& pattern, std::string& error)
{
    return compile_regex(pattern, 0, error) != nullptr;
}

bool parse_names(const ParamSpec& spec, std::string_view s, char sep, Value& out,
                 std::string& error)
{
    for (auto& item : split(s, sep))
    {
        if (spec.type != ParamType::LIST && !is_valid_object_name(item))
        {
            error = "invalid object name '" + item + "': " + object_name_rule();
            return false;
        }
        out.list.push_back(item);
    }
    out.text = join(out.list, sep == '|' ? "|" : ",");
    return true;
}

}  // namespace

bool parse_value(const ParamSpec& spec, std::string_view raw, Value& out, std::string& error)
{
    out = Value{};
    out.type = spec.type;
    std::string_view text = raw;
    if (spec.type != ParamType::STRING && spec.type != ParamType::PASSWORD)
    {
        text = trim(raw);
    }
    const std::string got = ", got '" + std::string(text) + "'";

    switch (spec.type)
    {
        case ParamType::STRING:
        case ParamType::PASSWORD:
        case ParamType::PATH:
            // Double quotes around the whole value keep leading or trailing
            // spaces (e.g. separator=" | ") and are not part of the value.
            if (text.size() >= 2 && text.front() == '"' && text.back() == '"')
            {
                text = text.substr(1, text.size() - 2);
            }
            out.text = std::string(text);
            return true;

        case ParamType::COUNT:
            if (!parse_unsigned(text, out.number))
            {
                error = "expected a non-negative integer" + got;
                return false;
            }
            out.text = std::to_string(out.number);
            return check_range(spec, out.number, text, error);

        case ParamType::INT:
        {
            std::string_view digits = text;
            bool negative = false;
            if (!digits.empty() && (digits[0] == '-' || digits[0] == '+'))
            {
                negative = digits[0] == '-';
                digits.remove_prefix(1);
            }
            int64_t n = 0;
            if (!parse_unsigned(digits, n))
            {
                error = "expected an integer" + got;
                return false;
            }
            out.number = negative ? -n : n;
            out.text = std::to_string(out.number);
            return check_range(spec, out.number, text, error);
        }

        case ParamType::SIZE:
            if (!parse_size(text, out.number))
            {
                error =
                    "expected a size in bytes with an optional suffix K, Ki, M, Mi, G, Gi, T or "
                    "Ti" +
                    got;
                return false;
            }
            out.text = std::to_string(out.number);
            return check_range(spec, out.number, text, error);

        case ParamType::DURATION:
            if (!parse_duration(text, out.number))
            {
                error = "expected a duration with a unit h, m, s or ms (e.g. 10s, 500ms)" + got;
                return false;
            }
            out.text = std::to_string(out.number) + "ms";
            return check_range(spec, out.number, text, error);

        case ParamType::BOOL:
        {
            bool b = false;
            if (!parse_bool(text, b))
            {
                error = "expected a boolean (true/false, on/off, yes/no, 1/0)" + got;
                return false;
            }
            out.number = b ? 1 : 0;
            out.text = b ? "true" : "false";
            return true;
        }

        case ParamType::ENUM:
            if (const std::string* v = match_enum(spec, text))
            {
                out.text = *v;
                return true;
            }
            error = "expected one of " + enum_choices(spec) + got;
            return false;

        case ParamType::ENUM_LIST:
            for (auto& item : split(text, ','))
            {
                const std::string* v = match_enum(spec, item);
                if (!v)
                {
                    error = "unknown value '" + item + "', expected a comma-separated list of " +
                            enum_choices(spec);
                    return false;
                }
                out.list.push_back(*v);
            }
            out.text = join(out.list, ",");
            return true;

        case ParamType::LIST:
        case ParamType::TARGETS:
            return parse_names(spec, text, ',', out, error);

        case ParamType::FILTERS:
            return parse_names(spec, text, '|', out, error);

        case ParamType::REGEX:
        {
            std::string pattern(text);
            if (pattern.size() >= 2 && pattern.front() == '/' && pattern.back() == '/')
            {
                pattern = pattern.substr(1, pattern.size() - 2);
            }
            if (!check_regex(pattern, error))
            {
                return false;
            }
            out.text = pattern;
            return true;
        }

        case ParamType::THREADS:
            if (iequals(text, "auto"))
            {
                out.number = 0;
                out.text = "auto";
                return true;
            }
            if (!parse_unsigned(text, out.number) || out.number < 1 || out.number > 1024)
            {
                error = "expected 'auto' or a number of threads between 1 and 1024" + got;
                return false;
            }
            out.text = std::to_string(out.number);
            return true;
    }
    error = "unsupported parameter type";
    return false;
}

}  // namespace sqlgate
