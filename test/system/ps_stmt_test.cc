// Prepared-statement life cycles through sqlgate: a read-only cursor with prefetch
// (COM_STMT_FETCH), send_long_data in chunks, reset, re-execution with new parameters,
// and 200 statements prepared and closed on one connection.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "ps_fixture.hh"

using namespace sqlgate::test;

namespace
{
class PsStmtTest : public PsFixture
{
};

// Fetches every row of a statement whose result is (INT, string); returns the ids.
std::vector<int> fetch_ids(MYSQL_STMT* st, int limit = 1 << 30)
{
    int id = 0;
    char v[64];
    unsigned long len = 0;
    MYSQL_BIND b[2] = {};
    b[0].buffer_type = MYSQL_TYPE_LONG;
    b[0].buffer = &id;
    b[1].buffer_type = MYSQL_TYPE_STRING;
    b[1].buffer = v;
    b[1].buffer_length = sizeof v;
    b[1].length = &len;
    std::vector<int> ids;
    EXPECT_EQ(mysql_stmt_bind_result(st, b), 0) << mysql_stmt_error(st);
    int rc = 0;
    while (static_cast<int>(ids.size()) < limit && (rc = mysql_stmt_fetch(st)) == 0)
    {
        EXPECT_EQ(std::string(v, len), "row" + std::to_string(id));
        ids.push_back(id);
    }
    // Stopped at the limit (no fetch after it), or at the end of the rows.
    int want = static_cast<int>(ids.size()) < limit ? MYSQL_NO_DATA : 0;
    EXPECT_EQ(rc, want) << mysql_stmt_error(st);
    return ids;
}

void bind_buffer(MYSQL_BIND& b, enum_field_types type, std::string& buf, unsigned long* len)
{
    b.buffer_type = type;
    b.buffer = buf.data();
    b.buffer_length = buf.size();
    b.length = len;
}

std::vector<int> range(int from, int to, int step = 1)
{
    std::vector<int> r;
    for (int i = from; step > 0 ? i <= to : i >= to; i += step)
    {
        r.push_back(i);
    }
    return r;
}

StmtPtr cursor_stmt(MYSQL* m, const std::string& sql)
{
    StmtPtr st(mysql_stmt_init(m));
    unsigned long type = CURSOR_TYPE_READ_ONLY;
    unsigned long prefetch = 3;
    EXPECT_EQ(mysql_stmt_attr_set(st.get(), STMT_ATTR_CURSOR_TYPE, &type), 0);
    EXPECT_EQ(mysql_stmt_attr_set(st.get(), STMT_ATTR_PREFETCH_ROWS, &prefetch), 0);
    EXPECT_EQ(mysql_stmt_prepare(st.get(), sql.c_str(), sql.size()), 0)
        << mysql_stmt_error(st.get());
    return st;
}

TEST_F(PsStmtTest, ReadOnlyCursorPrefetchAndReset)
{
    MysqlPtr m = gate();
    ASSERT_TRUE(m);
    ASSERT_TRUE(query(m.get(), "DROP TABLE IF EXISTS ps_cursor").ok);
    ASSERT_TRUE(query(m.get(), "CREATE TABLE ps_cursor (id INT PRIMARY KEY, v VARCHAR(20))").ok);
    std::string insert = "INSERT INTO ps_cursor VALUES ";
    for (int i = 1; i <= 100; ++i)
    {
        insert += (i > 1 ? ",(" : "(") + std::to_string(i) + ",'row" + std::to_string(i) + "')";
    }
    ASSERT_TRUE(query(m.get(), insert).ok);

    long fetches = primary_status("Com_stmt_fetch");
    StmtPtr st = cursor_stmt(m.get(), "SELECT id, v FROM ps_cursor ORDER BY id");
    ASSERT_EQ(mysql_stmt_execute(st.get()), 0) << mysql_stmt_error(st.get());
    EXPECT_EQ(fetch_ids(st.get()), range(1, 100));
    // 100 rows, 3 per COM_STMT_FETCH.
    EXPECT_GE(primary_status("Com_stmt_fetch") - fetches, 34);

    // Two cursors open at once on one connection, fetched alternately.
    StmtPtr up = cursor_stmt(m.get(), "SELECT id, v FROM ps_cursor ORDER BY id");
    StmtPtr down = cursor_stmt(m.get(), "SELECT id, v FROM ps_cursor ORDER BY id DESC");
    ASSERT_EQ(mysql_stmt_execute(up.get()), 0) << mysql_stmt_error(up.get());
    ASSERT_EQ(mysql_stmt_execute(down.get()), 0) << mysql_stmt_error(down.get());
    std::vector<int> a, b;
    for (int i = 0; i < 10; ++i)
    {
        for (int id : fetch_ids(up.get(), 10))
        {
            a.push_back(id);
        }
        for (int id : fetch_ids(down.get(), 10))
        {
            b.push_back(id);
        }
    }
    EXPECT_EQ(a, range(1, 100));
    EXPECT_EQ(b, range(100, 1, -1));

    // Reset closes the open cursor; executing again starts from the first row.
    ASSERT_EQ(mysql_stmt_execute(st.get()), 0) << mysql_stmt_error(st.get());
    EXPECT_EQ(fetch_ids(st.get(), 5), range(1, 5));
    ASSERT_EQ(mysql_stmt_reset(st.get()), 0) << mysql_stmt_error(st.get());
    ASSERT_EQ(mysql_stmt_execute(st.get()), 0) << mysql_stmt_error(st.get());
    EXPECT_EQ(fetch_ids(st.get()), range(1, 100));
    EXPECT_EQ(query(m.get(), "SELECT COUNT(*) FROM ps_cursor").value(), "100");
}

TEST_F(PsStmtTest, SendLongDataInChunksAndReset)
{
    MysqlPtr m = gate();
    ASSERT_TRUE(m);
    ASSERT_TRUE(query(m.get(), "DROP TABLE IF EXISTS ps_long").ok);
    ASSERT_TRUE(query(m.get(),
                      "CREATE TABLE ps_long (id INT PRIMARY KEY, b LONGBLOB, t LONGTEXT) "
                      "CHARACTER SET utf8mb4")
                    .ok);
    StmtPtr st(mysql_stmt_init(m.get()));
    const std::string sql = "INSERT INTO ps_long VALUES (?, ?, ?)";
    ASSERT_EQ(mysql_stmt_prepare(st.get(), sql.c_str(), sql.size()), 0);
    int id = 1;
    MYSQL_BIND p[3] = {};
    p[0].buffer_type = MYSQL_TYPE_LONG;
    p[0].buffer = &id;
    p[1].buffer_type = MYSQL_TYPE_LONG_BLOB;
    p[2].buffer_type = MYSQL_TYPE_STRING;
    ASSERT_EQ(mysql_stmt_bind_param(st.get(), p), 0);

    // Data sent before a reset is discarded by the server.
    ASSERT_EQ(mysql_stmt_send_long_data(st.get(), 1, "discarded", 9), 0);
    ASSERT_EQ(mysql_stmt_reset(st.get()), 0) << mysql_stmt_error(st.get());

    std::string blob, text;
    for (unsigned k = 0; k < 8; ++k)
    {
        std::string chunk = bytes(100000 + k, k);
        ASSERT_EQ(mysql_stmt_send_long_data(st.get(), 1, chunk.data(), chunk.size()), 0);
        blob += chunk;
    }
    for (int k = 0; k < 3; ++k)
    {
        std::string chunk = repeat("ü€😀" + std::to_string(k), 5000);
        ASSERT_EQ(mysql_stmt_send_long_data(st.get(), 2, chunk.data(), chunk.size()), 0);
        text += chunk;
    }
    ASSERT_EQ(mysql_stmt_execute(st.get()), 0) << mysql_stmt_error(st.get());
    EXPECT_EQ(mysql_stmt_affected_rows(st.get()), 1u);

    StmtPtr sel(mysql_stmt_init(m.get()));
    const std::string q = "SELECT b, t, LENGTH(b) FROM ps_long WHERE id = ?";
    ASSERT_EQ(mysql_stmt_prepare(sel.get(), q.c_str(), q.size()), 0);
    ASSERT_EQ(mysql_stmt_bind_param(sel.get(), p), 0);
    ASSERT_EQ(mysql_stmt_execute(sel.get()), 0) << mysql_stmt_error(sel.get());
    std::string bbuf(blob.size() + 1, '\0'), tbuf(text.size() + 1, '\0');
    unsigned long blen = 0, tlen = 0;
    long long length = 0;
    MYSQL_BIND r[3] = {};
    bind_buffer(r[0], MYSQL_TYPE_BLOB, bbuf, &blen);
    bind_buffer(r[1], MYSQL_TYPE_STRING, tbuf, &tlen);
    r[2].buffer_type = MYSQL_TYPE_LONGLONG;
    r[2].buffer = &length;
    ASSERT_EQ(mysql_stmt_bind_result(sel.get(), r), 0);
    ASSERT_EQ(mysql_stmt_fetch(sel.get()), 0) << mysql_stmt_error(sel.get());
    EXPECT_EQ(length, static_cast<long long>(blob.size()));
    EXPECT_TRUE(bbuf.substr(0, blen) == blob) << "blob differs, length " << blen;
    EXPECT_TRUE(tbuf.substr(0, tlen) == text) << "text differs, length " << tlen;
    EXPECT_EQ(mysql_stmt_fetch(sel.get()), MYSQL_NO_DATA);
}

TEST_F(PsStmtTest, ReexecuteWithNewParameters)
{
    MysqlPtr m = gate();
    ASSERT_TRUE(m);
    StmtPtr st(mysql_stmt_init(m.get()));
    const std::string sql = "SELECT ? * 2, CONCAT(?, '!')";
    ASSERT_EQ(mysql_stmt_prepare(st.get(), sql.c_str(), sql.size()), 0);
    for (int i = 0; i < 50; ++i)
    {
        // Types change half way, so the client sends the new types with the execute.
        int32_t small = i * 1000 - 7;
        int64_t big = (int64_t{1} << 40) + i;
        std::string s = "v" + repeat("é", i);
        unsigned long slen = s.size();
        MYSQL_BIND p[2] = {};
        p[0].buffer_type = i < 25 ? MYSQL_TYPE_LONG : MYSQL_TYPE_LONGLONG;
        p[0].buffer = i < 25 ? static_cast<void*>(&small) : static_cast<void*>(&big);
        p[1].buffer_type = i % 20 < 10 ? MYSQL_TYPE_STRING : MYSQL_TYPE_VAR_STRING;
        p[1].buffer = s.data();
        p[1].buffer_length = slen;
        p[1].length = &slen;
        ASSERT_EQ(mysql_stmt_bind_param(st.get(), p), 0);
        ASSERT_EQ(mysql_stmt_execute(st.get()), 0) << i << ": " << mysql_stmt_error(st.get());
        long long doubled = 0;
        std::string out(256, '\0');
        unsigned long olen = 0;
        MYSQL_BIND r[2] = {};
        r[0].buffer_type = MYSQL_TYPE_LONGLONG;
        r[0].buffer = &doubled;
        bind_buffer(r[1], MYSQL_TYPE_STRING, out, &olen);
        ASSERT_EQ(mysql_stmt_bind_result(st.get(), r), 0);
        ASSERT_EQ(mysql_stmt_fetch(st.get()), 0) << i << ": " << mysql_stmt_error(st.get());
        EXPECT_EQ(doubled, 2 * (i < 25 ? small : big));
        EXPECT_EQ(out.substr(0, olen), s + "!");
        EXPECT_EQ(mysql_stmt_fetch(st.get()), MYSQL_NO_DATA);
    }
}

TEST_F(PsStmtTest, TwoHundredStatementsPreparedAndClosed)
{
    MysqlPtr m = gate();
    ASSERT_TRUE(m);
    long before = primary_status("Prepared_stmt_count");
    for (int i = 0; i < 200; ++i)
    {
        MYSQL_STMT* st = mysql_stmt_init(m.get());
        std::string sql = "SELECT ? + " + std::to_string(i);
        ASSERT_EQ(mysql_stmt_prepare(st, sql.c_str(), sql.size()), 0) << i << mysql_stmt_error(st);
        long long in = i, out = 0;
        MYSQL_BIND p = {}, r = {};
        p.buffer_type = r.buffer_type = MYSQL_TYPE_LONGLONG;
        p.buffer = &in;
        r.buffer = &out;
        ASSERT_EQ(mysql_stmt_bind_param(st, &p), 0);
        ASSERT_EQ(mysql_stmt_execute(st), 0) << i << ": " << mysql_stmt_error(st);
        ASSERT_EQ(mysql_stmt_bind_result(st, &r), 0);
        ASSERT_EQ(mysql_stmt_fetch(st), 0) << i << ": " << mysql_stmt_error(st);
        EXPECT_EQ(out, 2 * i);
        ASSERT_EQ(mysql_stmt_close(st), 0);
    }
    // COM_STMT_CLOSE has no reply: a query after it proves the server has read them all.
    EXPECT_EQ(query(m.get(), "SELECT 1").value(), "1");
    EXPECT_EQ(primary_status("Prepared_stmt_count"), before) << "statements leaked on the server";
}

}  // namespace
