// The hostile requests of admin_hostile_test.cc (see admin_hostile_cases.hh).
#include "admin_hostile_cases.hh"

#include <gtest/gtest.h>

#include <map>
#include <random>

#include "http_client.hh"

namespace sqlgate::test::hostile
{

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

}  // namespace sqlgate::test::hostile
