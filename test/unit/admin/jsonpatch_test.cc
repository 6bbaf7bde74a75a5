// server/admin/jsonpatch.cc: RFC 6901 pointers and RFC 6902 patches, driven by the public
// conformance cases in shared/data/json-patch-tests (see FORMAT.md there), plus direct tests
// of pointers and of the error messages the REST API returns.
#include "jsonpatch.hh"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <set>

using namespace sqlgate::admin;

namespace
{

struct JsonDecref
{
    void operator()(json_t* j) const { json_decref(j); }
};
using Json = std::unique_ptr<json_t, JsonDecref>;

Json parse(const char* text)
{
    json_error_t err;
    Json j(json_loads(text, JSON_DECODE_ANY, &err));
    EXPECT_TRUE(j) << text << ": " << err.text;
    return j;
}

std::string dump(const json_t* j)
{
    if (!j)
    {
        return "(null)";
    }
    char* s = json_dumps(j, JSON_ENCODE_ANY | JSON_SORT_KEYS | JSON_COMPACT);
    std::string out = s ? s : "(unprintable)";
    free(s);
    return out;
}

/// Applies @c patch to @c doc; returns the error, or "" on success (with @c result set).
std::string patch_error(const char* doc, const char* patch, Json* result = nullptr)
{
    Json d = parse(doc);
    Json p = parse(patch);
    std::string error;
    Json out(apply_patch(d.get(), p.get(), error));
    EXPECT_EQ(!out, !error.empty()) << error;
    if (result)
    {
        *result = std::move(out);
    }
    return error;
}

// Disabled upstream cases this implementation does not run, by file and comment, with the
// reason. The other disabled cases ("Toplevel scalar values OK?", "Whole document") pass and
// are run like any other.
const std::map<std::string, std::map<std::string, std::string>> k_skipped = {
    {"tests.json",
     {{"duplicate ops",
       "duplicate 'op' members are a parser matter: the REST layer parses bodies with "
       "JSON_REJECT_DUPLICATES (see JsonPatch.DuplicateMembersRejectedByParser); "
       "once loaded, Jansson keeps only the last 'op' and the patch is a valid move"}}},
    {"spec_tests.json",
     {{"A.13 Invalid JSON Patch Document",
       "duplicate 'op' members, as above; once loaded, Jansson keeps only 'remove'"}}},
};

void run_conformance(const std::string& file, size_t expect_ran, size_t expect_skipped)
{
    std::string path = SQLGATE_SOURCE_DIR "/test/unit/fixtures/json-patch-tests/" + file;
    json_error_t err;
    Json cases(json_load_file(path.c_str(), 0, &err));
    ASSERT_TRUE(json_is_array(cases.get())) << path << ": " << err.text;

    const auto& skip_list = k_skipped.at(file);
    std::set<std::string> skipped;
    size_t ran = 0;

    for (size_t i = 0; i < json_array_size(cases.get()); ++i)
    {
        json_t* c = json_array_get(cases.get(), i);
        const char* comment = json_string_value(json_object_get(c, "comment"));
        std::string name = comment ? comment : "(no comment)";
        SCOPED_TRACE(file + " case " + std::to_string(i) + ": " + name);

        if (json_is_true(json_object_get(c, "disabled")) && skip_list.count(name))
        {
            skipped.insert(name);
            continue;
        }

        json_t* doc = json_object_get(c, "doc");
        json_t* patch = json_object_get(c, "patch");
        json_t* expected = json_object_get(c, "expected");
        ASSERT_TRUE(doc && patch);
        Json before(json_deep_copy(doc));

        std::string error;
        Json result(apply_patch(doc, patch, error));
        ++ran;

        EXPECT_TRUE(json_equal(before.get(), doc)) << "input modified: " << dump(doc);
        if (json_object_get(c, "error"))
        {
            EXPECT_FALSE(result) << "expected failure ("
                                 << json_string_value(json_object_get(c, "error")) << "), got "
                                 << dump(result.get());
            EXPECT_FALSE(error.empty());
        }
        else
        {
            ASSERT_TRUE(result) << error;
            if (expected)
            {
                EXPECT_TRUE(json_equal(result.get(), expected))
                    << "got " << dump(result.get()) << ", expected " << dump(expected);
            }
        }
    }

    std::printf("[ conformance ] %s: %zu cases ran, %zu skipped\n", file.c_str(), ran,
                skipped.size());
    for (const auto& [comment, reason] : skip_list)
    {
        EXPECT_TRUE(skipped.count(comment))
            << "skip list entry not found or not disabled: " << comment;
        std::printf("[ conformance ]   skipped '%s': %s\n", comment.c_str(), reason.c_str());
    }
    EXPECT_EQ(ran, expect_ran);
    EXPECT_EQ(skipped.size(), expect_skipped);
}

}  // namespace

