// CALLs of stored procedures that return result sets from cursor loops, handlers, ROW
// variables and BEGIN NOT ATOMIC blocks, with OUT/INOUT parameters and warnings, through
// sqlgate and directly to the primary, with the text protocol (COM_QUERY) and the binary
// one (COM_STMT_PREPARE + COM_STMT_EXECUTE). Inside such procedures MariaDB sets
// SERVER_STATUS_CURSOR_EXISTS on every result set; sqlgate once took that for an opened
// cursor and lost the connection ("server sent unexpected data").
//
// What is compared, direct against sqlgate:
// - Raw bytes (compare_raw): a raw client (ps_call_raw.hh) logs in on both paths with the
//   same capabilities, once without and once with CLIENT_DEPRECATE_EOF, and sends the same
//   commands; every byte of every reply must be the same, packet headers (so sequence ids)
//   included. The one thing masked is the statement id in the COM_STMT_PREPARE OK: MariaDB
//   10.11 numbers prepared statements with one counter for all connections, so two
//   connections never get the same id (each side's later commands use the id its own
//   prepare returned). The connection id only appears in the handshake, which is not
//   compared. The direct reply ends when the server has been silent for 300 ms;
//   sqlgate's must then have exactly as many bytes (nothing more within 200 ms).
// - What libmariadb shows (compare_text, compare_prepared; see ps_call_observe.hh): every
//   result's metadata, values, affected rows, insert id, warnings, server status flags, the
//   more-results answers and the final error (code, SQLSTATE, message). libmariadb
//   negotiates MARIADB_CLIENT_CACHE_METADATA directly but not through sqlgate (which does
//   not offer it), so its bytes may differ there; what it shows must not.
// Every comparison ends with another statement on the same connection.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "ps_call_observe.hh"
#include "ps_call_raw.hh"
#include "ps_fixture.hh"

using namespace sqlgate::test;

namespace
{
const std::vector<std::string> SETUP = {
    "DROP TABLE IF EXISTS ps_call_t",
    "CREATE TABLE ps_call_t (a INT PRIMARY KEY, b VARCHAR(20))",
    "INSERT INTO ps_call_t VALUES (1, 'one'), (2, 'two'), (3, NULL)",
    "CREATE OR REPLACE PROCEDURE ps_call_multi() BEGIN SELECT 1 AS x; "
    "SELECT a, b FROM ps_call_t ORDER BY a; UPDATE ps_call_t SET b = b WHERE a = 1; END",
    "CREATE OR REPLACE PROCEDURE ps_call_loop() BEGIN"
    "  DECLARE done INT DEFAULT 0; DECLARE v INT;"
    "  DECLARE c CURSOR FOR SELECT a FROM ps_call_t ORDER BY a;"
    "  DECLARE CONTINUE HANDLER FOR NOT FOUND SET done = 1;"
    "  OPEN c;"
    "  l: LOOP FETCH c INTO v; IF done THEN LEAVE l; END IF;"
    "    SELECT v AS v, v * 10 AS tenfold; END LOOP;"
    "  CLOSE c; SELECT 'after' AS done; END",
    "CREATE OR REPLACE PROCEDURE ps_call_handler() BEGIN"
    "  DECLARE v INT; DECLARE c CURSOR FOR SELECT a FROM ps_call_t ORDER BY a;"
    "  DECLARE CONTINUE HANDLER FOR SQLEXCEPTION BEGIN SELECT 'handler' AS h, v; RESIGNAL; END;"
    "  OPEN c; FETCH c INTO v; SELECT v AS first;"
    "  SELECT * FROM ps_call_no_such_table; SELECT 'not reached'; END",
    "CREATE OR REPLACE PROCEDURE ps_call_row() BEGIN"
    "  DECLARE r ROW(a INT, b VARCHAR(20));"
    "  SELECT a, b INTO r FROM ps_call_t WHERE a = 2; SELECT r.a, r.b; END",
    "CREATE OR REPLACE PROCEDURE ps_call_rowfetch() BEGIN"
    "  DECLARE r ROW(a INT, b VARCHAR(20));"
    "  DECLARE c CURSOR FOR SELECT a, b FROM ps_call_t ORDER BY a;"
    "  OPEN c; FETCH c INTO r; SELECT r.a, r.b; END",
    "CREATE OR REPLACE PROCEDURE ps_call_rowtype() BEGIN"
    "  DECLARE c CURSOR FOR SELECT a, b FROM ps_call_t ORDER BY a;"
    "  BEGIN DECLARE r ROW TYPE OF c; OPEN c; FETCH c INTO r; CLOSE c;"
    "    SELECT r.a AS ra, r.b AS rb; END; END",
    "CREATE OR REPLACE PROCEDURE ps_call_out(IN x INT, OUT y INT, INOUT z VARCHAR(20)) BEGIN"
    "  DECLARE v INT; DECLARE c CURSOR FOR SELECT a FROM ps_call_t ORDER BY a;"
    "  OPEN c; FETCH c INTO v; SET y = x * 2 + v; SET z = CONCAT(z, '!');"
    "  SELECT x AS in_x, v; END",
    "CREATE OR REPLACE PROCEDURE ps_call_warn() BEGIN"
    "  DECLARE v INT; DECLARE c CURSOR FOR SELECT a FROM ps_call_t ORDER BY a;"
    "  OPEN c; FETCH c INTO v; SELECT v / 0 AS w, CAST('1x' AS SIGNED) AS i; END",
};
const char* const PROCEDURES[] = {"ps_call_multi", "ps_call_loop",     "ps_call_handler",
                                  "ps_call_row",   "ps_call_rowfetch", "ps_call_rowtype",
                                  "ps_call_out",   "ps_call_warn"};
const char* const BLOCK =
    "BEGIN NOT ATOMIC DECLARE v INT; DECLARE c CURSOR FOR SELECT a FROM ps_call_t ORDER BY a;"
    " OPEN c; FETCH c INTO v; SELECT v; SELECT v + 1 AS next; END";
const char* const NEXT = "SELECT 'next' AS next, @@in_transaction";

/// One command of a raw comparison.
struct RawStep
{
    uint8_t command;
    std::string sql;  ///< COM_QUERY, COM_STMT_PREPARE
    uint8_t flags = 0;
    std::vector<raw::Param> params;  ///< COM_STMT_EXECUTE
    uint32_t rows = 0;               ///< COM_STMT_FETCH

