#include "sqlgate/mariadb/kill.hh"

#include <functional>
#include <memory>
#include <vector>

#include "sqlgate/log.hh"
#include "sqlgate/mariadb/session_data.hh"

namespace sqlgate::mariadb
{
namespace
{
using Done = std::function<void(bool ok)>;

/// One extra connection that sends "KILL QUERY <thread id>" to a server as the
/// target session's user. Owned by the target session's SessionData; reports
/// exactly once (from its destructor at the latest).
class KillTask : public BackendHandler
{
public:
    KillTask(Session& target, Done done) : m_target(target), m_done(std::move(done)) {}
    ~KillTask() override { report(false); }

    void start(const ServerPtr& server, uint64_t thread_id)
    {
        m_conn = m_target.connect(server, *this);
        if (!m_conn)
        {
            report(false);
            return;
        }
        std::string sql = "KILL QUERY " + std::to_string(thread_id);
        std::string payload(1, static_cast<char>(COM_QUERY));
        payload += sql;
        m_conn->write(make_packet(0, payload));
    }
    bool backend_reply(BackendConnection& conn, Buffer&&, const Reply& reply) override
    {
        if (reply.complete)
        {
            if (reply.is_error)
            {
                SG_WARNING("KILL QUERY on %s failed: %s", conn.server().name().c_str(),
                           reply.error_message.c_str());
            }
            report(!reply.is_error);
            m_target.release(&conn);
        }
        return true;
    }
    void backend_error(BackendConnection& conn, const std::string& reason, bool) override
    {
        SG_WARNING("KILL QUERY on %s failed: %s", conn.server().name().c_str(), reason.c_str());
        report(false);
    }

private:
    void report(bool ok)
    {
        if (m_done)
        {
            Done d = std::move(m_done);
            m_done = nullptr;
            d(ok);
        }
    }
    Session& m_target;
    Done m_done;
    BackendConnection* m_conn = nullptr;
};
}  // namespace

void kill_running_query(Session& target, std::function<void()> done)
{
    std::vector<BackendConnection*> busy;
    for (const auto& b : target.backends())
    {
        if (b->state() == BackendState::ROUTING && b->busy())
        {
            busy.push_back(b.get());
        }
    }
    if (busy.empty())
    {
        done();
        return;
    }
    auto left = std::make_shared<size_t>(busy.size());
    auto shared_done = std::make_shared<std::function<void()>>(std::move(done));
    auto* tdata = static_cast<SessionData*>(target.protocol_data());
    for (BackendConnection* b : busy)
    {
        auto task = std::make_unique<KillTask>(target,
                                               [left, shared_done](bool)
                                               {
                                                   if (--*left == 0)
                                                   {
                                                       (*shared_done)();
                                                   }
                                               });
        KillTask* t = task.get();
        tdata->kill_tasks.push_back(std::move(task));
        t->start(b->server_ptr(), b->backend_id());
    }
}

}  // namespace sqlgate::mariadb
