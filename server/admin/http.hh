/**
 * The admin API's request and response, independent of the HTTP library.
 *
 * Threads: an HttpRequest is built on the HTTP thread and then only read
 * (by the main worker's handlers and again by the HTTP thread when the
 * reply is written). An HttpResponse is moved from the handler to the HTTP
 * thread; it is never shared.
 */
#pragma once

#include <jansson.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace sqlgate::admin
{

struct JsonDeleter
{
    void operator()(json_t* j) const { json_decref(j); }
};
/// Owns one reference to a Jansson value.
using JsonPtr = std::unique_ptr<json_t, JsonDeleter>;

struct HttpRequest
{
    std::string method;              ///< upper case, after X-HTTP-Method-Override
    std::string path;                ///< as received, without the query string
    std::vector<std::string> parts;  ///< path segments, without a leading "v1"
    std::map<std::string, std::string> query;
    /// The query parameters in the order given (module command arguments).
    std::vector<std::pair<std::string, std::string>> query_list;
    std::map<std::string, std::string> headers;  ///< lower-case names
    std::string content_type;                    ///< media type only, lower case
    std::string body;
    JsonPtr json;          ///< the parsed body, when there is one
    std::string user;      ///< the authenticated user ("" with admin_auth=false)
    bool admin = false;    ///< may modify
    bool token = false;    ///< authenticated with a JWT rather than Basic
    std::string base_url;  ///< "http://host:port/v1/" for links

    /// A query parameter, or "" when absent.
    const std::string& q(const std::string& key) const;
    bool has_q(const std::string& key) const { return query.count(key) != 0; }
    /// A request header (name in lower case), or "" when absent.
    const std::string& header(const std::string& name) const;
    /// The path below /v1/, joined again: "servers/server1".
    std::string resource_path() const;
};

struct HttpResponse
{
    int code = 200;
    JsonPtr body;
    std::vector<std::pair<std::string, std::string>> headers;
    /// The body as sent, once rendered (then @c body is released): done by the
    /// thread that made the answer, so that the HTTP thread only writes bytes.
    std::string text;
    bool rendered = false;

    HttpResponse() = default;
    HttpResponse(int c, json_t* b = nullptr) : code(c), body(b) {}

    /// {"errors":[{"detail":...}]} with @c code.
    static HttpResponse error(int code, const std::string& detail);
    static HttpResponse no_content() { return HttpResponse(204); }
};

/// Delivers a handler's answer (any thread, exactly once).
using Reply = std::function<void(HttpResponse)>;

/// @c s with every byte that is not part of valid UTF-8 (and NUL) written as \\xHH.
std::string valid_utf8(const std::string& s);

/// Values parsed the way the config file parses booleans: true/yes/on/1.
bool truthy(const std::string& v);

}  // namespace sqlgate::admin
