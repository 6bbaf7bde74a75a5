// server/core/stream.cc: writes, the write queue's high/low water marks and
// their statistics, over a real loopback TCP connection.
#include "sqlgate/stream.hh"

#include <gtest/gtest.h>

#include <arpa/inet.h>

#include <chrono>
#include <string>

#include "sqlgate/worker.hh"

using namespace sqlgate;

namespace
{
struct Recorder : StreamHandler
{
    std::string data;
    int highs = 0, lows = 0, errors = 0, connected = -1;
    void on_read(Buffer&& b) override { data += b.to_string(); }
    void on_error(int) override { ++errors; }
    void on_connected(int status) override { connected = status; }
    void on_write_high() override { ++highs; }
    void on_write_low() override { ++lows; }
};

class StreamTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        uv_tcp_init(worker.loop(), &listener);
        listener.data = this;
        sockaddr_in a;
        uv_ip4_addr("127.0.0.1", 0, &a);
        ASSERT_EQ(uv_tcp_bind(&listener, reinterpret_cast<sockaddr*>(&a), 0), 0);
        ASSERT_EQ(uv_listen(reinterpret_cast<uv_stream_t*>(&listener), 8,
                            [](uv_stream_t* s, int)
                            {
                                auto* self = static_cast<StreamTest*>(s->data);
                                self->server = Stream::create(self->worker, &self->server_side);
                                self->server->accept_from(s);
                            }),
                  0);
        sockaddr_in bound;
        int len = sizeof(bound);
        uv_tcp_getsockname(&listener, reinterpret_cast<sockaddr*>(&bound), &len);
        client = Stream::create(worker, &client_side);
        ASSERT_EQ(client->connect("127.0.0.1", ntohs(bound.sin_port)), 0);
        ASSERT_TRUE(run_until([&]() { return server && client_side.connected == 0; }));
    }
    void TearDown() override
    {
        if (client)
        {
            client->close();
        }
        if (server)
        {
            server->close();
        }
        uv_close(reinterpret_cast<uv_handle_t*>(&listener), nullptr);
        uv_run(worker.loop(), UV_RUN_NOWAIT);
    }
    template <class Fn>
    bool run_until(Fn done, std::chrono::milliseconds timeout = std::chrono::seconds(5))
    {
        auto end = std::chrono::steady_clock::now() + timeout;
        while (!done() && std::chrono::steady_clock::now() < end)
        {
            uv_run(worker.loop(), UV_RUN_NOWAIT);
        }
        return done();
    }

    Worker worker{0};
    uv_tcp_t listener;
    Recorder server_side, client_side;
    Stream* server = nullptr;
    Stream* client = nullptr;
};

TEST_F(StreamTest, SmallWriteGoesStraightThrough)
{
    client->read_start();
    ASSERT_TRUE(server->write(Buffer::copy_of("ping")));
    ASSERT_TRUE(run_until([&]() { return client_side.data == "ping"; }));
    EXPECT_EQ(server->stats().writes, 1u);
    EXPECT_EQ(server->stats().buffered_writes, 0u);
    EXPECT_EQ(server->write_queue_size(), 0u);
    EXPECT_GE(client->stats().reads, 1u);
    EXPECT_EQ(client->stats().bytes_read, 4u);
}

TEST_F(StreamTest, SlowPeerCrossesHighThenLowWater)
{
    server->set_water_marks(256 * 1024, 16 * 1024);
    // The client does not read: the kernel buffers fill and writes queue up.
    std::string chunk(64 * 1024, 'z');
    size_t sent = 0;
    while (server_side.highs == 0 && sent < (64u << 20))
    {
        ASSERT_TRUE(server->write(Buffer::copy_of(chunk)));
        sent += chunk.size();
        uv_run(worker.loop(), UV_RUN_NOWAIT);
    }
    EXPECT_EQ(server_side.highs, 1);
    EXPECT_EQ(server->stats().high_water_events, 1u);
    EXPECT_GT(server->stats().buffered_writes, 0u);
    EXPECT_GT(server->write_queue_size(), 256u * 1024);
    EXPECT_EQ(server_side.lows, 0);

    // The client reads again: the queue drains below low water.
    client->read_start();
    ASSERT_TRUE(run_until([&]() { return client_side.data.size() == sent; }));
    EXPECT_EQ(server_side.lows, 1);
    EXPECT_EQ(server->stats().low_water_events, 1u);
    EXPECT_EQ(server->write_queue_size(), 0u);
    EXPECT_EQ(server->stats().bytes_written, sent);
}

TEST_F(StreamTest, PeerCloseIsReportedOnce)
{
    server->read_start();
    client->close();
    client = nullptr;
    ASSERT_TRUE(run_until([&]() { return server_side.errors == 1; }));
    uv_run(worker.loop(), UV_RUN_NOWAIT);
    EXPECT_EQ(server_side.errors, 1);
    EXPECT_FALSE(server->write(Buffer::copy_of("x")) && server_side.errors > 1);
}

TEST_F(StreamTest, FlushingCloseGivesUpOnAPeerThatNeverReads)
{
    server->set_water_marks(64 * 1024, 1024);
    std::string chunk(64 * 1024, 'q');
    for (int i = 0; i < 400 && server->write_queue_size() < (1u << 20); ++i)
    {
        ASSERT_TRUE(server->write(Buffer::copy_of(chunk)));
        uv_run(worker.loop(), UV_RUN_NOWAIT);
    }
    ASSERT_GE(server->write_queue_size(), 1u << 20);  // at least 16 blocks of 64 KiB
    int64_t queued_blocks = Block::live_blocks();
    server->close(true);  // waits for the queue... but not forever
    server = nullptr;
    // The client does not read for longer than the flush timeout: the stream
    // must give up, cancel its queued writes and free their blocks.
    auto start = std::chrono::steady_clock::now();
    ASSERT_TRUE(run_until([&]() { return Block::live_blocks() <= queued_blocks - 16; },
                          std::chrono::seconds(10)));
    auto took = std::chrono::steady_clock::now() - start;
    EXPECT_GE(took, std::chrono::milliseconds(1500));
    EXPECT_LT(took, std::chrono::seconds(5));
    client->read_start();
    ASSERT_TRUE(run_until([&]() { return client_side.errors == 1; }));
}

}  // namespace