TEST(JsonPatchConformance, TestsJson)
{
    run_conformance("tests.json", 94, 1);
}

TEST(JsonPatchConformance, SpecTestsJson)
{
    run_conformance("spec_tests.json", 16, 1);
}

TEST(JsonPatch, DuplicateMembersRejectedByParser)
{
    // The text of the two skipped cases: only a duplicate-rejecting parse can catch them.
    const char* dup = R"([{"op": "add", "path": "/baz", "value": "qux", "op": "move",
                          "from": "/foo"}])";
    json_error_t err;
    Json p(json_loads(dup, JSON_REJECT_DUPLICATES, &err));
    EXPECT_FALSE(p);
    EXPECT_NE(std::string(err.text).find("duplicate"), std::string::npos) << err.text;
}

TEST(JsonPointer, Parse)
{
    std::vector<std::string> tokens;
    std::string error;
    using V = std::vector<std::string>;

    EXPECT_TRUE(parse_pointer("", tokens, error));
    EXPECT_EQ(tokens, V{});
    EXPECT_TRUE(parse_pointer("/", tokens, error));
    EXPECT_EQ(tokens, V{""});
    EXPECT_TRUE(parse_pointer("//", tokens, error));
    EXPECT_EQ(tokens, (V{"", ""}));
    EXPECT_TRUE(parse_pointer("/a/", tokens, error));
    EXPECT_EQ(tokens, (V{"a", ""}));
    EXPECT_TRUE(parse_pointer("/a/~1b/~0c", tokens, error));
    EXPECT_EQ(tokens, (V{"a", "/b", "~c"}));
    EXPECT_TRUE(parse_pointer("/~01", tokens, error));  // ~0 first: "~1", not "/"
    EXPECT_EQ(tokens, V{"~1"});
    EXPECT_TRUE(parse_pointer("/~10", tokens, error));
    EXPECT_EQ(tokens, V{"/0"});
    EXPECT_TRUE(parse_pointer("/0/-/01", tokens, error));
    EXPECT_EQ(tokens, (V{"0", "-", "01"}));
}

TEST(JsonPointer, ParseInvalid)
{
    std::vector<std::string> tokens{"stale"};
    std::string error;

    EXPECT_FALSE(parse_pointer("x", tokens, error));
    EXPECT_EQ(error, "JSON pointer 'x' must start with '/'");
    for (const char* bad : {"/~", "/~2", "/a~", "/a/~x/b", "/~~0"})
    {
        error.clear();
        EXPECT_FALSE(parse_pointer(bad, tokens, error)) << bad;
        EXPECT_NE(error.find("invalid '~' escape"), std::string::npos) << error;
        EXPECT_NE(error.find(bad), std::string::npos) << error;
        EXPECT_TRUE(tokens.empty());
    }
}

