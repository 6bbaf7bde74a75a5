#define SQLGATE_MODULE_NAME "mariadbprotocol"
#include <map>
#include <mutex>

#include "client.hh"
#include "mariadbprotocol.hh"
#include "sqlgate/module.hh"

namespace sqlgate::mariadbprotocol
{
namespace
{
// One account cache per service, shared by the service's listeners.
std::mutex managers_lock;
std::map<std::string, std::weak_ptr<mariadb::UserManager>> managers;

const Specification& spec()
{
    static const Specification s("mariadbprotocol", {});
    return s;
}

std::unique_ptr<Protocol> create(const ObjectConfig& listener,
                                 std::shared_ptr<const Service> service, std::string& error)
{
    std::lock_guard<std::mutex> guard(managers_lock);
    std::shared_ptr<mariadb::UserManager> users = managers[service->name].lock();
    if (!users)
    {
        users = std::make_shared<mariadb::UserManager>(service);
        managers[service->name] = users;
    }
    return std::make_unique<MariaDBProtocol>(std::move(service), std::move(users));
}
}  // namespace

}  // namespace sqlgate::mariadbprotocol

SQLGATE_MODULE_ENTRY
{
    static const sqlgate::ModuleInfo info = {
        sqlgate::SQLGATE_ABI,
        "mariadbprotocol",
        sqlgate::ModuleKind::PROTOCOL,
        "1.0.0",
        "GA",
        "MariaDB client/server protocol: client logins checked by sqlgate, backends logged in "
        "as the client",
        &sqlgate::mariadbprotocol::spec(),
        nullptr,
        nullptr,
        &sqlgate::mariadbprotocol::create,
        nullptr,
        nullptr,
    };
    return &info;
}
