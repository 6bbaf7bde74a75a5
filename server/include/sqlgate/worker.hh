/**
 * A worker: one thread running one libuv loop.
 *
 * Threads: a Worker object is created and destroyed by the main thread; its
 * loop and everything registered with it belong to the worker's own thread.
 * post() is the only method that may be called from any thread.
 */
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

#include <uv.h>

namespace sqlgate
{

class Worker
{
public:
    explicit Worker(int id);
    virtual ~Worker();
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;

    /// The worker whose thread is calling, or nullptr.
    static Worker* current();
    int id() const { return m_id; }
    uv_loop_t* loop() { return &m_loop; }
    bool is_current() const { return current() == this; }

    /// Run @c fn on this worker's thread (any thread; messages run in order).
    void post(std::function<void()> fn);

    /// Run the loop on the calling thread until stop() takes effect.
    void run();
    /// Start a thread that calls run(); join() waits for it.
    void start_thread();
    void join();
    /// join() with a deadline (CLOCK_REALTIME); false if the thread still runs.
    bool join_until(const struct timespec& deadline);
    /// Ask the loop to finish: closes the message handle, then the loop ends
    /// when the remaining handles are closed (owned objects must close theirs).
    void stop();

    /// Milliseconds of the loop's cached clock.
    uint64_t now_ms() { return uv_now(&m_loop); }

protected:
    /// Called on the worker's thread when stop() is processed, before the
    /// message handle closes. Close everything the worker owns here.
    virtual void on_stop() {}

private:
    static void on_async(uv_async_t* h);
    void drain();

    int m_id;
    uv_loop_t m_loop;
    uv_async_t m_async;
    std::mutex m_lock;
    std::vector<std::function<void()>> m_queue;
    bool m_stopping = false;
    bool m_closed = false;  ///< guarded by m_lock
    bool m_has_thread = false;
    uv_thread_t m_thread;
};

}  // namespace sqlgate
