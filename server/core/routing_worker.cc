#include "routing_worker.hh"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "sqlgate/log.hh"
#include "sqlgate/stream.hh"

namespace sqlgate
{
namespace
{
std::vector<RoutingWorker*> all_workers;
std::atomic<uint64_t> session_seq[MAX_ROUTING_WORKERS];
constexpr int BACKLOG = 1024;

int open_listen_socket(const std::string& address, int port, std::string& error)
{
    sockaddr_storage ss{};
    socklen_t len = 0;
    std::string addr = address.empty() ? "::" : address;
    if (addr == "localhost")
    {
        addr = "127.0.0.1";
    }
    auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&ss);
    if (inet_pton(AF_INET, addr.c_str(), &sin->sin_addr) == 1)
    {
        sin->sin_family = AF_INET;
        sin->sin_port = htons(port);
        len = sizeof(*sin);
    }
    else if (inet_pton(AF_INET6, addr.c_str(), &sin6->sin6_addr) == 1)
    {
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(port);
        len = sizeof(*sin6);
    }
    else
    {
        error = "'" + address + "' is not a numeric IPv4 or IPv6 address";
        return -1;
    }
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
    {
        error = std::string("socket(): ") + strerror(errno);
        return -1;
    }
    int one = 1, zero = 0;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
    if (ss.ss_family == AF_INET6)
    {
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
    }
    if (bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0 || listen(fd, BACKLOG) != 0)
    {
        error = "cannot listen on " + addr + ":" + std::to_string(port) + ": " + strerror(errno);
        ::close(fd);
        return -1;
    }
    return fd;
}
}  // namespace

uint64_t next_session_id()
{
    // Each worker counts its own sessions; the id is count * workers + index,
    // so that id % workers names the owner and ids never collide.
    int index = current_routing_worker();
    SG_CHECK(index >= 0);
    uint64_t n = routing_workers().size();
    uint64_t seq = session_seq[index].fetch_add(1, std::memory_order_relaxed) + 1;
    return seq * n + static_cast<uint64_t>(index);
}

RoutingWorker::RoutingWorker(int id) : Worker(id)
{
    uv_check_init(loop(), &m_check);
    m_check.data = this;
    uv_check_start(&m_check, &RoutingWorker::on_check);
    uv_unref(reinterpret_cast<uv_handle_t*>(&m_check));
    m_idle_timer = std::make_unique<Timer>(*this, [this]() { close_idle_sessions(); });
    m_idle_timer->start(1000, 1000);
}

RoutingWorker::~RoutingWorker() = default;

void RoutingWorker::close_idle_sessions()
{
    // close_if_idle() may close a session, which leaves m_sessions: walk a copy.
    std::vector<uint64_t> ids;
    ids.reserve(m_sessions.size());
    for (const auto& [id, s] : m_sessions)
    {
        ids.push_back(id);
    }
    uint64_t now = now_ms();
    for (uint64_t id : ids)
    {
        if (Session* s = find_session(id))
        {
            s->close_if_idle(now);
        }
    }
}

void RoutingWorker::set_all(std::vector<RoutingWorker*> workers)
{
    set_routing_workers(std::vector<Worker*>(workers.begin(), workers.end()));
    all_workers = std::move(workers);
}
const std::vector<RoutingWorker*>& RoutingWorker::all()
{
    return all_workers;
}

bool RoutingWorker::add_listener(const std::shared_ptr<ListenerDef>& listener, std::string& error)
{
    SG_ASSERT_OWNER(*this);
    bool local = !listener->socket.empty();
    int fd = local ? dup(listener->local_fd)
                   : open_listen_socket(listener->address, listener->port, error);
    if (fd < 0)
    {
        if (local)
        {
            error = std::string("dup(): ") + strerror(errno);
        }
        return false;
    }
    auto* ls = new ListenSocket;
    ls->listener = listener;
    ls->worker = this;
    std::string serve_error;
    ls->server = listener->protocol->serve(*this, fd, serve_error);
    if (ls->server || !serve_error.empty())
    {
        if (!ls->server)
        {
            error = serve_error;
            ::close(fd);
            delete ls;
            return false;
        }
        m_listeners.push_back(ls);
        return true;
    }
    auto* stream = reinterpret_cast<uv_stream_t*>(&ls->handle);
    int rc = 0;
    if (local)
    {
        uv_pipe_init(loop(), &ls->handle.pipe, 0);
        rc = uv_pipe_open(&ls->handle.pipe, fd);
    }
    else
    {
        uv_tcp_init(loop(), &ls->handle.tcp);
        rc = uv_tcp_open(&ls->handle.tcp, fd);
    }
    stream->data = ls;
    if (rc == 0)
    {
        rc = uv_listen(stream, BACKLOG, &RoutingWorker::on_connection);
    }
    if (rc != 0)
    {
        error = std::string("cannot listen: ") + uv_strerror(rc);
        uv_close(reinterpret_cast<uv_handle_t*>(&ls->handle),
                 [](uv_handle_t* h) { delete static_cast<ListenSocket*>(h->data); });
        return false;
    }
    m_listeners.push_back(ls);
    return true;
}

