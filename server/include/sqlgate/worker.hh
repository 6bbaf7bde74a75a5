/**
 * A worker: one thread running one libuv loop; and the messaging between
 * workers that everything else uses (broadcast, fan_out, WorkerLocal, the
 * owner of a session).
 *
 * Threads: a Worker object is created and destroyed by the main thread; its
 * loop and everything registered with it belong to the worker's own thread.
 * post() is the only method that may be called from any thread. The list of
 * routing workers is fixed before any worker thread starts and read-only
 * afterwards.
 */
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "sqlgate/assert.hh"

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
    /// The calling thread may touch what this worker owns: it runs this
    /// worker's loop, or no thread does yet (set-up, tests) or any more.
    bool is_owner() const { return is_current() || !m_running.load(std::memory_order_relaxed); }

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
    std::atomic<bool> m_has_thread{false};
    std::atomic<bool> m_running{false};  ///< some thread is in run()
    uv_thread_t m_thread;
};

/// The most routing workers there can be (the `threads` parameter's limit).
constexpr int MAX_ROUTING_WORKERS = 1024;

/// The routing workers, in index order (index i has id() i). Empty until the
/// daemon has created them (and in unit tests that set none).
const std::vector<Worker*>& routing_workers();
/// Index of the routing worker whose thread is calling, or -1 (main worker,
/// monitor and other threads).
int current_routing_worker();
/// Routing worker @c index's data may be touched by the calling thread (see
/// Worker::is_owner()).
bool owns_worker_data(int index);

/// A session id names the routing worker that owns the session: the worker
/// with index id % number of routing workers. session_owner() is that worker
/// (nullptr for an id no worker could have issued), any thread.
Worker* session_owner(uint64_t session_id);

/// Run @c fn on every routing worker's thread (any thread; no answer).
void broadcast(std::function<void(Worker&)> fn);

/**
 * Fan-out/fan-in over the routing workers: @c collect runs on each routing
 * worker's thread; @c done runs once on @c origin's thread, with one result
 * per worker in worker order. Any thread; nothing blocks and nothing is
 * locked.
 */
template <class T>
void fan_out(Worker& origin, std::function<T(Worker&)> collect,
             std::function<void(std::vector<T>)> done)
{
    const auto& workers = routing_workers();
    if (workers.empty())
    {
        done({});
        return;
    }
    struct State
    {
        std::vector<T> results;
        size_t remaining;
        std::function<void(std::vector<T>)> done;
    };
    auto st = std::make_shared<State>();
    st->results.resize(workers.size());
    st->remaining = workers.size();
    st->done = std::move(done);
    auto shared_collect = std::make_shared<std::function<T(Worker&)>>(std::move(collect));
    for (size_t i = 0; i < workers.size(); ++i)
    {
        Worker* w = workers[i];
        w->post(
            [w, i, st, shared_collect, &origin]()
            {
                auto result = std::make_shared<T>((*shared_collect)(*w));
                origin.post(
                    [i, st, result]()
                    {
                        st->results[i] = std::move(*result);
                        if (--st->remaining == 0)
                        {
                            st->done(std::move(st->results));
                        }
                    });
            });
    }
}

/// fan_out() answering on the calling worker (which must be one).
template <class T>
void fan_out(std::function<T(Worker&)> collect, std::function<void(std::vector<T>)> done)
{
    Worker* origin = Worker::current();
    SG_CHECK(origin != nullptr);
    fan_out<T>(*origin, std::move(collect), std::move(done));
}

/**
 * One T per routing worker, each created on first use on, and touched only
 * by, its own worker's thread (so no lock). local() must be called on a
 * routing worker; at(i) hands out worker i's value to code already running
 * on worker i (e.g. in a message posted there). The owner of the WorkerLocal
 * destroys it after the workers have stopped.
 */
template <class T>
class WorkerLocal
{
public:
    WorkerLocal() : m_slots(MAX_ROUTING_WORKERS) {}
    WorkerLocal(const WorkerLocal&) = delete;
    WorkerLocal& operator=(const WorkerLocal&) = delete;

    T& local()
    {
        int i = current_routing_worker();
        SG_CHECK(i >= 0);
        return at(i);
    }
    T& at(int index)
    {
        SG_ASSERT(index >= 0 && index < MAX_ROUTING_WORKERS && owns_worker_data(index));
        auto& slot = m_slots[index];
        if (!slot)
        {
            slot = std::make_unique<T>();
        }
        return *slot;
    }
    /// Worker @c index's value if it was created, else nullptr (its thread only).
    T* peek(int index)
    {
        SG_ASSERT(index >= 0 && index < MAX_ROUTING_WORKERS && owns_worker_data(index));
        return m_slots[index].get();
    }
    /// Run @c fn with worker @c index's value on that worker's thread (any
    /// thread). False, and @c fn is not run, when there is no such worker.
    /// The WorkerLocal must outlive the message.
    bool run_on(int index, std::function<void(T&)> fn)
    {
        const auto& workers = routing_workers();
        if (index < 0 || static_cast<size_t>(index) >= workers.size())
        {
            return false;
        }
        workers[index]->post([this, index, fn = std::move(fn)]() { fn(at(index)); });
        return true;
    }
    /// Run @c fn with each worker's value on its thread; then @c done once on
    /// the calling worker (fan_out()).
    void run_on_all(std::function<void(T&)> fn, std::function<void()> done)
    {
        fan_out<int>(
            [this, fn = std::move(fn)](Worker& w)
            {
                fn(at(w.id()));
                return 0;
            },
            [done = std::move(done)](std::vector<int>) { done(); });
    }

private:
    std::vector<std::unique_ptr<T>> m_slots;
};

}  // namespace sqlgate
