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
    uv_run(&m_loop, UV_RUN_DEFAULT);
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
