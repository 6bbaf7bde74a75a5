/**
 * A one-shot or repeating timer on a worker's loop.
 *
 * RAII: destroying the Timer stops it; the libuv handle is freed in its close
 * callback, so a Timer may be destroyed from inside its own callback.
 *
 * Threads: create, use and destroy on the worker that owns the loop.
 */
#pragma once

#include <cstdint>
#include <functional>

#include <uv.h>

namespace sqlgate
{

class Worker;

class Timer
{
public:
    Timer(Worker& worker, std::function<void()> fn);
    ~Timer();
    Timer(const Timer&) = delete;
    Timer& operator=(const Timer&) = delete;

    /// Run the callback after @c ms, then every @c repeat_ms (0: once).
    void start(uint64_t ms, uint64_t repeat_ms = 0);
    void stop();

private:
    struct Handle
    {
        uv_timer_t timer;
        Timer* owner;
    };
    Handle* m_handle;
    std::function<void()> m_fn;
};

}  // namespace sqlgate
