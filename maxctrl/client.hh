// The REST API client: one libcurl handle per host, HTTP Basic authentication,
// optional TLS. Every failure is thrown as maxctrl::Error with a message that names
// the host and the request.
//
// Threads: single-threaded; one Client per host, used by one command at a time.
#pragma once

#include <curl/curl.h>

#include <string>

#include "command.hh"

namespace maxctrl
{

struct Response
{
    long status = 0;
    std::string body;
};

class Client
{
public:
    Client(const Options& options, std::string host);
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    const std::string& host() const { return m_host; }

    /// Sends `method` to /v1/`resource` (which may carry a query string) with `body`
    /// as JSON. Throws Error when the host cannot be reached or answers 4xx/5xx.
    Response request(const std::string& method, const std::string& resource,
                     const std::string& body = "");
    /// request() and the answer parsed as JSON (null for an empty body).
    Json request_json(const std::string& method, const std::string& resource,
                      const std::string& body = "");

private:
    std::string url(const std::string& resource) const;
    [[noreturn]] void transport_error(CURLcode code, const char* detail) const;

    const Options& m_opt;
    std::string m_host;
    CURL* m_curl = nullptr;
};

/// "404 Not Found": the status with its reason phrase.
std::string status_text(long status);

}  // namespace maxctrl
