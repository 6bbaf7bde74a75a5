// The hostile requests of admin_hostile_test.cc: hundreds of malformed or malicious
// requests for the admin REST API (through curl), and raw requests curl cannot send.
#pragma once

#include <jansson.h>

#include <string>
#include <utility>
#include <vector>

namespace sqlgate::test::hostile
{

enum class Auth
{
    ADMIN,  // Basic admin/mariadb
    NONE,   // no credentials from the client; the case's headers may carry some
};

struct Case
{
    std::string what;  // shown when the case fails
    std::string method;
    std::string path;
    std::string body;
    std::vector<std::string> headers;
    int expect = 0;  // this exact status, or 0 for any 4xx
    Auth auth = Auth::ADMIN;
};

// Every curl case; @c token is a valid JWT of the admin (forged variants are made from it).
std::vector<Case> all_cases(const std::string& token);

// Raw requests (what, bytes) for a socket: each must get a 4xx or a closed connection.
std::vector<std::pair<std::string, std::string>> raw_cases();

// Compact JSON text, and a printable, shortened string, for failure messages.
std::string dump(const json_t* j);
std::string show(const std::string& s, size_t max = 120);

}  // namespace sqlgate::test::hostile
