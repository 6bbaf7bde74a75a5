// The helpers of command.hh that every verb file uses.
#include <cstring>

#include "client.hh"
#include "command.hh"

namespace maxctrl
{

std::string Args::value(const std::string& flag) const
{
    auto it = flags.find(flag);
    return it == flags.end() || it->second.empty() ? "" : it->second.back();
}

const std::vector<std::string>& Args::values(const std::string& flag) const
{
    static const std::vector<std::string> none;
    auto it = flags.find(flag);
    return it == flags.end() ? none : it->second;
}

Json Context::get(const std::string& resource)
{
    Json doc = client.request_json("GET", resource);
    if (!doc || !json_object_get(doc.get(), "data"))
    {
        throw Error("Server at " + client.host() + " sent no data for `GET " + resource + "`");
    }
    return doc;
}

Json Context::send(const std::string& method, const std::string& resource, json_t* body)
{
    std::string text;
    if (body)
    {
        char* s = json_dumps(body, JSON_COMPACT);
        text = s ? s : "";
        free(s);
    }
    std::string r = resource;
    if (opt.skip_sync)
    {
        r += (r.find('?') == std::string::npos ? "?" : "&") + std::string("sync=false");
    }
    return client.request_json(method, r, text);
}

void Context::ok()
{
    if (!opt.quiet)
    {
        out += opt.color ? "\x1b[32mOK\x1b[39m\n" : "OK\n";
    }
}

void Context::print(const std::string& text)
{
    out += text;
    if (!text.empty() && text.back() != '\n')
    {
        out += "\n";
    }
}

namespace
{

json_t* typed_value(const std::string& v)
{
    if (v == "true" || v == "false")
    {
        return json_boolean(v == "true");
    }
    if (!v.empty() && v.size() < 19 &&
        v.find_first_not_of("0123456789", v[0] == '-') == std::string::npos && v != "-")
    {
        return json_integer(std::stoll(v));
    }
    if (!v.empty() && (v[0] == '{' || v[0] == '['))
    {
        if (json_t* j = json_loads(v.c_str(), JSON_DECODE_ANY, nullptr))
        {
            return j;
        }
    }
    return json_string(v.c_str());
}

// "a.b.c" = v  →  {"a": {"b": {"c": v}}}
void set_dotted(json_t* obj, const std::string& key, json_t* value)
{
    size_t dot = key.find('.');
    if (dot == std::string::npos)
    {
        json_object_set_new(obj, key.c_str(), value);
        return;
    }
    std::string head = key.substr(0, dot);
    json_t* child = json_object_get(obj, head.c_str());
    if (!json_is_object(child))
    {
        child = json_object();
        json_object_set_new(obj, head.c_str(), child);
    }
    set_dotted(child, key.substr(dot + 1), value);
}

}  // namespace

Json parse_key_values(const std::vector<std::string>& args, size_t first)
{
    Json out(json_object());
    bool any_eq = false;
    for (size_t i = first; i < args.size(); ++i)
    {
        any_eq = any_eq || args[i].find('=') != std::string::npos;
    }
    if (!any_eq && first < args.size())
    {
        // The legacy form: key value [key value ...]
        if ((args.size() - first) % 2 != 0)
        {
            throw Error("Parameters must be key=value pairs; '" + args.back() + "' has no value");
        }
        for (size_t i = first; i + 1 < args.size(); i += 2)
        {
            set_dotted(out.get(), args[i], typed_value(args[i + 1]));
        }
        return out;
    }
    for (size_t i = first; i < args.size(); ++i)
    {
        size_t eq = args[i].find('=');
        if (eq == std::string::npos || eq == 0)
        {
            throw Error("Parameters must be key=value pairs; '" + args[i] + "' is not one");
        }
        std::string value = args[i].substr(eq + 1);
        if (value == "null")
        {
            throw Error("'" + args[i] + "': null is not a value; give the parameter's value");
        }
        set_dotted(out.get(), args[i].substr(0, eq), typed_value(value));
    }
    return out;
}

Json make_document(const std::string& id, const std::string& type, json_t* attributes,
                   json_t* relationships)
{
    json_t* data = json_object();
    if (!id.empty())
    {
        json_object_set_new(data, "id", json_string(id.c_str()));
    }
    json_object_set_new(data, "type", json_string(type.c_str()));
    if (attributes)
    {
        json_object_set_new(data, "attributes", attributes);
    }
    if (relationships)
    {
        json_object_set_new(data, "relationships", relationships);
    }
    Json doc(json_object());
    json_object_set_new(doc.get(), "data", data);
    return doc;
}

json_t* relationship(const std::vector<std::string>& names, const std::string& type)
{
    json_t* data = json_array();
    for (const std::string& n : names)
    {
        json_array_append_new(data, json_pack("{s:s, s:s}", "id", n.c_str(), "type", type.c_str()));
    }
    return json_pack("{s:o}", "data", data);
}

std::string url_encode(const std::string& s)
{
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s)
    {
        if (isalnum(c) || strchr("-._~", c))
        {
            out += (char)c;
        }
        else
        {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

}  // namespace maxctrl
