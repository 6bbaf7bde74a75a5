#define SQLGATE_MODULE_NAME "mariadbprotocol"
#include "kill.hh"

#include <functional>
#include <memory>
#include <vector>

#include "client.hh"
#include "protocol.hh"
#include "sqlgate/log.hh"
#include "sqlgate/worker.hh"

namespace sqlgate::mariadbprotocol
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
        std::string payload(1, static_cast<char>(mariadb::COM_QUERY));
        payload += sql;
        m_conn->write(mariadb::make_packet(0, payload));
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

void start_kill(Session& killer, uint64_t target_id, bool query_only)
{
    uint64_t killer_id = killer.id();
    Worker* killer_worker = &killer.worker();
    auto* kdata = static_cast<SessionData*>(killer.protocol_data());
    bool super = kdata && kdata->super_priv;
    std::string killer_user = killer.user();

    auto answer = [killer_id, killer_worker](bool ok, uint16_t code, std::string msg)
    {
        killer_worker->post(
            [=]()
            {
                if (Session* s = Session::find_local(killer_id))
                {
                    static_cast<MariaDBClient*>(s->client())->kill_done(ok, code, msg);
                }
            });
    };

    Session::run_on_owner(target_id,
                          [=](Session* target)
                          {
                              std::string id = std::to_string(target_id);
                              if (!target)
                              {
                                  answer(false, 1094, "Unknown thread id: " + id);
                                  return;
                              }
                              if (target->user() != killer_user && !super)
                              {
                                  answer(false, 1095, "You are not owner of thread " + id);
                                  return;
                              }
                              if (!query_only)
                              {
                                  SG_INFO("Session %lu killed by session %lu",
                                          (unsigned long)target_id, (unsigned long)killer_id);
                                  answer(true, 0, "");
                                  if (target->client())
                                  {
                                      target->client()->send_error_and_close(
                                          1927, "Connection was killed");
                                  }
                                  return;
                              }
                              kill_running_query(*target, [answer]() { answer(true, 0, ""); });
                          });
}

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

}  // namespace sqlgate::mariadbprotocol
