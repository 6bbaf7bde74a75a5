// The real sqlgate with its REST API on a free port, in front of the shared cluster,
// for the admin API tests.
#pragma once

#include <gtest/gtest.h>

#include <stdlib.h>

#include <memory>
#include <string>
#include <vector>

#include "harness.hh"
#include "http_client.hh"

namespace sqlgate::test
{

struct AdminGate
{
    int port = free_port();
    int admin = free_port();
    std::unique_ptr<SqlGate> gate;

    explicit AdminGate(const std::vector<std::string>& args = {}, ConfigOptions o = {},
                       const std::string& extra_sections = "")
    {
        o.admin_port = admin;
        gate = std::make_unique<SqlGate>(config_for(shared_cluster(), port, extra_sections, o),
                                         port, args);
        EXPECT_TRUE(eventually([&] { return port_accepts(admin); }, 20s)) << gate->diagnostics();
    }
    Http http() const { return Http(admin); }
};

// A directory that outlives one gate (for restarts), removed by the destructor.
struct TempDir
{
    std::string path;
    TempDir()
    {
        char tmpl[] = "/tmp/sqlgate-objects-XXXXXX";
        path = mkdtemp(tmpl) ? tmpl : "";
    }
    ~TempDir() { run_command({"rm", "-rf", path}, 10s); }
    std::string persisted(const std::string& name) const
    {
        return read_file(path + "/sqlgate.cnf.d/" + name + ".cnf");
    }
};

}  // namespace sqlgate::test
