#include "document.hh"

#include "json_text.hh"

#include <openssl/sha.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "jsonpatch.hh"

namespace sqlgate::admin
{

namespace
{
// Where a resource of @c type lives (most are /v1/TYPE/ID/).
std::string self_path(const std::string& type, const std::string& id)
{
    if (type == "threads" || type == "modules")
    {
        return "maxscale/" + type + "/" + id + "/";
    }
    if (type == "inet")
    {
        return "users/inet/" + id + "/";
    }
    if (type == "logs")
    {
        return "maxscale/logs/";
    }
    if (type == "maxscale")
    {
        return id == "log_data" ? "maxscale/logs/data/" : "maxscale/";
    }
    if (type == "connections")
    {
        return "sessions/" + id.substr(0, id.find('-')) + "/connections/";
    }
    return type + "/" + id + "/";
}
}  // namespace

json_t* make_resource(const HttpRequest& r, const std::string& type, const std::string& id,
                      json_t* attributes, json_t* relationships)
{
    json_t* res = json_object();
    json_object_set_new(res, "id", json_string(id.c_str()));
    json_object_set_new(res, "type", json_string(type.c_str()));
    json_object_set_new(res, "attributes", attributes ? attributes : json_object());
    if (relationships)
    {
        json_object_set_new(res, "relationships", relationships);
    }
    json_object_set_new(
        res, "links", json_pack("{s:s+}", "self", r.base_url.c_str(), self_path(type, id).c_str()));
    return res;
}

json_t* make_relationship(const HttpRequest& r, const std::string& owner_type,
                          const std::string& owner_id, const std::string& type,
                          const std::vector<std::string>& ids)
{
    json_t* data = json_array();
    for (const auto& id : ids)
    {
        json_array_append_new(data,
                              json_pack("{s:s, s:s}", "id", id.c_str(), "type", type.c_str()));
    }
    std::string self = r.base_url + owner_type + "/" + owner_id + "/relationships/" + type + "/";
    std::string related = r.base_url + type + "/";
    return json_pack("{s:o, s:{s:s, s:s}}", "data", data, "links", "self", self.c_str(), "related",
                     related.c_str());
}

json_t* make_document(const HttpRequest& r, json_t* data)
{
    std::string self = r.base_url + r.resource_path();
    if (self.back() != '/')
    {
        self += '/';
    }
    return json_pack("{s:o, s:{s:s}}", "data", data, "links", "self", self.c_str());
}

namespace
{

std::vector<std::string> split(const std::string& s, char sep)
{
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= s.size())
    {
        size_t end = s.find(sep, start);
        if (end == std::string::npos)
        {
            end = s.size();
        }
        if (end > start)
        {
            out.push_back(s.substr(start, end - start));
        }
        start = end + 1;
    }
    return out;
}

bool parse_size(const std::string& s, long& out)
{
    if (s.empty() || s.size() > 12)
    {
        return false;
    }
    char* end;
    out = strtol(s.c_str(), &end, 10);
    return *end == '\0' && out >= 0;
}

// Copy the value at the pointer @c path (relative to @c from) into @c to,
// creating intermediate objects. Arrays are not descended into.
void copy_path(json_t* from, json_t* to, const std::vector<std::string>& tokens)
{
    for (size_t i = 0; i < tokens.size(); ++i)
    {
        if (!json_is_object(from))
        {
            return;
        }
        json_t* next = json_object_get(from, tokens[i].c_str());
        if (!next)
        {
            return;
        }
        if (i + 1 == tokens.size())
        {
            json_object_set(to, tokens[i].c_str(), next);
            return;
        }
        json_t* sub = json_object_get(to, tokens[i].c_str());
        if (!json_is_object(sub))
        {
            sub = json_object();
            json_object_set_new(to, tokens[i].c_str(), sub);
        }
        from = next;
        to = sub;
    }
}

// Keep only the listed fields (pointers relative to attributes/relationships).
bool apply_fields(json_t* res, const std::string& list, std::string& error)
{
    json_t* attrs = json_object_get(res, "attributes");
    json_t* rels = json_object_get(res, "relationships");
    json_t* new_attrs = json_object();
    json_t* new_rels = json_object();
    for (const auto& field : split(list, ','))
    {
        std::string ptr = field[0] == '/' ? field : "/" + field;
        std::vector<std::string> tokens;
        if (!parse_pointer(ptr, tokens, error))
        {
            json_decref(new_attrs);
            json_decref(new_rels);
            error = "fields: " + error;
            return false;
        }
        if (attrs)
        {
            copy_path(attrs, new_attrs, tokens);
        }
        if (rels)
        {
            copy_path(rels, new_rels, tokens);
        }
    }
    json_object_set_new(res, "attributes", new_attrs);
    if (rels)
    {
        json_object_set_new(res, "relationships", new_rels);
    }
    else
    {
        json_decref(new_rels);
    }
    return true;
}

bool apply_filter(json_t* data, const std::string& expr, std::string& error)
{
    size_t eq = expr.find('=', 1);
    if (expr.empty() || eq == std::string::npos)
    {
        error = "filter: expected filter=<JSON pointer>=<value>, got '" + expr + "'";
        return false;
    }
    std::string ptr = expr.substr(0, eq);
    if (ptr[0] != '/')
    {
        ptr = "/" + ptr;
    }
    std::vector<std::string> tokens;
    if (!parse_pointer(ptr, tokens, error))
    {
        error = "filter: " + error;
        return false;
    }
    std::string text = expr.substr(eq + 1);
    json_t* want = json_loads(text.c_str(), JSON_DECODE_ANY, nullptr);
    if (!want)
    {
        want = json_string(text.c_str());  // a bare word compares as a string
    }
    json_t* kept = json_array();
    size_t i;
    json_t* row;
    json_array_foreach(data, i, row)
    {
        json_t* v = pointer_get(row, ptr);
        if (v && json_equal(v, want))
        {
            json_array_append(kept, row);
        }
    }
    json_array_clear(data);
    json_array_extend(data, kept);
    json_decref(kept);
    json_decref(want);
    return true;
}

void slice(json_t* data, size_t first, size_t end)
{
    json_t* kept = json_array();
    for (size_t i = first; i < end && i < json_array_size(data); ++i)
    {
        json_array_append(kept, json_array_get(data, i));
    }
    json_array_clear(data);
    json_array_extend(data, kept);
    json_decref(kept);
}

std::string page_link(const HttpRequest& r, long size, long number)
{
    std::string self = r.base_url + r.resource_path();
    if (self.back() != '/')
    {
        self += '/';
    }
    return self + "?page[size]=" + std::to_string(size) + "&page[number]=" + std::to_string(number);
}

bool apply_paging(const HttpRequest& r, json_t* doc, json_t* data, size_t total, std::string& error)
{
    long size = 0, number = 0;
    if (!parse_size(r.q("page[size]"), size) || size == 0)
    {
        error = "page[size]: expected a positive integer, got '" + r.q("page[size]") + "'";
        return false;
    }
    if (r.has_q("page[number]") && !parse_size(r.q("page[number]"), number))
    {
        error = "page[number]: expected a non-negative integer, got '" + r.q("page[number]") + "'";
        return false;
    }
    slice(data, static_cast<size_t>(number * size), static_cast<size_t>((number + 1) * size));
    long last = total == 0 ? 0 : static_cast<long>((total - 1) / size);
    json_t* links = json_object_get(doc, "links");
    json_object_set_new(links, "self", json_string(page_link(r, size, number).c_str()));
    json_object_set_new(links, "first", json_string(page_link(r, size, 0).c_str()));
    json_object_set_new(links, "last", json_string(page_link(r, size, last).c_str()));
    if (number < last)
    {
        json_object_set_new(links, "next", json_string(page_link(r, size, number + 1).c_str()));
    }
    if (number > 0)
    {
        json_object_set_new(links, "prev",
                            json_string(page_link(r, size, std::min(number - 1, last)).c_str()));
    }
    return true;
}

bool apply_range(const HttpRequest& r, json_t* data, std::string& error)
{
    const std::string& range = r.q("range");
    size_t dash = range.find('-');
    long first = 0, last = 0;
    if (dash == std::string::npos || !parse_size(range.substr(0, dash), first) ||
        !parse_size(range.substr(dash + 1), last) || last < first)
    {
        error = "range: expected N-M with N <= M (inclusive, 0-based), got '" + range + "'";
        return false;
    }
    slice(data, static_cast<size_t>(first), static_cast<size_t>(last) + 1);
    return true;
}

}  // namespace

