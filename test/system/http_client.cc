#include "http_client.hh"

#include <curl/curl.h>

#include <algorithm>
#include <vector>

namespace sqlgate::test
{

namespace
{
size_t on_body(char* data, size_t size, size_t n, void* out)
{
    static_cast<std::string*>(out)->append(data, size * n);
    return size * n;
}

size_t on_header(char* data, size_t size, size_t n, void* out)
{
    std::string line(data, size * n);
    size_t colon = line.find(':');
    if (colon != std::string::npos)
    {
        std::string key = line.substr(0, colon);
        std::transform(key.begin(), key.end(), key.begin(), ::tolower);
        std::string value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(" \t"));
        value.erase(value.find_last_not_of(" \t\r\n") + 1);
        (*static_cast<std::map<std::string, std::string>*>(out))[key] = value;
    }
    return size * n;
}
}  // namespace

json_t* HttpResult::at(const std::string& pointer) const
{
    json_t* v = json.get();
    size_t pos = 1;
    while (v && pos <= pointer.size() && pointer.size() > 1)
    {
        size_t end = pointer.find('/', pos);
        std::string tok =
            pointer.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
        if (json_is_array(v))
        {
            v = json_array_get(v, strtoul(tok.c_str(), nullptr, 10));
        }
        else
        {
            v = json_object_get(v, tok.c_str());
        }
        if (end == std::string::npos)
        {
            break;
        }
        pos = end + 1;
    }
    return v;
}

std::string HttpResult::str(const std::string& pointer) const
{
    const char* s = json_string_value(at(pointer));
    return s ? s : "";
}

long long HttpResult::num(const std::string& pointer) const
{
    json_t* v = at(pointer);
    return json_is_integer(v) ? json_integer_value(v) : -1;
}

std::string HttpResult::error() const
{
    std::string e = str("/errors/0/detail");
    return "HTTP " + std::to_string(code) + (e.empty() ? ": " + body : ": " + e);
}

Http::Http(int port, std::string user, std::string password)
    : m_port(port), m_user(std::move(user)), m_password(std::move(password))
{
}

void Http::set_credentials(const std::string& user, const std::string& password)
{
    m_user = user;
    m_password = password;
    m_token.clear();
}

HttpResult Http::request(const std::string& method, const std::string& path,
                         const std::string& body, const std::vector<std::string>& headers) const
{
    HttpResult r;
    CURL* c = curl_easy_init();
    std::string url = "http://127.0.0.1:" + std::to_string(m_port) + path;
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r.body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &r.headers);
    curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
    if (method == "HEAD")
    {
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    }
    if (!body.empty())
    {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    }
    curl_slist* list = nullptr;
    for (const auto& h : headers)
    {
        list = curl_slist_append(list, h.c_str());
    }
    std::string bearer;
    if (!m_token.empty())
    {
        bearer = "Authorization: Bearer " + m_token;
        list = curl_slist_append(list, bearer.c_str());
    }
    else if (!m_user.empty())
    {
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
        curl_easy_setopt(c, CURLOPT_USERNAME, m_user.c_str());
        curl_easy_setopt(c, CURLOPT_PASSWORD, m_password.c_str());
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
    if (curl_easy_perform(c) == CURLE_OK)
    {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.code);
    }
    curl_slist_free_all(list);
    curl_easy_cleanup(c);
    if (!r.body.empty())
    {
        r.json.reset(json_loadb(r.body.data(), r.body.size(), JSON_DECODE_ANY, nullptr));
    }
    return r;
}

std::string json_after(const std::string& body, const std::string& marker, size_t nth)
{
    size_t at = std::string::npos;
    for (size_t i = 0; i <= nth; ++i)
    {
        at = body.find(marker, at == std::string::npos ? 0 : at + 1);
        if (at == std::string::npos)
        {
            return "";
        }
    }
    size_t open = body.find_first_not_of(" \t\r\n:", at + marker.size());
    if (open == std::string::npos || (body[open] != '[' && body[open] != '{'))
    {
        return "";
    }
    int depth = 0;
    bool in_string = false;
    for (size_t i = open; i < body.size(); ++i)
    {
        char c = body[i];
        if (in_string)
        {
            i += c == '\\' ? 1 : 0;
            in_string = c != '"';
        }
        else if (c == '"')
        {
            in_string = true;
        }
        else if (c == '[' || c == '{')
        {
            ++depth;
        }
        else if ((c == ']' || c == '}') && --depth == 0)
        {
            return body.substr(open, i - open + 1);
        }
    }
    return "";
}

}  // namespace sqlgate::test
