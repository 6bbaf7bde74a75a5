// The fixture of the Session tests: a service with a mock router (and mock filters on
// request), sessions of a mock protocol on a TestWorker, and a fake server to connect
// backends to.
#pragma once

#include <gtest/gtest.h>

#include "mocks/chain.hh"
#include "mocks/loop.hh"
#include "mocks/protocol.hh"
#include "sqlgate/service.hh"
#include "sqlgate/session.hh"

namespace sqlgate::test
{

class SessionTest : public ::testing::Test
{
protected:
    void SetUp() override
    {
        service = std::make_shared<Service>();
        service->name = "svc";
        service->router = router;
        router->log = &log;
    }
    void TearDown() override { w.close_sessions(); }

    void add_filter(const std::string& name)
    {
        auto def = std::make_shared<FilterDef>();
        def->name = name;
        def->instance = std::make_shared<mocks::MockFilter>(name, &log);
        service->filters.push_back(def);
    }
    /// A registered session whose client is a MockClient without a socket.
    Session* new_session(uint64_t id = 1)
    {
        auto* s = new Session(id, w.worker(), service, protocol, "listener");
        s->set_user("alice");
        s->attach_detached_client(std::make_unique<mocks::MockClient>(*s));
        w.add_session(s);
        return s;
    }
    /// A registered session whose MockClient has a real socket: @c peer is its client.
    Session* new_connected_session(mocks::Peer& peer, uint64_t id = 1)
    {
        Stream* accepted = nullptr;
        mocks::Listener l(w.worker(), [&](Stream* s) { accepted = s; });
        peer.connect(w.worker(), l.port());
        EXPECT_TRUE(w.run_until([&]() { return accepted && peer.connected(); }));
        auto* s = new Session(id, w.worker(), service, protocol, "listener");
        auto client = std::make_unique<mocks::MockClient>(*s);
        accepted->set_handler(client.get());
        s->attach_client(accepted, std::move(client));
        w.add_session(s);
        return s;
    }
    static mocks::MockClient& client_of(Session* s)
    {
        return *static_cast<mocks::MockClient*>(s->client());
    }
    /// A server at the fake server's address.
    ServerPtr fake_server(const std::string& name = "db1")
    {
        return std::make_shared<Server>(name, "127.0.0.1", server_listener.port());
    }

    mocks::TestWorker w;
    mocks::Log log;
    std::shared_ptr<mocks::MockRouter> router = std::make_shared<mocks::MockRouter>();
    std::shared_ptr<mocks::MockProtocol> protocol = std::make_shared<mocks::MockProtocol>();
    std::shared_ptr<Service> service;
    /// The fake server: each backend connection's far end, in connection order.
    std::vector<std::unique_ptr<mocks::Peer>> server_side;
    mocks::Listener server_listener{w.worker(), [this](Stream* s)
                                    {
                                        server_side.push_back(std::make_unique<mocks::Peer>());
                                        server_side.back()->attach(s);
                                    }};
};

}  // namespace sqlgate::test
