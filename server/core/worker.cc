#include "sqlgate/worker.hh"

#include <pthread.h>

#include <cstdlib>

#include "sqlgate/log.hh"

namespace sqlgate
{
namespace
{
thread_local Worker* current_worker = nullptr;
}

Worker::Worker(int id) : m_id(id)
{
    uv_loop_init(&m_loop);
    uv_async_init(&m_loop, &m_async, &Worker::on_async);
    m_async.data = this;
}

Worker::~Worker()
{
    // The loop must have been run to completion (stop() + run()); make sure
    // nothing is left behind even when it was never started.
    if (!uv_is_closing(reinterpret_cast<uv_handle_t*>(&m_async)))
    {
        uv_close(reinterpret_cast<uv_handle_t*>(&m_async), nullptr);
        uv_run(&m_loop, UV_RUN_DEFAULT);
    }
    int rc = uv_loop_close(&m_loop);
    if (rc != 0)
    {
        SG_ERROR("Worker %d: loop closed with handles still open (%s)", m_id, uv_strerror(rc));
    }
}

Worker* Worker::current()
{
    return current_worker;
}

void Worker::post(std::function<void()> fn)
{
    {
        std::lock_guard<std::mutex> guard(m_lock);
        if (m_closed)
        {
            return;  // the worker has stopped; nothing will run it
        }
        m_queue.push_back(std::move(fn));
    }
    uv_async_send(&m_async);
}

void Worker::on_async(uv_async_t* h)
{
    static_cast<Worker*>(h->data)->drain();
}

void Worker::drain()
{
    // A local batch: a message may call drain() again (stop() does), and the
    // inner call must not touch the vector the outer loop is walking.
    std::vector<std::function<void()>> batch;
    {
        std::lock_guard<std::mutex> guard(m_lock);
        batch.swap(m_queue);
    }
    for (auto& fn : batch)
    {
        fn();
    }
}

void Worker::run()
{
    current_worker = this;
    m_running = true;
    uv_run(&m_loop, UV_RUN_DEFAULT);
    m_running = false;
    current_worker = nullptr;
}

void Worker::start_thread()
{
    m_has_thread = true;
    uv_thread_create(
        &m_thread, [](void* arg) { static_cast<Worker*>(arg)->run(); }, this);
}

void Worker::join()
{
    if (m_has_thread)
    {
        uv_thread_join(&m_thread);
        m_has_thread = false;
    }
}

bool Worker::join_until(const struct timespec& deadline)
{
    if (!m_has_thread)
    {
        return true;
    }
    if (pthread_timedjoin_np(m_thread, nullptr, &deadline) != 0)
    {
        return false;
    }
    m_has_thread = false;
    return true;
}

void Worker::stop()
{
    post(
        [this]()
        {
            if (m_stopping)
            {
                return;
            }
            m_stopping = true;
            on_stop();
            drain();
            {
                std::lock_guard<std::mutex> guard(m_lock);
                m_closed = true;
            }
            drain();
            uv_close(reinterpret_cast<uv_handle_t*>(&m_async), nullptr);
        });
}

}  // namespace sqlgate

namespace sqlgate
{
namespace
{
std::vector<Worker*> routing;
}

void set_routing_workers(std::vector<Worker*> workers)
{
    SG_CHECK(workers.size() <= static_cast<size_t>(MAX_ROUTING_WORKERS));
    for (size_t i = 0; i < workers.size(); ++i)
    {
        SG_CHECK(workers[i]->id() == static_cast<int>(i));
    }
    routing = std::move(workers);
}

const std::vector<Worker*>& routing_workers()
{
    return routing;
}

int current_routing_worker()
{
    Worker* w = Worker::current();
    if (!w || w->id() < 0 || static_cast<size_t>(w->id()) >= routing.size() ||
        routing[w->id()] != w)
    {
        return -1;
    }
    return w->id();
}

bool owns_worker_data(int index)
{
    if (index < 0 || static_cast<size_t>(index) >= routing.size())
    {
        return routing.empty();  // no routing workers (unit tests): one thread
    }
    return routing[index]->is_owner();
}

Worker* session_owner(uint64_t session_id)
{
    return routing.empty() ? nullptr : routing[session_id % routing.size()];
}

void broadcast(std::function<void(Worker&)> fn)
{
    auto shared = std::make_shared<std::function<void(Worker&)>>(std::move(fn));
    for (Worker* w : routing)
    {
        w->post([w, shared]() { (*shared)(*w); });
    }
}

}  // namespace sqlgate
