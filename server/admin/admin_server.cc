#include "admin_server.hh"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>

#include <strings.h>

#include <cstring>

#include "admin_users.hh"
#include "document.hh"
#include "jwt.hh"
#include "rest_api.hh"
#include "sqlgate/log.hh"
#include "sqlgate/worker.hh"

namespace sqlgate::admin
{

struct AdminServer::Pending
{
    MHD_Connection* conn = nullptr;
    bool done = false;  ///< guarded by the server's m_lock
    HttpResponse response;
};

struct AdminServer::RequestCtx
{
    std::string body;
    bool too_large = false;
    std::shared_ptr<HttpRequest> request;
    std::shared_ptr<Pending> pending;
};

struct MhdCallbacks
{
    static MHD_Result on_request(void* cls, MHD_Connection* conn, const char* url,
                                 const char* method, const char*, const char* upload,
                                 size_t* upload_size, void** con_cls);
    static void on_completed(void* cls, MHD_Connection*, void** con_cls,
                             MHD_RequestTerminationCode);
};

namespace
{
MHD_Result collect(void* cls, MHD_ValueKind, const char* key, const char* value)
{
    auto* req = static_cast<HttpRequest*>(cls);
    req->query[key] = value ? value : "";
    req->query_list.emplace_back(key, value ? value : "");
    return MHD_YES;
}

MHD_Result collect_header(void* cls, MHD_ValueKind, const char* key, const char* value)
{
    auto* map = static_cast<std::map<std::string, std::string>*>(cls);
    std::string k = key;
    for (char& c : k)
    {
        c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
    }
    (*map)[k] = value ? value : "";
    return MHD_YES;
}

std::vector<std::string> split_path(const char* url)
{
    std::vector<std::string> parts;
    const char* p = url;
    while (*p)
    {
        while (*p == '/')
        {
            ++p;
        }
        const char* start = p;
        while (*p && *p != '/')
        {
            ++p;
        }
        if (p > start)
        {
            parts.emplace_back(start, p - start);
        }
    }
    if (!parts.empty() && parts[0] == "v1")
    {
        parts.erase(parts.begin());
    }
    return parts;
}

int send(MHD_Connection* conn, const HttpRequest* req, HttpResponse& r)
{
    render_response(req, r);
    std::string& text = r.text;
    MHD_Response* resp =
        MHD_create_response_from_buffer(text.size(), text.data(), MHD_RESPMEM_MUST_COPY);
    for (const auto& [k, v] : r.headers)
    {
        MHD_add_response_header(resp, k.c_str(), v.c_str());
    }
    int rc = MHD_queue_response(conn, static_cast<unsigned>(r.code), resp);
    MHD_destroy_response(resp);
    return rc;
}

// Percent-decoding of the path and the query, as libmicrohttpd's own, except that
// an encoded NUL becomes 0x01: a name with %00 in it must not match the name
// before it (C strings would end there).
size_t unescape(void*, MHD_Connection*, char* s)
{
    auto hexval = [](char c) -> int
    {
        if (c >= '0' && c <= '9')
        {
            return c - '0';
        }
        c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
        return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    };
    char* w = s;
    for (const char* r = s; *r;)
    {
        int hi, lo;
        if (r[0] == '%' && r[1] && r[2] && (hi = hexval(r[1])) >= 0 && (lo = hexval(r[2])) >= 0)
        {
            char c = static_cast<char>(hi * 16 + lo);
            *w++ = c == '\0' ? '\x01' : c;
            r += 3;
        }
        else
        {
            *w++ = *r++;
        }
    }
    *w = '\0';
    return static_cast<size_t>(w - s);
}

void log_mhd(void*, const char* fmt, va_list ap)
{
    char msg[1024];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    size_t n = strlen(msg);
    while (n > 0 && msg[n - 1] == '\n')
    {
        msg[--n] = '\0';
    }
    SG_WARNING("REST API: %s", msg);
}

}  // namespace

AdminServer::AdminServer(RestApi& api, AdminSettings settings)
    : m_api(api), m_settings(std::move(settings))
{
}

AdminServer::~AdminServer()
{
    stop();
}

bool AdminServer::start(std::string& error)
{
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    addrinfo* ai = nullptr;
    std::string port = std::to_string(m_settings.port);
    int gai = getaddrinfo(m_settings.host.c_str(), port.c_str(), &hints, &ai);
    if (gai != 0)
    {
        error = "admin_host '" + m_settings.host + "': " + gai_strerror(gai);
        return false;
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME;
    if (ai->ai_family == AF_INET6)
    {
        flags |= MHD_USE_IPv6;
    }
    m_daemon = MHD_start_daemon(flags, static_cast<uint16_t>(m_settings.port), nullptr, nullptr,
                                &MhdCallbacks::on_request, this, MHD_OPTION_SOCK_ADDR, ai->ai_addr,
                                MHD_OPTION_NOTIFY_COMPLETED, &MhdCallbacks::on_completed, this,
                                MHD_OPTION_CONNECTION_TIMEOUT, 60u, MHD_OPTION_CONNECTION_LIMIT,
                                1000u, MHD_OPTION_EXTERNAL_LOGGER, &log_mhd, nullptr,
                                MHD_OPTION_UNESCAPE_CALLBACK, &unescape, nullptr, MHD_OPTION_END);
    freeaddrinfo(ai);
    if (!m_daemon)
    {
        error = "cannot listen on [" + m_settings.host + "]:" + port + ": " + strerror(errno);
        return false;
    }
    return true;
}

void AdminServer::stop()
{
    if (!m_daemon)
    {
        return;
    }
    MHD_quiesce_daemon(m_daemon);
    {
        std::lock_guard<std::mutex> guard(m_lock);
        m_stopping = true;
        for (const auto& p : m_pending)
        {
            if (!p->done)
            {
                p->done = true;
                p->response = HttpResponse::error(503, "sqlgate is shutting down");
                MHD_resume_connection(p->conn);
            }
        }
    }
    // Give the HTTP thread a moment to write the answers of resumed requests.
    for (int i = 0; i < 100; ++i)
    {
        {
            std::lock_guard<std::mutex> guard(m_lock);
            if (m_pending.empty())
            {
                break;
            }
        }
        usleep(10000);
    }
    MHD_stop_daemon(m_daemon);
    m_daemon = nullptr;
}

MHD_Result MhdCallbacks::on_request(void* cls, MHD_Connection* conn, const char* url,
                                    const char* method, const char*, const char* upload,
                                    size_t* upload_size, void** con_cls)
{
    auto* self = static_cast<AdminServer*>(cls);
    auto* ctx = static_cast<AdminServer::RequestCtx*>(*con_cls);
    if (!ctx)
    {
        *con_cls = ctx = new AdminServer::RequestCtx;
        // An unknown transfer coding: the body's end cannot be found (RFC 9112 6.3);
        // answer at once instead of reading until the client gives up.
        const char* te = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Transfer-Encoding");
        if (te && strcasecmp(te, "chunked") != 0)
        {
            HttpResponse bad = HttpResponse::error(
                400, std::string("Unsupported Transfer-Encoding '") + te + "'; use chunked");
            bad.headers.emplace_back("Connection", "close");
            return send(conn, nullptr, bad) == MHD_YES ? MHD_YES : MHD_NO;
        }
        return MHD_YES;
    }
    if (*upload_size > 0)
    {
        if (ctx->body.size() + *upload_size > self->m_settings.max_body)
        {
            ctx->too_large = true;
        }
        else
        {
            ctx->body.append(upload, *upload_size);
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (ctx->pending)
    {
        return self->finish(conn, *ctx) == MHD_YES ? MHD_YES : MHD_NO;
    }
    return self->begin(conn, *ctx, url, method) == MHD_YES ? MHD_YES : MHD_NO;
}

void MhdCallbacks::on_completed(void* cls, MHD_Connection*, void** con_cls,
                                MHD_RequestTerminationCode)
{
    auto* self = static_cast<AdminServer*>(cls);
    auto* ctx = static_cast<AdminServer::RequestCtx*>(*con_cls);
    if (ctx)
    {
        if (ctx->pending)
        {
            std::lock_guard<std::mutex> guard(self->m_lock);
            self->m_pending.erase(ctx->pending);
        }
        delete ctx;
        *con_cls = nullptr;
    }
}

int AdminServer::begin(MHD_Connection* conn, RequestCtx& ctx, const char* url, const char* method)
{
    auto req = std::make_shared<HttpRequest>();
    req->method = method;
    req->path = url;
    req->parts = split_path(url);
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, &collect, req.get());
    MHD_get_connection_values(conn, MHD_HEADER_KIND, &collect_header, &req->headers);
    if (const std::string& o = req->header("x-http-method-override"); !o.empty())
    {
        req->method = o;
    }
    std::string host = req->header("host");
    for (unsigned char c : host)
    {
        if (c < 0x21 || c > 0x7e || c == '/' || c == '"' || c == '\\')
        {
            HttpResponse bad = HttpResponse::error(400, "Invalid Host header");
            return send(conn, nullptr, bad);
        }
    }
    req->base_url = "http://" + (host.empty() ? m_settings.host : host) + "/v1/";
    std::string ct = req->header("content-type");
    req->content_type = ct.substr(0, ct.find(';'));
    for (char& c : req->content_type)
    {
        c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
    }
    ctx.request = req;

    HttpResponse early;
    static const std::set<std::string> known = {"GET",   "HEAD",   "PUT",    "POST",
                                                "PATCH", "DELETE", "OPTIONS"};
    if (!known.count(req->method))
    {
        early = HttpResponse::error(405, "Method " + req->method + " is not supported");
        return send(conn, req.get(), early);
    }
    if (!authenticate(conn, *req, early))
    {
        return send(conn, req.get(), early);
    }
    if (ctx.too_large)
    {
        early = HttpResponse::error(413, "The request body is larger than the limit of " +
                                             std::to_string(m_settings.max_body) + " bytes");
        return send(conn, req.get(), early);
    }
    if (!req->parts.empty() && req->parts[0] == "auth")
    {
        early = issue_token(conn, *req);
        return send(conn, req.get(), early);
    }
    bool write = req->method != "GET" && req->method != "HEAD" && req->method != "OPTIONS";
    if (write && !req->admin)
    {
        early = HttpResponse::error(req->token ? 403 : 401, "Administrative access required");
        return send(conn, req.get(), early);
    }
    req->body = std::move(ctx.body);
    if (!req->body.empty())
    {
        json_error_t err;
        req->json.reset(
            json_loadb(req->body.data(), req->body.size(), JSON_REJECT_DUPLICATES, &err));
        if (!req->json)
        {
            early = HttpResponse::error(400, "Invalid JSON in request: line " +
                                                 std::to_string(err.line) + " column " +
                                                 std::to_string(err.column) + ": " + err.text);
            return send(conn, req.get(), early);
        }
    }

    auto pending = std::make_shared<Pending>();
    pending->conn = conn;
    ctx.pending = pending;
    {
        std::lock_guard<std::mutex> guard(m_lock);
        if (m_stopping)
        {
            early = HttpResponse::error(503, "sqlgate is shutting down");
            ctx.pending.reset();
            return send(conn, req.get(), early);
        }
        m_pending.insert(pending);
    }
    MHD_suspend_connection(conn);
    Reply reply = [this, pending, req](HttpResponse r)
    {
        render_response(req.get(), r);
        std::lock_guard<std::mutex> guard(m_lock);
        if (!pending->done)
        {
            pending->done = true;
            pending->response = std::move(r);
            MHD_resume_connection(pending->conn);
        }
    };
    m_api.ctx().main->post([this, req, reply = std::move(reply)]() mutable
                           { m_api.handle(*req, std::move(reply)); });
    return MHD_YES;
}

int AdminServer::finish(MHD_Connection* conn, RequestCtx& ctx)
{
    HttpResponse r;
    {
        std::lock_guard<std::mutex> guard(m_lock);
        r = std::move(ctx.pending->response);
    }
    return send(conn, ctx.request.get(), r);
}

bool AdminServer::authenticate(MHD_Connection* conn, HttpRequest& req, HttpResponse& denied)
{
    if (!m_settings.auth)
    {
        req.admin = true;
        return true;
    }
    AdminContext& ctx = m_api.ctx();
    const std::string& authz = req.header("authorization");
    const char* remote = "?";
    char addr[INET6_ADDRSTRLEN] = "?";
    if (auto* info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS))
    {
        const sockaddr* sa = info->client_addr;
        const void* src =
            sa->sa_family == AF_INET6
                ? static_cast<const void*>(&reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr)
                : &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr;
        if (inet_ntop(sa->sa_family, src, addr, sizeof(addr)))
        {
            remote = addr;
        }
    }
    bool is_auth_route = !req.parts.empty() && req.parts[0] == "auth";
    if (authz.rfind("Bearer ", 0) == 0 && !is_auth_route)
    {
        JwtClaims claims;
        std::string error;
        if (ctx.jwt->verify(authz.substr(7), claims, error))
        {
            req.user = claims.sub;
            req.admin = claims.account == "admin";
            req.token = true;
            // A deleted user's tokens die with the user (also if the name is reused).
            auto user = ctx.users->find(claims.sub);
            if (user && claims.iat >= user->created)
            {
                return true;
            }
            error = "user '" + claims.sub + "' no longer exists";
        }
        SG_WARNING("REST API: authentication with a token failed from %s: %s", remote,
                   error.c_str());
    }
    else
    {
        char* pass = nullptr;
        char* user = MHD_basic_auth_get_username_password(conn, &pass);
        if (user)
        {
            std::optional<Account> acc = ctx.users->authenticate(user, pass ? pass : "");
            if (acc)
            {
                req.user = user;
                req.admin = *acc == Account::ADMIN;
                MHD_free(user);
                MHD_free(pass);
                return true;
            }
            SG_WARNING("REST API: authentication of '%s' failed from %s", user, remote);
            MHD_free(user);
            MHD_free(pass);
        }
    }
    denied = HttpResponse::error(401, "Access denied");
    denied.headers.emplace_back("WWW-Authenticate", "Basic realm=\"sqlgate\"");
    return false;
}

HttpResponse AdminServer::issue_token(MHD_Connection*, const HttpRequest& req)
{
    if (req.method != "GET")
    {
        return HttpResponse::error(405, "Use GET /v1/auth to get a token");
    }
    if (req.token)
    {
        return HttpResponse::error(401, "Log in with a user name and password to get a token");
    }
    int64_t max_age = 28800;
    if (req.has_q("max-age"))
    {
        char* end;
        max_age = strtoll(req.q("max-age").c_str(), &end, 10);
        if (*end || max_age <= 0)
        {
            return HttpResponse::error(
                400,
                "max-age: expected a positive number of seconds, got '" + req.q("max-age") + "'");
        }
    }
    max_age = std::min(max_age, m_settings.jwt_max_age);
    std::string user = m_settings.auth ? req.user : "admin";
    std::string token = m_api.ctx().jwt->issue(user, req.admin ? "admin" : "basic", max_age);
    return HttpResponse(200, json_pack("{s:{s:s}}", "meta", "token", token.c_str()));
}

}  // namespace sqlgate::admin
