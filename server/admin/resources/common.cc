#include "common.hh"

#include <ctime>

namespace sqlgate::admin
{

json_t* value_json(const Value& v)
{
    switch (v.type)
    {
        case ParamType::PASSWORD:
            return json_string("*****");
        case ParamType::COUNT:
        case ParamType::INT:
        case ParamType::SIZE:
            return json_integer(v.number);
        case ParamType::THREADS:
            return v.number == 0 ? json_string("auto") : json_integer(v.number);
        case ParamType::BOOL:
            return json_boolean(v.number != 0);
        case ParamType::DURATION:
            return json_string((std::to_string(v.number) + "ms").c_str());
        default:
            return json_string(v.text.c_str());
    }
}

json_t* params_json(const ObjectConfig& config)
{
    json_t* out = json_object();
    for (const auto& [key, value] : config.values)
    {
        if (key != "type")
        {
            json_object_set_new(out, key.c_str(), value_json(value));
        }
    }
    return out;
}

json_t* spec_json(const Specification& spec)
{
    json_t* out = json_array();
    for (const ParamSpec& p : spec.params())
    {
        json_t* o = json_pack("{s:s, s:s, s:s, s:b, s:b}", "name", p.name.c_str(), "type",
                              to_string(p.type), "description", p.description.c_str(), "mandatory",
                              p.mandatory, "modifiable", p.runtime);
        if (p.default_value)
        {
            Value v;
            std::string err;
            if (!p.default_value->empty() && parse_value(p, *p.default_value, v, err))
            {
                json_object_set_new(o, "default_value", value_json(v));
            }
            else
            {
                json_object_set_new(o, "default_value", json_string(p.default_value->c_str()));
            }
        }
        if (!p.enum_values.empty())
        {
            json_t* e = json_array();
            for (const auto& ev : p.enum_values)
            {
                json_array_append_new(e, json_string(ev.c_str()));
            }
            json_object_set_new(o, "enum_values", e);
        }
        if (p.type == ParamType::COUNT || p.type == ParamType::INT)
        {
            if (p.min != 0 || p.type == ParamType::INT)
            {
                json_object_set_new(o, "min", json_integer(p.min));
            }
            if (p.max != INT64_MAX)
            {
                json_object_set_new(o, "max", json_integer(p.max));
            }
        }
        json_array_append_new(out, o);
    }
    return out;
}

json_t* source_json(const ObjectConfig& config)
{
    bool runtime = config.origin.file.find("/sqlgate.cnf.d/") != std::string::npos;
    return json_pack("{s:s, s:s}", "type", runtime ? "runtime" : "static", "file",
                     config.origin.file.c_str());
}

HttpResponse not_found(const std::string& kind, const std::string& name)
{
    return HttpResponse::error(404, "'" + name + "' is not a " + kind);
}

std::string http_date(int64_t unix_seconds)
{
    time_t t = static_cast<time_t>(unix_seconds);
    tm tm;
    gmtime_r(&t, &tm);
    char buf[64];
    strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return buf;
}

}  // namespace sqlgate::admin
