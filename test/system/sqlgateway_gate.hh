// The sqlgateway system tests' fixture: the real sqlgate with a `protocol=sqlgateway`
// listener (GW) in front of the shared cluster's primary, and a small Flink SQL Gateway
// client on top of the admin tests' libcurl client (every request is a new TCP
// connection): sessions, statements, operation status and token-paged results.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "harness.hh"
#include "http_client.hh"
#include "process_probe.hh"

namespace sqlgate::test::gw
{

struct GwGate
{
    int port = free_port();   // the MariaDB listener of config_for()
    int gw = free_port();     // the sqlgateway listener
    int admin = free_port();  // the REST API
    std::unique_ptr<SqlGate> gate;

    /// @c listener_extra: more lines for the [GW] section (its parameters).
    explicit GwGate(const std::string& listener_extra = "");

    Http http(const std::string& user = "app", const std::string& password = "app_pw") const
    {
        return Http(gw, user, password);
    }
    Http rest() const { return Http(admin); }
};

/// {"statement": sql} plus @c extra members (JSON text without braces, e.g.
/// "\"executionTimeout\":1000").
std::string statement(const std::string& sql, const std::string& extra = "");

/// A Flink SQL Gateway client of one gateway, on REST API version @c version
/// (0: unversioned paths).
class Client
{
public:
    explicit Client(Http http, int version = 2) : m_http(std::move(http)), m_version(version) {}

    std::string prefix() const { return m_version ? "/v" + std::to_string(m_version) : ""; }
    const Http& http() const { return m_http; }

    HttpResult get(const std::string& path) const { return m_http.get(prefix() + path); }
    HttpResult post(const std::string& path, const std::string& body) const
    {
        return m_http.post(prefix() + path, body);
    }
    HttpResult del(const std::string& path) const { return m_http.del(prefix() + path); }

    /// POST /sessions; the handle, or "" (after a test failure) when it is refused.
    std::string open(const std::string& body = R"({"properties":{"default-database":"test"}})");
    HttpResult open_raw(const std::string& body) const { return post("/sessions", body); }
    /// POST /sessions/:sh/statements; the operation handle or "" (after a failure).
    std::string submit(const std::string& sh, const std::string& body);
    std::string submit_sql(const std::string& sh, const std::string& sql)
    {
        return submit(sh, statement(sql));
    }

    static std::string op_path(const std::string& sh, const std::string& oh)
    {
        return "/sessions/" + sh + "/operations/" + oh;
    }
    /// GET …/result/:token (with ?rowFormat=format unless it is empty).
    HttpResult fetch(const std::string& sh, const std::string& oh, const std::string& token,
                     const std::string& format = "JSON") const;
    std::string status(const std::string& sh, const std::string& oh) const;
    /// Polls the status until it is no longer PENDING or RUNNING (or @c timeout).
    std::string wait_done(const std::string& sh, const std::string& oh,
                          std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;

    /// Every row's "fields" from token 0 to EOS, following nextResultUri (NOT_READY
    /// is polled again). @c last is the final (EOS) response; a failure is reported
    /// through gtest and ends the walk.
    std::vector<Json> rows(const std::string& sh, const std::string& oh,
                           const std::string& format = "JSON", HttpResult* last = nullptr) const;
    /// Submit @c sql and return its rows (fields arrays).
    std::vector<Json> query(const std::string& sh, const std::string& sql);
    /// The first field of the first row as text ("" if none; numbers as JSON text).
    std::string value(const std::string& sh, const std::string& sql);

private:
    Http m_http;
    int m_version;
};

/// The JSON text of a value ("null" for nullptr).
std::string text(const json_t* v);
/// The raw text of the @c row-th "fields":[…] array of @c body ("" if none).
std::string raw_fields(const std::string& body, size_t row = 0);

}  // namespace sqlgate::test::gw
