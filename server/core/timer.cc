#include "sqlgate/timer.hh"

#include "sqlgate/worker.hh"

namespace sqlgate
{

Timer::Timer(Worker& worker, std::function<void()> fn) : m_handle(new Handle), m_fn(std::move(fn))
{
    uv_timer_init(worker.loop(), &m_handle->timer);
    m_handle->owner = this;
    m_handle->timer.data = m_handle;
}

Timer::~Timer()
{
    m_handle->owner = nullptr;
    uv_timer_stop(&m_handle->timer);
    uv_close(reinterpret_cast<uv_handle_t*>(&m_handle->timer),
             [](uv_handle_t* h) { delete static_cast<Handle*>(h->data); });
}

void Timer::start(uint64_t ms, uint64_t repeat_ms)
{
    uv_timer_start(
        &m_handle->timer,
        [](uv_timer_t* t)
        {
            auto* h = static_cast<Handle*>(t->data);
            if (h->owner)
            {
                h->owner->m_fn();  // may destroy the Timer: touch nothing after
            }
        },
        ms, repeat_ms);
}

void Timer::stop()
{
    uv_timer_stop(&m_handle->timer);
}

}  // namespace sqlgate
