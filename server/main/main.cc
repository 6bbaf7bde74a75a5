/**
 * sqlgate: the daemon's entry point. Parses the command line, loads the
 * configuration and modules, starts the routing workers and waits for a
 * signal. Runs in the foreground.
 */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <set>
#include <thread>

#include "admin_server.hh"
#include "admin_users.hh"
#include "config/loader.hh"
#include "jwt.hh"
#include "module_loader.hh"
#include "objects.hh"
#include "registry.hh"
#include "rest_api.hh"
#include "routing_worker.hh"
#include "sqlgate/log.hh"

using namespace sqlgate;

namespace
{
struct Options
{
    std::string config = "/etc/sqlgate.cnf";
    std::string datadir, logdir, libdir;
    int threads = -1;
    bool config_check = false;
};

void usage(FILE* out)
{
    fprintf(out,
            "Usage: sqlgate [OPTIONS]\n"
            "  -f, --config FILE     configuration file (default /etc/sqlgate.cnf)\n"
            "  -D, --datadir DIR     data directory (overrides datadir=)\n"
            "  -L, --logdir DIR      log directory (overrides logdir=)\n"
            "  -B, --libdir DIR      module directory (overrides libdir=)\n"
            "  -t, --threads N       routing threads, or 'auto' (overrides threads=)\n"
            "  -c, --config-check    validate the configuration, print problems, exit 0 or 1\n"
            "  -v, --version         print the version and exit\n"
            "  -h, --help            this help\n"
            "sqlgate runs in the foreground; SIGTERM or SIGINT stop it.\n");
}

bool parse_args(int argc, char** argv, Options& o)
{
    static const option longopts[] = {{"config", required_argument, nullptr, 'f'},
                                      {"datadir", required_argument, nullptr, 'D'},
                                      {"logdir", required_argument, nullptr, 'L'},
                                      {"libdir", required_argument, nullptr, 'B'},
                                      {"threads", required_argument, nullptr, 't'},
                                      {"config-check", no_argument, nullptr, 'c'},
                                      {"version", no_argument, nullptr, 'v'},
                                      {"help", no_argument, nullptr, 'h'},
                                      {nullptr, 0, nullptr, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "f:D:L:B:t:cvh", longopts, nullptr)) != -1)
    {
        switch (c)
        {
            case 'f':
                o.config = optarg;
                break;
            case 'D':
                o.datadir = optarg;
                break;
            case 'L':
                o.logdir = optarg;
                break;
            case 'B':
                o.libdir = optarg;
                break;
            case 't':
                if (strcmp(optarg, "auto") == 0)
                {
                    o.threads = 0;
                }
                else
                {
                    char* end;
                    long n = strtol(optarg, &end, 10);
                    if (*end || n < 1 || n > 1024)
                    {
                        fprintf(stderr,
                                "sqlgate: --threads: expected 'auto' or 1..1024, got '%s'\n",
                                optarg);
                        return false;
                    }
                    o.threads = static_cast<int>(n);
                }
                break;
            case 'c':
                o.config_check = true;
                break;
            case 'v':
                printf("sqlgate %s\n", SQLGATE_VERSION);
                exit(0);
            case 'h':
                usage(stdout);
                exit(0);
            default:
                usage(stderr);
                return false;
        }
    }
    if (optind < argc)
    {
        fprintf(stderr, "sqlgate: unexpected argument '%s'\n", argv[optind]);
        return false;
    }
    return true;
}

bool make_dirs(const std::string& path)
{
    std::string cur;
    for (size_t i = 0; i <= path.size(); ++i)
    {
        if (i == path.size() || (path[i] == '/' && i > 0))
        {
            cur = path.substr(0, i);
            if (mkdir(cur.c_str(), 0750) != 0 && errno != EEXIST)
            {
                return false;
            }
        }
    }
    return true;
}

/// The main worker: runs on the main thread, owns the object model, the
/// signal handlers and the admin API's handlers.
class MainWorker : public Worker
{
public:
    MainWorker() : Worker(-1) {}
    uv_signal_t sigterm, sigint, sighup;
    std::vector<RoutingWorker*> workers;
    admin::AdminServer* admin = nullptr;
    bool stopping = false;
};

void shutdown(MainWorker* m, const char* why)
{
    if (m->stopping)
    {
        return;
    }
    m->stopping = true;
    SG_NOTICE("%s, shutting down", why);
    if (m->admin)
    {
        m->admin->stop();
    }
    for (RoutingWorker* w : m->workers)
    {
        w->stop();
    }
    uv_close(reinterpret_cast<uv_handle_t*>(&m->sigterm), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&m->sigint), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&m->sighup), nullptr);
    m->stop();
}

void on_signal(uv_signal_t* h, int signum)
{
    auto* m = static_cast<MainWorker*>(h->data);
    if (signum == SIGHUP)
    {
        log_reopen();
        SG_NOTICE("Received SIGHUP: log file reopened");
        return;
    }
    shutdown(m, signum == SIGTERM ? "Received SIGTERM" : "Received SIGINT");
}
}  // namespace

