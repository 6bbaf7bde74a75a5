// Opens N logged-in MariaDB client connections and keeps them idle, so that a benchmark
// can measure the memory a proxy needs per idle client.
//
//   idle_clients --port P [--host 127.0.0.1] [--user app] [--password app_pw] [--db sbtest]
//                [--count 1000] [--threads 8] [--query "SELECT 1"] [--hold SECONDS]
//
// Every connection is a full login (mysql_real_connect); unless --query is empty, each one
// then runs that query once, so that a proxy has also opened its backend connection. When
// all are open, prints "ready <ok> <failed>" on stdout and waits until SIGTERM/SIGINT, the
// end of stdin (if stdin is a pipe), or --hold seconds pass; then closes them and exits 0
// if every connection succeeded, 1 otherwise.
#include <mysql.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace
{
struct Options
{
    std::string host = "127.0.0.1";
    int port = 0;
    std::string user = "app";
    std::string password = "app_pw";
    std::string db = "sbtest";
    int count = 1000;
    int threads = 8;
    std::string query = "SELECT 1";
    int hold = 3600;
};

[[noreturn]] void usage(const char* msg)
{
    fprintf(stderr,
            "idle_clients: %s\nusage: idle_clients --port P [--host H] [--user U] "
            "[--password W] [--db D] [--count N] [--threads T] [--query SQL] [--hold S]\n",
            msg);
    exit(2);
}

Options parse(int argc, char** argv)
{
    Options o;
    for (int i = 1; i < argc; ++i)
    {
        std::string a = argv[i];
        if (i + 1 >= argc)
        {
            usage(("missing value for " + a).c_str());
        }
        std::string v = argv[++i];
        if (a == "--host")
            o.host = v;
        else if (a == "--port")
            o.port = atoi(v.c_str());
        else if (a == "--user")
            o.user = v;
        else if (a == "--password")
            o.password = v;
        else if (a == "--db")
            o.db = v;
        else if (a == "--count")
            o.count = atoi(v.c_str());
        else if (a == "--threads")
            o.threads = atoi(v.c_str());
        else if (a == "--query")
            o.query = v;
        else if (a == "--hold")
            o.hold = atoi(v.c_str());
        else
            usage(("unknown option " + a).c_str());
    }
    if (o.port <= 0 || o.count <= 0 || o.threads <= 0)
    {
        usage("--port, --count and --threads must be positive");
    }
    return o;
}

// Opens connection number `i`; returns nullptr (and reports why) on failure.
MYSQL* open_one(const Options& o, int i, std::mutex& log)
{
    MYSQL* m = mysql_init(nullptr);
    unsigned int timeout = 20;
    mysql_optionsv(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    mysql_optionsv(m, MYSQL_OPT_READ_TIMEOUT, &timeout);
    mysql_optionsv(m, MYSQL_OPT_WRITE_TIMEOUT, &timeout);
    bool ok = mysql_real_connect(m, o.host.c_str(), o.user.c_str(), o.password.c_str(),
                                 o.db.empty() ? nullptr : o.db.c_str(),
                                 static_cast<unsigned>(o.port), nullptr, 0) != nullptr;
    if (ok && !o.query.empty())
    {
        ok = mysql_real_query(m, o.query.c_str(), o.query.size()) == 0;
        if (ok)
        {
            MYSQL_RES* res = mysql_store_result(m);
            mysql_free_result(res);
        }
    }
    if (!ok)
    {
        std::lock_guard<std::mutex> lock(log);
        fprintf(stderr, "idle_clients: connection %d: %u %s\n", i, mysql_errno(m), mysql_error(m));
        mysql_close(m);
        return nullptr;
    }
    return m;
}
}  // namespace

int main(int argc, char** argv)
{
    Options o = parse(argc, argv);
    // Signals are taken with sigtimedwait below; block them before any thread starts.
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, nullptr);

    mysql_library_init(0, nullptr, nullptr);
    std::vector<MYSQL*> conns(o.count, nullptr);
    std::atomic<int> next{0};
    std::mutex log;
    std::vector<std::thread> workers;
    for (int t = 0; t < o.threads; ++t)
    {
        workers.emplace_back(
            [&]()
            {
                mysql_thread_init();
                for (int i; (i = next++) < o.count;)
                {
                    conns[i] = open_one(o, i, log);
                }
                mysql_thread_end();
            });
    }
    for (auto& w : workers)
    {
        w.join();
    }
    int ok = 0;
    for (MYSQL* m : conns)
    {
        ok += m != nullptr;
    }
    printf("ready %d %d\n", ok, o.count - ok);
    fflush(stdout);

    struct stat st;
    bool stdin_pipe = fstat(0, &st) == 0 && S_ISFIFO(st.st_mode);
    time_t deadline = time(nullptr) + o.hold;
    while (time(nullptr) < deadline)
    {
        timespec tick{0, 200 * 1000 * 1000};
        if (sigtimedwait(&stop, nullptr, &tick) > 0)
        {
            break;
        }
        if (stdin_pipe)
        {
            pollfd p{0, POLLIN, 0};
            char c;
            if (poll(&p, 1, 0) > 0 && read(0, &c, 1) <= 0)
            {
                break;
            }
        }
    }
    for (MYSQL* m : conns)
    {
        if (m)
        {
            mysql_close(m);
        }
    }
    mysql_library_end();
    return ok == o.count ? 0 : 1;
}
