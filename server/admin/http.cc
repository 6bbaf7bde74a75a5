#include "http.hh"

#include <strings.h>

namespace sqlgate::admin
{

namespace
{
const std::string empty;
}

const std::string& HttpRequest::q(const std::string& key) const
{
    auto it = query.find(key);
    return it == query.end() ? empty : it->second;
}

const std::string& HttpRequest::header(const std::string& name) const
{
    auto it = headers.find(name);
    return it == headers.end() ? empty : it->second;
}

std::string HttpRequest::resource_path() const
{
    std::string out;
    for (const auto& p : parts)
    {
        out += out.empty() ? p : "/" + p;
    }
    return out;
}

std::string valid_utf8(const std::string& s)
{
    std::string out;
    out.reserve(s.size());
    size_t i = 0;
    while (i < s.size())
    {
        unsigned char c = static_cast<unsigned char>(s[i]);
        size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        bool ok = len > 0 && i + len <= s.size() && c != 0;
        for (size_t k = 1; ok && k < len; ++k)
        {
            ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
        }
        // Let Jansson judge overlong forms and surrogates; replace what it refuses.
        if (ok && len > 1)
        {
            json_t* probe = json_stringn(s.data() + i, len);
            ok = probe != nullptr;
            json_decref(probe);
        }
        if (ok)
        {
            out.append(s, i, len);
            i += len;
        }
        else
        {
            out += "\\x";
            static const char hex[] = "0123456789abcdef";
            out += hex[c >> 4];
            out += hex[c & 15];
            ++i;
        }
    }
    return out;
}

HttpResponse HttpResponse::error(int code, const std::string& detail)
{
    std::string text = valid_utf8(detail);
    return HttpResponse(code, json_pack("{s:[{s:s}]}", "errors", "detail", text.c_str()));
}

bool truthy(const std::string& v)
{
    for (const char* t : {"true", "yes", "on", "1"})
    {
        if (strcasecmp(v.c_str(), t) == 0)
        {
            return true;
        }
    }
    return false;
}

}  // namespace sqlgate::admin
