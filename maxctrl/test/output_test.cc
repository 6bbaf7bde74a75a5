// Tables, key/value tables, --tsv rows and field extraction, byte for byte.
#include "output.hh"

#include <gtest/gtest.h>

using namespace maxctrl;

namespace
{

Json parse(const char* text)
{
    json_error_t err;
    Json j(json_loads(text, 0, &err));
    EXPECT_TRUE(j) << err.text;
    return j;
}

}  // namespace

TEST(Output, TableHasBordersSeparatorsAndPadding)
{
    std::string t = render_table({"Server", "Port"}, {{"server1", "3306"}, {"s2", "13307"}}, {});
    EXPECT_EQ(t,
              "┌─────────┬───────┐\n"
              "│ Server  │ Port  │\n"
              "├─────────┼───────┤\n"
              "│ server1 │ 3306  │\n"
              "├─────────┼───────┤\n"
              "│ s2      │ 13307 │\n"
              "└─────────┴───────┘\n");
}

TEST(Output, EmptyTableIsHeaderOnly)
{
    EXPECT_EQ(render_table({"Filter", "Module"}, {}, {}),
              "┌────────┬────────┐\n"
              "│ Filter │ Module │\n"
              "└────────┴────────┘\n");
}

TEST(Output, MultiLineCellsAndUtf8Widths)
{
    std::string t = render_pairs({{"Servers", "a\nbbb"}, {"Näme", "é"}}, {});
    EXPECT_EQ(t,
              "┌─────────┬─────┐\n"
              "│ Servers │ a   │\n"
              "│         │ bbb │\n"
              "├─────────┼─────┤\n"
              "│ Näme    │ é   │\n"
              "└─────────┴─────┘\n");
}

TEST(Output, TsvHasNoBordersHeaderOrTrailingSpace)
{
    TableStyle tsv{true, false};
    EXPECT_EQ(render_table({"A", "B"}, {{"x", "Master, Running"}, {"y", ""}}, tsv),
              "x\tMaster, Running\n"
              "y\t\n");
    EXPECT_EQ(render_pairs({{"Parameters", "{\n    \"a\": 1,\n    \"b\": 2\n}  "}}, tsv),
              "Parameters\t{ \"a\": 1, \"b\": 2 }\n");
}

TEST(Output, ColourOnlyWhenAsked)
{
    std::string plain = render_table({"H"}, {{"v"}}, {false, false});
    EXPECT_EQ(plain.find("\x1b["), std::string::npos);
    std::string colored = render_table({"H"}, {{"v"}}, {false, true});
    EXPECT_NE(colored.find("\x1b[36mH\x1b[39m"), std::string::npos);
    // Colour does not change the widths.
    EXPECT_NE(colored.find("│ \x1b[36mH\x1b[39m │"), std::string::npos);
    EXPECT_EQ(green("OK", false), "OK");
}

TEST(Output, FindValuesFollowsPathsArraysAndIndexes)
{
    Json doc = parse(R"({"data": [{"id": "a", "r": {"s": {"data": [{"id": "x"}, {"id": "y"}]}}},
                                 {"id": "b", "r": {"s": {"data": []}}}]})");
    std::vector<json_t*> ids = find_values(doc.get(), "data[].id");
    ASSERT_EQ(ids.size(), 2u);
    EXPECT_STREQ(json_string_value(ids[1]), "b");
    EXPECT_EQ(find_values(doc.get(), "data[].r.s.data[].id").size(), 2u);
    ASSERT_EQ(find_values(doc.get(), "data[1].id").size(), 1u);
    EXPECT_STREQ(json_string_value(find_values(doc.get(), "data[1].id")[0]), "b");
    EXPECT_TRUE(find_values(doc.get(), "data[7].id").empty());
    EXPECT_TRUE(find_values(doc.get(), "nothing.here").empty());
    EXPECT_TRUE(find_values(doc.get(), "data[x].id").empty());
}

TEST(Output, FieldTextOfScalarsListsAndObjects)
{
    Json res = parse(R"({"id": "s1", "n": 5, "f": 1.5, "t": true, "z": null,
                         "list": ["a", "b"], "obj": {"k": 1},
                         "rel": {"data": [{"id": "m1"}, {"id": "m2"}]}})");
    EXPECT_EQ(field_text(res.get(), "id", ", "), "s1");
    EXPECT_EQ(field_text(res.get(), "n", ", "), "5");
    EXPECT_EQ(field_text(res.get(), "f", ", "), "1.5");
    EXPECT_EQ(field_text(res.get(), "t", ", "), "true");
    EXPECT_EQ(field_text(res.get(), "z", ", "), "");
    EXPECT_EQ(field_text(res.get(), "missing", ", "), "");
    EXPECT_EQ(field_text(res.get(), "list", "\n"), "a\nb");
    EXPECT_EQ(field_text(res.get(), "rel.data[].id", ", "), "m1, m2");
    EXPECT_EQ(field_text(res.get(), "obj", "\n"), "{\n    \"k\": 1\n}");
}

TEST(Output, CollectionRowsAndPairs)
{
    Json doc = parse(R"({"data": [{"id": "a", "attributes": {"state": "Running"}},
                                 {"id": "b", "attributes": {}}]})");
    std::vector<Field> fields = {{"Name", "id", ""}, {"State", "attributes.state", ""}};
    std::vector<Row> rows = collection_rows(doc.get(), fields);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0], (Row{"a", "Running"}));
    EXPECT_EQ(rows[1], (Row{"b", ""}));
    auto pairs = resource_pairs(json_array_get(json_object_get(doc.get(), "data"), 0), fields);
    ASSERT_EQ(pairs.size(), 2u);
    EXPECT_EQ(pairs[1].first, "State");
    EXPECT_EQ(pairs[1].second, "Running");
    EXPECT_NE(describe_fields(fields).find("  Name   "), std::string::npos);
}
