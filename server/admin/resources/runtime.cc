#include "runtime.hh"

#include "config/persist.hh"
#include "objects.hh"
#include "routing_worker.hh"
#include "sqlgate/log.hh"

namespace sqlgate::admin
{

std::vector<std::string> services_using(const Objects& o, const std::string& server)
{
    std::vector<std::string> out;
    for (const auto& [name, svc] : o.services)
    {
        for (const auto& s : svc->servers)
        {
            if (s->name() == server)
            {
                out.push_back(name);
                break;
            }
        }
    }
    return out;
}

bool list_value(const Specification& spec, const std::string& param,
                const std::vector<std::string>& items, Value& out, std::string& error)
{
    const ParamSpec* p = spec.find(param);
    std::string text;
    char sep = p && p->type == ParamType::FILTERS ? '|' : ',';
    for (const auto& i : items)
    {
        text += (text.empty() ? "" : std::string(1, sep)) + i;
    }
    if (!p)
    {
        error = "no parameter '" + param + "'";
        return false;
    }
    if (items.empty())
    {
        out = Value{};
        out.type = p->type;
        return true;
    }
    return parse_value(*p, text, out, error);
}

}  // namespace sqlgate::admin
