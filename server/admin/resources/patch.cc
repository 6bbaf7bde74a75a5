#include "patch.hh"

#include <cinttypes>

#include "../jsonpatch.hh"

namespace sqlgate::admin
{

JsonPtr changed_document(const HttpRequest& r, json_t* current, HttpResponse& error)
{
    if (!r.json)
    {
        error = HttpResponse::error(400, "Missing request body");
        return nullptr;
    }
    if (r.content_type == "application/json-patch+json")
    {
        std::string why;
        JsonPtr out(apply_patch(current, r.json.get(), why));
        if (!out)
        {
            error = HttpResponse::error(400, "JSON Patch not applied: " + why);
        }
        return out;
    }
    // MaxScale's partial document: parameters merged, each given relationship replaced.
    json_t* data = json_object_get(r.json.get(), "data");
    if (!json_is_object(data))
    {
        error = HttpResponse::error(
            400,
            "Expected a JSON:API document with a 'data' object (or send an RFC 6902 patch "
            "with Content-Type: application/json-patch+json)");
        return nullptr;
    }
    json_t* cur_data = json_object_get(current, "data");
    for (const char* key : {"id", "type"})
    {
        json_t* given = json_object_get(data, key);
        if (given && !json_equal(given, json_object_get(cur_data, key)))
        {
            error = HttpResponse::error(
                400, std::string("/data/") + key + " does not match the resource being changed");
            return nullptr;
        }
    }
    json_t* attributes = json_object_get(data, "attributes");
    if (attributes && !json_is_object(attributes))
    {
        error = HttpResponse::error(400, "/data/attributes must be an object");
        return nullptr;
    }
    json_t* relationships = json_object_get(data, "relationships");
    if (relationships && !json_is_object(relationships))
    {
        error = HttpResponse::error(400, "/data/relationships must be an object");
        return nullptr;
    }
    JsonPtr out(json_deep_copy(current));
    json_t* params = json_object_get(attributes, "parameters");
    if (params)
    {
        json_t* cur = json_object_get(
            json_object_get(json_object_get(out.get(), "data"), "attributes"), "parameters");
        if (!json_is_object(params) || !cur)
        {
            error = HttpResponse::error(400, "/data/attributes/parameters must be an object");
            return nullptr;
        }
        json_object_update(cur, params);
    }
    json_t* rels = json_object_get(data, "relationships");
    if (rels)
    {
        json_t* cur = json_object_get(json_object_get(out.get(), "data"), "relationships");
        const char* type;
        json_t* rel;
        json_object_foreach(rels, type, rel)
        {
            json_t* target = json_object_get(cur, type);
            json_t* ids = json_object_get(rel, "data");
            if (!target || !json_is_array(ids))
            {
                error = HttpResponse::error(400, std::string("/data/relationships/") + type +
                                                     ": not a relationship of this resource, or "
                                                     "'data' is not an array");
                return nullptr;
            }
            json_object_set(target, "data", ids);
        }
    }
    return out;
}

std::vector<std::string> relationship_ids(const json_t* doc, const char* type)
{
    std::vector<std::string> out;
    json_t* data = json_object_get(
        json_object_get(json_object_get(json_object_get(doc, "data"), "relationships"), type),
        "data");
    size_t i;
    json_t* item;
    json_array_foreach(data, i, item)
    {
        const char* id = json_string_value(json_object_get(item, "id"));
        out.push_back(id ? id : "");
    }
    return out;
}

bool json_param_text(const json_t* v, std::string& out)
{
    char buf[64];
    switch (json_typeof(v))
    {
        case JSON_STRING:
            out = json_string_value(v);
            return true;
        case JSON_INTEGER:
            snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
            out = buf;
            return true;
        case JSON_REAL:
            snprintf(buf, sizeof(buf), "%.17g", json_real_value(v));
            out = buf;
            return true;
        case JSON_TRUE:
            out = "true";
            return true;
        case JSON_FALSE:
            out = "false";
            return true;
        default:
            return false;
    }
}

bool params_to_raw(const json_t* params, std::vector<RawParam>& out, std::string& error)
{
    if (!params)
    {
        return true;
    }
    if (!json_is_object(params))
    {
        error = "/data/attributes/parameters must be an object";
        return false;
    }
    const char* key;
    json_t* v;
    json_object_foreach(const_cast<json_t*>(params), key, v)
    {
        std::string text;
        if (!json_param_text(v, text))
        {
            error = std::string("parameter '") + key + "': expected a string, number or boolean";
            return false;
        }
        out.push_back(RawParam{key, text, 0});
    }
    return true;
}

namespace
{
// The document without the parts a PATCH may change.
JsonPtr fixed_part(const json_t* doc)
{
    JsonPtr c(json_deep_copy(doc));
    json_t* data = json_object_get(c.get(), "data");
    json_object_del(json_object_get(data, "attributes"), "parameters");
    json_object_del(data, "relationships");
    return c;
}
}  // namespace

bool parameter_changes(const json_t* old_doc, const json_t* new_doc,
                       const std::vector<const Specification*>& specs,
                       std::map<std::string, Value>& changes, std::string& error)
{
    if (!json_equal(fixed_part(old_doc).get(), fixed_part(new_doc).get()))
    {
        error = "Only /data/attributes/parameters and /data/relationships can be changed";
        return false;
    }
    auto params = [](const json_t* doc)
    {
        return json_object_get(json_object_get(json_object_get(doc, "data"), "attributes"),
                               "parameters");
    };
    json_t* before = params(old_doc);
    json_t* after = params(new_doc);
    if (!json_is_object(after))
    {
        error = "/data/attributes/parameters must be an object";
        return false;
    }
    const char* key;
    json_t* v;
    json_object_foreach(before, key, v)
    {
        if (!json_object_get(after, key))
        {
            error = std::string("parameter '") + key + "' cannot be removed";
            return false;
        }
    }
    json_object_foreach(after, key, v)
    {
        json_t* old = json_object_get(before, key);
        if (old && json_equal(old, v))
        {
            continue;
        }
        const ParamSpec* spec = nullptr;
        for (const Specification* s : specs)
        {
            if (s && (spec = s->find(key)))
            {
                break;
            }
        }
        if (!spec)
        {
            error = std::string("unknown parameter '") + key + "'";
            return false;
        }
        std::string text;
        if (!json_param_text(v, text))
        {
            error = std::string("parameter '") + key + "': expected a string, number or boolean";
            return false;
        }
        if (spec->type == ParamType::PASSWORD && text == "*****")
        {
            continue;  // the masked value sent back unchanged
        }
        if (!spec->runtime)
        {
            error = std::string("parameter '") + key + "' cannot be changed at runtime";
            return false;
        }
        Value parsed;
        std::string why;
        if (!parse_value(*spec, text, parsed, why))
        {
            error = std::string("parameter '") + key + "': " + why;
            return false;
        }
        changes[spec->name] = std::move(parsed);
    }
    return true;
}

}  // namespace sqlgate::admin
