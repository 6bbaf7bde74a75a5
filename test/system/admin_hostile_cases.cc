// The hostile requests of admin_hostile_test.cc (see admin_hostile_cases.hh).
#include "admin_hostile_cases.hh"

#include <gtest/gtest.h>

#include <map>
#include <random>

#include "http_client.hh"

namespace sqlgate::test::hostile
{

constexpr size_t kMiB = 1024 * 1024;

std::string rep(const std::string& s, size_t n)
{
    std::string out;
    out.reserve(s.size() * n);
    for (size_t i = 0; i < n; ++i)
    {
        out += s;
    }
    return out;
}

// Deterministic binary garbage.
std::string garbage(size_t n, unsigned seed)
{
    std::mt19937 gen(seed);
    std::string out(n, '\0');
    for (char& c : out)
    {
        c = static_cast<char>(gen() & 0xff);
    }
    return out;
}

std::string base64(const std::string& in, bool url)
{
    const char* abc = url ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                          : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    size_t i = 0;
    auto byte = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(in[k])); };
    for (; i + 2 < in.size(); i += 3)
    {
        uint32_t v = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
        out += {abc[v >> 18 & 63], abc[v >> 12 & 63], abc[v >> 6 & 63], abc[v & 63]};
    }
    if (i + 1 == in.size())
    {
        uint32_t v = byte(i) << 16;
        out += {abc[v >> 18 & 63], abc[v >> 12 & 63]};
        out += url ? "" : "==";
    }
    else if (i + 2 == in.size())
    {
        uint32_t v = byte(i) << 16 | byte(i + 1) << 8;
        out += {abc[v >> 18 & 63], abc[v >> 12 & 63], abc[v >> 6 & 63]};
        out += url ? "" : "=";
    }
    return out;
}

// Garbage that can travel in a header value: no NUL, CR or LF.
std::string header_garbage(size_t n, unsigned seed)
{
    std::string out = garbage(n, seed);
    for (char& c : out)
    {
        if (c == '\0' || c == '\r' || c == '\n')
        {
            c = 'x';
        }
    }
    return out;
}

std::string dump(const json_t* j)
{
    char* text = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
    std::string out = text ? text : "";
    free(text);
    return out;
}

// Printable and short, for failure messages.
std::string show(const std::string& s, size_t max)
{
    std::string out;
    for (size_t i = 0; i < s.size() && out.size() < max; ++i)
    {
        unsigned char c = s[i];
        if (c >= 0x20 && c < 0x7f)
        {
            out += static_cast<char>(c);
        }
        else
        {
            char hex[8];
            snprintf(hex, sizeof(hex), "\\x%02x", c);
            out += hex;
        }
    }
    if (out.size() >= max)
    {
        out += "... (" + std::to_string(s.size()) + " bytes)";
    }
    return out;
}

// ---- the cases -------------------------------------------------------------------------

// Bodies that are not JSON. They go to write routes whose handlers would change something
// if the body ever parsed, so each must be refused before a handler runs.
std::vector<std::pair<std::string, std::string>> invalid_json()
{
    return {
        {"lone brace", "{"},
        {"truncated member", "{\"data\": "},
        {"truncated document", R"({"data":{"id":"x","attributes":{"password":"p"})"},
        {"lone bracket", "["},
        {"unterminated string", "\"unterminated"},
        {"trailing comma", R"({"a":1,})"},
        {"single quotes", "{'a':1}"},
        {"truncated literal", "nul"},
        {"bad literal", R"({"a":tru})"},
        {"two documents", R"({"a":1}{)"},
        {"reversed braces", "}{"},
        {"binary garbage 512 B", garbage(512, 1)},
        {"binary garbage 64 KiB", garbage(64 * 1024, 2)},
        {"byte order mark", "\xff\xfe{\"a\":1}"},
        {"lone surrogate", R"({"a":"\ud800"})"},
        {"escaped NUL", R"({"a":"\u0000"})"},
        {"duplicate keys", R"({"data":1,"data":2})"},
        {"real overflow", "1e99999"},
        {"integer overflow", "123456789012345678901234567890"},
        {"invalid UTF-8", "{\"a\":\"\xc3\x28\"}"},
        {"arrays 100k deep", rep("[", 100000) + rep("]", 100000)},
        {"objects 100k deep", rep("{\"a\":", 100000) + "1" + rep("}", 100000)},
        {"unclosed arrays 100k deep", rep("[", 100000)},
        {"mixed nesting 30k deep", rep("[{\"a\":", 30000)},
        {"whitespace only", "   \n\t "},
        {"NUL bytes", std::string(16, '\0')},
        {"leading zero", R"({"a":01})"},
        {"NaN", R"({"a":NaN})"},
        {"unclosed array", "[1,2,3"},
        {"bad escape", R"({"a":"\x41"})"},
        {"comment", "/* comment */ {}"},
    };
}

