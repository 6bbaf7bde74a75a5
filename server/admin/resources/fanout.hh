/**
 * Fan-out/fan-in over the routing workers for the admin API.
 *
 * Threads: fan_out() is called on the main worker. @c collect runs on each
 * routing worker's own thread (with that worker's objects); the results are
 * posted back to the main worker, and @c done runs there once, with one
 * result per worker in worker order. Nothing blocks and nothing is locked.
 */
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "routing_worker.hh"
#include "sqlgate/worker.hh"

namespace sqlgate::admin
{

template <class T>
void fan_out(Worker& main, std::function<T(RoutingWorker&)> collect,
             std::function<void(std::vector<T>)> done)
{
    const auto& workers = RoutingWorker::all();
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
    for (size_t i = 0; i < workers.size(); ++i)
    {
        RoutingWorker* w = workers[i];
        w->post(
            [w, i, st, collect, &main]()
            {
                auto result = std::make_shared<T>(collect(*w));
                main.post(
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

}  // namespace sqlgate::admin
