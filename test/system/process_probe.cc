#include "process_probe.hh"

#include <cstdlib>
#include <fstream>

using namespace std::chrono_literals;

namespace sqlgate::test
{

int64_t rss_kib(pid_t pid)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line))
    {
        if (line.rfind("VmRSS:", 0) == 0)
        {
            return strtoll(line.c_str() + 6, nullptr, 10);
        }
    }
    return -1;
}

::testing::AssertionResult rss_ok(int64_t kib, pid_t pid)
{
    if (kib > 0)
    {
        return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure() << "cannot read VmRSS of process " << pid << " (got "
                                         << kib << " from /proc/" << pid << "/status)";
}

RssSampler::RssSampler(pid_t pid) : m_pid(pid)
{
    sample();  // the first one before the constructor returns
    m_thread = std::thread(
        [this]()
        {
            while (!m_stop)
            {
                std::this_thread::sleep_for(20ms);
                sample();
            }
        });
}

void RssSampler::sample()
{
    int64_t v = rss_kib(m_pid);
    if (v <= 0)
    {
        ++m_failures;
    }
    else if (v > m_max)
    {
        m_max = v;
    }
    ++m_samples;
}

::testing::AssertionResult RssSampler::ok() const
{
    if (m_samples > 0 && m_failures == 0)
    {
        return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure()
           << "the VmRSS of process " << m_pid << " could not be read in " << m_failures << " of "
           << m_samples << " samples";
}

RssSampler::~RssSampler()
{
    m_stop = true;
    m_thread.join();
}

MysqlPtr primary_root()
{
    return MysqlPtr(connect(shared_cluster().primary_port(), "root", ""));
}

int backend_queries(MYSQL* root, const std::string& like)
{
    QueryResult q =
        query(root, "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE '" + like +
                        "' AND ID <> CONNECTION_ID()");
    return q.ok ? atoi(q.value().c_str()) : -1;
}

}  // namespace sqlgate::test
