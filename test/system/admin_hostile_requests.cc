// The hostile requests of admin_hostile_test.cc, second part: queries, methods, paths,
// authentication, method overrides, server and monitor changes, module commands, Host
// headers and raw requests (see admin_hostile_cases.hh).
#include <gtest/gtest.h>

#include "admin_hostile_cases.hh"

namespace sqlgate::test::hostile
{

void add_bad_queries(std::vector<Case>& cases)
{
    auto get = [&](const std::string& what, const std::string& path, int expect = 400) {
        cases.push_back({"bad query: " + what, "GET", path, "", {}, expect});
    };
    for (const char* v :
         {"x", "-1", "0", "1.5", "", "0x10", "9999999999999", "1e3", "%ZZ", "%FF", "1,2", "[]"})
    {
        get(std::string("page[size]=") + v, std::string("/v1/servers?page[size]=") + v);
    }
    for (const char* v : {"x", "-1", "1.5", "99999999999999", ""})
    {
        get(std::string("page[number]=") + v,
            std::string("/v1/servers?page[size]=1&page[number]=") + v);
    }
    get("two bad page sizes", "/v1/servers?page[size]=0&page[size]=x");
    for (const char* v :
         {"5-1", "abc", "-", "1-", "-1", "1--2", "0-99999999999999", "a-b", "", "1-2-3", "%00-1"})
    {
        get(std::string("range=") + v, std::string("/v1/servers?range=") + v);
    }
    for (const char* v : {"", "nofilter", "=x", "/~=1", "/a~2=1", "~", "/id", "/~9/id=x"})
    {
        get(std::string("filter=") + v, std::string("/v1/servers?filter=") + v);
    }
    get("filter without a value", "/v1/servers?filter");
    for (const char* v : {"~", "/~2", "a~", "~x/y", "state/~", "/parameters/~3"})
    {
        get(std::string("fields[servers]=") + v, std::string("/v1/servers?fields[servers]=") + v);
        get(std::string("fields=") + v, std::string("/v1/servers/server1?fields=") + v);
    }
    get("fields[services] on services", "/v1/services?fields[services]=~x");
    get("fields[listeners] on listeners", "/v1/listeners?fields[listeners]=/~");
    get("page[size]=0 on services", "/v1/services?page[size]=0");
    get("range on sessions", "/v1/sessions?range=x");
    get("filter on users", "/v1/users?filter=");
    get("page[size] on threads", "/v1/maxscale/threads?page[size]=-5");
    get("range on monitors", "/v1/monitors?range=9-0");
    get("log page[size]=abc", "/v1/maxscale/logs/data?page[size]=abc");
    get("log page[size]=0", "/v1/maxscale/logs/data?page[size]=0");
    get("log page[size]=10001", "/v1/maxscale/logs/data?page[size]=10001");
    get("log page[number]=-1", "/v1/maxscale/logs/data?page[number]=-1");
    for (const char* v : {"abc", "-1", "0", "1x", "", "1.5"})
    {
        get(std::string("auth max-age=") + v, std::string("/v1/auth?max-age=") + v);
    }
    for (const char* q : {"", "?state=", "?state=bogus", "?state=%00", "?state=maintenancex",
                          "?state=%FF", "?stat=maintenance"})
    {
        cases.push_back({std::string("bad state: set") + q,
                         "PUT",
                         std::string("/v1/servers/server1/set") + q,
                         "",
                         {},
                         400});
    }
    cases.push_back({"bad state: long",
                     "PUT",
                     "/v1/servers/server1/clear?state=" + std::string(10000, 'm'),
                     "",
                     {},
                     400});
    cases.push_back(
        {"HEAD with a bad range", "HEAD", "/v1/servers?range=zz", "", {}, 400, Auth::ADMIN});
}

void add_bad_methods(std::vector<Case>& cases)
{
    for (const std::string& m : std::vector<std::string>{
             "BREW", "PROPFIND", "MKCOL", "TRACE", "CONNECT", "LINK", "PURGE", "get", "Get",
             "M-SEARCH", "DELETE2", "POSTX", std::string(1000, 'A')})
    {
        cases.push_back({"unknown verb", m, "/v1/servers", "", {}, 405});
    }
    cases.push_back({"unknown verb on users", "BREW", "/v1/users/inet", "", {}, 405});
    cases.push_back(
        {"unknown verb without credentials", "BREW", "/v1/servers", "", {}, 0, Auth::NONE});
    // Known verbs where the resource has no such method (any 4xx: routes may be added).
    for (const auto& [m, p] : std::vector<std::pair<std::string, std::string>>{
             {"DELETE", "/v1/maxscale"},
             {"PUT", "/v1/users"},
             {"PATCH", "/v1/maxscale/threads"},
             {"POST", "/v1/maxscale/threads/1"},
             {"DELETE", "/v1/maxscale/logs"},
             {"PUT", "/v1/sessions"},
             {"POST", "/v1/servers/server1/relationships/services"},
             {"DELETE", "/v1/users"},
             {"OPTIONS", "/v1/no/such/resource"},
             {"HEAD", "/v1/no/such/resource"}})
    {
        cases.push_back({"verb not allowed here", m, p, "", {}, 0});
    }
}

void add_bad_paths(std::vector<Case>& cases)
{
    for (const char* p : {"/v1/nothing",
                          "/v2/servers",
                          "/v1/servers/server1/nosuch",
                          "/v1/servers/server1/relationships/nosuch",
                          "/v1/servers/server1/set/extra",
                          "/v1/maxscale/nothing",
                          "/v1/users/unix/x",
                          "/v1/users/inet/admin/extra",
                          "/v1/./servers",
                          "/v1/%2e/servers",
                          "/favicon.ico",
                          "/index.html",
                          "/v1/servers.json",
                          "/.git/config",
                          "/v1/sessions/0",
                          "/v1/sessions/-1",
                          "/v1/sessions/99999999999999999999",
                          "/v1/sessions/1/connections/x",
                          "/v1/maxscale/threads/-1",
                          "/v1/maxscale/threads/99999999999999999999"})
    {
        cases.push_back({"unknown path", "GET", p, "", {}, 404});
    }

    // Names that try to escape, truncate or inject.
    const std::vector<std::pair<std::string, std::string>> names = {
        {"encoded traversal", "..%2F..%2Fetc%2Fpasswd"},
        {"encoded dots", "%2e%2e%2f%2e%2e%2fetc%2fpasswd"},
        {"dot-dot", ".."},
        {"raw traversal", "../../etc/passwd"},
        {"double-encoded traversal", "%252e%252e%252fetc%252fpasswd"},
        {"NUL inside", "nosuch%00server1"},
        {"NUL only", "%00"},
        {"invalid UTF-8", "%FF%FE%FD"},
        {"10k characters", std::string(10000, 'a')},
        {"CRLF injection", "%0d%0aX-Injected:%20yes"},
        {"SQL-ish", "%27%20OR%201=1--"},
        {"JSON-ish", "%7B%7D%5B%5D"},
    };
    for (const char* collection :
         {"servers", "services", "listeners", "filters", "monitors", "sessions", "users/inet",
          "maxscale/modules", "maxscale/threads"})
    {
        for (const auto& [what, name] : names)
        {
            cases.push_back({"bad name (" + what + ")",
                             "GET",
                             std::string("/v1/") + collection + "/" + name,
                             "",
                             {},
                             0});
        }
    }
    for (const auto& [what, name] : names)
    {
        cases.push_back({"bad name (" + what + ")", "DELETE", "/v1/users/inet/" + name, "", {}, 0});
        cases.push_back({"bad name (" + what + ")", "DELETE", "/v1/sessions/" + name, "", {}, 0});
        cases.push_back({"bad name (" + what + ")",
                         "PUT",
                         "/v1/servers/" + name + "/set?state=maintenance",
                         "",
                         {},
                         0});
        cases.push_back({"bad name (" + what + ")",
                         "PATCH",
                         "/v1/users/inet/" + name,
                         R"({"data":{"attributes":{"password":"hostile-new"}}})",
                         {"Content-Type: application/json"},
                         0});
    }
    // An existing name followed by a NUL names a different (missing) object: it must not
    // be answered for the truncated name.
    for (const char* p :
         {"/v1/servers/server1%00", "/v1/servers/server1%00.json", "/v1/users/inet/admin%00",
          "/v1/services/Read-Write-Service%00x", "/v1/maxscale/modules/readconnroute%00"})
    {
        cases.push_back({"existing name + NUL", "GET", p, "", {}, 404});
    }
}

// A JWT signed by nobody: {"alg":"none"} and friends, built on a real token's claims.
void add_bad_auth(std::vector<Case>& cases, const std::string& token)
{
    auto bearer = [&](const std::string& what, const std::string& value,
                      const std::string& path = "/v1/servers")
    {
        cases.push_back(
            {"bad auth: " + what, "GET", path, "", {"Authorization: " + value}, 401, Auth::NONE});
    };
    auto basic = [&](const std::string& what, const std::string& credentials)
    { bearer(what, "Basic " + base64(credentials, false)); };

    cases.push_back(
        {"bad auth: empty header", "GET", "/v1/servers", "", {"Authorization;"}, 401, Auth::NONE});
    bearer("Basic without credentials", "Basic");
    bearer("Basic and a space", "Basic ");
    bearer("Basic garbage", "Basic !!!!");
    bearer("Basic padding only", "Basic ====");
    bearer("Basic binary", "Basic " + header_garbage(64, 4));
    bearer("Basic 20 KiB", "Basic " + std::string(20000, 'a'));
    basic("no colon", "admin");
    basic("empty user", ":mariadb");
    basic("empty password", "admin:");
    basic("wrong password", "admin:wrong");
    basic("unknown user", "nosuch:mariadb");
    basic("long user", std::string(10000, 'u') + ":mariadb");
    basic("long password", "admin:" + std::string(5000, 'p'));
    basic("binary credentials", garbage(100, 5));
    bearer("Digest", "Digest username=\"admin\", realm=\"sqlgate\"");
    bearer("NTLM", "NTLM TlRMTVNTUAABAAAA");
    bearer("Bearer without token", "Bearer");
    bearer("Bearer and a space", "Bearer ");
    bearer("Bearer garbage", "Bearer garbage");
    bearer("Bearer dots", "Bearer ...");
    bearer("Bearer a.b.c", "Bearer a.b.c");
    bearer("Bearer binary", "Bearer " + header_garbage(64, 6));
    bearer("Bearer 20 KiB", "Bearer " + std::string(20000, 'a'));

    size_t dot1 = token.find('.');
    size_t dot2 = token.find('.', dot1 + 1);
    ASSERT_NE(dot2, std::string::npos) << "not a JWT: " << token;
    std::string claims = token.substr(dot1 + 1, dot2 - dot1 - 1);
    std::string sig = token.substr(dot2 + 1);
    auto header = [](const std::string& json) { return base64(json, true); };
    std::string none = header(R"({"alg":"none","typ":"JWT"})");
    bearer("alg none, no signature", "Bearer " + none + "." + claims + ".");
    bearer("alg none, real signature", "Bearer " + none + "." + claims + "." + sig);
    bearer("alg none, two parts", "Bearer " + none + "." + claims);
    bearer("alg None", "Bearer " + header(R"({"alg":"None","typ":"JWT"})") + "." + claims + ".");
    bearer("alg NONE", "Bearer " + header(R"({"alg":"NONE"})") + "." + claims + "." + sig);
    bearer("alg HS512",
           "Bearer " + header(R"({"alg":"HS512","typ":"JWT"})") + "." + claims + "." + sig);
    bearer("alg RS256",
           "Bearer " + header(R"({"alg":"RS256","typ":"JWT"})") + "." + claims + "." + sig);
    bearer("alg missing", "Bearer " + header(R"({"typ":"JWT"})") + "." + claims + "." + sig);
    bearer("alg not a string", "Bearer " + header(R"({"alg":1})") + "." + claims + "." + sig);
    bearer("critical header",
           "Bearer " + header(R"({"alg":"HS256","crit":["exp"]})") + "." + claims + "." + sig);
    bearer("header not JSON", "Bearer " + header("garbage") + "." + claims + "." + sig);
    bearer("header an array", "Bearer " + header("[]") + "." + claims + "." + sig);
    bearer("forged claims",
           "Bearer " + token.substr(0, dot1) + "." +
               base64(R"({"sub":"admin","account":"admin","exp":99999999999})", true) + "." + sig);
    bearer("no signature", "Bearer " + token.substr(0, dot2 + 1));
    bearer("signature flipped",
           "Bearer " + token.substr(0, dot2 + 1) + std::string(sig.rbegin(), sig.rend()));
    bearer("extra part", "Bearer " + token + ".x");
    bearer("appended byte", "Bearer " + token + "x");
    bearer("padding added", "Bearer " + token + "=");
    bearer("token for the token route", "Bearer " + token, "/v1/auth");
}

void add_method_override(std::vector<Case>& cases)
{
    for (const std::string& m : std::vector<std::string>{
             "BREW", "get", "TRACE", "CONNECT", std::string(10000, 'A'), "\xff\xfe", "GET\x01"})
    {
        cases.push_back({"X-HTTP-Method-Override " + show(m, 20),
                         "GET",
                         "/v1/servers",
                         "",
                         {"X-HTTP-Method-Override: " + m},
                         405});
    }
    for (const auto& [m, p] : std::vector<std::pair<std::string, std::string>>{
             {"DELETE", "/v1/maxscale"},
             {"PUT", "/v1/servers"},
             {"POST", "/v1/servers/server1/relationships/services"},
             {"PATCH", "/v1/maxscale/threads"},
             {"OPTIONS", "/v1/no/such/resource"},
             {"DELETE", "/v1/sessions/99999"}})
    {
        cases.push_back(
            {"X-HTTP-Method-Override " + m, "GET", p, "", {"X-HTTP-Method-Override: " + m}, 0});
    }
}

// PATCH /v1/servers/server3 with valid JSON that must still be refused (405 while PATCH
// of servers does not exist; 4xx once it does).
void add_bad_server_patches(std::vector<Case>& cases)
{
    auto patch = [&](const std::string& what, const std::string& body,
                     const std::string& type = "application/json")
    {
        cases.push_back({"bad server PATCH: " + what,
                         "PATCH",
                         "/v1/servers/server3",
                         body,
                         {"Content-Type: " + type},
                         0});
    };
    auto params = [](const std::string& inner)
    { return R"({"data":{"attributes":{"parameters":{)" + inner + "}}}}"; };
    patch("priority a word", params(R"("priority":"high")"));
    patch("priority an object", params(R"("priority":{"a":1})"));
    patch("priority an array", params(R"("priority":[1])"));
    patch("priority a float", params(R"("priority":1.5)"));
    patch("priority too large", params(R"("priority":99999999999999999999)"));
    patch("unknown parameter", params(R"("nosuchparam":1)"));
    patch("port a word", params(R"("port":"abc")"));
    patch("port out of range", params(R"("port":70000)"));
    patch("parameters an array", R"({"data":{"attributes":{"parameters":[1,2]}}})");
    patch("attributes a string", R"({"data":{"attributes":"x"}})");
    patch("data an array", R"({"data":[]})");
    patch("other server's id",
          R"({"data":{"id":"server1","attributes":{"parameters":{"priority":1}}}})");
    patch("wrong type",
          R"({"data":{"type":"services","attributes":{"parameters":{"priority":1}}}})");
    patch("huge string parameter", params("\"priority\":\"" + std::string(900 * 1024, '9') + "\""));
    const std::string jp = "application/json-patch+json";
    patch("JSON Patch: not an array", R"({"op":"add"})", jp);
    patch("JSON Patch: unknown op", R"([{"op":"nope","path":"/data"}])", jp);
    patch("JSON Patch: missing path", R"([{"op":"add","value":1}])", jp);
    patch("JSON Patch: bad pointer", R"([{"op":"add","path":"/~x","value":1}])", jp);
    patch("JSON Patch: pointer without slash", R"([{"op":"add","path":"data","value":1}])", jp);
    patch("JSON Patch: failing test",
          R"([{"op":"test","path":"/data/id","value":"server1"},)"
          R"({"op":"replace","path":"/data/attributes/parameters/priority","value":7}])",
          jp);
    patch("JSON Patch: wrong type",
          R"([{"op":"replace","path":"/data/attributes/parameters/priority","value":"x"}])", jp);
    patch("JSON Patch: remove everything", R"([{"op":"remove","path":""}])", jp);
    patch("JSON Patch: move into itself", R"([{"op":"move","from":"/data","path":"/data/x"}])", jp);
    patch("JSON Patch: array index past the end",
          R"([{"op":"add","path":"/data/relationships/services/data/99","value":1}])", jp);
    patch("JSON Patch: 10k operations",
          "[" + rep(R"({"op":"nope","path":"/x"},)", 10000) + R"({"op":"nope","path":"/x"}])", jp);
}

void add_bad_hosts(std::vector<Case>& cases)
{
    // RFC 9112 3.2: a Host header with an invalid value gets a 400.
    for (const char* p : {"/v1/servers", "/v1/servers/server1"})
    {
        cases.push_back({"Host header not UTF-8", "GET", p, "", {"Host: \xff\xfe"}, 0});
    }
}

std::vector<std::pair<std::string, std::string>> raw_cases()
{
    const std::string host = "Host: 127.0.0.1\r\n";
    const std::string auth = "Authorization: Basic " + base64("admin:mariadb", false) + "\r\n";
    const std::string get = "GET /v1/servers HTTP/1.1\r\n" + host + auth;
    std::string many;
    for (int i = 0; i < 5000; ++i)
    {
        many += "X-H" + std::to_string(i) + ": v\r\n";
    }
    std::string binary = garbage(4096, 7);
    std::string post = "POST /v1/users/inet HTTP/1.1\r\n" + host + auth;
    return {
        {"request line without spaces", "GARBAGE\r\n\r\n"},
        {"method only", "GET\r\n\r\n"},
        {"no HTTP version", "GET /v1/servers\r\n" + auth + "\r\n"},
        {"extra token in the request line",
         "GET /v1/servers HTTP/1.1 extra\r\n" + host + auth + "\r\n"},
        {"not HTTP", "GET /v1/servers XYZ/1.1\r\n" + host + auth + "\r\n"},
        {"header without a colon", get + "NoColonHeader\r\n\r\n"},
        {"NUL in a header name", get + std::string("X\0Y: v\r\n\r\n", 10)},
        {"100 KiB header", get + "X-Big: " + std::string(100 * 1024, 'a') + "\r\n\r\n"},
        {"100 KiB URI",
         "GET /v1/" + std::string(100 * 1024, 'a') + " HTTP/1.1\r\n" + host + auth + "\r\n"},
        {"5000 headers", get + many + "\r\n"},
        {"Content-Length abc", post + "Content-Length: abc\r\n\r\n"},
        {"Content-Length -1", post + "Content-Length: -1\r\n\r\n"},
        {"Content-Length 10^23", post + "Content-Length: 99999999999999999999999\r\n\r\n"},
        {"chunk size not hex", post + "Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n"},
        {"chunk size 2^72",
         post + "Transfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFF\r\nabc\r\n0\r\n\r\n"},
        {"chunked and Content-Length",
         post + "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n"},
        {"unknown Transfer-Encoding", post + "Transfer-Encoding: bogus\r\n\r\n"},
        {"binary garbage", binary + "\r\n\r\n"},
        {"space inside the method", "G ET /v1/servers HTTP/1.1\r\n" + host + auth + "\r\n"},
        // Not covered: a raw NUL byte inside the request line ("GET /v1/servers/server1\0x").
        // libmicrohttpd 0.9.75 hands the URL over as a C string, so the part after the NUL is
        // invisible to sqlgate and the request reads as GET /v1/servers/server1.
    };
}

// Monitors and module commands: wrong types, unknown names, traversal, huge arguments.
void add_bad_monitor_and_command_requests(std::vector<Case>& cases)
{
    const std::string mon =
        R"({"data":{"id":"HostileMon","type":"monitors","attributes":{"module":"mariadbmon","parameters":{)";
    for (const auto& [what, params] : std::vector<std::pair<std::string, std::string>>{
             {"monitor_interval as an object", R"("monitor_interval":{})"},
             {"monitor_interval negative", R"("monitor_interval":"-1s")"},
             {"servers as a number", R"("servers":7)"},
             {"unknown server", R"("servers":"nosuch")"},
             {"backend_connect_attempts huge",
              R"("backend_connect_attempts":99999999999999999999)"},
             {"events not an event", R"("events":"whenever")"},
             {"unknown parameter", R"("rm -rf":1)"},
         })
    {
        cases.push_back({"POST monitor: " + what,
                         "POST",
                         "/v1/monitors",
                         mon + params + "}}}}",
                         {"Content-Type: application/json"},
                         400});
    }
    cases.push_back({"POST monitor: module traversal",
                     "POST",
                     "/v1/monitors",
                     R"({"data":{"id":"HostileMon","attributes":{"module":"../../etc/passwd"}}})",
                     {"Content-Type: application/json"},
                     400});
    cases.push_back({"POST monitor: id traversal",
                     "POST",
                     "/v1/monitors",
                     R"({"data":{"id":"../x","attributes":{"module":"mariadbmon"}}})",
                     {"Content-Type: application/json"},
                     400});
    cases.push_back({"PATCH unknown monitor",
                     "PATCH",
                     "/v1/monitors/nosuch",
                     R"({"data":{}})",
                     {"Content-Type: application/json"},
                     404});
    cases.push_back({"stop unknown monitor", "PUT", "/v1/monitors/nosuch/stop", "", {}, 404});
    const std::string cmd = "/v1/maxscale/modules/qlafilter/log";
    cases.push_back({"command: unknown filter", "GET", cmd + "?nosuch", "", {}, 400});
    cases.push_back({"command: huge argument", "GET", cmd + "?" + rep("A", 60000), "", {}, 0});
    // (Far more arguments overflow libmicrohttpd's 32 KiB per-connection pool, and it
    // closes the connection without an answer: bounded, but not a 4xx.)
    cases.push_back({"command: 200 arguments", "GET", cmd + "?" + rep("a&", 200), "", {}, 400});
    cases.push_back(
        {"command: traversal", "GET", "/v1/maxscale/modules/..%2F..%2Fetc/log", "", {}, 404});
    cases.push_back(
        {"command: module traversal", "GET", "/v1/maxscale/modules/%2E%2E/qlafilter", "", {}, 404});
    cases.push_back({"command: wrong verb", "DELETE", cmd + "?Q", "", {}, 405});
}

std::vector<Case> all_cases(const std::string& token)
{
    std::vector<Case> cases;
    add_bad_json(cases);
    add_wrong_types(cases);
    add_bad_user_values(cases);
    add_oversized(cases);
    add_bad_queries(cases);
    add_bad_methods(cases);
    add_bad_paths(cases);
    add_bad_auth(cases, token);
    add_method_override(cases);
    add_bad_server_patches(cases);
    add_bad_monitor_and_command_requests(cases);
    add_bad_hosts(cases);
    return cases;
}

}  // namespace sqlgate::test::hostile
