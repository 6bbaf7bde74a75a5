// The queryservice system tests' fixture: the real sqlgate with a `protocol=queryservice`
// listener (QS) in front of the shared cluster's primary, and HTTP helpers for it:
// form and JSON requests, a streaming reader that counts rows without keeping the body,
// an RSS sampler for the sqlgate process and a root connection straight to the primary.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "harness.hh"
#include "http_client.hh"
#include "process_probe.hh"

namespace sqlgate::test
{

using Params = std::vector<std::pair<std::string, std::string>>;

struct QsGate
{
    int port = free_port();   // the MariaDB listener of config_for()
    int qs = free_port();     // the queryservice listener
    int admin = free_port();  // the REST API
    std::unique_ptr<SqlGate> gate;

    /// @c listener_extra: more lines for the [QS] section (its parameters);
    /// @c global_extra: more lines for [maxscale].
    explicit QsGate(const std::string& listener_extra = "", const std::string& global_extra = "");

    Http http(const std::string& user = "app", const std::string& password = "app_pw") const
    {
        return Http(qs, user, password);
    }
    Http rest() const { return Http(admin); }
    /// <datadir>/queryservice/QS: where deferred results spill (the datadir is the
    /// harness's --datadir <tmp>/data).
    std::string spill_dir() const { return gate->dir() + "/data/queryservice/QS"; }
};

/// application/x-www-form-urlencoded text of @c params.
std::string form(const Params& params);
/// POST /query/service with a form body.
HttpResult post_form(const Http& http, const Params& params);
/// POST /query/service with a JSON body.
HttpResult post_json(const Http& http, const std::string& json);
/// The path of an absolute handle URL ("http://host:port/query/..." -> "/query/...").
std::string path_of(const std::string& url);
/// The raw text of the "results" array of an envelope ("" if there is none).
std::string results_text(const std::string& body);

/// A request whose response is read as it arrives and not kept.
struct StreamRequest
{
    std::string method = "POST";
    std::string path = "/query/service";
    std::string body;  // form-encoded
    std::string user = "app", password = "app_pw";
    std::string pattern;                      // counted in the body (across chunk borders)
    int64_t max_bytes_per_second = 0;         // 0: as fast as possible
    std::chrono::milliseconds stop_after{0};  // > 0: hang up after this long
};

struct StreamResult
{
    long code = 0;
    int curl_code = -1;  // CURLcode
    uint64_t bytes = 0;
    uint64_t matches = 0;
    std::string head, tail;                      // the first and last 4 KiB
    std::map<std::string, std::string> headers;  // lower-case names
    std::chrono::milliseconds elapsed{0};
};

StreamResult stream(int port, const StreamRequest& request);

}  // namespace sqlgate::test
