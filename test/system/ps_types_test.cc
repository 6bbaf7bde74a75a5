// Prepared statements (binary protocol, mysql_stmt_*) through sqlgate with every column
// type: rows inserted with bound parameters are read back with bound results and compared
// with what was inserted, and the same rows read through sqlgate and directly from the
// server must give the same bytes and the same metadata, in both protocols. Statement
// life cycles are in ps_stmt_test.cc.
#include <gtest/gtest.h>

#include <cfloat>
#include <cstring>
#include <optional>
#include <tuple>

#include "ps_fixture.hh"

using namespace sqlgate::test;

namespace
{

using Cell = std::optional<std::string>;  // nullopt is SQL NULL
using Row = std::vector<Cell>;

// A value to bind: the bytes of the parameter buffer and the bytes the bound result
// buffer must hold when the row is read back (MYSQL_TIME as text, see time_text()).
struct Value
{
    bool null = false;
    std::string param;
    std::string expected;
};

struct Column
{
    const char* name;
    const char* sql_type;
    enum_field_types param_type;
    enum_field_types result_type;
    bool is_unsigned = false;
    const char* placeholder = "?";
};

bool is_time(enum_field_types t)
{
    return t == MYSQL_TYPE_DATE || t == MYSQL_TYPE_TIME || t == MYSQL_TYPE_DATETIME ||
           t == MYSQL_TYPE_TIMESTAMP;
}

size_t fixed_size(enum_field_types t)
{
    switch (t)
    {
        case MYSQL_TYPE_TINY:
            return 1;
        case MYSQL_TYPE_SHORT:
            return 2;
        case MYSQL_TYPE_LONG:
        case MYSQL_TYPE_FLOAT:
            return 4;
        case MYSQL_TYPE_LONGLONG:
        case MYSQL_TYPE_DOUBLE:
            return 8;
        default:
            return is_time(t) ? sizeof(MYSQL_TIME) : 0;
    }
}

std::string time_text(const MYSQL_TIME& t)
{
    char buf[96];
    snprintf(buf, sizeof buf, "%s%04u-%02u-%02u %u:%02u:%02u.%06lu", t.neg ? "-" : "", t.year,
             t.month, t.day, t.hour, t.minute, t.second, t.second_part);
    return buf;
}

template <class T>
Value num(T v)
{
    std::string b(reinterpret_cast<const char*>(&v), sizeof v);
    return {false, b, b};
}
Value str(const std::string& s, std::optional<std::string> expected = std::nullopt)
{
    return {false, s, expected.value_or(s)};
}
Value tm(unsigned y, unsigned mo, unsigned d, unsigned h, unsigned mi, unsigned s, unsigned long us,
         bool neg = false, enum_mysql_timestamp_type type = MYSQL_TIMESTAMP_DATETIME)
{
    MYSQL_TIME t{};
    t.year = y, t.month = mo, t.day = d, t.hour = h, t.minute = mi, t.second = s;
    t.second_part = us, t.neg = neg, t.time_type = type;
    return {false, std::string(reinterpret_cast<const char*>(&t), sizeof t), time_text(t)};
}
Value date(unsigned y, unsigned mo, unsigned d)
{
    return tm(y, mo, d, 0, 0, 0, 0, false, MYSQL_TIMESTAMP_DATE);
}
// A TIME value. The binary protocol carries hours >= 24 as days + hours, and libmariadb
// sends MYSQL_TIME.day and .hour as they are: the parameter holds 838 h as 34 d 22 h,
// while a fetched TIME has day 0 and all the hours in .hour.
Value tod(bool neg, unsigned h, unsigned mi, unsigned s, unsigned long us)
{
    Value v = tm(0, 0, 0, h, mi, s, us, neg, MYSQL_TIMESTAMP_TIME);
    MYSQL_TIME t;
    memcpy(&t, v.param.data(), sizeof t);
    t.day = h / 24;
    t.hour = h % 24;
    v.param.assign(reinterpret_cast<const char*>(&t), sizeof t);
    return v;
}
Value bits(uint64_t v)
{
    Value r = num(v);
    r.expected.clear();
    for (int i = 7; i >= 0; --i)
    {
        r.expected.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    }
    return r;
}
// Well-known binary, little-endian: byte order 1, the type, the counts (rings, points),
// then the coordinates.
std::string wkb(uint32_t type, const std::vector<uint32_t>& counts, const std::vector<double>& xy)
{
    std::string b(1, '\x01');
    b.append(reinterpret_cast<const char*>(&type), 4);
    for (uint32_t c : counts)
    {
        b.append(reinterpret_cast<const char*>(&c), 4);
    }
    for (double c : xy)
    {
        b.append(reinterpret_cast<const char*>(&c), 8);
    }
    return b;
}
Value geom(const std::string& w)
{
    return {false, w, std::string(4, '\0') + w};  // stored and returned with SRID 0 first
}

const std::vector<Column>& columns()
{
    static const std::vector<Column> c = {
        {"c_tiny", "TINYINT", MYSQL_TYPE_TINY, MYSQL_TYPE_TINY},
        {"c_utiny", "TINYINT UNSIGNED", MYSQL_TYPE_TINY, MYSQL_TYPE_TINY, true},
        {"c_small", "SMALLINT", MYSQL_TYPE_SHORT, MYSQL_TYPE_SHORT},
        {"c_usmall", "SMALLINT UNSIGNED", MYSQL_TYPE_SHORT, MYSQL_TYPE_SHORT, true},
        {"c_medium", "MEDIUMINT", MYSQL_TYPE_LONG, MYSQL_TYPE_LONG},
        {"c_umedium", "MEDIUMINT UNSIGNED", MYSQL_TYPE_LONG, MYSQL_TYPE_LONG, true},
        {"c_int", "INT", MYSQL_TYPE_LONG, MYSQL_TYPE_LONG},
        {"c_uint", "INT UNSIGNED", MYSQL_TYPE_LONG, MYSQL_TYPE_LONG, true},
        {"c_big", "BIGINT", MYSQL_TYPE_LONGLONG, MYSQL_TYPE_LONGLONG},
        {"c_ubig", "BIGINT UNSIGNED", MYSQL_TYPE_LONGLONG, MYSQL_TYPE_LONGLONG, true},
        {"c_float", "FLOAT", MYSQL_TYPE_FLOAT, MYSQL_TYPE_FLOAT},
        {"c_double", "DOUBLE", MYSQL_TYPE_DOUBLE, MYSQL_TYPE_DOUBLE},
        {"c_dec", "DECIMAL(30,10)", MYSQL_TYPE_NEWDECIMAL, MYSQL_TYPE_STRING},
        {"c_date", "DATE", MYSQL_TYPE_DATE, MYSQL_TYPE_DATE},
        {"c_time", "TIME(6)", MYSQL_TYPE_TIME, MYSQL_TYPE_TIME},
        {"c_datetime", "DATETIME(6)", MYSQL_TYPE_DATETIME, MYSQL_TYPE_DATETIME},
        {"c_ts", "TIMESTAMP(6) NULL", MYSQL_TYPE_TIMESTAMP, MYSQL_TYPE_TIMESTAMP},
        {"c_year", "YEAR", MYSQL_TYPE_SHORT, MYSQL_TYPE_SHORT},
        {"c_char", "CHAR(20)", MYSQL_TYPE_STRING, MYSQL_TYPE_STRING},
        {"c_varchar", "VARCHAR(100)", MYSQL_TYPE_STRING, MYSQL_TYPE_STRING},
        {"c_binary", "BINARY(8)", MYSQL_TYPE_BLOB, MYSQL_TYPE_BLOB},
        {"c_varbinary", "VARBINARY(300)", MYSQL_TYPE_BLOB, MYSQL_TYPE_BLOB},
        {"c_tinyblob", "TINYBLOB", MYSQL_TYPE_BLOB, MYSQL_TYPE_BLOB},
        {"c_blob", "BLOB", MYSQL_TYPE_BLOB, MYSQL_TYPE_BLOB},
        {"c_mediumblob", "MEDIUMBLOB", MYSQL_TYPE_BLOB, MYSQL_TYPE_BLOB},
        {"c_longblob", "LONGBLOB", MYSQL_TYPE_BLOB, MYSQL_TYPE_BLOB},
        {"c_tinytext", "TINYTEXT", MYSQL_TYPE_STRING, MYSQL_TYPE_STRING},
        {"c_text", "TEXT", MYSQL_TYPE_STRING, MYSQL_TYPE_STRING},
        {"c_mediumtext", "MEDIUMTEXT", MYSQL_TYPE_STRING, MYSQL_TYPE_STRING},
        {"c_longtext", "LONGTEXT", MYSQL_TYPE_STRING, MYSQL_TYPE_STRING},
        {"c_enum", "ENUM('a','b','ü')", MYSQL_TYPE_STRING, MYSQL_TYPE_STRING},
        {"c_set", "SET('x','y','z')", MYSQL_TYPE_STRING, MYSQL_TYPE_STRING},
        {"c_bit", "BIT(64)", MYSQL_TYPE_LONGLONG, MYSQL_TYPE_BLOB, true},
        {"c_json", "JSON", MYSQL_TYPE_STRING, MYSQL_TYPE_STRING},
        {"c_geom", "GEOMETRY", MYSQL_TYPE_BLOB, MYSQL_TYPE_BLOB, false, "ST_GeomFromWKB(?)"},
        {"c_point", "POINT", MYSQL_TYPE_BLOB, MYSQL_TYPE_BLOB, false, "ST_GeomFromWKB(?)"},
    };
    return c;
}

// Row ids 1..4: minimum values, maximum values, ordinary values, all NULL.
std::vector<std::vector<Value>> rows()
{
    const std::string line = wkb(2, {3}, {0, 0, 1.5, -2.25, 1e10, 3});
    const std::string mb = "añ€😀日本";  // 1-, 2-, 3- and 4-byte UTF-8 sequences
    std::vector<std::vector<Value>> r;
    // clang-format off
    r.push_back({num<int8_t>(INT8_MIN), num<uint8_t>(0), num<int16_t>(INT16_MIN), num<uint16_t>(0),
                 num<int32_t>(-8388608), num<uint32_t>(0), num<int32_t>(INT32_MIN), num<uint32_t>(0),
                 num<int64_t>(INT64_MIN), num<uint64_t>(0), num(-1.5e30f), num(-DBL_MAX),
                 str("-99999999999999999999.9999999999"), date(1000, 1, 1),
                 tod(true, 838, 59, 59, 0), tm(1000, 1, 1, 0, 0, 0, 0), tm(1980, 1, 1, 0, 0, 0, 1),
                 num<int16_t>(1901), str(""), str(""), str("", std::string(8, '\0')), str(""),
                 str(""), str(""), str(""), str(""), str(""), str(""), str(""), str(""),
                 str("a"), str(""), bits(0), str("[]"), geom(line), geom(wkb(1, {}, {0, 0}))});
    r.push_back({num<int8_t>(INT8_MAX), num<uint8_t>(UINT8_MAX), num<int16_t>(INT16_MAX),
                 num<uint16_t>(UINT16_MAX), num<int32_t>(8388607), num<uint32_t>(16777215),
                 num<int32_t>(INT32_MAX), num<uint32_t>(UINT32_MAX), num<int64_t>(INT64_MAX),
                 num<uint64_t>(UINT64_MAX), num(3.0e38f), num(DBL_MAX),
                 str("99999999999999999999.9999999999"), date(9999, 12, 31),
                 tod(false, 838, 59, 59, 0), tm(9999, 12, 31, 23, 59, 59, 999999),
                 tm(2037, 12, 31, 23, 59, 59, 999999), num<int16_t>(2155),
                 str(repeat("😀", 20)), str(repeat(mb, 6)), str(bytes(8, 1)), str(bytes(300, 2)),
                 str(bytes(255, 3)), str(bytes(65535, 4)), str(bytes(300000, 5)),
                 str(bytes(1 << 20, 6)), str(repeat("é", 127)), str(repeat(mb, 3000)),
                 str(repeat(mb, 20000)), str(repeat(mb, 70000)), str("ü"), str("x,y,z"),
                 bits(UINT64_MAX), str(R"({"a": [1, 2.5, "ü😀"], "b": null, "c": {"d": true}})"),
                 geom(wkb(3, {1, 4}, {0, 0, 4, 0, 4, 4, 0, 0})),
                 geom(wkb(1, {}, {DBL_MAX, -DBL_MIN}))});
    r.push_back({num<int8_t>(-5), num<uint8_t>(200), num<int16_t>(-300), num<uint16_t>(40000),
                 num<int32_t>(-70000), num<uint32_t>(9000000), num<int32_t>(123456789),
                 num<uint32_t>(3000000000u), num<int64_t>(-1234567890123456789LL),
                 num<uint64_t>(10000000000000000000ULL), num(3.25f), num(-0.1),
                 str("-12345.6789000000"), date(2024, 2, 29), tod(true, 12, 34, 56, 789012),
                 tm(2024, 2, 29, 13, 14, 15, 123456), tm(2024, 2, 29, 13, 14, 15, 500000),
                 num<int16_t>(2024), str("ÄÖÜ ß"), str(mb),
                 str(std::string("\0\xff\0", 3), std::string("\0\xff\0\0\0\0\0\0", 8)),
                 str(std::string("a\0b", 3)), str("\x01\x02"), str("blob"), str("mediumblob"),
                 str("longblob"), str(mb), str("text"), str("mediumtext"), str("longtext"),
                 str("b"), str("x,z"), bits(0x8000000000000001ULL), str(R"({"k": "v"})"),
                 geom(wkb(1, {}, {1.5, -2.25})), geom(wkb(1, {}, {-0.5, 7}))});
    // clang-format on
    r.push_back(std::vector<Value>(columns().size(), Value{true, "", ""}));
    return r;
}

std::string printable(const Cell& c)
{
    if (!c)
    {
        return "NULL";
    }
    std::string out;
    for (unsigned char ch : c->substr(0, 48))
    {
        char buf[8];
        snprintf(buf, sizeof buf, ch >= 32 && ch < 127 ? "%c" : "\\x%02x", ch);
        out += buf;
    }
    return out + (c->size() > 48 ? "... (" + std::to_string(c->size()) + " bytes)" : "");
}

// Metadata that must be identical through sqlgate and direct.
using FieldInfo = std::tuple<std::string, std::string, std::string, std::string, int, unsigned,
                             unsigned, unsigned long, unsigned>;
std::vector<FieldInfo> field_info(MYSQL_RES* res)
{
    std::vector<FieldInfo> out;
    for (unsigned i = 0; res && i < mysql_num_fields(res); ++i)
    {
        MYSQL_FIELD* f = mysql_fetch_field_direct(res, i);
        out.emplace_back(f->name, f->org_name, f->table, f->db, f->type, f->flags, f->charsetnr,
                         f->length, f->decimals);
    }
    return out;
}

struct Fetched
{
    std::vector<FieldInfo> fields;
    std::vector<Row> rows;
    std::string error;
};

std::string select_sql()
{
    std::string sql = "SELECT ";
    for (const Column& c : columns())
    {
        sql += std::string(c.name) + (&c == &columns().back() ? "" : ", ");
    }
    return sql + " FROM test.ps_types ORDER BY id";
}

Fetched fetch_text(MYSQL* m)
{
    Fetched f;
    std::string sql = select_sql();
    if (mysql_real_query(m, sql.c_str(), sql.size()) != 0)
    {
        return {{}, {}, mysql_error(m)};
    }
    MYSQL_RES* res = mysql_store_result(m);
    f.fields = field_info(res);
    while (MYSQL_ROW row = mysql_fetch_row(res))
    {
        unsigned long* len = mysql_fetch_lengths(res);
        Row r;
        for (unsigned i = 0; i < mysql_num_fields(res); ++i)
        {
            r.push_back(row[i] ? Cell(std::string(row[i], len[i])) : std::nullopt);
        }
        f.rows.push_back(r);
    }
    mysql_free_result(res);
    return f;
}

size_t max_size(size_t column)
{
    static const std::vector<std::vector<Value>> all = rows();
    size_t n = 0;
    for (const auto& r : all)
    {
        n = std::max(n, r[column].expected.size());
    }
    return n;
}

Fetched fetch_binary(MYSQL* m)
{
    Fetched f;
    StmtPtr st(mysql_stmt_init(m));
    std::string sql = select_sql();
    if (mysql_stmt_prepare(st.get(), sql.c_str(), sql.size()) || mysql_stmt_execute(st.get()))
    {
        return {{}, {}, mysql_stmt_error(st.get())};
    }
    MYSQL_RES* meta = mysql_stmt_result_metadata(st.get());
    f.fields = field_info(meta);
    mysql_free_result(meta);
    const auto& cols = columns();
    size_t n = cols.size();
    std::vector<MYSQL_BIND> b(n);
    std::vector<std::string> buf(n);
    std::vector<unsigned long> len(n);
    std::vector<my_bool> null(n), err(n);
    for (size_t i = 0; i < n; ++i)
    {
        buf[i].resize(fixed_size(cols[i].result_type) ? fixed_size(cols[i].result_type)
                                                      : max_size(i) + 1);
        b[i].buffer_type = cols[i].result_type;
        b[i].is_unsigned = cols[i].is_unsigned;
        b[i].buffer = buf[i].data();
        b[i].buffer_length = buf[i].size();
        b[i].length = &len[i];
        b[i].is_null = &null[i];
        b[i].error = &err[i];
    }
    if (mysql_stmt_bind_result(st.get(), b.data()))
    {
        return {{}, {}, mysql_stmt_error(st.get())};
    }
    int rc;
    while ((rc = mysql_stmt_fetch(st.get())) == 0)
    {
        Row r;
        for (size_t i = 0; i < n; ++i)
        {
            if (null[i])
            {
                r.push_back(std::nullopt);
            }
            else if (is_time(cols[i].result_type))
            {
                r.push_back(time_text(*reinterpret_cast<MYSQL_TIME*>(buf[i].data())));
            }
            else
            {
                size_t size = fixed_size(cols[i].result_type);
                r.push_back(buf[i].substr(0, size ? size : len[i]));
            }
        }
        f.rows.push_back(r);
    }
    if (rc != MYSQL_NO_DATA)
    {
        f.error = "fetch returned " + std::to_string(rc) + ": " + mysql_stmt_error(st.get());
    }
    return f;
}

class PsTypesTest : public PsFixture
{
};

// Creates test.ps_types and inserts rows() through `m` with one prepared INSERT, binding
// new parameters for every row. Returns "" or the error.
std::string insert_rows(MYSQL* m)
{
    std::string ddl = "CREATE TABLE test.ps_types (id INT PRIMARY KEY";
    std::string sql = "INSERT INTO test.ps_types VALUES (?";
    for (const Column& c : columns())
    {
        ddl += std::string(", ") + c.name + " " + c.sql_type;
        sql += std::string(", ") + c.placeholder;
    }
    ddl += ") CHARACTER SET utf8mb4";
    sql += ")";
    for (const std::string& q : {std::string("DROP TABLE IF EXISTS test.ps_types"), ddl})
    {
        if (QueryResult r = query(m, q); !r.ok)
        {
            return q + ": " + r.message;
        }
    }
    StmtPtr st(mysql_stmt_init(m));
    if (mysql_stmt_prepare(st.get(), sql.c_str(), sql.size()))
    {
        return mysql_stmt_error(st.get());
    }
    if (mysql_stmt_param_count(st.get()) != columns().size() + 1)
    {
        return "wrong parameter count " + std::to_string(mysql_stmt_param_count(st.get()));
    }
    int id = 0;
    for (std::vector<Value> values : rows())
    {
        ++id;
        size_t n = values.size();
        std::vector<MYSQL_BIND> b(n + 1);
        std::vector<unsigned long> len(n);
        std::vector<my_bool> null(n);
        b[0].buffer_type = MYSQL_TYPE_LONG;
        b[0].buffer = &id;
        for (size_t i = 0; i < n; ++i)
        {
            const Column& c = columns()[i];
            len[i] = values[i].param.size();
            null[i] = values[i].null;
            b[i + 1].buffer_type = c.param_type;
            b[i + 1].is_unsigned = c.is_unsigned;
            b[i + 1].buffer = values[i].param.data();
            b[i + 1].buffer_length = len[i];
            b[i + 1].length = &len[i];
            b[i + 1].is_null = &null[i];
        }
        if (mysql_stmt_bind_param(st.get(), b.data()) || mysql_stmt_execute(st.get()))
        {
            return "row " + std::to_string(id) + ": " + mysql_stmt_error(st.get());
        }
        if (mysql_stmt_affected_rows(st.get()) != 1)
        {
            return "row " + std::to_string(id) + ": affected rows != 1";
        }
    }
    return "";
}

void expect_same(const Fetched& gate, const Fetched& direct)
{
    ASSERT_EQ(gate.error, "");
    ASSERT_EQ(direct.error, "");
    EXPECT_TRUE(gate.fields == direct.fields) << "column metadata differs";
    ASSERT_EQ(gate.rows.size(), direct.rows.size());
    for (size_t r = 0; r < gate.rows.size(); ++r)
    {
        for (size_t c = 0; c < columns().size(); ++c)
        {
            EXPECT_EQ(gate.rows[r][c], direct.rows[r][c])
                << "row " << r + 1 << " " << columns()[c].name << ": sqlgate "
                << printable(gate.rows[r][c]) << ", direct " << printable(direct.rows[r][c]);
        }
    }
}

TEST_F(PsTypesTest, EveryColumnTypeBinaryRoundTrip)
{
    MysqlPtr m = gate();
    MysqlPtr d = direct();
    ASSERT_TRUE(m && d);
    ASSERT_EQ(insert_rows(m.get()), "");
    Fetched got = fetch_binary(m.get());
    ASSERT_EQ(got.error, "");
    std::vector<std::vector<Value>> want = rows();
    ASSERT_EQ(got.rows.size(), want.size());
    for (size_t r = 0; r < want.size(); ++r)
    {
        for (size_t c = 0; c < columns().size(); ++c)
        {
            Cell expected = want[r][c].null ? Cell() : Cell(want[r][c].expected);
            EXPECT_EQ(got.rows[r][c], expected)
                << "row " << r + 1 << " " << columns()[c].name << ": got "
                << printable(got.rows[r][c]) << ", inserted " << printable(expected);
        }
    }
    expect_same(got, fetch_binary(d.get()));
}

TEST_F(PsTypesTest, EveryColumnTypeTextProtocolMatchesDirect)
{
    MysqlPtr m = gate();
    MysqlPtr d = direct();
    ASSERT_TRUE(m && d);
    ASSERT_EQ(insert_rows(m.get()), "");
    Fetched got = fetch_text(m.get());
    expect_same(got, fetch_text(d.get()));
    ASSERT_EQ(got.rows.size(), 4u);
    EXPECT_EQ(got.rows[1][9], Cell("18446744073709551615"));
    EXPECT_EQ(got.rows[0][8], Cell("-9223372036854775808"));
    EXPECT_EQ(got.rows[0][14], Cell("-838:59:59.000000"));
    EXPECT_EQ(got.rows[2][14], Cell("-12:34:56.789012"));
    EXPECT_EQ(got.rows[1][15], Cell("9999-12-31 23:59:59.999999"));
    EXPECT_EQ(got.rows[1][12], Cell("99999999999999999999.9999999999"));
    EXPECT_EQ(got.rows[1][29]->size(), 70000u * 16);
    for (const Cell& c : got.rows[3])
    {
        EXPECT_FALSE(c) << printable(c);
    }
}

}  // namespace
