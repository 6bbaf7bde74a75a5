// sysbench for system tests: its command line against a port, the numbers of its report,
// and the sbtest tables (4 x 10,000 rows) on the shared cluster.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "harness.hh"

namespace sqlgate::test
{

constexpr const char* kSysbench = "/usr/bin/sysbench";
constexpr int kSbTables = 4;
constexpr int kSbTableSize = 10000;

// sysbench `workload` against 127.0.0.1:port as app/app_pw on sbtest, then `extra`, then
// `command` (prepare, run, cleanup).
std::vector<std::string> sysbench_args(const std::string& workload, int port,
                                       const std::string& command,
                                       const std::vector<std::string>& extra = {});

// The number after `label` on its line of sysbench's report ("queries:  123 (41.0 per
// sec.)" gives 123), or nullopt when the line is missing.
std::optional<double> report_value(const std::string& output, const std::string& label);

// Makes sure every server of `c` has sbtest with all its rows: prepares it on the primary
// (unless it is already complete everywhere) and waits until the replicas applied it.
// Fails the current test (gtest assertions) when that does not work.
void prepare_sbtest(Cluster& c);

}  // namespace sqlgate::test
