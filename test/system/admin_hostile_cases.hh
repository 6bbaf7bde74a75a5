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

// The groups of cases: bodies and values (admin_hostile_cases.cc).
void add_bad_json(std::vector<Case>& cases);
void add_wrong_types(std::vector<Case>& cases);
void add_bad_user_values(std::vector<Case>& cases);
void add_oversized(std::vector<Case>& cases);

// Helpers for building cases: @c s repeated @c n times, deterministic binary garbage,
// base64 (URL-safe when @c url), garbage that can travel in a header (no NUL, CR, LF).
std::string rep(const std::string& s, size_t n);
std::string garbage(size_t n, unsigned seed);
std::string base64(const std::string& in, bool url);
std::string header_garbage(size_t n, unsigned seed);

constexpr size_t kMiB = 1024 * 1024;

// Compact JSON text, and a printable, shortened string, for failure messages.
std::string dump(const json_t* j);
std::string show(const std::string& s, size_t max = 120);

}  // namespace sqlgate::test::hostile
