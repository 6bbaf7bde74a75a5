#include "json_text.hh"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

using sqlgate::admin::append_json;

namespace
{

std::string jansson(const json_t* v, size_t flags)
{
    char* s = json_dumps(v, flags | JSON_ENCODE_ANY);
    std::string out = s ? s : "";
    free(s);
    return out;
}

void expect_same(const json_t* v)
{
    std::string pretty, compact;
    append_json(pretty, v, true);
    append_json(compact, v, false);
    EXPECT_EQ(pretty, jansson(v, JSON_INDENT(4)));
    EXPECT_EQ(compact, jansson(v, JSON_COMPACT));
}

json_t* load(const std::string& text)
{
    json_error_t err;
    json_t* v = json_loads(text.c_str(), JSON_DECODE_ANY, &err);
    EXPECT_NE(v, nullptr) << text << ": " << err.text;
    return v;
}

}  // namespace

TEST(JsonText, ScalarsAndEscapesMatchJansson)
{
    for (const char* text : {"null",
                             "true",
                             "false",
                             "0",
                             "-1",
                             "9223372036854775807",
                             "-9223372036854775808",
                             "1.5",
                             "-0.25",
                             "1e300",
                             "3.0",
                             "\"\"",
                             "\"plain\"",
                             R"("q\"b\\s/\b\f\n\r\t\u0001\u001f\u007f")",
                             R"("utf-8: \u00e9\u4e2d\ud83d\ude00")",
                             "{}",
                             "[]",
                             "[[]]",
                             "{\"a\":{}}",
                             "[{}, [], 1]"})
    {
        json_t* v = load(text);
        expect_same(v);
        json_decref(v);
    }
}

TEST(JsonText, NestedDocumentsAndKeyOrderMatchJansson)
{
    json_t* v =
        load(R"({"data":[{"id":"server1","type":"servers","attributes":{"state":"Master, Running",
        "parameters":{"port":3306,"address":"127.0.0.1","rank":"primary","x":null},
        "slave_connections":[],"list":[1,2,{"k":"v"}]},"links":{"self":"http://h/v1/servers/server1/"}}],
        "z":1,"a":2,"m":{"nested":{"deeper":[true,false,null]}}})");
    expect_same(v);
    // Keys added later stay in insertion order, as Jansson writes them.
    json_object_set_new(v, "b", json_string("last"));
    json_object_set_new(v, "key with \"quote\"", json_integer(7));
    expect_same(v);
    json_decref(v);
}

TEST(JsonText, EveryJsonPatchFixtureMatchesJansson)
{
    for (const char* name : {"tests.json", "spec_tests.json"})
    {
        std::ifstream in(std::string(SQLGATE_SOURCE_DIR "/test/unit/fixtures/json-patch-tests/") +
                         name);
        ASSERT_TRUE(in) << name;
        std::stringstream ss;
        ss << in.rdbuf();
        json_t* v = load(ss.str());
        ASSERT_TRUE(json_is_array(v));
        expect_same(v);
        size_t i;
        json_t* item;
        json_array_foreach(v, i, item)
        {
            expect_same(item);
        }
        json_decref(v);
    }
}
