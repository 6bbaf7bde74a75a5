// Load for the sqlgateway listener (Flink SQL Gateway API): each client thread
// loops "open a session, submit a statement, fetch results until EOS, close the
// session" over one keep-alive connection, and reports loops/s, HTTP
// requests/s and the latency percentiles of a whole loop.
//
//   flink_loop --url http://127.0.0.1:PORT --user app --password app_pw \
//              --statement 'select 1' --threads 8 --seconds 10
//
// Prints one line: "loops=N loops_per_s=X requests_per_s=Y p50_ms=A p99_ms=B errors=E".
#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace
{
using Clock = std::chrono::steady_clock;

struct Options
{
    std::string url = "http://127.0.0.1:8083";
    std::string user = "app";
    std::string password = "app_pw";
    std::string statement = "select 1";
    std::string database = "test";
    int threads = 8;
    int seconds = 10;
};

size_t collect(char* p, size_t size, size_t n, void* out)
{
    static_cast<std::string*>(out)->append(p, size * n);
    return size * n;
}

/// The string value of "key":"..." in a flat JSON text ("" if absent).
std::string field(const std::string& body, const std::string& key)
{
    std::string pat = "\"" + key + "\":\"";
    size_t at = body.find(pat);
    if (at == std::string::npos)
    {
        return "";
    }
    at += pat.size();
    return body.substr(at, body.find('"', at) - at);
}

class Client
{
public:
    explicit Client(const Options& o) : m_o(o), m_curl(curl_easy_init())
    {
        curl_easy_setopt(m_curl, CURLOPT_USERNAME, o.user.c_str());
        curl_easy_setopt(m_curl, CURLOPT_PASSWORD, o.password.c_str());
        curl_easy_setopt(m_curl, CURLOPT_WRITEFUNCTION, &collect);
        curl_easy_setopt(m_curl, CURLOPT_WRITEDATA, &m_body);
        curl_easy_setopt(m_curl, CURLOPT_TIMEOUT, 30L);
        m_headers = curl_slist_append(nullptr, "Content-Type: application/json");
        curl_easy_setopt(m_curl, CURLOPT_HTTPHEADER, m_headers);
    }
    ~Client()
    {
        curl_slist_free_all(m_headers);
        curl_easy_cleanup(m_curl);
    }

    long call(const char* method, const std::string& path, const std::string& body)
    {
        m_body.clear();
        std::string url = m_o.url + path;
        curl_easy_setopt(m_curl, CURLOPT_URL, url.c_str());
        curl_easy_setopt(m_curl, CURLOPT_CUSTOMREQUEST, method);
        if (strcmp(method, "POST") == 0)
        {
            curl_easy_setopt(m_curl, CURLOPT_POSTFIELDS, body.c_str());
        }
        else
        {
            curl_easy_setopt(m_curl, CURLOPT_HTTPGET, 1L);
            curl_easy_setopt(m_curl, CURLOPT_CUSTOMREQUEST, method);
        }
        ++requests;
        if (curl_easy_perform(m_curl) != CURLE_OK)
        {
            return 0;
        }
        long code = 0;
        curl_easy_getinfo(m_curl, CURLINFO_RESPONSE_CODE, &code);
        return code;
    }

    /// One loop; false on any error.
    bool loop()
    {
        if (call("POST", "/v1/sessions",
                 "{\"properties\":{\"default-database\":\"" + m_o.database + "\"}}") != 200)
        {
            return false;
        }
        std::string sh = field(m_body, "sessionHandle");
        std::string stmt = "{\"statement\":\"" + m_o.statement + "\"}";
        if (call("POST", "/v1/sessions/" + sh + "/statements", stmt) != 200)
        {
            return false;
        }
        std::string next =
            "/v1/sessions/" + sh + "/operations/" + field(m_body, "operationHandle") + "/result/0";
        bool ok = true;
        for (int i = 0; i < 100000; ++i)
        {
            if (call("GET", next, "") != 200)
            {
                ok = false;
                break;
            }
            if (m_body.find("\"resultType\":\"EOS\"") != std::string::npos)
            {
                break;
            }
            std::string uri = field(m_body, "nextResultUri");
            next = uri.empty() ? next : uri;
        }
        return call("DELETE", "/v1/sessions/" + sh, "") == 200 && ok;
    }

    uint64_t requests = 0;

private:
    const Options& m_o;
    CURL* m_curl;
    curl_slist* m_headers = nullptr;
    std::string m_body;
};
}  // namespace

int main(int argc, char** argv)
{
    Options o;
    for (int i = 1; i + 1 < argc; i += 2)
    {
        std::string k = argv[i], v = argv[i + 1];
        if (k == "--url")
        {
            o.url = v;
        }
        else if (k == "--user")
        {
            o.user = v;
        }
        else if (k == "--password")
        {
            o.password = v;
        }
        else if (k == "--statement")
        {
            o.statement = v;
        }
        else if (k == "--database")
        {
            o.database = v;
        }
        else if (k == "--threads")
        {
            o.threads = std::stoi(v);
        }
        else if (k == "--seconds")
        {
            o.seconds = std::stoi(v);
        }
        else
        {
            fprintf(stderr, "flink_loop: unknown option %s\n", k.c_str());
            return 2;
        }
    }
    curl_global_init(CURL_GLOBAL_ALL);
    std::atomic<uint64_t> requests{0}, errors{0};
    std::mutex lock;
    std::vector<double> latencies;
    auto deadline = Clock::now() + std::chrono::seconds(o.seconds);
    std::vector<std::thread> threads;
    for (int t = 0; t < o.threads; ++t)
    {
        threads.emplace_back(
            [&]()
            {
                Client c(o);
                std::vector<double> mine;
                while (Clock::now() < deadline)
                {
                    auto t0 = Clock::now();
                    bool ok = c.loop();
                    mine.push_back(
                        std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
                    errors += ok ? 0 : 1;
                }
                requests += c.requests;
                std::lock_guard<std::mutex> g(lock);
                latencies.insert(latencies.end(), mine.begin(), mine.end());
            });
    }
    for (auto& t : threads)
    {
        t.join();
    }
    std::sort(latencies.begin(), latencies.end());
    auto pct = [&](double p) {
        return latencies.empty() ? 0.0 : latencies[static_cast<size_t>(p * (latencies.size() - 1))];
    };
    printf("loops=%zu loops_per_s=%.0f requests_per_s=%.0f p50_ms=%.2f p99_ms=%.2f errors=%lu\n",
           latencies.size(), latencies.size() / static_cast<double>(o.seconds),
           requests.load() / static_cast<double>(o.seconds), pct(0.5), pct(0.99),
           static_cast<unsigned long>(errors.load()));
    curl_global_cleanup();
    return errors.load() == 0 ? 0 : 1;
}
