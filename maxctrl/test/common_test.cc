// key=value parsing, JSON:API documents and URL encoding.
#include <gtest/gtest.h>

#include "command.hh"

using namespace maxctrl;

namespace
{

std::string dump(json_t* j)
{
    char* s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    std::string out = s;
    free(s);
    return out;
}

}  // namespace

TEST(KeyValues, ValuesAreTyped)
{
    Json j = parse_key_values({"name", "port=3306", "ssl=true", "off=false", "neg=-5", "t=10s",
                               "list=[1,2]", "obj={\"a\":1}", "empty=", "ip=1.2.3.4"},
                              1);
    EXPECT_EQ(dump(j.get()),
              R"({"empty":"","ip":"1.2.3.4","list":[1,2],"neg":-5,"obj":{"a":1},"off":false,)"
              R"("port":3306,"ssl":true,"t":"10s"})");
}

TEST(KeyValues, DottedKeysNest)
{
    Json j = parse_key_values({"a.b=1", "a.c=x", "d=2"}, 0);
    EXPECT_EQ(dump(j.get()), R"({"a":{"b":1,"c":"x"},"d":2})");
}

TEST(KeyValues, LegacyPairs)
{
    Json j = parse_key_values({"srv", "port", "3307", "address", "10.0.0.1"}, 1);
    EXPECT_EQ(dump(j.get()), R"({"address":"10.0.0.1","port":3307})");
    EXPECT_THROW(parse_key_values({"srv", "port"}, 1), Error);
}

TEST(KeyValues, Refusals)
{
    EXPECT_THROW(parse_key_values({"a=1", "b"}, 0), Error);
    EXPECT_THROW(parse_key_values({"=1"}, 0), Error);
    try
    {
        parse_key_values({"x=null"}, 0);
        FAIL();
    }
    catch (const Error& e)
    {
        EXPECT_NE(std::string(e.what()).find("x=null"), std::string::npos);
    }
    // A value that only looks numeric, or is too long for an integer, stays a string.
    EXPECT_EQ(dump(parse_key_values({"a=12345678901234567890", "b=-"}, 0).get()),
              R"({"a":"12345678901234567890","b":"-"})");
}

TEST(Documents, MakeDocumentAndRelationship)
{
    Json doc = make_document("s1", "servers", json_pack("{s:{s:i}}", "parameters", "port", 1),
                             json_pack("{s:o}", "services", relationship({"A", "B"}, "services")));
    EXPECT_EQ(dump(doc.get()),
              R"({"data":{"attributes":{"parameters":{"port":1}},"id":"s1",)"
              R"("relationships":{"services":{"data":[{"id":"A","type":"services"},)"
              R"({"id":"B","type":"services"}]}},"type":"servers"}})");
}

TEST(Documents, UrlEncode)
{
    EXPECT_EQ(url_encode("Read-Write_Service.1~"), "Read-Write_Service.1~");
    EXPECT_EQ(url_encode("a b/c?d&e=f%"), "a%20b%2Fc%3Fd%26e%3Df%25");
    EXPECT_EQ(url_encode("ä"), "%C3%A4");
}