int open_local_listener(const std::string& path, std::string& error)
{
    sockaddr_un sun{};
    if (path.size() >= sizeof(sun.sun_path))
    {
        error = "socket path '" + path + "' is too long";
        return -1;
    }
    struct stat st;
    if (lstat(path.c_str(), &st) == 0)
    {
        if (!S_ISSOCK(st.st_mode))
        {
            error = "cannot listen on " + path + ": the file exists and is not a socket";
            return -1;
        }
        unlink(path.c_str());  // left over from an earlier run
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sun.sun_family = AF_UNIX;
    memcpy(sun.sun_path, path.c_str(), path.size());
    if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&sun), sizeof(sun)) != 0 ||
        chmod(path.c_str(), 0777) != 0 || listen(fd, BACKLOG) != 0)
    {
        error = "cannot listen on " + path + ": " + strerror(errno);
        if (fd >= 0)
        {
            ::close(fd);
        }
        return -1;
    }
    return fd;
}

void RoutingWorker::close_listen_socket(ListenSocket* ls)
{
    if (ls->server)
    {
        delete ls;  // the protocol's server closes its socket
        return;
    }
    uv_close(reinterpret_cast<uv_handle_t*>(&ls->handle),
             [](uv_handle_t* h) { delete static_cast<ListenSocket*>(h->data); });
}

void RoutingWorker::on_connection(uv_stream_t* server, int status)
{
    auto* ls = static_cast<ListenSocket*>(server->data);
    if (status < 0)
    {
        SG_ERROR("Listener %s: accept failed: %s", ls->listener->name.c_str(), uv_strerror(status));
        return;
    }
    ls->worker->accept_client(*ls);
}

bool RoutingWorker::remove_listener(const std::string& name)
{
    SG_ASSERT_OWNER(*this);
    bool found = false;
    for (auto it = m_listeners.begin(); it != m_listeners.end();)
    {
        ListenSocket* ls = *it;
        if (ls->listener->name == name)
        {
            close_listen_socket(ls);
            it = m_listeners.erase(it);
            found = true;
        }
        else
        {
            ++it;
        }
    }
    return found;
}

void RoutingWorker::replace_listener(const std::shared_ptr<ListenerDef>& def)
{
    SG_ASSERT_OWNER(*this);
    for (ListenSocket* ls : m_listeners)
    {
        if (ls->listener->name == def->name)
        {
            ls->listener = def;
        }
    }
}

void RoutingWorker::accept_client(ListenSocket& ls)
{
    Stream* stream = ls.listener->socket.empty() ? Stream::create(*this, nullptr)
                                                 : Stream::create_local(*this, nullptr);
    if (int rc = stream->accept_from(reinterpret_cast<uv_stream_t*>(&ls.handle)); rc != 0)
    {
        SG_ERROR("Listener %s: accept failed: %s", ls.listener->name.c_str(), uv_strerror(rc));
        stream->close();
        return;
    }
    ++accepts;
    const auto& def = ls.listener;
    auto* session = new Session(next_session_id(), *this, def->service, def->protocol, def->name);
    std::unique_ptr<ClientConnection> client = def->protocol->new_client(*session, *stream);
    stream->set_handler(client.get());
    stream->set_water_marks(settings().writeq_high_water, settings().writeq_low_water);
    session->attach_client(stream, std::move(client));
    m_sessions[session->id()] = session;
    session->client()->start();
}

Session* RoutingWorker::find_session(uint64_t id)
{
    SG_ASSERT_OWNER(*this);
    auto it = m_sessions.find(id);
    return it == m_sessions.end() || it->second->state() == SessionState::STOPPING ? nullptr
                                                                                   : it->second;
}

void RoutingWorker::add_zombie(Session* s)
{
    SG_ASSERT_OWNER(*this);
    m_sessions.erase(s->id());
    m_zombies.push_back(s);
    // Make sure the check callback runs even if nothing else is pending.
    uv_ref(reinterpret_cast<uv_handle_t*>(&m_check));
}

void RoutingWorker::on_check(uv_check_t* h)
{
    static_cast<RoutingWorker*>(h->data)->reap();
}

void RoutingWorker::reap()
{
    while (!m_zombies.empty())
    {
        std::vector<Session*> zombies;
        zombies.swap(m_zombies);
        for (Session* s : zombies)
        {
            delete s;
        }
    }
    uv_unref(reinterpret_cast<uv_handle_t*>(&m_check));
}

void RoutingWorker::on_stop()
{
    m_idle_timer.reset();
    for (ListenSocket* ls : m_listeners)
    {
        close_listen_socket(ls);
    }
    m_listeners.clear();
    std::vector<Session*> sessions;
    for (auto& [id, s] : m_sessions)
    {
        sessions.push_back(s);
    }
    for (Session* s : sessions)
    {
        s->close("sqlgate is shutting down");
    }
    reap();
    uv_close(reinterpret_cast<uv_handle_t*>(&m_check), nullptr);
}

}  // namespace sqlgate

namespace sqlgate
{

Session* Session::create_detached(ServicePtr service, std::shared_ptr<Protocol> protocol,
                                  std::string listener, std::string remote, int port)
{
    RoutingWorker* w = RoutingWorker::current();
    auto* s = new Session(next_session_id(), *w, std::move(service), std::move(protocol),
                          std::move(listener));
    s->m_remote = std::move(remote);
    s->m_port = port;
    w->add_session(s);
    return s;
}

Session* Session::find_local(uint64_t id)
{
    RoutingWorker* w = RoutingWorker::current();
    return w ? w->find_session(id) : nullptr;
}

void Session::run_on_owner(uint64_t id, std::function<void(Session*)> fn)
{
    // The id names the worker: one message there, which answers nullptr when
    // the session is gone (or never existed).
    Worker* owner = session_owner(id);
    if (!owner)
    {
        fn(nullptr);
        return;
    }
    owner->post([owner, id, fn = std::move(fn)]()
                { fn(RoutingWorker::of(*owner).find_session(id)); });
}

}  // namespace sqlgate
