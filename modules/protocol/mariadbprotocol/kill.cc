#define SQLGATE_MODULE_NAME "mariadbprotocol"
#include "kill.hh"

#include <strings.h>

#include <cstring>
#include <string>

#include "client.hh"
#include "mariadbprotocol.hh"
#include "sqlgate/log.hh"
#include "sqlgate/mariadb/kill.hh"
#include "sqlgate/worker.hh"

namespace sqlgate::mariadbprotocol
{
bool parse_kill(const std::string& sql, uint64_t& id, bool& query_only)
{
    size_t i = 0;
    auto skip_ws = [&]()
    {
        while (i < sql.size() && isspace(static_cast<unsigned char>(sql[i])))
        {
            ++i;
        }
    };
    auto word = [&](const char* w)
    {
        size_t n = strlen(w);
        if (sql.size() - i >= n && strncasecmp(sql.c_str() + i, w, n) == 0 &&
            (i + n == sql.size() || isspace(static_cast<unsigned char>(sql[i + n]))))
        {
            i += n;
            return true;
        }
        return false;
    };
    skip_ws();
    if (!word("KILL"))
    {
        return false;
    }
    skip_ws();
    query_only = false;
    if (word("QUERY"))
    {
        query_only = true;
    }
    else if (word("CONNECTION"))
    {
    }
    skip_ws();
    size_t start = i;
    while (i < sql.size() && isdigit(static_cast<unsigned char>(sql[i])))
    {
        ++i;
    }
    if (i == start || i - start > 19)
    {
        return false;
    }
    id = std::stoull(sql.substr(start, i - start));
    skip_ws();
    if (i < sql.size() && sql[i] == ';')
    {
        ++i;
        skip_ws();
    }
    return i == sql.size();
}
bool looks_like_kill(const Buffer& packet)
{
    unsigned char b[16];
    size_t n = packet.copy_out(mariadb::HEADER_LEN + 1, b, sizeof(b));
    for (size_t i = 0; i < n; ++i)
    {
        if (!isspace(b[i]))
        {
            return b[i] == 'k' || b[i] == 'K';
        }
    }
    return false;
}

void start_kill(Session& killer, uint64_t target_id, bool query_only)
{
    uint64_t killer_id = killer.id();
    Worker* killer_worker = &killer.worker();
    auto* kdata = static_cast<mariadb::SessionData*>(killer.protocol_data());
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

    Session::run_on_owner(
        target_id,
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
                SG_INFO("Session %lu killed by session %lu", (unsigned long)target_id,
                        (unsigned long)killer_id);
                answer(true, 0, "");
                if (target->client())
                {
                    target->client()->send_error_and_close(1927, "Connection was killed");
                }
                return;
            }
            mariadb::kill_running_query(*target, [answer]() { answer(true, 0, ""); });
        });
}

}  // namespace sqlgate::mariadbprotocol
