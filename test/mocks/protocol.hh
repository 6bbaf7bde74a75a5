// Fake connections for session and router unit tests: a client connection that
// records what the session sends it, a backend connection that records the commands
// written to it and lets the test answer for the server, and a protocol making them.
// Their streams are real (the session connects backends to a real address).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "mocks/chain.hh"
#include "sqlgate/protocol.hh"
#include "sqlgate/session.hh"

namespace sqlgate::mocks
{

/// A client connection: records replies and the error it was closed with. Like a real
/// one it closes the session in send_error_and_close() and when its peer goes away.
class MockClient : public ClientConnection
{
public:
    explicit MockClient(Session& session) : m_session(session) {}
    ~MockClient() override
    {
        if (destroyed)
        {
            *destroyed = true;
        }
    }

    void start() override { started = true; }
    bool client_reply(Buffer&& d, const Reply& reply) override
    {
        data.push_back(d.to_string());
        replies.push_back(reply);
        if (Stream* s = m_session.client_stream())
        {
            s->write(Buffer::copy_of(data.back()));
        }
        return reply_result;
    }
    void send_error_and_close(int code, const std::string& message) override
    {
        error_code = code;
        error_message = message;
        m_session.close(message);
    }
    void on_read(Buffer&& d) override { input += d.to_string(); }
    void on_error(int) override { m_session.close("client closed the connection"); }
    void on_write_high() override { m_session.throttle_backends(true); }
    void on_write_low() override { m_session.throttle_backends(false); }

    bool started = false;
    std::vector<std::string> data;  ///< each reply piece, bytes as delivered
    std::vector<Reply> replies;
    std::string input;  ///< what the client's socket read
    int error_code = 0;
    std::string error_message;
    bool reply_result = true;   ///< what client_reply() returns
    bool* destroyed = nullptr;  ///< set to true by the destructor

private:
    Session& m_session;
};

/// A backend connection: records the commands written to it; the test plays the
/// server with reply() and fail(), which call the handler as a real backend does.
class MockBackend : public BackendConnection
{
public:
    using BackendConnection::BackendConnection;
    ~MockBackend() override
    {
        if (destroyed)
        {
            *destroyed = true;
        }
    }

    bool write(Buffer&& command) override
    {
        if (m_state == BackendState::FAILED || m_state == BackendState::CLOSED)
        {
            return false;
        }
        written.push_back(command.to_string());
        return true;
    }
    bool busy() const override { return is_busy; }
    std::vector<Buffer> take_unsent() override
    {
        std::vector<Buffer> out;
        for (const std::string& s : unsent)
        {
            out.push_back(Buffer::copy_of(s));
        }
        unsent.clear();
        return out;
    }

    void on_connected(int status) override
    {
        connect_status = status;
        if (status == 0)
        {
            m_state = BackendState::ROUTING;
            m_stream->read_start();
        }
    }
    void on_read(Buffer&& d) override { input += d.to_string(); }
    void on_error(int status) override { fail("connection closed by server", false); }

    /// A piece of a reply from the server, up to the handler.
    bool reply(std::string_view bytes, const Reply& r)
    {
        return m_handler->backend_reply(*this, Buffer::copy_of(bytes), r);
    }
    /// The connection fails: closed, then the handler is told.
    void fail(const std::string& reason, bool reply_started)
    {
        m_state = BackendState::FAILED;
        close();
        m_handler->backend_error(*this, reason, reply_started);
    }

    std::vector<std::string> written;  ///< each command, bytes as written
    std::vector<std::string> unsent;   ///< what take_unsent() hands back
    std::string input;                 ///< what the socket read
    bool is_busy = false;
    int connect_status = 1;  ///< on_connected()'s status (1: not called yet)
    bool* destroyed = nullptr;
};

/// Makes MockClients and MockBackends and remembers them (the sessions own them: the
/// pointers dangle once a session is freed).
class MockProtocol : public Protocol
{
public:
    std::unique_ptr<ClientConnection> new_client(Session& session, Stream&) override
    {
        auto c = std::make_unique<MockClient>(session);
        clients.push_back(c.get());
        return c;
    }
    std::unique_ptr<BackendConnection> new_backend(Session&, ServerPtr server,
                                                   BackendHandler& handler) override
    {
        auto b = std::make_unique<MockBackend>(std::move(server), handler);
        backends.push_back(b.get());
        return b;
    }

    std::vector<MockClient*> clients;
    std::vector<MockBackend*> backends;
};

/// A BackendHandler that records what its connections report.
struct RecordingHandler : BackendHandler
{
    bool backend_reply(BackendConnection&, Buffer&& piece, const Reply& reply) override
    {
        data.push_back(piece.to_string());
        replies.push_back(reply);
        return true;
    }
    void backend_error(BackendConnection& conn, const std::string& reason, bool started) override
    {
        errors.push_back(reason);
        reply_started.push_back(started);
        if (on_error)
        {
            on_error(conn);
        }
    }
    /// The bytes of every piece so far, joined.
    std::string joined() const
    {
        std::string out;
        for (const std::string& d : data)
        {
            out += d;
        }
        return out;
    }
    /// How many pieces ended a reply.
    size_t complete() const
    {
        size_t n = 0;
        for (const Reply& r : replies)
        {
            n += r.complete ? 1 : 0;
        }
        return n;
    }
    std::function<void(BackendConnection&)> on_error;  ///< called after recording an error
    std::vector<std::string> data;
    std::vector<Reply> replies;
    std::vector<std::string> errors;
    std::vector<bool> reply_started;
};

}  // namespace sqlgate::mocks
