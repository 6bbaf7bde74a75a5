#include "client.hh"

#include <cerrno>
#include <cstring>

namespace maxctrl
{

namespace
{

// The largest answer kept in memory; a bigger one fails the request.
constexpr size_t kMaxResponse = 512 * 1024 * 1024;

size_t collect(char* data, size_t size, size_t n, void* out)
{
    auto* body = static_cast<std::string*>(out);
    if (body->size() + size * n > kMaxResponse)
    {
        return 0;  // makes libcurl fail with CURLE_WRITE_ERROR
    }
    body->append(data, size * n);
    return size * n;
}

// The "detail" strings of a JSON:API error document, one per line; the raw body if it
// is not one.
std::string error_details(const std::string& body)
{
    json_error_t err;
    Json doc(json_loads(body.c_str(), 0, &err));
    std::string out;
    json_t* errors = doc ? json_object_get(doc.get(), "errors") : nullptr;
    size_t i;
    json_t* e;
    json_array_foreach(errors, i, e)
    {
        if (const char* d = json_string_value(json_object_get(e, "detail")))
        {
            out += out.empty() ? "" : "\n";
            out += d;
        }
    }
    if (out.empty() && !body.empty())
    {
        out = body;
        while (!out.empty() && (out.back() == '\n' || out.back() == '\r'))
        {
            out.pop_back();
        }
    }
    return out;
}

}  // namespace

std::string status_text(long status)
{
    const char* reason = "";
    switch (status)
    {
        case 200:
            reason = "OK";
            break;
        case 201:
            reason = "Created";
            break;
        case 202:
            reason = "Accepted";
            break;
        case 204:
            reason = "No Content";
            break;
        case 304:
            reason = "Not Modified";
            break;
        case 400:
            reason = "Bad Request";
            break;
        case 401:
            reason = "Unauthorized";
            break;
        case 403:
            reason = "Forbidden";
            break;
        case 404:
            reason = "Not Found";
            break;
        case 405:
            reason = "Method Not Allowed";
            break;
        case 409:
            reason = "Conflict";
            break;
        case 412:
            reason = "Precondition Failed";
            break;
        case 413:
            reason = "Payload Too Large";
            break;
        case 415:
            reason = "Unsupported Media Type";
            break;
        case 500:
            reason = "Internal Server Error";
            break;
        case 503:
            reason = "Service Unavailable";
            break;
        default:
            break;
    }
    return std::to_string(status) + (*reason ? " " : "") + reason;
}

Client::Client(const Options& options, std::string host) : m_opt(options), m_host(std::move(host))
{
    m_curl = curl_easy_init();
    if (!m_curl)
    {
        throw Error("Could not initialize libcurl");
    }
}

Client::~Client()
{
    curl_easy_cleanup(m_curl);
}

std::string Client::url(const std::string& resource) const
{
    std::string host = m_host;
    for (const char* scheme : {"http://", "https://"})
    {
        if (host.rfind(scheme, 0) == 0)
        {
            host = host.substr(strlen(scheme));
        }
    }
    while (!host.empty() && host.back() == '/')
    {
        host.pop_back();
    }
    std::string r = resource;
    while (!r.empty() && r.front() == '/')
    {
        r.erase(0, 1);
    }
    return std::string(m_opt.secure ? "https://" : "http://") + host + "/v1/" + r;
}

void Client::transport_error(CURLcode code, const char* detail) const
{
    long os_errno = 0;
    curl_easy_getinfo(m_curl, CURLINFO_OS_ERRNO, &os_errno);
    std::string why;
    switch (code)
    {
        case CURLE_COULDNT_CONNECT:
            why = os_errno ? strerror(os_errno) : "Connection refused";
            break;
        case CURLE_OPERATION_TIMEDOUT:
            why = "no answer within " + std::to_string(m_opt.timeout_ms) + " ms (see --timeout)";
            break;
        case CURLE_RECV_ERROR:
        case CURLE_GOT_NOTHING:
            why = std::string(*detail ? detail : curl_easy_strerror(code)) +
                  (m_opt.secure ? "" : " (if the REST API uses TLS, add --secure)");
            break;
        case CURLE_WRITE_ERROR:
            throw Error("The answer of " + m_host + " is larger than " +
                        std::to_string(kMaxResponse >> 20) +
                        " MiB; use `maxctrl api get` with "
                        "a smaller resource");
        default:
            why = *detail ? detail : curl_easy_strerror(code);
            break;
    }
    throw Error("Could not connect to MaxScale at " + m_host + ": " + why);
}

Response Client::request(const std::string& method, const std::string& resource,
                         const std::string& body)
{
    Response res;
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_reset(m_curl);
    std::string u = url(resource);
    curl_easy_setopt(m_curl, CURLOPT_URL, u.c_str());
    curl_easy_setopt(m_curl, CURLOPT_CUSTOMREQUEST, method.c_str());
    curl_easy_setopt(m_curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(m_curl, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(m_curl, CURLOPT_TIMEOUT_MS, m_opt.timeout_ms);
    curl_easy_setopt(m_curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
    curl_easy_setopt(m_curl, CURLOPT_USERNAME, m_opt.user.c_str());
    curl_easy_setopt(m_curl, CURLOPT_PASSWORD, m_opt.password.c_str());
    // The REST API is usually on this machine: never send it through a proxy.
    curl_easy_setopt(m_curl, CURLOPT_NOPROXY, "localhost,127.0.0.1,::1");
    curl_easy_setopt(m_curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(m_curl, CURLOPT_WRITEDATA, &res.body);
    if (m_opt.secure)
    {
        if (!m_opt.tls_key.empty())
        {
            curl_easy_setopt(m_curl, CURLOPT_SSLKEY, m_opt.tls_key.c_str());
        }
        if (!m_opt.tls_cert.empty())
        {
            curl_easy_setopt(m_curl, CURLOPT_SSLCERT, m_opt.tls_cert.c_str());
        }
        if (!m_opt.tls_passphrase.empty())
        {
            curl_easy_setopt(m_curl, CURLOPT_KEYPASSWD, m_opt.tls_passphrase.c_str());
        }
        if (!m_opt.tls_ca_cert.empty())
        {
            curl_easy_setopt(m_curl, CURLOPT_CAINFO, m_opt.tls_ca_cert.c_str());
        }
        long verify = m_opt.tls_verify_server_cert ? 1L : 0L;
        curl_easy_setopt(m_curl, CURLOPT_SSL_VERIFYPEER, verify);
        curl_easy_setopt(m_curl, CURLOPT_SSL_VERIFYHOST, verify ? 2L : 0L);
    }
    struct curl_slist* headers = nullptr;
    if (!body.empty())
    {
        headers = curl_slist_append(headers, "Content-Type: application/json");
        curl_easy_setopt(m_curl, CURLOPT_POSTFIELDS, body.c_str());
        curl_easy_setopt(m_curl, CURLOPT_POSTFIELDSIZE, (long)body.size());
    }
    headers = curl_slist_append(headers, "Expect:");
    curl_easy_setopt(m_curl, CURLOPT_HTTPHEADER, headers);
    CURLcode rc = curl_easy_perform(m_curl);
    curl_slist_free_all(headers);
    if (rc != CURLE_OK)
    {
        transport_error(rc, errbuf);
    }
    curl_easy_getinfo(m_curl, CURLINFO_RESPONSE_CODE, &res.status);
    if (res.status >= 400)
    {
        std::string msg = "Server at " + m_host + " responded with " + status_text(res.status) +
                          " to `" + method + " " + resource + "`";
        std::string details = error_details(res.body);
        throw Error(details.empty() ? msg : msg + "\n" + details);
    }
    return res;
}

Json Client::request_json(const std::string& method, const std::string& resource,
                          const std::string& body)
{
    Response res = request(method, resource, body);
    if (res.body.empty())
    {
        return nullptr;
    }
    json_error_t err;
    Json doc(json_loads(res.body.c_str(), 0, &err));
    if (!doc)
    {
        throw Error("Server at " + m_host + " sent invalid JSON for `" + method + " " + resource +
                    "`: " + err.text);
    }
    return doc;
}

}  // namespace maxctrl
