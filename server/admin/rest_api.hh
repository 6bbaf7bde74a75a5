/**
 * The admin API's route table and what the handlers share.
 *
 * Threads: routes are added at startup, before the HTTP server starts.
 * handle() and every handler run on the main worker, which owns the object
 * model; a handler that needs data from the routing workers posts to them
 * and replies later (fan-out/fan-in), never blocking.
 */
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "http.hh"
#include "sqlgate/config.hh"

namespace sqlgate
{
class Worker;
class ModuleLoader;
class Registry;
struct Objects;
}  // namespace sqlgate

namespace sqlgate::admin
{

class AdminUsers;
class JwtSigner;

/// What the handlers reach. Owned by main(); outlives the HTTP server. The
/// object model, its rules and its runtime state are the registry's; the
/// handlers are adapters (JSON:API documents to registry calls, refusals to
/// status codes).
struct AdminContext
{
    Registry* registry = nullptr;
    Objects* objects = nullptr;  ///< &registry->objects(), for reading
    ModuleLoader* modules = nullptr;
    Worker* main = nullptr;
    AdminUsers* users = nullptr;
    JwtSigner* jwt = nullptr;
    std::string logdir;
    int64_t started_at = 0;  ///< unix seconds
};

using Params = std::map<std::string, std::string>;
using Handler = std::function<void(const HttpRequest&, const Params&, Reply)>;
using SyncHandler = std::function<HttpResponse(const HttpRequest&, const Params&)>;

class RestApi
{
public:
    explicit RestApi(AdminContext& ctx);
    AdminContext& ctx() { return m_ctx; }

    /// @c pattern is relative to /v1/, segments starting with ':' match anything:
    /// "servers/:server/set".
    void add(const std::string& method, const std::string& pattern, Handler h);
    void add(const std::string& method, const std::string& pattern, SyncHandler h);

    /// Route @c req (main worker) and call @c reply exactly once.
    void handle(const HttpRequest& req, Reply reply);

private:
    struct Route
    {
        std::string method;
        std::vector<std::string> pattern;
        Handler handler;
        SyncHandler sync;
    };
    std::string allowed_methods(const std::vector<std::string>& parts) const;
    const Route* match(const std::string& method, const std::vector<std::string>& parts,
                       Params& params, bool& path_matched) const;

    AdminContext& m_ctx;
    std::vector<Route> m_routes;
};

/// Adds every resource's routes (resources/*.cc).
void add_maxscale_routes(RestApi& api);
void add_server_routes(RestApi& api);
void add_service_routes(RestApi& api);
void add_session_routes(RestApi& api);
void add_user_routes(RestApi& api);
void add_change_routes(RestApi& api);
void add_listener_routes(RestApi& api);
void add_command_routes(RestApi& api);
void add_monitor_routes(RestApi& api);
void add_object_change_routes(RestApi& api);

}  // namespace sqlgate::admin
