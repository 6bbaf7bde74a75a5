// GET and DELETE /admin/requests/running: the running requests of every
// worker, and cancelling them (KILL QUERY) by client_context_id or request_id.
#define SQLGATE_MODULE_NAME "queryservice"
#include <atomic>
#include <mutex>

#include "request.hh"
#include "sqlgate/worker.hh"

namespace sqlgate::queryservice
{

void WorkerState::handle_running(const ExchangePtr& ex)
{
    QueryService& service = m_service;
    with_login(
        service, ex,
        [&service, ex](const httpsql::Login& login)
        {
            auto user = login.user;
            bool super = login.super_priv;
            if (ex->method == "GET")
            {
                auto list = std::shared_ptr<json_t>(json_array(), json_decref);
                auto lock = std::make_shared<std::mutex>();
                service.workers().run_on_all(
                    [list, lock, user, super](WorkerState*& slot)
                    {
                        if (!slot)
                        {
                            return;
                        }
                        WorkerState& ws = *slot;
                        for (auto& [id, r] : ws.running())
                        {
                            if (super || r->user() == user)
                            {
                                std::lock_guard<std::mutex> g(*lock);
                                json_array_append_new(list.get(), r->running_json());
                            }
                        }
                    },
                    [ex, list]()
                    {
                        char* s = json_dumps(list.get(), JSON_INDENT(2));
                        ex->reply(200, std::string(s ? s : "[]") + "\n");
                        free(s);
                    });
                return;
            }
            const std::string* ctx = ex->param("client_context_id");
            const std::string* rid = ex->param("request_id");
            if (!ctx && !rid)
            {
                ex->reply(400, error_body("fatal", 1,
                                          "give client_context_id=... or request_id=... to say "
                                          "which request to cancel"));
                return;
            }
            std::string want_ctx = ctx ? *ctx : "";
            std::string want_id = rid ? *rid : "";
            struct Tally
            {
                std::atomic<int> found{0}, refused{0}, pending{1};
                Worker* origin;
                ExchangePtr ex;
                void settle()
                {
                    if (pending.fetch_sub(1) == 1)
                    {
                        origin->post(
                            [this_ = this]()
                            {
                                ExchangePtr e = this_->ex;
                                if (this_->found > 0)
                                {
                                    e->reply(200, "{\"status\": \"cancelled\", \"count\": " +
                                                      std::to_string(this_->found.load()) + "}\n");
                                }
                                else if (this_->refused > 0)
                                {
                                    e->reply(403, error_body("fatal", 1,
                                                             "the request belongs to another "
                                                             "user"));
                                }
                                else
                                {
                                    e->reply(404,
                                             error_body("fatal", 1, "no running request matches"));
                                }
                                delete this_;
                            });
                    }
                }
            };
            auto* tally = new Tally;
            tally->origin = Worker::current();
            tally->ex = ex;
            service.workers().run_on_all(
                [tally, want_ctx, want_id, user, super](WorkerState*& slot)
                {
                    if (!slot)
                    {
                        return;
                    }
                    WorkerState& ws = *slot;
                    std::vector<std::shared_ptr<QueryRequest>> matches;
                    for (auto& [id, r] : ws.running())
                    {
                        if ((!want_ctx.empty() && r->client_context_id() == want_ctx) ||
                            (!want_id.empty() && r->request_id() == want_id))
                        {
                            matches.push_back(r);
                        }
                    }
                    for (auto& r : matches)
                    {
                        if (!super && r->user() != user)
                        {
                            ++tally->refused;
                            continue;
                        }
                        ++tally->found;
                        ++tally->pending;
                        r->cancel([tally]() { tally->settle(); });
                    }
                },
                [tally]() { tally->settle(); });
        });
}

}  // namespace sqlgate::queryservice
