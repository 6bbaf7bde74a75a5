#include "mocks/loop.hh"

#include <arpa/inet.h>

#include "objects.hh"
#include "routing_worker.hh"
#include "sqlgate/mariadb.hh"

namespace sqlgate::mocks
{

struct TestWorker::Impl
{
    RoutingWorker worker{0};
    uv_timer_t timer;
};

TestWorker::TestWorker() : m(std::make_unique<Impl>())
{
    RoutingWorker::set_all({&m->worker});
    uv_timer_init(m->worker.loop(), &m->timer);
}

TestWorker::~TestWorker()
{
    uv_close(reinterpret_cast<uv_handle_t*>(&m->timer), nullptr);
    // on_stop() closes and frees the sessions left; the loop ends with the last handle.
    m->worker.stop();
    m->worker.run();
    RoutingWorker::set_all({});
}

Worker& TestWorker::worker()
{
    return m->worker;
}

bool TestWorker::run_until(const std::function<bool()>& done, std::chrono::milliseconds timeout)
{
    if (done())
    {
        return true;
    }
    struct Wait
    {
        const std::function<bool()>* done;
        std::chrono::steady_clock::time_point deadline;
        bool result;
    } wait{&done, std::chrono::steady_clock::now() + timeout, false};
    m->timer.data = &wait;
    uv_timer_start(
        &m->timer,
        [](uv_timer_t* t)
        {
            auto* w = static_cast<Wait*>(t->data);
            w->result = (*w->done)();
            if (w->result || std::chrono::steady_clock::now() >= w->deadline)
            {
                uv_stop(t->loop);
            }
        },
        1, 1);
    m->worker.run();
    uv_timer_stop(&m->timer);
    return wait.result || done();
}

void TestWorker::run_for(std::chrono::milliseconds time)
{
    run_until([]() { return false; }, time);
}

void TestWorker::add_session(Session* session)
{
    m->worker.add_session(session);
}

Session* TestWorker::find_session(uint64_t id)
{
    return m->worker.find_session(id);
}

size_t TestWorker::session_count() const
{
    return m->worker.session_count();
}

void TestWorker::close_sessions()
{
    std::vector<Session*> sessions;
    m->worker.for_each_session([&](Session& s) { sessions.push_back(&s); });
    for (Session* s : sessions)
    {
        s->close("the test is over");
    }
    // The first loop iteration frees them; a few more let the sockets close.
    run_for(std::chrono::milliseconds(10));
}

struct Listener::Handle
{
    uv_tcp_t tcp;
    Worker* worker;
    std::function<void(Stream*)> on_accept;
};

Listener::Listener(Worker& worker, std::function<void(Stream*)> on_accept)
    : m_handle(new Handle{{}, &worker, std::move(on_accept)})
{
    uv_tcp_init(worker.loop(), &m_handle->tcp);
    m_handle->tcp.data = m_handle;
    sockaddr_in a;
    uv_ip4_addr("127.0.0.1", 0, &a);
    uv_tcp_bind(&m_handle->tcp, reinterpret_cast<sockaddr*>(&a), 0);
    uv_listen(reinterpret_cast<uv_stream_t*>(&m_handle->tcp), 16,
              [](uv_stream_t* server, int status)
              {
                  auto* h = static_cast<Handle*>(server->data);
                  if (status != 0)
                  {
                      return;
                  }
                  Stream* s = Stream::create(*h->worker, nullptr);
                  if (s->accept_from(server) != 0)
                  {
                      s->close();
                      return;
                  }
                  h->on_accept(s);
              });
    sockaddr_in bound;
    int len = sizeof(bound);
    uv_tcp_getsockname(&m_handle->tcp, reinterpret_cast<sockaddr*>(&bound), &len);
    m_port = ntohs(bound.sin_port);
}

Listener::~Listener()
{
    uv_close(reinterpret_cast<uv_handle_t*>(&m_handle->tcp),
             [](uv_handle_t* h) { delete static_cast<Handle*>(h->data); });
}

void Peer::connect(Worker& worker, int port)
{
    m_stream = Stream::create(worker, this);
    m_error = m_stream->connect("127.0.0.1", port);
}

void Peer::attach(Stream* stream)
{
    m_stream = stream;
    m_connected = true;
    stream->set_handler(this);
    stream->read_start();
}

void Peer::send(std::string_view bytes)
{
    if (m_stream)
    {
        m_stream->write(Buffer::copy_of(bytes));
    }
}

void Peer::close()
{
    if (m_stream)
    {
        m_stream->close();
        m_stream = nullptr;
    }
}

bool Peer::has_packet() const
{
    if (m_in.size() < mariadb::HEADER_LEN)
    {
        return false;
    }
    auto* h = reinterpret_cast<const unsigned char*>(m_in.data());
    return m_in.size() >= mariadb::HEADER_LEN + mariadb::payload_length(h);
}

std::string Peer::take_packet()
{
    if (!has_packet())
    {
        return "";
    }
    auto* h = reinterpret_cast<const unsigned char*>(m_in.data());
    size_t n = mariadb::HEADER_LEN + mariadb::payload_length(h);
    std::string out = m_in.substr(0, n);
    m_in.erase(0, n);
    return out;
}

std::string Peer::take_all()
{
    std::string out;
    out.swap(m_in);
    return out;
}

void Peer::on_read(Buffer&& data)
{
    m_in += data.to_string();
}

void Peer::on_error(int status)
{
    m_error = status;
}

void Peer::on_connected(int status)
{
    m_connected = status == 0;
    if (status != 0)
    {
        m_error = status;
        return;
    }
    m_stream->read_start();
}

std::string read_packet(TestWorker& worker, Peer& peer, std::chrono::milliseconds timeout)
{
    worker.run_until([&]() { return peer.has_packet(); }, timeout);
    return peer.take_packet();
}

Session* accept_session(TestWorker& worker, Stream* stream, uint64_t id, ServicePtr service,
                        std::shared_ptr<Protocol> protocol)
{
    auto* session = new Session(id, worker.worker(), std::move(service), protocol, "listener");
    std::unique_ptr<ClientConnection> client = protocol->new_client(*session, *stream);
    stream->set_handler(client.get());
    stream->set_water_marks(settings().writeq_high_water, settings().writeq_low_water);
    session->attach_client(stream, std::move(client));
    worker.add_session(session);
    session->client()->start();
    return session;
}

}  // namespace sqlgate::mocks
