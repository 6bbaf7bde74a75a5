// The worker messaging primitives of sqlgate/worker.hh on real worker threads:
// fan_out, broadcast, WorkerLocal and session ids that name their worker.
#include <gtest/gtest.h>

#include <future>
#include <set>
#include <thread>

#include "routing_worker.hh"
#include "sqlgate/worker.hh"

using namespace sqlgate;

namespace
{

// Three routing workers and a "main" worker, each on its own thread.
struct Workers
{
    static constexpr int N = 3;
    std::vector<std::unique_ptr<Worker>> routing;
    Worker main{-1};

    Workers()
    {
        std::vector<Worker*> raw;
        for (int i = 0; i < N; ++i)
        {
            routing.push_back(std::make_unique<Worker>(i));
            raw.push_back(routing.back().get());
        }
        set_routing_workers(raw);
        for (auto& w : routing)
        {
            w->start_thread();
        }
        main.start_thread();
    }
    ~Workers()
    {
        main.stop();
        main.join();
        for (auto& w : routing)
        {
            w->stop();
            w->join();
        }
        set_routing_workers({});
    }
    // Runs fn on the main worker and waits for what it hands to `done`.
    template <class T>
    T on_main(std::function<void(std::function<void(T)>)> fn)
    {
        std::promise<T> p;
        main.post([&]() { fn([&](T v) { p.set_value(std::move(v)); }); });
        auto f = p.get_future();
        EXPECT_EQ(f.wait_for(std::chrono::seconds(10)), std::future_status::ready);
        return f.get();
    }
};

}  // namespace

TEST(Worker, FanOutCollectsOnEachWorkerAndAnswersOnTheCaller)
{
    Workers w;
    struct Seen
    {
        std::vector<int> ids;
        bool done_on_main = false;
    };
    Seen seen = w.on_main<Seen>(
        [&](std::function<void(Seen)> give)
        {
            fan_out<int>([](Worker& worker)
                         { return current_routing_worker() == worker.id() ? worker.id() : -9; },
                         [&, give](std::vector<int> ids) {
                             give(Seen{std::move(ids), w.main.is_current()});
                         });
        });
    EXPECT_EQ(seen.ids, (std::vector<int>{0, 1, 2}));
    EXPECT_TRUE(seen.done_on_main);
}

TEST(Worker, BroadcastRunsOnEveryWorkerThread)
{
    Workers w;
    std::promise<void> all;
    std::atomic<int> left{Workers::N};
    std::mutex lock;
    std::set<std::thread::id> threads;
    broadcast(
        [&](Worker& worker)
        {
            EXPECT_TRUE(worker.is_current());
            {
                std::lock_guard<std::mutex> g(lock);
                threads.insert(std::this_thread::get_id());
            }
            if (--left == 0)
            {
                all.set_value();
            }
        });
    ASSERT_EQ(all.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
    EXPECT_EQ(threads.size(), static_cast<size_t>(Workers::N));
}

TEST(Worker, WorkerLocalGivesEachWorkerItsOwnValue)
{
    Workers w;
    WorkerLocal<int> counter;
    // Each worker adds its index + 1 to its own value, twice.
    for (int round = 0; round < 2; ++round)
    {
        w.on_main<int>(
            [&](std::function<void(int)> give) {
                counter.run_on_all([](int& v) { v += current_routing_worker() + 1; },
                                   [give]() { give(0); });
            });
    }
    std::vector<int> values = w.on_main<std::vector<int>>(
        [&](std::function<void(std::vector<int>)> give)
        { fan_out<int>([&](Worker& worker) { return counter.local(); }, give); });
    EXPECT_EQ(values, (std::vector<int>{2, 4, 6}));
    // run_on reaches one worker; an index with no worker is refused.
    int got = w.on_main<int>(
        [&](std::function<void(int)> give)
        {
            Worker* origin = Worker::current();
            EXPECT_TRUE(counter.run_on(
                1, [origin, give](int& v) { origin->post([give, v]() { give(v); }); }));
        });
    EXPECT_EQ(got, 4);
    EXPECT_FALSE(counter.run_on(Workers::N, [](int&) {}));
    EXPECT_FALSE(counter.run_on(-1, [](int&) {}));
}

TEST(Worker, SessionIdsNameTheirWorker)
{
    Workers w;
    // Ids made on each worker map back to it and never collide.
    std::vector<std::vector<uint64_t>> per_worker = w.on_main<std::vector<std::vector<uint64_t>>>(
        [&](std::function<void(std::vector<std::vector<uint64_t>>)> give)
        {
            fan_out<std::vector<uint64_t>>(
                [](Worker&)
                {
                    std::vector<uint64_t> ids;
                    for (int i = 0; i < 100; ++i)
                    {
                        ids.push_back(next_session_id());
                    }
                    return ids;
                },
                give);
        });
    std::set<uint64_t> all;
    for (int i = 0; i < Workers::N; ++i)
    {
        for (uint64_t id : per_worker[i])
        {
            EXPECT_GT(id, 0u);
            EXPECT_EQ(session_owner(id), w.routing[i].get()) << id;
            all.insert(id);
        }
    }
    EXPECT_EQ(all.size(), static_cast<size_t>(Workers::N * 100));
}

TEST(Worker, NoRoutingWorkersMeansNoOwner)
{
    set_routing_workers({});
    EXPECT_EQ(session_owner(7), nullptr);
    EXPECT_EQ(current_routing_worker(), -1);
}
