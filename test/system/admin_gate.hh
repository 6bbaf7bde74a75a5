// The real sqlgate with its REST API on a free port, in front of the shared cluster,
// for the admin API tests.
#pragma once

#include <gtest/gtest.h>

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
        EXPECT_TRUE(eventually([&] { return port_accepts(admin); }, 5s)) << gate->diagnostics();
    }
    Http http() const { return Http(admin); }
};

}  // namespace sqlgate::test