bool shape_document(const HttpRequest& r, json_t* doc, std::string& error)
{
    json_t* data = json_object_get(doc, "data");
    if (!data)
    {
        return true;
    }
    if (json_is_array(data))
    {
        if (r.has_q("filter") && !apply_filter(data, r.q("filter"), error))
        {
            return false;
        }
        size_t total = json_array_size(data);
        if (r.has_q("range") && !apply_range(r, data, error))
        {
            return false;
        }
        if (r.has_q("page[size]") && !apply_paging(r, doc, data, json_array_size(data), error))
        {
            return false;
        }
        if (!json_object_get(doc, "meta"))
        {
            json_object_set_new(doc, "meta", json_object());
        }
        json_object_set_new(json_object_get(doc, "meta"), "total", json_integer(total));
    }
    // Sparse fieldsets: fields[TYPE] for any type, plain fields= for the primary one.
    std::string primary;
    json_t* first = json_is_array(data) ? json_array_get(data, 0) : data;
    if (json_t* t = json_object_get(first, "type"))
    {
        primary = json_string_value(t) ? json_string_value(t) : "";
    }
    auto shape = [&](json_t* res)
    {
        const char* type = json_string_value(json_object_get(res, "type"));
        if (!type)
        {
            return true;
        }
        std::string key = std::string("fields[") + type + "]";
        if (r.has_q(key))
        {
            return apply_fields(res, r.q(key), error);
        }
        if (r.has_q("fields") && type == primary)
        {
            return apply_fields(res, r.q("fields"), error);
        }
        return true;
    };
    if (json_is_array(data))
    {
        size_t i;
        json_t* res;
        json_array_foreach(data, i, res)
        {
            if (!shape(res))
            {
                return false;
            }
        }
        return true;
    }
    return shape(data);
}

