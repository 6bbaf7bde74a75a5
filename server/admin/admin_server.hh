/**
 * The admin REST API's HTTP server (libmicrohttpd).
 *
 * Threads: libmicrohttpd runs its own polling thread. On it, a request is
 * read (bodies over the limit get 413), authenticated (HTTP Basic against
 * AdminUsers, or a JWT), parsed, then suspended and posted to the main
 * worker, where RestApi routes it. The handler's reply resumes the
 * connection, and the HTTP thread shapes (query parameters, ETag) and writes
 * the answer. The HTTP thread never touches a core object.
 */
#pragma once

#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "http.hh"

struct MHD_Daemon;
struct MHD_Connection;

namespace sqlgate::admin
{

class RestApi;

struct AdminSettings
{
    std::string host = "127.0.0.1";
    int port = 8989;
    bool auth = true;
    size_t max_body = 1024 * 1024;  ///< larger request bodies get 413
    int64_t jwt_max_age = 86400;    ///< seconds; caps ?max-age= of /auth
};

class AdminServer
{
public:
    AdminServer(RestApi& api, AdminSettings settings);
    ~AdminServer();

    bool start(std::string& error);
    /// Stop accepting, answer requests still waiting for the main worker with
    /// 503, and stop the HTTP thread.
    void stop();

    struct Pending;
    struct RequestCtx;

private:
    friend struct MhdCallbacks;
    int begin(MHD_Connection* conn, RequestCtx& ctx, const char* url, const char* method);
    int finish(MHD_Connection* conn, RequestCtx& ctx);
    bool authenticate(MHD_Connection* conn, HttpRequest& req, HttpResponse& denied);
    HttpResponse issue_token(MHD_Connection* conn, const HttpRequest& req);

    RestApi& m_api;
    AdminSettings m_settings;
    MHD_Daemon* m_daemon = nullptr;
    std::mutex m_lock;                             ///< guards m_pending
    std::set<std::shared_ptr<Pending>> m_pending;  ///< suspended, waiting for a reply
    bool m_stopping = false;                       ///< guarded by m_lock
};

}  // namespace sqlgate::admin
