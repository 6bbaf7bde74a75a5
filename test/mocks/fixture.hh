// The byte fixtures of test/unit/fixtures/mariadb (see capture/README.md there) for
// tests outside test/unit (module tests): a whole file, or its records.
#pragma once

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace sqlgate::mocks
{

/// The bytes of fixture @c name ("" if it cannot be read). Needs SQLGATE_SOURCE_DIR.
inline std::string fixture_bytes(const std::string& name)
{
    std::ifstream in(std::string(SQLGATE_SOURCE_DIR) + "/test/unit/fixtures/mariadb/" + name,
                     std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

struct FixtureRecord
{
    char tag;  ///< C, N, S, P (capture.py) or C, S (capture_login.py)
    std::string data;
};

/// The records (tag(1) length(4, little endian) data) of fixture @c name.
inline std::vector<FixtureRecord> fixture_records(const std::string& name)
{
    std::string d = fixture_bytes(name);
    std::vector<FixtureRecord> out;
    for (size_t i = 0; i + 5 <= d.size();)
    {
        uint32_t n = 0;
        for (int b = 3; b >= 0; --b)
        {
            n = n << 8 | static_cast<unsigned char>(d[i + 1 + b]);
        }
        out.push_back({d[i], d.substr(i + 5, n)});
        i += 5 + n;
    }
    return out;
}

/// The data of the records of fixture @c name tagged @c tag, in order.
inline std::vector<std::string> fixture_records(const std::string& name, char tag)
{
    std::vector<std::string> out;
    for (FixtureRecord& r : fixture_records(name))
    {
        if (r.tag == tag)
        {
            out.push_back(std::move(r.data));
        }
    }
    return out;
}

}  // namespace sqlgate::mocks
