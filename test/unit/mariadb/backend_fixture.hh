// The fixture of the MariaDBBackend tests: a session on a TestWorker whose protocol
// data is what a client's login left (user app, password app_pw, database test, the
// mariadb CLI's capabilities), one backend connection made by Session::connect() and
// the fake server at its far end, which plays the captures of capture_login.py.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "mocks/loop.hh"
#include "mocks/protocol.hh"
#include "reply_fixture.hh"
#include "sqlgate/mariadb/backend.hh"
#include "sqlgate/mariadb/session_data.hh"

namespace sqlgate::mariadb::test
{

constexpr const char* NATIVE = "mysql_native_password";

/// Makes only MariaDB backends.
struct BackendProtocol : Protocol
{
    std::unique_ptr<ClientConnection> new_client(Session&, Stream&) override { return nullptr; }
    std::unique_ptr<BackendConnection> new_backend(Session& session, ServerPtr server,
                                                   BackendHandler& handler) override
    {
        return std::make_unique<MariaDBBackend>(session, std::move(server), handler);
    }
};

/// The records of a capture_login.py capture of one tag, in order.
inline std::vector<std::string> records(const std::string& fixture, char tag)
{
    std::vector<std::string> out;
    for (const Record& r : load(fixture))
    {
        if (r.tag == tag)
        {
            out.push_back(r.data);
        }
    }
    return out;
}

inline std::string payload(const std::string& packet)
{
    return packet.substr(HEADER_LEN);
}

/// The mariadb CLI's handshake response (handshake_response_mariadb_cli.bin).
inline HandshakeResponse cli_response()
{
    std::ifstream in(std::string(SQLGATE_SOURCE_DIR) +
                         "/test/unit/fixtures/mariadb/handshake_response_mariadb_cli.bin",
                     std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    HandshakeResponse r;
    bool ssl = false;
    std::string error;
    EXPECT_TRUE(parse_handshake_response(payload(ss.str()), r, ssl, error)) << error;
    return r;
}

class BackendTest : public ::testing::Test
{
protected:
    void SetUp() override;
    void TearDown() override { w.close_sessions(); }

    /// Connect the backend (unless the test did) and wait for the fake server to accept it.
    mocks::Peer& connect();
    /// Play @c fixture's login (its first two server records): greeting, then the
    /// OK or whatever came; returns the login the backend sent. Connects first unless
    /// the test did.
    std::string log_in(const std::string& fixture = "login_ok.bin");
    /// Write @c command to the backend and return what the server then reads (the
    /// whole of @c expect_bytes' length; "" on a timeout).
    std::string write_and_read(const std::string& command, size_t expect_bytes = 0);
    /// Run until the handler got @c n complete replies.
    bool wait_replies(size_t n);
    bool wait_error()
    {
        return w.run_until([&]() { return !handler.errors.empty(); });
    }

    mocks::TestWorker w;
    std::vector<std::unique_ptr<mocks::Peer>> server_side;
    mocks::Listener listener{w.worker(), [this](Stream* s)
                             {
                                 server_side.push_back(std::make_unique<mocks::Peer>());
                                 server_side.back()->attach(s);
                             }};
    ServerPtr server = std::make_shared<Server>("db1", "127.0.0.1", listener.port());
    std::shared_ptr<Service> service = std::make_shared<Service>();
    std::shared_ptr<BackendProtocol> protocol = std::make_shared<BackendProtocol>();
    mocks::RecordingHandler handler;
    Session* session = nullptr;
    SessionData* data = nullptr;
    MariaDBBackend* backend = nullptr;
    mocks::Peer* fake = nullptr;  ///< the fake server's end of the backend connection
};

inline void BackendTest::SetUp()
{
    service->name = "svc";
    session = new Session(7, w.worker(), service, protocol, "listener");
    session->set_user("app");
    session->set_database("test");
    auto d = std::make_unique<SessionData>();
    HandshakeResponse cli = cli_response();
    d->capabilities = cli.capabilities & SUPPORTED_CAPS;
    d->charset = cli.charset;
    d->attributes = cli.attributes;
    d->sha1_password = sha1("app_pw");
    d->has_password = true;
    data = d.get();
    session->set_protocol_data(std::move(d));
    w.add_session(session);
}

inline mocks::Peer& BackendTest::connect()
{
    if (!backend)
    {
        backend = static_cast<MariaDBBackend*>(session->connect(server, handler));
    }
    EXPECT_NE(backend, nullptr);
    EXPECT_TRUE(w.run_until(
        [&]() { return !server_side.empty() && backend->state() != BackendState::CONNECTING; }));
    fake = server_side.empty() ? nullptr : server_side[0].get();
    return *fake;
}

inline std::string BackendTest::log_in(const std::string& fixture)
{
    std::vector<std::string> s = records(fixture, 'S');
    if (!fake)
    {
        connect();
    }
    fake->send(s[0]);
    std::string login = mocks::read_packet(w, *fake);
    fake->send(s[1]);
    w.run_until([&]() { return backend->state() != BackendState::AUTHENTICATING; });
    return login;
}

inline std::string BackendTest::write_and_read(const std::string& command, size_t expect_bytes)
{
    size_t n = expect_bytes ? expect_bytes : command.size();
    EXPECT_TRUE(backend->write(Buffer::copy_of(command)));
    if (!w.run_until([&]() { return fake->input().size() >= n; }))
    {
        return "";
    }
    return fake->take_all();
}

inline bool BackendTest::wait_replies(size_t n)
{
    return w.run_until([&]() { return handler.complete() >= n; });
}

}  // namespace sqlgate::mariadb::test
