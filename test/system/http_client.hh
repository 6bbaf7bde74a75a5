// A small libcurl client for the admin REST API in system tests.
#pragma once

#include <jansson.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace sqlgate::test
{

struct JsonFree
{
    void operator()(json_t* j) const { json_decref(j); }
};
using Json = std::unique_ptr<json_t, JsonFree>;

struct HttpResult
{
    long code = 0;  // 0: no answer (connection failed)
    std::string body;
    std::map<std::string, std::string> headers;  // lower-case names
    Json json;                                   // the parsed body, if it is JSON

    // The value at a JSON pointer ("/data/id") of the body, or nullptr.
    json_t* at(const std::string& pointer) const;
    std::string str(const std::string& pointer) const;  // "" unless a string
    long long num(const std::string& pointer) const;    // -1 unless an integer
    // The first errors[].detail, for failure messages.
    std::string error() const;
};

class Http
{
public:
    explicit Http(int port, std::string user = "admin", std::string password = "mariadb");
    // Credentials: Basic with user/password, or a bearer token when set.
    void set_token(const std::string& token) { m_token = token; }
    void set_credentials(const std::string& user, const std::string& password);
    void no_credentials()
    {
        m_user.clear();
        m_password.clear();
        m_token.clear();
    }

    HttpResult request(const std::string& method, const std::string& path,
                       const std::string& body = "",
                       const std::vector<std::string>& headers = {}) const;
    HttpResult get(const std::string& path) const { return request("GET", path); }
    HttpResult del(const std::string& path) const { return request("DELETE", path); }
    HttpResult post(const std::string& path, const std::string& body) const
    {
        return request("POST", path, body, {"Content-Type: application/json"});
    }
    HttpResult patch(const std::string& path, const std::string& body) const
    {
        return request("PATCH", path, body, {"Content-Type: application/json"});
    }
    HttpResult json_patch(const std::string& path, const std::string& body) const
    {
        return request("PATCH", path, body, {"Content-Type: application/json-patch+json"});
    }
    HttpResult put(const std::string& path) const { return request("PUT", path); }

private:
    int m_port;
    std::string m_user, m_password, m_token;
};

/// The JSON array or object that follows the @c nth (0-based) occurrence of @c marker
/// in @c body (after any spaces and ':'), as raw text; "" if there is none.
std::string json_after(const std::string& body, const std::string& marker, size_t nth = 0);

}  // namespace sqlgate::test
