#include "queryservice_gate.hh"

#include <curl/curl.h>

#include <fstream>

namespace sqlgate::test
{

QsGate::QsGate(const std::string& listener_extra, const std::string& global_extra)
{
    ConfigOptions o;
    o.global_extra = global_extra;
    o.servers = {0};  // the primary only: tests write and read back at once
    o.admin_port = admin;
    std::string section =
        "[QS]\ntype=listener\nservice=Read-Write-Service\n"
        "protocol=queryservice\naddress=127.0.0.1\nport=" +
        std::to_string(qs) + "\n" + listener_extra;
    gate = std::make_unique<SqlGate>(config_for(shared_cluster(), port, section, o), qs);
    EXPECT_TRUE(eventually([&] { return port_accepts(admin); }, 20s)) << gate->diagnostics();
}

std::string form(const Params& params)
{
    std::string out;
    CURL* c = curl_easy_init();
    for (const auto& [k, v] : params)
    {
        char* ek = curl_easy_escape(c, k.data(), static_cast<int>(k.size()));
        char* ev = curl_easy_escape(c, v.data(), static_cast<int>(v.size()));
        out += (out.empty() ? "" : "&") + std::string(ek) + "=" + ev;
        curl_free(ek);
        curl_free(ev);
    }
    curl_easy_cleanup(c);
    return out;
}

HttpResult post_form(const Http& http, const Params& params)
{
    return http.request("POST", "/query/service", form(params),
                        {"Content-Type: application/x-www-form-urlencoded"});
}

HttpResult post_json(const Http& http, const std::string& json)
{
    return http.post("/query/service", json);
}

std::string path_of(const std::string& url)
{
    size_t scheme = url.find("://");
    size_t slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
    return slash == std::string::npos ? "" : url.substr(slash);
}

std::string results_text(const std::string& body)
{
    return json_after(body, "\"results\"");
}

namespace
{
constexpr size_t kKeep = 4096;

struct StreamState
{
    const StreamRequest* request;
    StreamResult* result;
    std::string carry;  // the last pattern.size()-1 bytes of the previous chunk
    std::chrono::steady_clock::time_point start;
};

size_t on_stream(char* data, size_t size, size_t n, void* arg)
{
    auto* s = static_cast<StreamState*>(arg);
    size_t len = size * n;
    StreamResult& r = *s->result;
    if (r.head.size() < kKeep)
    {
        r.head.append(data, std::min(len, kKeep - r.head.size()));
    }
    r.tail.append(data, len);
    if (r.tail.size() > kKeep)
    {
        r.tail.erase(0, r.tail.size() - kKeep);
    }
    r.bytes += len;
    const std::string& p = s->request->pattern;
    if (!p.empty())
    {
        std::string text = s->carry + std::string(data, len);
        for (size_t at = text.find(p); at != std::string::npos; at = text.find(p, at + p.size()))
        {
            ++r.matches;
        }
        size_t keep = std::min(text.size(), p.size() - 1);
        s->carry = text.substr(text.size() - keep);
    }
    auto stop = s->request->stop_after;
    if (stop.count() > 0 && std::chrono::steady_clock::now() - s->start >= stop)
    {
        return 0;  // hang up: curl ends with CURLE_WRITE_ERROR
    }
    return len;
}

size_t on_stream_header(char* data, size_t size, size_t n, void* out)
{
    std::string line(data, size * n);
    size_t colon = line.find(':');
    if (colon != std::string::npos)
    {
        std::string key = line.substr(0, colon);
        for (char& c : key)
        {
            c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
        }
        std::string value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(" \t"));
        value.erase(value.find_last_not_of(" \t\r\n") + 1);
        (*static_cast<std::map<std::string, std::string>*>(out))[key] = value;
    }
    return size * n;
}
}  // namespace

StreamResult stream(int port, const StreamRequest& request)
{
    StreamResult r;
    StreamState state{&request, &r, "", std::chrono::steady_clock::now()};
    CURL* c = curl_easy_init();
    std::string url = "http://127.0.0.1:" + std::to_string(port) + request.path;
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &on_stream);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &state);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &on_stream_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &r.headers);
    curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(c, CURLOPT_USERNAME, request.user.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, request.password.c_str());
    if (request.max_bytes_per_second > 0)
    {
        curl_easy_setopt(c, CURLOPT_MAX_RECV_SPEED_LARGE,
                         static_cast<curl_off_t>(request.max_bytes_per_second));
        curl_easy_setopt(c, CURLOPT_BUFFERSIZE, 16384L);
    }
    if (!request.body.empty())
    {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(request.body.size()));
    }
    r.curl_code = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.code);
    curl_easy_cleanup(c);
    r.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - state.start);
    return r;
}

}  // namespace sqlgate::test