int main(int argc, char** argv)
{
    Options opts;
    if (!parse_args(argc, argv, opts))
    {
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);

    // Modules are needed to validate their parameters, so the module
    // directory comes first: --libdir, else next to the binary. (libdir= in
    // the file is honoured after a first pass.)
    std::string libdir = opts.libdir.empty() ? ModuleLoader::default_libdir() : opts.libdir;
    auto modules = std::make_unique<ModuleLoader>(libdir);
    ModuleSpecLookup lookup = [&](const std::string& kind, const std::string& name,
                                  std::string& error) -> const Specification*
    {
        ModuleKind k = kind == "router"    ? ModuleKind::ROUTER
                       : kind == "filter"  ? ModuleKind::FILTER
                       : kind == "monitor" ? ModuleKind::MONITOR
                                           : ModuleKind::PROTOCOL;
        const ModuleInfo* info = modules->load(name, k, error);
        return info ? info->specification : nullptr;
    };

    ConfigFile cfg;
    std::vector<std::string> errors;
    bool ok = load_config(opts.config, lookup, cfg, errors);
    if (ok && opts.libdir.empty() && !cfg.global.get_string("libdir").empty() &&
        cfg.global.get_string("libdir") != libdir)
    {
        libdir = cfg.global.get_string("libdir");
        modules = std::make_unique<ModuleLoader>(libdir);
        cfg = ConfigFile();
        errors.clear();
        ok = load_config(opts.config, lookup, cfg, errors);
    }
    // Objects created or changed through the REST API override the static file.
    std::set<std::string> static_names;
    for (const auto& o : cfg.objects)
    {
        static_names.insert(o.name);
    }
    if (ok && cfg.global.get_bool("load_persisted_configs"))
    {
        std::string dd = opts.datadir.empty() ? cfg.global.get_string("datadir") : opts.datadir;
        cfg = ConfigFile();
        ok = load_config(opts.config, lookup, cfg, errors, dd);
    }
    Objects objects;
    if (ok)
    {
        ok = build_objects(cfg, *modules, objects, errors);
    }
    if (!ok)
    {
        for (const auto& e : errors)
        {
            fprintf(stderr, "%s\n", e.c_str());
        }
        fprintf(stderr, "sqlgate: %s: %zu problem%s found\n", opts.config.c_str(), errors.size(),
                errors.size() == 1 ? "" : "s");
        return 1;
    }
    if (opts.config_check)
    {
        for (const auto& w : cfg.warnings)
        {
            fprintf(stderr, "warning: %s\n", w.c_str());
        }
        printf("sqlgate: %s: configuration is valid\n", opts.config.c_str());
        return 0;
    }

    std::string logdir = opts.logdir.empty() ? cfg.global.get_string("logdir") : opts.logdir;
    std::string datadir = opts.datadir.empty() ? cfg.global.get_string("datadir") : opts.datadir;
    if (!make_dirs(logdir) || !log_open(logdir))
    {
        fprintf(stderr, "sqlgate: cannot open the log in %s: %s\n", logdir.c_str(),
                strerror(errno));
        return 1;
    }
    if (!make_dirs(datadir))
    {
        SG_ERROR("Cannot create the data directory %s: %s", datadir.c_str(), strerror(errno));
        return 1;
    }
    log_set_levels(cfg.global.get_bool("log_warning"), cfg.global.get_bool("log_notice"),
                   cfg.global.get_bool("log_info"), cfg.global.get_bool("log_debug"));
    for (const auto& w : cfg.warnings)
    {
        SG_WARNING("%s", w.c_str());
    }
    Settings s;
    s.writeq_high_water = cfg.global.get_size("writeq_high_water");
    s.writeq_low_water = cfg.global.get_size("writeq_low_water");
    set_settings(s);
    // What modules read from the global configuration is what is in effect
    // (the command line overrides the file).
    cfg.global.values["datadir"].text = datadir;
    cfg.global.values["logdir"].text = logdir;
    set_global_config(cfg.global);

    int threads =
        opts.threads >= 0 ? opts.threads : static_cast<int>(cfg.global.get_int("threads"));
    if (threads == 0)
    {
        threads =
            std::min<int>(MAX_ROUTING_WORKERS, std::max(1u, std::thread::hardware_concurrency()));
    }
    SG_NOTICE("sqlgate %s starting: config %s, %d routing threads, modules in %s", SQLGATE_VERSION,
              opts.config.c_str(), threads, libdir.c_str());

    MainWorker m;
    for (int i = 0; i < threads; ++i)
    {
        m.workers.push_back(new RoutingWorker(i));
    }
    RoutingWorker::set_all(m.workers);
    Registry::Options ro;
    ro.config_file = opts.config;
    ro.datadir = datadir;
    ro.persist = cfg.global.get_bool("persist_runtime_changes");
    ro.static_names = std::move(static_names);
    Registry registry(objects, *modules, std::move(ro), &m);
    bool listening = true;
    for (const auto& [name, def] : objects.listeners)
    {
        std::string err;
        if (!def->socket.empty() && (def->local_fd = open_local_listener(def->socket, err)) < 0)
        {
            SG_ERROR("Listener %s: %s", name.c_str(), err.c_str());
            listening = false;
            break;
        }
        def->protocol->start();
        // The workers do not run yet: the registry opens the sockets at once.
        registry.set_listening(def, true,
                               [&](const std::string& error)
                               {
                                   if (!error.empty())
                                   {
                                       SG_ERROR("Listener %s: %s", name.c_str(), error.c_str());
                                       listening = false;
                                   }
                               });
        if (!listening)
        {
            break;
        }
        SG_NOTICE("Listener %s: listening on %s for service %s", name.c_str(), def->where().c_str(),
                  def->service->name.c_str());
    }

    for (auto [h, sig] : {std::pair{&m.sigterm, SIGTERM}, {&m.sigint, SIGINT}, {&m.sighup, SIGHUP}})
    {
        uv_signal_init(m.loop(), h);
        h->data = &m;
        uv_signal_start(h, on_signal, sig);
    }
    for (RoutingWorker* w : m.workers)
    {
        w->start_thread();
    }
    // Monitors: one thread each; their first tick runs at once.
    for (auto& [name, mon] : objects.monitors)
    {
        mon->start();
    }

    // The admin REST API: accounts in <datadir>/passwd, handlers on this thread.
    admin::AdminUsers admin_users;
    admin::JwtSigner jwt;
    admin::AdminContext actx;
    actx.registry = &registry;
    actx.objects = &objects;
    actx.modules = modules.get();
    actx.main = &m;
    actx.users = &admin_users;
    actx.jwt = &jwt;
    actx.logdir = logdir;
    actx.started_at = time(nullptr);
    admin::RestApi api(actx);
    admin::add_maxscale_routes(api);
    admin::add_server_routes(api);
    admin::add_service_routes(api);
    admin::add_session_routes(api);
    admin::add_user_routes(api);
    admin::add_change_routes(api);
    admin::add_listener_routes(api);
    admin::add_object_change_routes(api);
    admin::add_command_routes(api);
    admin::add_monitor_routes(api);
    admin::AdminSettings as;
    as.host = cfg.global.get_string("admin_host");
    as.port = static_cast<int>(cfg.global.get_int("admin_port"));
    as.auth = cfg.global.get_bool("admin_auth");
    admin::AdminServer admin_server(api, as);
    bool admin_ok = true;
    if (listening && as.port != 0)
    {
        std::string err;
        std::string passwd = datadir + "/passwd";
        if (!admin_users.load(passwd, err))
        {
            SG_ERROR("REST API: %s", err.c_str());
            admin_ok = false;
        }
        else if (admin_users.list().empty())
        {
            if (!admin_users.ensure_default(err))
            {
                SG_ERROR("REST API: cannot create the default user in %s: %s", passwd.c_str(),
                         err.c_str());
                admin_ok = false;
            }
            else
            {
                SG_WARNING(
                    "REST API: no admin users in %s; created the default user 'admin' "
                    "with the password 'mariadb'. Change it: PATCH /v1/users/inet/admin",
                    passwd.c_str());
            }
        }
        if (admin_ok && !admin_server.start(err))
        {
            SG_ERROR("REST API: %s", err.c_str());
            admin_ok = false;
        }
        if (admin_ok)
        {
            m.admin = &admin_server;
            SG_NOTICE("REST API listening on [%s]:%d%s", as.host.c_str(), as.port,
                      as.auth ? "" : " (admin_auth=false: no authentication)");
        }
    }
    if (!listening)
    {
        shutdown(&m, "A listener could not start");
    }
    else if (!admin_ok)
    {
        listening = false;
        shutdown(&m, "The REST API could not start");
    }
    else
    {
        SG_NOTICE("sqlgate started");
    }
    m.run();

    for (auto& [name, mon] : objects.monitors)
    {
        mon->stop();
    }
    // Workers close their sessions and listeners; give them until 4.5 s.
    timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_nsec += 500000000;
    deadline.tv_sec += 4 + deadline.tv_nsec / 1000000000;
    deadline.tv_nsec %= 1000000000;
    bool clean = true;
    for (RoutingWorker* w : m.workers)
    {
        if (!w->join_until(deadline))
        {
            clean = false;
        }
    }
    if (!clean)
    {
        SG_WARNING("Some workers did not stop in time; exiting anyway");
        log_close();
        _exit(listening ? 0 : 1);
    }
    for (const auto& [name, def] : objects.listeners)
    {
        if (def->local_fd >= 0)
        {
            close(def->local_fd);
            unlink(def->socket.c_str());
        }
    }
    // Module instances first: their threads (e.g. account loaders) may still
    // post to the workers until they are joined.
    objects = Objects();
    for (RoutingWorker* w : m.workers)
    {
        delete w;
    }
    SG_NOTICE("sqlgate stopped");
    log_close();
    return listening ? 0 : 1;
}
