/**
 * Specification lookup, ObjectConfig getters and build_object().
 */
#include <algorithm>
#include <set>

#include "config/util.hh"
#include "sqlgate/config.hh"

namespace sqlgate
{

const ParamSpec* Specification::find(std::string_view name) const
{
    for (const auto& p : m_params)
    {
        if (p.name == name)
        {
            return &p;
        }
    }
    for (const auto& p : m_params)
    {
        if (std::find(p.aliases.begin(), p.aliases.end(), name) != p.aliases.end())
        {
            return &p;
        }
    }
    return nullptr;
}

const std::string& ObjectConfig::get_string(const std::string& key) const
{
    static const std::string empty;
    auto it = values.find(key);
    return it != values.end() ? it->second.text : empty;
}

int64_t ObjectConfig::get_int(const std::string& key) const
{
    auto it = values.find(key);
    return it != values.end() ? it->second.number : 0;
}

bool ObjectConfig::get_bool(const std::string& key) const
{
    return get_int(key) != 0;
}

const std::vector<std::string>& ObjectConfig::get_list(const std::string& key) const
{
    static const std::vector<std::string> empty;
    auto it = values.find(key);
    return it != values.end() ? it->second.list : empty;
}

namespace
{

size_t edit_distance(std::string_view a, std::string_view b)
{
    std::vector<size_t> prev(b.size() + 1);
    std::vector<size_t> cur(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j)
    {
        prev[j] = j;
    }
    for (size_t i = 1; i <= a.size(); ++i)
    {
        cur[0] = i;
        for (size_t j = 1; j <= b.size(); ++j)
        {
            size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
        }
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

/// "unknown parameter", plus the closest known name when one is close.
std::string unknown_parameter(const std::string& key,
                              const std::vector<const Specification*>& specs)
{
    std::string best;
    size_t best_distance = 3;  // suggest only names at most two edits away
    for (const Specification* spec : specs)
    {
        if (!spec)
        {
            continue;
        }
        for (const auto& p : spec->params())
        {
            size_t d = edit_distance(key, p.name);
            if (d < best_distance)
            {
                best_distance = d;
                best = p.name;
            }
        }
    }
    std::string msg = "unknown parameter";
    if (!best.empty())
    {
        msg += "; did you mean '" + best + "'?";
    }
    return msg;
}

}  // namespace

bool build_object(const std::string& file, const std::string& section, int section_line,
                  const std::vector<RawParam>& params,
                  const std::vector<const Specification*>& specs, ObjectConfig& out,
                  std::vector<std::string>& errors)
{
    const size_t errors_before = errors.size();
    out.name = section;
    out.origin = Origin{file, section_line};
    out.values.clear();
    out.origins.clear();

    std::map<std::string, const RawParam*> seen;  // canonical name -> where given
    for (const RawParam& raw : params)
    {
        const ParamSpec* spec = nullptr;
        for (const Specification* s : specs)
        {
            if (s && (spec = s->find(raw.key)))
            {
                break;
            }
        }
        if (!spec)
        {
            errors.push_back(
                config_error(file, raw.line, section, raw.key, unknown_parameter(raw.key, specs)));
            continue;
        }
        auto [it, inserted] = seen.emplace(spec->name, &raw);
        if (!inserted)
        {
            errors.push_back(config_error(file, raw.line, section, raw.key,
                                          "'" + spec->name + "' is already set at line " +
                                              std::to_string(it->second->line) + " as '" +
                                              it->second->key + "'"));
            continue;
        }
        Value value;
        std::string problem;
        if (parse_value(*spec, raw.value, value, problem))
        {
            out.values[spec->name] = std::move(value);
            out.origins[spec->name] = Origin{file, raw.line};
        }
        else
        {
            // Still recorded as given, so that checks of presence do not report it again.
            out.origins[spec->name] = Origin{file, raw.line};
            errors.push_back(config_error(file, raw.line, section, raw.key, problem));
        }
    }

    // Defaults and mandatory parameters, in specification order.
    std::set<std::string> done;
    for (const Specification* s : specs)
    {
        if (!s)
        {
            continue;
        }
        for (const ParamSpec& spec : s->params())
        {
            if (seen.count(spec.name) || !done.insert(spec.name).second)
            {
                continue;
            }
            if (spec.mandatory)
            {
                errors.push_back(config_error(file, section_line, section, spec.name,
                                              "mandatory parameter is missing"));
            }
            else if (spec.default_value)
            {
                Value value;
                std::string problem;
                if (parse_value(spec, *spec.default_value, value, problem))
                {
                    out.values[spec.name] = std::move(value);
                }
                else
                {
                    errors.push_back(config_error(file, section_line, section, spec.name,
                                                  "invalid default value: " + problem));
                }
            }
        }
    }

    if (out.has("type"))
    {
        out.type = out.get_string("type");
    }
    return errors.size() == errors_before;
}

}  // namespace sqlgate