    std::string payload(uint32_t stmt) const
    {
        switch (command)
        {
            case raw::COM_STMT_EXECUTE:
                return raw::execute_payload(stmt, flags, params);
            case raw::COM_STMT_FETCH:
                return std::string(1, static_cast<char>(command)) + raw::u32(stmt) + raw::u32(rows);
            case raw::COM_STMT_CLOSE:
                return std::string(1, static_cast<char>(command)) + raw::u32(stmt);
            default:
                return std::string(1, static_cast<char>(command)) + sql;
        }
    }
};
RawStep query_step(const std::string& sql)
{
    return {raw::COM_QUERY, sql, 0, {}, 0};
}
RawStep prepare_step(const std::string& sql)
{
    return {raw::COM_STMT_PREPARE, sql, 0, {}, 0};
}
RawStep execute_step(uint8_t flags = 0, std::vector<raw::Param> params = {})
{
    return {raw::COM_STMT_EXECUTE, "", flags, std::move(params), 0};
}
RawStep fetch_step(uint32_t rows)
{
    return {raw::COM_STMT_FETCH, "", 0, {}, rows};
}
RawStep close_step()
{
    return {raw::COM_STMT_CLOSE, "", 0, {}, 0};
}
/// Prepare, execute without and with CURSOR_TYPE_READ_ONLY, close.
std::vector<RawStep> prepared_steps(const std::string& sql, const std::vector<raw::Param>& p = {})
{
    return {prepare_step(sql), execute_step(0, p), execute_step(1, p), close_step()};
}

/// The statement id of a COM_STMT_PREPARE OK (header(4) 0x00 id(4) ...), which is then
/// zeroed in @c reply; 0 if the reply is not an OK.
uint32_t take_stmt_id(std::string& reply)
{
    uint32_t id = 0;
    if (reply.size() >= 16 && reply[4] == 0)
    {
        for (int i = 0; i < 4; ++i)
        {
            id |= static_cast<uint32_t>(static_cast<unsigned char>(reply[5 + i])) << (8 * i);
            reply[5 + i] = 0;
        }
    }
    return id;
}

class PsCallTest : public PsFixture
{
protected:
    static void SetUpTestSuite()
    {
        PsFixture::SetUpTestSuite();
        MysqlPtr m(connect(shared_cluster().primary_port(), "app", "app_pw", "test"));
        ASSERT_TRUE(m);
        for (const std::string& sql : SETUP)
        {
            QueryResult r = query(m.get(), sql);
            ASSERT_TRUE(r.ok) << sql << ": " << r.message;
        }
    }
    static void TearDownTestSuite()
    {
        MysqlPtr m(connect(shared_cluster().primary_port(), "app", "app_pw", "test"));
        for (const char* p : PROCEDURES)
        {
            query(m.get(), std::string("DROP PROCEDURE IF EXISTS ") + p);
        }
        query(m.get(), "DROP TABLE IF EXISTS ps_call_t");
        PsFixture::TearDownTestSuite();
    }

