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

HttpResponse HttpResponse::error(int code, const std::string& detail)
{
    return HttpResponse(code, json_pack("{s:[{s:s}]}", "errors", "detail", detail.c_str()));
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