void add_bad_json(std::vector<Case>& cases)
{
    struct Target
    {
        std::string method, path, content_type;
    };
    const std::vector<Target> targets = {
        {"POST", "/v1/users/inet", "application/json"},
        {"PATCH", "/v1/users/inet/admin", "application/json"},
        {"PATCH", "/v1/servers/server3", "application/json"},
        {"PATCH", "/v1/servers/server3", "application/json-patch+json"},
    };
    for (const auto& [what, body] : invalid_json())
    {
        for (const auto& t : targets)
        {
            cases.push_back({"invalid JSON: " + what,
                             t.method,
                             t.path,
                             body,
                             {"Content-Type: " + t.content_type},
                             400});
        }
    }
}

// POST /v1/users/inet with every field of a valid document replaced by values of the
// wrong JSON type. Each case uses its own user name, so one wrongly accepted document
// cannot hide the next behind "already exists".
void add_wrong_types(std::vector<Case>& cases)
{
    struct Field
    {
        std::string pointer;  // "" is the whole document
        bool is_string;
    };
    const std::vector<Field> fields = {
        {"", false},
        {"/data", false},
        {"/data/id", true},
        {"/data/type", true},
        {"/data/attributes", false},
        {"/data/attributes/password", true},
        {"/data/attributes/account", true},
    };
    const std::vector<std::string> wrong = {
        "null", "true", "false", "0", "42", "-1.5", "[]", "{}", "[\"inet\"]", "{\"id\":\"x\"}"};
    int n = 0;
    for (const Field& f : fields)
    {
        std::vector<std::string> values = wrong;
        if (!f.is_string)
        {
            values.push_back("\"text\"");
        }
        for (const std::string& v : values)
        {
            std::string id = "hostile" + std::to_string(++n);
            Json doc(json_pack("{s:{s:s, s:s, s:{s:s, s:s}}}", "data", "id", id.c_str(), "type",
                               "inet", "attributes", "password", "hostile-pw", "account", "basic"));
            Json value(json_loads(v.c_str(), JSON_DECODE_ANY, nullptr));
            if (f.pointer.empty())
            {
                doc.reset(json_incref(value.get()));
            }
            else
            {
                size_t slash = f.pointer.rfind('/');
                std::string parent = f.pointer.substr(0, slash);
                json_t* p = doc.get();
                if (parent == "/data")
                {
                    p = json_object_get(p, "data");
                }
                else if (parent == "/data/attributes")
                {
                    p = json_object_get(json_object_get(p, "data"), "attributes");
                }
                json_object_set(p, f.pointer.substr(slash + 1).c_str(), value.get());
            }
            char* text = json_dumps(doc.get(), JSON_COMPACT | JSON_ENCODE_ANY);
            cases.push_back({"wrong type: " + (f.pointer.empty() ? "/" : f.pointer) + " = " + v,
                             "POST",
                             "/v1/users/inet",
                             text,
                             {"Content-Type: application/json"},
                             400});
            free(text);
        }
    }
}