TEST(JsonPointer, GetRfc6901Examples)
{
    // RFC 6901 section 5.
    Json doc = parse(R"({"foo": ["bar", "baz"], "": 0, "a/b": 1, "c%d": 2, "e^f": 3,
                         "g|h": 4, "i\\j": 5, "k\"l": 6, " ": 7, "m~n": 8})");
    EXPECT_EQ(pointer_get(doc.get(), ""), doc.get());
    EXPECT_EQ(dump(pointer_get(doc.get(), "/foo")), R"(["bar","baz"])");
    EXPECT_EQ(dump(pointer_get(doc.get(), "/foo/0")), R"("bar")");
    const std::map<std::string, int> numbers = {{"/", 0},     {"/a~1b", 1}, {"/c%d", 2},
                                                {"/e^f", 3},  {"/g|h", 4},  {"/i\\j", 5},
                                                {"/k\"l", 6}, {"/ ", 7},    {"/m~0n", 8}};
    for (const auto& [pointer, n] : numbers)
    {
        json_t* v = pointer_get(doc.get(), pointer);
        ASSERT_TRUE(json_is_integer(v)) << pointer;
        EXPECT_EQ(json_integer_value(v), n) << pointer;
    }
}

TEST(JsonPointer, GetArraysAndNumericKeys)
{
    Json doc = parse(R"({"0": "zero", "01": "one", "-": "dash", "arr": [10, 20, {"x": null}]})");
    json_t* d = doc.get();

    // Numeric-looking tokens are plain member names on objects, leading zeros included.
    EXPECT_EQ(dump(pointer_get(d, "/0")), R"("zero")");
    EXPECT_EQ(dump(pointer_get(d, "/01")), R"("one")");
    EXPECT_EQ(dump(pointer_get(d, "/-")), R"("dash")");

    EXPECT_EQ(dump(pointer_get(d, "/arr/1")), "20");
    EXPECT_TRUE(json_is_null(pointer_get(d, "/arr/2/x")));  // present, and null
    EXPECT_EQ(pointer_get(d, "/arr/01"), nullptr);          // leading zero
    EXPECT_EQ(pointer_get(d, "/arr/3"), nullptr);           // == size
    EXPECT_EQ(pointer_get(d, "/arr/-"), nullptr);           // only meaningful for add
    EXPECT_EQ(pointer_get(d, "/arr/1e0"), nullptr);
    EXPECT_EQ(pointer_get(d, "/arr/-1"), nullptr);
    EXPECT_EQ(pointer_get(d, "/arr/99999999999999999999999"), nullptr);
    EXPECT_EQ(pointer_get(d, "/arr/0/x"), nullptr);  // into a scalar
    EXPECT_EQ(pointer_get(d, "/missing"), nullptr);
    EXPECT_EQ(pointer_get(d, "arr"), nullptr);  // invalid pointer
    EXPECT_EQ(pointer_get(d, "/~2"), nullptr);
    EXPECT_EQ(pointer_get(nullptr, ""), nullptr);
}