    /// Text statements on one connection each way, then NEXT.
    void compare_text(std::vector<std::string> sqls)
    {
        MysqlPtr d = direct(), g = gate();
        ASSERT_TRUE(d && g);
        sqls.push_back(NEXT);
        for (const std::string& sql : sqls)
        {
            EXPECT_EQ(text_transcript(d.get(), sql), text_transcript(g.get(), sql))
                << "text: " << sql << "\n"
                << s_gate->diagnostics();
        }
    }

    /// A prepared statement executed twice on one connection each way, then the text
    /// statements @c after and NEXT prepared.
    void compare_prepared(const std::string& sql, const std::vector<StmtParam>& params = {},
                          unsigned long cursor = CURSOR_TYPE_NO_CURSOR,
                          std::vector<std::string> after = {})
    {
        MysqlPtr d = direct(), g = gate();
        ASSERT_TRUE(d && g);
        for (int run = 0; run < 2; ++run)
        {
            EXPECT_EQ(stmt_transcript(d.get(), sql, params, cursor),
                      stmt_transcript(g.get(), sql, params, cursor))
                << "prepared, run " << run << ": " << sql << "\n"
                << s_gate->diagnostics();
        }
        after.push_back(NEXT);
        for (const std::string& a : after)
        {
            EXPECT_EQ(text_transcript(d.get(), a), text_transcript(g.get(), a)) << a;
        }
        EXPECT_EQ(stmt_transcript(d.get(), NEXT), stmt_transcript(g.get(), NEXT));
    }