// Right types, hostile values (huge strings included).
void add_bad_user_values(std::vector<Case>& cases)
{
    auto doc = [](const std::string& id, const std::string& type, const std::string& password,
                  const std::string& account)
    {
        Json d(json_pack("{s:{s:s%, s:s%, s:{s:s%, s:s%}}}", "data", "id", id.data(), id.size(),
                         "type", type.data(), type.size(), "attributes", "password",
                         password.data(), password.size(), "account", account.data(),
                         account.size()));
        char* text = json_dumps(d.get(), JSON_COMPACT);
        std::string out = text ? text : "";
        free(text);
        return out;
    };
    const std::string huge(900 * 1024, 'h');
    const std::vector<std::pair<std::string, std::string>> bodies = {
        {"empty id", doc("", "inet", "pw", "basic")},
        {"65-character id", doc(std::string(65, 'a'), "inet", "pw", "basic")},
        {"10k-character id", doc(std::string(10000, 'a'), "inet", "pw", "basic")},
        {"900 KiB id", doc(huge, "inet", "pw", "basic")},
        {"id with traversal", doc("../../etc/passwd", "inet", "pw", "basic")},
        {"id with slash", doc("a/b", "inet", "pw", "basic")},
        {"id with space", doc("a b", "inet", "pw", "basic")},
        {"id with control character", doc("a\x01", "inet", "pw", "basic")},
        {"id with non-ASCII letter", doc("\xc3\xa9t\xc3\xa9", "inet", "pw", "basic")},
        {"id ..", doc("..", "inet", "pw", "basic")},
        {"id .", doc(".", "inet", "pw", "basic")},
        {"existing id", doc("admin", "inet", "pw", "admin")},
        {"empty password", doc("hostile-v1", "inet", "", "basic")},
        {"1025-byte password", doc("hostile-v2", "inet", std::string(1025, 'p'), "basic")},
        {"900 KiB password", doc("hostile-v3", "inet", huge, "basic")},
        {"account root", doc("hostile-v4", "inet", "pw", "root")},
        {"empty account", doc("hostile-v5", "inet", "pw", "")},
        {"900 KiB account", doc("hostile-v6", "inet", "pw", huge)},
        {"type unix", doc("hostile-v7", "unix", "pw", "basic")},
        {"900 KiB type", doc("hostile-v8", huge, "pw", "basic")},
        {"top-level 900 KiB string", "\"" + huge + "\""},
        {"900 KiB of \\u escapes", "{\"data\":{\"id\":\"" + rep("\\u0041", 150000) + "\"}}"},
        {"no body", ""},
    };
    for (const auto& [what, body] : bodies)
    {
        // A name that is taken is a conflict (409); everything else is a bad request.
        int expect = what == "existing id" ? 409 : 400;
        cases.push_back({"bad user: " + what,
                         "POST",
                         "/v1/users/inet",
                         body,
                         {"Content-Type: application/json"},
                         expect});
    }
}

void add_oversized(std::vector<Case>& cases)
{
    const std::vector<std::pair<std::string, std::string>> targets = {
        {"POST", "/v1/users/inet"},
        {"PATCH", "/v1/servers/server3"},
        {"PUT", "/v1/servers/server1/set?state=maintenance"},
        {"POST", "/v1/no/such/resource"},
    };
    for (size_t size : {kMiB + 1, 2 * kMiB, 8 * kMiB})
    {
        for (const auto& [method, path] : targets)
        {
            // Valid JSON holding one long string, so only the size is wrong.
            std::string body = "{\"data\":{\"id\":\"" + std::string(size, 'a') + "\"}}";
            cases.push_back({"body of " + std::to_string(body.size()) + " bytes",
                             method,
                             path,
                             body,
                             {"Content-Type: application/json"},
                             413});
        }
    }
    std::string junk = garbage(kMiB + 4096, 3);
    cases.push_back({"1 MiB of binary garbage",
                     "POST",
                     "/v1/users/inet",
                     junk,
                     {"Content-Type: application/json"},
                     413});
}

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
    add_bad_hosts(cases);
    return cases;
}

}  // namespace sqlgate::test::hostile