TEST(JsonPatch, ErrorMessages)
{
    EXPECT_EQ(patch_error(R"({"a": {}})", R"([{"op": "test", "path": "/a", "value": {}},
                                             {"op": "replace", "path": "/a/b", "value": 1}])"),
              "operation 1 (replace): path '/a/b' does not exist");
    EXPECT_EQ(patch_error("{}", R"([{"op": "foo", "path": ""}])"), "operation 0: unknown op 'foo'");
    EXPECT_EQ(patch_error(R"({"x": 1})", R"([{"op": "test", "path": "/x", "value": 1},
                                            {"op": "add", "path": "/y", "value": 2},
                                            {"op": "test", "path": "/x", "value": "1"}])"),
              "operation 2 (test): value at '/x' is not equal to the given value");
    EXPECT_EQ(patch_error("{}", R"({"op": "add", "path": "/a", "value": 1})"),
              "a JSON Patch must be an array of operations");
    EXPECT_EQ(patch_error("{}", "[1]"), "operation 0: not a JSON object");
    EXPECT_EQ(patch_error("{}", R"([{"path": "/a"}])"), "operation 0: missing 'op'");
    EXPECT_EQ(patch_error("{}", R"([{"op": 1, "path": "/a"}])"),
              "operation 0: 'op' must be a string");
    EXPECT_EQ(patch_error("{}", R"([{"op": "add", "value": 1}])"),
              "operation 0 (add): missing 'path'");
    EXPECT_EQ(patch_error("{}", R"([{"op": "add", "path": null, "value": 1}])"),
              "operation 0 (add): 'path' must be a string");
    EXPECT_EQ(patch_error("{}", R"([{"op": "add", "path": "a", "value": 1}])"),
              "operation 0 (add): JSON pointer 'a' must start with '/'");
    EXPECT_EQ(patch_error("{}", R"([{"op": "replace", "path": "/a"}])"),
              "operation 0 (replace): missing 'value'");
    EXPECT_EQ(patch_error(R"({"a": 1})", R"([{"op": "copy", "path": "/b"}])"),
              "operation 0 (copy): missing 'from'");
    EXPECT_EQ(patch_error(R"({"a": 1})", R"([{"op": "move", "from": "/c", "path": "/b"}])"),
              "operation 0 (move): from '/c' does not exist");
    EXPECT_EQ(patch_error("{}", R"([{"op": "add", "path": "/a/b", "value": 1}])"),
              "operation 0 (add): parent of path '/a/b' does not exist");
    EXPECT_EQ(patch_error(R"({"a": 1})", R"([{"op": "add", "path": "/a/b", "value": 1}])"),
              "operation 0 (add): parent of path '/a/b' is not an object or an array");
    EXPECT_EQ(patch_error("[1, 2]", R"([{"op": "add", "path": "/3", "value": 1}])"),
              "operation 0 (add): path '/3': array index 3 is out of range (size 2)");
    EXPECT_EQ(patch_error("[1, 2]", R"([{"op": "test", "path": "/01", "value": 2}])"),
              "operation 0 (test): path '/01': '01' is not a valid array index");
    EXPECT_EQ(patch_error("[1, 2]", R"([{"op": "remove", "path": "/2"}])"),
              "operation 0 (remove): path '/2' does not exist");
    EXPECT_EQ(patch_error("[1, 2]", R"([{"op": "remove", "path": "/-"}])"),
              "operation 0 (remove): path '/-': '-' is not a valid array index");
    EXPECT_EQ(patch_error("[1, 2]", R"([{"op": "remove", "path": ""}])"),
              "operation 0 (remove): cannot remove the whole document");
    EXPECT_EQ(
        patch_error(R"({"a": {"b": {}}})", R"([{"op": "move", "from": "/a", "path": "/a/b/c"}])"),
        "operation 0 (move): cannot move '/a' into its own child '/a/b/c'");
    EXPECT_EQ(patch_error(R"({"a": 1})", R"([{"op": "move", "from": "", "path": "/b"}])"),
              "operation 0 (move): cannot move '' into its own child '/b'");
}

TEST(JsonPatch, Operations)
{
    Json out;
    // Prefix of a key is not a child: "/ab" is not inside "/a".
    EXPECT_EQ(patch_error(R"({"a": 1})", R"([{"op": "move", "from": "/a", "path": "/ab"}])", &out),
              "");
    EXPECT_EQ(dump(out.get()), R"({"ab":1})");
    // Move to the same place is a no-op; move a member up to the root.
    EXPECT_EQ(patch_error(R"({"a": {"b": [1]}})", R"([{"op": "move", "from": "/a", "path": "/a"},
                                                     {"op": "move", "from": "/a/b", "path": ""}])",
                          &out),
              "");
    EXPECT_EQ(dump(out.get()), "[1]");
    // Replace the root with a scalar, then with an object through add.
    EXPECT_EQ(patch_error(R"({"a": 1})", R"([{"op": "replace", "path": "", "value": 5},
                                           {"op": "test", "path": "", "value": 5},
                                           {"op": "add", "path": "", "value": {"z": 0}}])",
                          &out),
              "");
    EXPECT_EQ(dump(out.get()), R"({"z":0})");
    // Array: "-" appends, index == size appends, replace and remove by index.
    EXPECT_EQ(patch_error("[1, 2]", R"([{"op": "add", "path": "/-", "value": 3},
                                       {"op": "add", "path": "/3", "value": 4},
                                       {"op": "add", "path": "/0", "value": 0},
                                       {"op": "replace", "path": "/4", "value": 40},
                                       {"op": "remove", "path": "/1"},
                                       {"op": "copy", "from": "/0", "path": "/-"}])",
                          &out),
              "");
    EXPECT_EQ(dump(out.get()), "[0,2,3,40,0]");
    // Extra members are ignored; "value": null is a value.
    EXPECT_EQ(patch_error("{}", R"([{"op": "add", "path": "/n", "value": null, "extra": [1]},
                                   {"op": "test", "path": "/n", "value": null}])",
                          &out),
              "");
    EXPECT_EQ(dump(out.get()), R"({"n":null})");
}

