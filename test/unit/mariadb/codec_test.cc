// MariaDB codec: encodings, packet builders, native auth, handshakes.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "sqlgate/mariadb.hh"

using namespace sqlgate;
using namespace sqlgate::mariadb;

namespace
{
std::string fixture(const std::string& name)
{
    std::ifstream in(std::string(SQLGATE_SOURCE_DIR) + "/test/unit/fixtures/mariadb/" + name,
                     std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string hex(std::string_view s)
{
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (unsigned char c : s)
    {
        out.push_back(digits[c >> 4]);
        out.push_back(digits[c & 15]);
    }
    return out;
}

std::string unhex(std::string_view h)
{
    std::string out;
    for (size_t i = 0; i + 1 < h.size(); i += 2)
    {
        out.push_back(static_cast<char>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
    }
    return out;
}

std::string lenenc(uint64_t v)
{
    std::string s;
    write_lenenc(s, v);
    return s;
}

// stored hash of "secret": SHA1(SHA1("secret")), as in mysql.user
const char* SECRET_HASH = "*14E65567ABDB5135D0CFD9A70B3032C179A49EE7";
}  // namespace

TEST(MariadbCodec, LenencBoundaries)
{
    struct Case
    {
        uint64_t v;
        const char* hex;
    } cases[] = {
        {0, "00"},
        {250, "fa"},
        {251, "fcfb00"},
        {0xffff, "fcffff"},
        {0x10000, "fd000001"},
        {0xffffff, "fdffffff"},
        {0x1000000, "fe0000000100000000"},
        {0xffffffffffffffffULL, "feffffffffffffffff"},
    };
    for (const auto& c : cases)
    {
        std::string enc = lenenc(c.v);
        EXPECT_EQ(hex(enc), c.hex) << c.v;
        const unsigned char* p = reinterpret_cast<const unsigned char*>(enc.data());
        uint64_t out = 0;
        ASSERT_TRUE(read_lenenc(p, p + enc.size(), out));
        EXPECT_EQ(out, c.v);
        EXPECT_EQ(p, reinterpret_cast<const unsigned char*>(enc.data()) + enc.size());
        // Truncated input fails and does not move.
        const unsigned char* q = reinterpret_cast<const unsigned char*>(enc.data());
        if (enc.size() > 1)
        {
            EXPECT_FALSE(read_lenenc(q, q + enc.size() - 1, out));
            EXPECT_EQ(q, reinterpret_cast<const unsigned char*>(enc.data()));
        }
    }
    const unsigned char bad[] = {0xfb, 0xff};
    const unsigned char* p = bad;
    uint64_t v;
    EXPECT_FALSE(read_lenenc(p, bad + 1, v));
    p = bad + 1;
    EXPECT_FALSE(read_lenenc(p, bad + 2, v));
}

TEST(MariadbCodec, LenencString)
{
    std::string s;
    write_lenenc_str(s, "abc");
    EXPECT_EQ(hex(s), "03616263");
    std::string big(300, 'x');
    s.clear();
    write_lenenc_str(s, big);
    EXPECT_EQ(hex(s.substr(0, 3)), "fc2c01");
    const unsigned char* p = reinterpret_cast<const unsigned char*>(s.data());
    std::string_view out;
    ASSERT_TRUE(read_lenenc_str(p, p + s.size(), out));
    EXPECT_EQ(out, big);
    p = reinterpret_cast<const unsigned char*>(s.data());
    EXPECT_FALSE(read_lenenc_str(p, p + s.size() - 1, out));
}

TEST(MariadbCodec, OkAndErrPackets)
{
    EXPECT_EQ(hex(make_ok(1).to_string()), "0700000100000002000000");
    EXPECT_EQ(hex(make_ok(2, 300, 5, srv::AUTOCOMMIT | srv::IN_TRANS, 1, "hi").to_string()),
              "0b00000200fc2c0105030001006869");
    EXPECT_EQ(hex(make_err(1, 1045, "28000", "Access denied").to_string()),
              "160000"
              "01"
              "ff1504"
              "23"
              "3238303030" +
                  hex("Access denied"));
    // Real server bytes (misc fixture): COM_INIT_DB 'nonexistent'.
    EXPECT_EQ(make_err(1, 1049, "42000", "Unknown database 'nonexistent'").to_string(),
              unhex("27000001ff1904233432303030") + "Unknown database 'nonexistent'");
}

TEST(MariadbCodec, SqlstateOfTheErrorsSqlgateSends)
{
    // As MariaDB sends them (sql/share/errmsg-utf8.txt).
    EXPECT_STREQ(sqlstate_of(1040), "08004");
    EXPECT_STREQ(sqlstate_of(1043), "08S01");
    EXPECT_STREQ(sqlstate_of(1044), "42000");
    EXPECT_STREQ(sqlstate_of(1045), "28000");
    EXPECT_STREQ(sqlstate_of(1049), "42000");
    EXPECT_STREQ(sqlstate_of(1927), "70100");
    EXPECT_STREQ(sqlstate_of(1815), "HY000");
    EXPECT_STREQ(sqlstate_of(1094), "HY000");
}

TEST(MariadbCodec, MakePacketSplitsAt16MiB)
{
    EXPECT_EQ(hex(make_packet(3, "").to_string()), "00000003");
    std::string payload(MAX_PAYLOAD, 'a');
    std::string out = make_packet(0, payload).to_string();
    ASSERT_EQ(out.size(), MAX_PAYLOAD + 8u);
    EXPECT_EQ(hex(out.substr(0, 4)), "ffffff00");
    EXPECT_EQ(hex(out.substr(MAX_PAYLOAD + 4)), "00000001");  // empty continuation
    payload.push_back('b');
    out = make_packet(5, payload).to_string();
    ASSERT_EQ(out.size(), MAX_PAYLOAD + 9u);
    EXPECT_EQ(hex(out.substr(MAX_PAYLOAD + 4)), "0100000662");
}

TEST(MariadbCodec, GetAndRebuildSql)
{
    Buffer q = make_packet(0, std::string("\x03SELECT 1", 9));
    EXPECT_EQ(get_sql(q), "SELECT 1");
    EXPECT_EQ(command_of(q), COM_QUERY);
    Buffer r = rebuild_sql(q, "SELECT 2 + 2");
    EXPECT_EQ(r.to_string(), std::string("\x0d\x00\x00\x00\x03SELECT 2 + 2", 17));
    // A statement spanning two packets.
    std::string big(MAX_PAYLOAD + 10, 'x');
    big[0] = COM_QUERY;
    Buffer b = make_packet(0, big);
    EXPECT_EQ(get_sql(b), big.substr(1));
    EXPECT_EQ(command_of(Buffer()), 0xff);
}

TEST(MariadbCodec, CommandNames)
{
    EXPECT_STREQ(command_name(COM_QUERY), "COM_QUERY");
    EXPECT_STREQ(command_name(COM_STMT_EXECUTE), "COM_STMT_EXECUTE");
    EXPECT_STREQ(command_name(COM_RESET_CONNECTION), "COM_RESET_CONNECTION");
    EXPECT_STREQ(command_name(0xee), "COM_UNKNOWN");
}

TEST(MariadbAuth, NativeTokenKnownVector)
{
    uint8_t scramble[20];
    for (int i = 0; i < 20; ++i)
    {
        scramble[i] = i + 1;
    }
    // Computed independently with python3 hashlib (see capture/README.md).
    Sha1 t = native_token("secret", scramble);
    EXPECT_EQ(hex(std::string_view(reinterpret_cast<char*>(t.data()), 20)),
              "b32bb3a583e1340c0a1108d58b1be49781ad8c2f");
    Sha1 s1 = sha1("secret");
    EXPECT_EQ(hex(std::string_view(reinterpret_cast<char*>(s1.data()), 20)),
              "e5e9fa1ba31ecd1ae84f75caaa474f3a663f05f4");
    EXPECT_EQ(native_token_from_sha1(s1, scramble), t);

    std::string stored;
    ASSERT_TRUE(decode_password_hash(SECRET_HASH, stored));
    EXPECT_EQ(hex(stored), "14e65567abdb5135d0cfd9a70b3032c179a49ee7");
    Sha1 recovered{};
    EXPECT_TRUE(check_native(scramble, std::string_view(reinterpret_cast<char*>(t.data()), 20),
                             stored, recovered));
    EXPECT_EQ(recovered, s1);
    Sha1 wrong = native_token("Secret", scramble);
    EXPECT_FALSE(check_native(scramble, std::string_view(reinterpret_cast<char*>(wrong.data()), 20),
                              stored, recovered));
    EXPECT_FALSE(check_native(scramble, "", stored, recovered));
    EXPECT_TRUE(check_native(scramble, "", "", recovered));
    EXPECT_FALSE(check_native(scramble, "x", "", recovered));
}

TEST(MariadbAuth, DecodePasswordHash)
{
    std::string raw;
    EXPECT_TRUE(decode_password_hash("", raw));
    EXPECT_TRUE(raw.empty());
    EXPECT_TRUE(decode_password_hash("*14e65567abdb5135d0cfd9a70b3032c179a49ee7", raw));
    EXPECT_EQ(raw.size(), 20u);
    EXPECT_FALSE(decode_password_hash("14E65567ABDB5135D0CFD9A70B3032C179A49EE7", raw));
    EXPECT_FALSE(decode_password_hash("*14E65567ABDB5135D0CFD9A70B3032C179A49EEZ", raw));
    EXPECT_FALSE(decode_password_hash("*14E6", raw));
}

TEST(MariadbAuth, RandomScramble)
{
    uint8_t a[20], b[20];
    random_scramble(a, 20);
    random_scramble(b, 20);
    EXPECT_NE(std::string_view(reinterpret_cast<char*>(a), 20),
              std::string_view(reinterpret_cast<char*>(b), 20));
    for (uint8_t c : a)
    {
        EXPECT_GE(c, 33);
        EXPECT_LE(c, 126);
        EXPECT_NE(c, '$');
    }
}

TEST(MariadbHandshake, BuildAndParseBack)
{
    Handshake hs;
    hs.server_version = "5.5.5-10.11.19-sqlgate";
    hs.connection_id = 0x01020304;
    for (size_t i = 0; i < SCRAMBLE_LEN; ++i)
    {
        hs.scramble[i] = 'A' + i;
    }
    // MariaDB style: CLIENT_MYSQL clear, extended capabilities advertised.
    hs.capabilities = (0x81fff7feULL & ~cap::LONG_PASSWORD) | cap::MARIADB_PROGRESS |
                      cap::MARIADB_STMT_BULK_OPERATIONS | cap::MARIADB_CACHE_METADATA;
    hs.status = srv::AUTOCOMMIT;
    hs.charset = 45;
    std::string p = build_handshake(hs);
    EXPECT_EQ(hex(p), "0a" + hex(hs.server_version) + "00" + "04030201" + hex("ABCDEFGH") + "00" +
                          "fef7" + "2d" + "0200" + "ff81" + "15" + "000000000000" + "15000000" +
                          hex("IJKLMNOPQRST") + "00" + hex("mysql_native_password") + "00");
    Handshake back;
    std::string err;
    ASSERT_TRUE(parse_handshake(p, back, err)) << err;
    EXPECT_EQ(back.server_version, hs.server_version);
    EXPECT_EQ(back.connection_id, hs.connection_id);
    EXPECT_EQ(0, memcmp(back.scramble, hs.scramble, SCRAMBLE_LEN));
    EXPECT_EQ(back.capabilities, hs.capabilities);
    EXPECT_EQ(back.charset, 45);
    EXPECT_EQ(back.status, srv::AUTOCOMMIT);
    EXPECT_EQ(back.auth_plugin, "mysql_native_password");

    // With CLIENT_MYSQL set the extended bits are not sent.
    hs.capabilities |= cap::LONG_PASSWORD;
    ASSERT_TRUE(parse_handshake(build_handshake(hs), back, err));
    EXPECT_EQ(back.capabilities, hs.capabilities & 0xffffffffULL);
    EXPECT_FALSE(parse_handshake(p.substr(0, 20), back, err));
    EXPECT_FALSE(parse_handshake(std::string("\x09x\0", 3), back, err));
}

TEST(MariadbHandshake, RealServerHandshake)
{
    std::string pkt = fixture("handshake_10.11.bin");
    ASSERT_GT(pkt.size(), 4u);
    ASSERT_EQ(payload_length(reinterpret_cast<const unsigned char*>(pkt.data())), pkt.size() - 4);
    std::string payload = pkt.substr(4);
    Handshake hs;
    std::string err;
    ASSERT_TRUE(parse_handshake(payload, hs, err)) << err;
    EXPECT_EQ(hs.server_version, "5.5.5-10.11.19-MariaDB-0+deb12u1");
    EXPECT_EQ(hs.connection_id, 15u);
    EXPECT_EQ(std::string_view(reinterpret_cast<char*>(hs.scramble), 20), "k~X|+Zgt5FC\\&DdK)-DP");
    EXPECT_FALSE(hs.capabilities & cap::LONG_PASSWORD);
    EXPECT_TRUE(hs.capabilities & cap::PLUGIN_AUTH);
    EXPECT_TRUE(hs.capabilities & cap::DEPRECATE_EOF);
    EXPECT_TRUE(hs.capabilities & cap::MARIADB_CACHE_METADATA);
    EXPECT_EQ(hs.capabilities >> 32, 0x1du);
    EXPECT_EQ(hs.charset, 45);
    EXPECT_EQ(hs.auth_plugin, "mysql_native_password");
    // Building it again gives the same bytes.
    EXPECT_EQ(hex(build_handshake(hs)), hex(payload));
}

TEST(MariadbHandshake, RealClientResponse)
{
    // The response of the `mariadb` CLI (libmariadb 3.3) to the handshake above,
    // user u, password "secret", database test.
    std::string pkt = fixture("handshake_response_mariadb_cli.bin");
    ASSERT_GT(pkt.size(), 4u);
    std::string payload = pkt.substr(4);
    HandshakeResponse r;
    bool ssl = true;
    std::string err;
    ASSERT_TRUE(parse_handshake_response(payload, r, ssl, err)) << err;
    EXPECT_FALSE(ssl);
    EXPECT_EQ(r.user, "u");
    EXPECT_EQ(r.database, "test");
    EXPECT_EQ(r.auth_plugin, "mysql_native_password");
    EXPECT_EQ(r.auth_token.size(), 20u);
    EXPECT_TRUE(r.capabilities & cap::PLUGIN_AUTH_LENENC_CLIENT_DATA);
    EXPECT_TRUE(r.capabilities & cap::CONNECT_ATTRS);
    EXPECT_FALSE(r.capabilities & cap::DEPRECATE_EOF);
    EXPECT_EQ(r.capabilities >> 32, 0x1du);
    EXPECT_NE(r.attributes.find("_client_name"), std::string::npos);
    EXPECT_EQ(r.charset, 33);

    // The token verifies against the real server's scramble and the stored hash.
    Handshake hs;
    ASSERT_TRUE(parse_handshake(fixture("handshake_10.11.bin").substr(4), hs, err));
    std::string stored;
    ASSERT_TRUE(decode_password_hash(SECRET_HASH, stored));
    Sha1 s1{};
    ASSERT_TRUE(check_native(hs.scramble, r.auth_token, stored, s1));
    EXPECT_EQ(s1, sha1("secret"));

    // Rebuilding gives the same bytes.
    EXPECT_EQ(hex(build_handshake_response(r)), hex(payload));

    // The same first 32 bytes alone are an SSL request.
    HandshakeResponse s;
    ASSERT_TRUE(parse_handshake_response(payload.substr(0, 32), s, ssl, err));
    EXPECT_TRUE(ssl);
    EXPECT_EQ(s.capabilities, r.capabilities);
    EXPECT_FALSE(parse_handshake_response(payload.substr(0, 20), s, ssl, err));
}

TEST(MariadbHandshake, ResponseVariants)
{
    HandshakeResponse r;
    r.capabilities = cap::LONG_PASSWORD | cap::PROTOCOL_41 | cap::SECURE_CONNECTION;
    r.user = "bob";
    r.auth_token = std::string(20, '\x01');
    std::string p = build_handshake_response(r);
    EXPECT_EQ(p.size(), 32u + 4 + 21);
    HandshakeResponse back;
    bool ssl;
    std::string err;
    ASSERT_TRUE(parse_handshake_response(p, back, ssl, err));
    EXPECT_EQ(back.user, "bob");
    EXPECT_EQ(back.auth_token, r.auth_token);
    EXPECT_TRUE(back.database.empty());
    EXPECT_EQ(back.capabilities, r.capabilities);

    r.capabilities = cap::PROTOCOL_41 | cap::SECURE_CONNECTION | cap::CONNECT_WITH_DB |
                     cap::PLUGIN_AUTH | cap::DEPRECATE_EOF | cap::MARIADB_CACHE_METADATA;
    r.database = "db1";
    r.auth_plugin = "mysql_native_password";
    ASSERT_TRUE(parse_handshake_response(build_handshake_response(r), back, ssl, err));
    EXPECT_EQ(back.database, "db1");
    EXPECT_EQ(back.auth_plugin, "mysql_native_password");
    EXPECT_EQ(back.capabilities, r.capabilities);
    // A response without PROTOCOL_41 is refused.
    r.capabilities = cap::SECURE_CONNECTION;
    EXPECT_FALSE(parse_handshake_response(build_handshake_response(r), back, ssl, err));
}

TEST(MariadbHandshake, AuthSwitch)
{
    std::string data = "01234567890123456789";
    data.push_back('\0');
    std::string p = build_auth_switch("mysql_native_password", data);
    EXPECT_EQ(hex(p), "fe" + hex("mysql_native_password") + "00" + hex(data));
    std::string plugin, back;
    ASSERT_TRUE(parse_auth_switch(p, plugin, back));
    EXPECT_EQ(plugin, "mysql_native_password");
    EXPECT_EQ(back, data);
    EXPECT_FALSE(parse_auth_switch("\x00", plugin, back));
    ASSERT_TRUE(parse_auth_switch("\xfe", plugin, back));
    EXPECT_EQ(plugin, "mysql_old_password");
}

TEST(MariadbHandshake, ChangeUser)
{
    uint64_t caps =
        cap::PROTOCOL_41 | cap::SECURE_CONNECTION | cap::PLUGIN_AUTH | cap::CONNECT_ATTRS;
    ChangeUser c;
    c.user = "u";
    c.auth_token = std::string(20, 'z');
    c.database = "test";
    c.charset = 45;
    c.auth_plugin = "mysql_native_password";
    c.attributes = std::string("\x03_os\x05Linux", 10);
    std::string p = build_change_user(c, caps);
    EXPECT_EQ(hex(p), "11" + hex("u") + "00" + "14" + hex(c.auth_token) + hex("test") + "00" +
                          "2d00" + hex("mysql_native_password") + "00" + "0a" + hex(c.attributes));
    ChangeUser back;
    ASSERT_TRUE(parse_change_user(p, caps, back));
    EXPECT_EQ(back.user, "u");
    EXPECT_EQ(back.auth_token, c.auth_token);
    EXPECT_EQ(back.database, "test");
    EXPECT_EQ(back.charset, 45);
    EXPECT_EQ(back.auth_plugin, c.auth_plugin);
    EXPECT_EQ(back.attributes, c.attributes);
    // Old clients stop after the database.
    ASSERT_TRUE(parse_change_user(std::string("\x11u\0\0db\0", 7), caps, back));
    EXPECT_EQ(back.database, "db");
    EXPECT_TRUE(back.auth_token.empty());
    EXPECT_FALSE(parse_change_user("\x03u", caps, back));
}
