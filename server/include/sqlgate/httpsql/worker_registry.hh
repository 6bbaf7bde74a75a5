/**
 * The per-worker states of one HTTP listener, reachable from other workers:
 * a handle or session names the worker that owns it, and a request that
 * arrives elsewhere runs its work there (posted) and gets the answer back.
 *
 * Threads: add/remove/lookups take m_lock (only to find a worker, never
 * around work); the work itself runs on the owning worker's thread.
 */
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "sqlgate/worker.hh"

namespace sqlgate::httpsql
{

/// @c State must have `Worker& worker()`.
template <class State>
class WorkerRegistry
{
public:
    void add(int id, State* state)
    {
        std::lock_guard<std::mutex> g(m_lock);
        m_states[id] = state;
    }
    void remove(int id)
    {
        std::lock_guard<std::mutex> g(m_lock);
        m_states.erase(id);
    }

    /// Run @c fn on worker @c id with its state (nullptr when it has none,
    /// then on the calling thread).
    void run_on(int id, std::function<void(State*)> fn)
    {
        State* st = find(id);
        if (!st)
        {
            fn(nullptr);
            return;
        }
        // The state may go away before the message runs: look it up again there.
        st->worker().post([this, id, fn = std::move(fn)]() { fn(find(id)); });
    }

    /// Run @c fn on every worker's state; @c done runs on the calling worker
    /// once all have.
    void run_on_all(std::function<void(State&)> fn, std::function<void()> done)
    {
        std::vector<int> ids;
        {
            std::lock_guard<std::mutex> g(m_lock);
            for (const auto& [id, st] : m_states)
            {
                ids.push_back(id);
            }
        }
        auto shared_done = std::make_shared<std::function<void()>>(std::move(done));
        if (ids.empty())
        {
            (*shared_done)();
            return;
        }
        Worker* origin = Worker::current();
        auto left = std::make_shared<std::atomic<size_t>>(ids.size());
        auto shared_fn = std::make_shared<std::function<void(State&)>>(std::move(fn));
        for (int id : ids)
        {
            run_on(id,
                   [origin, left, shared_fn, shared_done](State* st)
                   {
                       if (st)
                       {
                           (*shared_fn)(*st);
                       }
                       if (left->fetch_sub(1) == 1)
                       {
                           origin->post([shared_done]() { (*shared_done)(); });
                       }
                   });
        }
    }

private:
    State* find(int id)
    {
        std::lock_guard<std::mutex> g(m_lock);
        auto it = m_states.find(id);
        return it == m_states.end() ? nullptr : it->second;
    }

    std::mutex m_lock;
    std::map<int, State*> m_states;
};

}  // namespace sqlgate::httpsql