TEST(JsonPatch, AllOrNothing)
{
    Json doc = parse(R"({"a": [1, 2], "b": {"c": true}})");
    Json before(json_deep_copy(doc.get()));
    Json patch = parse(R"([{"op": "remove", "path": "/a/0"},
                           {"op": "replace", "path": "/b/c", "value": false},
                           {"op": "add", "path": "/b/d/e", "value": 1}])");
    std::string error;
    Json out(apply_patch(doc.get(), patch.get(), error));
    EXPECT_FALSE(out);
    EXPECT_EQ(error, "operation 2 (add): parent of path '/b/d/e' does not exist");
    EXPECT_TRUE(json_equal(doc.get(), before.get())) << dump(doc.get());

    Json empty = parse("[]");
    out.reset(apply_patch(doc.get(), empty.get(), error));
    ASSERT_TRUE(out);
    EXPECT_NE(out.get(), doc.get());  // always a copy
    EXPECT_TRUE(json_equal(out.get(), doc.get()));
    EXPECT_EQ(out->refcount, 1u);
}

TEST(JsonPatch, ResultSharesNothingWithPatch)
{
    Json doc = parse("{}");
    Json patch = parse(R"([{"op": "add", "path": "/a", "value": {"list": []}},
                           {"op": "add", "path": "/a/list/-", "value": 1},
                           {"op": "add", "path": "/a/x", "value": 2}])");
    Json before(json_deep_copy(patch.get()));
    std::string error;
    Json out(apply_patch(doc.get(), patch.get(), error));
    ASSERT_TRUE(out) << error;
    EXPECT_EQ(dump(out.get()), R"({"a":{"list":[1],"x":2}})");
    EXPECT_TRUE(json_equal(patch.get(), before.get())) << dump(patch.get());
}

TEST(JsonPatch, TestComparesNumbersByValue)
{
    // RFC 6902 section 4.6: numbers are equal when numerically equal, so 1 == 1.0 (unlike
    // json_equal). The conformance data has no such case; this is our documented choice.
    const char* doc = R"({"i": 1, "r": 1.0, "big": 9007199254740993, "arr": [1, {"k": 2}]})";
    auto test = [&](const char* path, const char* value)
    {
        std::string patch =
            std::string(R"([{"op": "test", "path": ")") + path + R"(", "value": )" + value + "}]";
        return patch_error(doc, patch.c_str()).empty();
    };
    EXPECT_TRUE(test("/i", "1.0"));
    EXPECT_TRUE(test("/r", "1"));
    EXPECT_TRUE(test("/i", "1e0"));
    EXPECT_TRUE(test("/arr", R"([1.0, {"k": 2.0}])"));
    EXPECT_FALSE(test("/i", "1.5"));
    EXPECT_FALSE(test("/i", R"("1")"));
    EXPECT_FALSE(test("/i", "true"));
    EXPECT_FALSE(test("/big", "9007199254740992.0"));  // the double would round to it
    EXPECT_TRUE(test("/big", "9007199254740993"));
    EXPECT_FALSE(test("/arr", "[1]"));
    EXPECT_FALSE(test("/arr", R"([{"k": 2}, 1])"));
    EXPECT_TRUE(test("", R"({"arr": [1, {"k": 2}], "big": 9007199254740993, "r": 1, "i": 1})"));
    EXPECT_FALSE(test("", R"({"arr": [1, {"k": 2}], "big": 9007199254740993, "r": 1})"));
}