std::string pretty_text(const json_t* doc)
{
    std::string out;
    out.reserve(4096);
    append_json(out, doc, true);
    return out + "\n";
}

std::string etag_of_text(const std::string& text)
{
    unsigned char md[SHA_DIGEST_LENGTH];
    SHA1(reinterpret_cast<const unsigned char*>(text.data()), text.size(), md);
    static const char hex[] = "0123456789abcdef";
    std::string out = "\"";
    for (unsigned char c : md)
    {
        out += hex[c >> 4];
        out += hex[c & 15];
    }
    return out + "\"";
}

std::string etag_of(const json_t* doc)
{
    return etag_of_text(pretty_text(doc));
}

void render_response(const HttpRequest* req, HttpResponse& r)
{
    if (r.rendered)
    {
        return;
    }
    r.rendered = true;
    bool pretty = !req || !req->has_q("pretty") || truthy(req->q("pretty"));
    if (req && r.code == 200 && r.body && (req->method == "GET" || req->method == "HEAD"))
    {
        std::string error;
        if (!shape_document(*req, r.body.get(), error))
        {
            r = HttpResponse::error(400, error);
            r.rendered = true;
        }
        else
        {
            // The ETag hashes the pretty text: made once, and sent as it is by default.
            r.text = pretty_text(r.body.get());
            std::string etag = etag_of_text(r.text);
            if (req->header("if-none-match") == etag)
            {
                r.code = 304;
                r.body.reset();
                r.text.clear();
            }
            r.headers.emplace_back("ETag", etag);
            if (r.body && pretty)
            {
                r.body.reset();
                r.headers.emplace_back("Content-Type", "application/json");
            }
        }
    }
    if (r.body)
    {
        if (pretty)
        {
            r.text = pretty_text(r.body.get());
        }
        else
        {
            r.text.clear();
            append_json(r.text, r.body.get(), false);
        }
        r.body.reset();
        r.headers.emplace_back("Content-Type", "application/json");
    }
}

}  // namespace sqlgate::admin