    /// @c steps and a final NEXT over raw connections, without and with DEPRECATE_EOF.
    void compare_raw(std::vector<RawStep> steps)
    {
        steps.push_back(query_step(NEXT));
        for (uint32_t caps : {raw::BASE_CAPS, raw::BASE_CAPS | raw::DEPRECATE_EOF})
        {
            SCOPED_TRACE(caps & raw::DEPRECATE_EOF ? "with DEPRECATE_EOF"
                                                   : "without DEPRECATE_EOF");
            RawClient d(shared_cluster().primary_port(), "app", "app_pw", "test", caps);
            RawClient g(s_port, "app", "app_pw", "test", caps);
            ASSERT_EQ(d.capabilities(), g.capabilities());
            ASSERT_EQ(d.capabilities() & raw::DEPRECATE_EOF, caps & raw::DEPRECATE_EOF);
            uint32_t dst = 0, gst = 0;
            int n = 0;
            for (const RawStep& s : steps)
            {
                // Each step is followed by a marker statement whose reply ends what is
                // read: no timing decides where a reply ends (a COM_STMT_CLOSE, which
                // has no reply, leaves only the marker's).
                std::string marker = "ps-call-marker-" + std::to_string(++n);
                std::string mark = std::string(1, static_cast<char>(raw::COM_QUERY)) + "SELECT '" +
                                   marker + "' AS m";
                d.send_command(s.payload(dst));
                d.send_command(mark);
                g.send_command(s.payload(gst));
                g.send_command(mark);
                std::string rd = d.read_through_marker(marker, std::chrono::seconds(30));
                ASSERT_NE(rd.find(marker), std::string::npos)
                    << "no marker from the server itself: " << raw::describe(rd);
                std::string rg = g.read_through_marker(marker, std::chrono::seconds(30));
                if (s.command == raw::COM_STMT_PREPARE)
                {
                    dst = take_stmt_id(rd);
                    gst = take_stmt_id(rg);
                }
                ASSERT_EQ(raw::describe(rd), raw::describe(rg))
                    << "after the command " << raw::describe(raw::packet(0, s.payload(gst)))
                    << s_gate->diagnostics();
            }
        }
    }
};

TEST_F(PsCallTest, SeveralResultSets)
{
    compare_text({"CALL ps_call_multi()"});
    compare_prepared("CALL ps_call_multi()");
    compare_raw(prepared_steps("CALL ps_call_multi()"));
}

TEST_F(PsCallTest, ResultsInsideACursorLoop)
{
    compare_text({"CALL ps_call_loop()"});
    compare_prepared("CALL ps_call_loop()");
    compare_raw(prepared_steps("CALL ps_call_loop()"));
}

TEST_F(PsCallTest, ContinueHandlerSelectsThenResignals)
{
    // Two result sets, then ERR 1146 42S02 from RESIGNAL.
    compare_text({"CALL ps_call_handler()"});
    compare_prepared("CALL ps_call_handler()");
    compare_raw(prepared_steps("CALL ps_call_handler()"));
}

TEST_F(PsCallTest, SelectOfARowVariable)
{
    for (const char* sql :
         {"CALL ps_call_row()", "CALL ps_call_rowfetch()", "CALL ps_call_rowtype()"})
    {
        SCOPED_TRACE(sql);
        compare_text({sql});
        compare_prepared(sql);
        compare_raw(prepared_steps(sql));
    }
}

TEST_F(PsCallTest, BeginNotAtomicBlock)
{
    compare_text({BLOCK});
    // MariaDB 10.11 also prepares such a block: the binary protocol has the same problem.
    compare_prepared(BLOCK);
    compare_raw(prepared_steps(BLOCK));
}

TEST_F(PsCallTest, OutAndInoutParameters)
{
    // The OUT/INOUT values come as one more result set with SERVER_PS_OUT_PARAMS.
    compare_text({"SET @z = 'zz'", "CALL ps_call_out(5, @y, @z)", "SELECT @y, @z"});
    const std::string sql = "CALL ps_call_out(?, ?, ?)";
    compare_prepared(sql,
                     {{MYSQL_TYPE_LONG, "5"}, {MYSQL_TYPE_LONG, {}}, {MYSQL_TYPE_STRING, "zz"}});
    compare_raw(
        prepared_steps(sql, {raw::int_param(5), raw::null_int_param(), raw::string_param("zz")}));
}

TEST_F(PsCallTest, Warnings)
{
    compare_text({"CALL ps_call_warn()", "SHOW WARNINGS"});
    compare_prepared("CALL ps_call_warn()", {}, CURSOR_TYPE_NO_CURSOR, {"SHOW WARNINGS"});
    compare_raw(prepared_steps("CALL ps_call_warn()"));
}

TEST_F(PsCallTest, CursorAskedForACallAndARealCursorAfterIt)
{
    // The server opens no cursor for a CALL even when asked: the rows follow (the raw
    // prepared_steps() execute every CALL with CURSOR_TYPE_READ_ONLY too). libmariadb 3.3
    // cannot do it even directly: it takes CURSOR_EXISTS after the first column
    // definitions for a cursor and sends COM_STMT_FETCH while the rows are still coming
    // ("Commands out of sync"), so only the raw client asks for it here. A real cursor on
    // the same connection afterwards still ends after its column definitions.
    compare_prepared("SELECT a, b FROM ps_call_t ORDER BY a", {}, CURSOR_TYPE_READ_ONLY);
    std::vector<RawStep> steps = prepared_steps("CALL ps_call_handler()");
    for (RawStep s : {prepare_step("SELECT a, b FROM ps_call_t ORDER BY a"), execute_step(1),
                      fetch_step(2), fetch_step(2), close_step()})
    {
        steps.push_back(s);
    }
    compare_raw(steps);
}

}  // namespace
