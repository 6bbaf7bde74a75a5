#define SQLGATE_MODULE_NAME "sqlgateway"
#include "gateway.hh"
#include "sqlgate/httpsql/values.hh"

namespace sqlgate::sqlgateway
{

using namespace sqlgate::httpsql;

namespace
{
void put_u32(std::string& out, uint32_t v)
{
    for (int i = 0; i < 4; ++i)
    {
        out += static_cast<char>((v >> (8 * i)) & 0xff);
    }
}

uint32_t get_u32(const char* p)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i)
    {
        v |= static_cast<uint32_t>(static_cast<unsigned char>(p[i])) << (8 * i);
    }
    return v;
}
}  // namespace

void Operation::on_columns(const std::vector<Column>& cols)
{
    if (!m_has_result)
    {
        m_columns = cols;
        m_has_result = true;
        m_query = true;
    }
}

void Operation::on_row(const std::vector<Field>& row)
{
    if (m_discard || row.size() != m_columns.size())
    {
        return;  // cancelled, or a further result set of another shape
    }
    std::string enc;
    for (const Field& f : row)
    {
        if (f.null)
        {
            enc += '\xff';
            continue;
        }
        enc += '\0';
        put_u32(enc, static_cast<uint32_t>(f.value.size()));
        enc.append(f.value);
    }
    m_rows.push_back(std::move(enc));
    if (!m_paused && client && m_rows.size() >= 2 * m_page)
    {
        // Two pages wait for the client: stop reading the server until it fetches.
        m_paused = true;
        client->pause(true);
    }
}

void Operation::on_end(const EndInfo&)
{
    if (!m_has_result)
    {
        // DDL, DML, SET, USE: Flink's one-row "OK" table.
        m_has_result = true;
        Column c;
        c.name = "result";
        c.type = type::BLOB;
        c.charset = 45;
        c.length = 0xFFFFFFFF;
        m_columns = {c};
        std::string enc(1, '\0');
        put_u32(enc, 2);
        enc += "OK";
        m_rows.push_back(std::move(enc));
    }
}

void Operation::on_error(uint16_t code, std::string_view, std::string_view msg)
{
    if (error.empty())
    {
        error_code = code;
        error = std::string(msg);
    }
}

void Operation::finished(bool ok)
{
    timer.reset();
    if (m_paused && client)
    {
        // The end can arrive in the same read as the rows that paused the
        // session: reading must resume for the statements after this one.
        client->pause(false);
    }
    client = nullptr;
    m_paused = false;
    if (running())
    {
        status = ok ? "FINISHED" : "ERROR";
        if (!ok && error.empty())
        {
            error = "the statement failed";
        }
    }
}

void Operation::discard()
{
    m_discard = true;
    m_rows.clear();
    if (m_paused && client)
    {
        client->pause(false);
    }
    m_paused = false;
}

void Operation::render(std::string& out, const std::vector<std::string>& rows,
                       bool plain_text) const
{
    out += "\"results\":{\"columns\":[";
    for (size_t i = 0; i < m_columns.size(); ++i)
    {
        out += i ? ",{\"name\":" : "{\"name\":";
        append_json_string(out, m_columns[i].name);
        out += ",\"logicalType\":";
        append_logical_type(out, m_columns[i]);
        out += ",\"comment\":null}";
    }
    out += "],\"rowFormat\":";
    out += plain_text ? "\"PLAIN_TEXT\"" : "\"JSON\"";
    out += ",\"data\":[";
    std::vector<Field> fields(m_columns.size());
    for (size_t r = 0; r < rows.size(); ++r)
    {
        const std::string& enc = rows[r];
        size_t pos = 0;
        for (Field& f : fields)
        {
            f.null = enc[pos] == '\xff';
            ++pos;
            f.value = {};
            if (!f.null)
            {
                uint32_t len = get_u32(enc.data() + pos);
                pos += 4;
                f.value = std::string_view(enc.data() + pos, len);
                pos += len;
            }
        }
        out += r ? ",{\"kind\":\"INSERT\",\"fields\":[" : "{\"kind\":\"INSERT\",\"fields\":[";
        for (size_t i = 0; i < fields.size(); ++i)
        {
            if (i)
            {
                out += ',';
            }
            plain_text ? append_plain_text(out, m_columns[i], fields[i])
                       : append_value(out, m_columns[i], fields[i]);
        }
        out += "]}";
    }
    out += "]}";
}

void Operation::fetch(int64_t token, bool plain_text, const std::string& uri_base, int version,
                      const Answer& answer)
{
    auto uri = [&](int64_t n)
    {
        std::string u = uri_base + "/result/" + std::to_string(n);
        if (version >= 2)
        {
            u += plain_text ? "?rowFormat=PLAIN_TEXT" : "?rowFormat=JSON";
        }
        return u;
    };
    if (status == "ERROR")
    {
        answer(500, error_body("operation " + handle + " failed: MariaDB error " +
                               std::to_string(error_code) + ": " + error));
        return;
    }
    if (status == "CANCELED" || status == "TIMEOUT" || status == "CLOSED")
    {
        answer(409, error_body("operation " + handle + " is " + status + ": it has no results"));
        return;
    }
    bool replay = false;
    std::vector<std::string> page;
    if (token == m_token)
    {
        if (!m_has_result && running())
        {
            std::string body = "{\"resultType\":\"NOT_READY\",\"nextResultUri\":";
            append_json_string(body, uri(token));
            answer(200, body + "}\n");
            return;
        }
        while (page.size() < m_page && !m_rows.empty())
        {
            page.push_back(std::move(m_rows.front()));
            m_rows.pop_front();
        }
        if (page.empty() && !running())
        {
            m_eos = true;
        }
        else
        {
            m_last = page;
            ++m_token;
        }
        if (m_paused && client && m_rows.size() < m_page)
        {
            m_paused = false;
            client->pause(false);
        }
    }
    else if (token == m_token - 1 && token >= 0)
    {
        replay = true;
    }
    else
    {
        answer(400, error_body("Expecting token to be " + std::to_string(m_token) + " or " +
                               std::to_string(m_token - 1) + ", but found " +
                               std::to_string(token) + " (operation " + handle + ")"));
        return;
    }
    bool eos = m_eos && !replay && page.empty();
    std::string body = std::string("{\"resultType\":\"") + (eos ? "EOS" : "PAYLOAD") +
                       "\",\"isQueryResult\":" + (m_query ? "true" : "false") +
                       ",\"resultKind\":\"" + (m_query ? "SUCCESS_WITH_CONTENT" : "SUCCESS") +
                       "\",";
    render(body, replay ? m_last : page, plain_text);
    if (!eos)
    {
        body += ",\"nextResultUri\":";
        append_json_string(body, uri(m_token));
    }
    answer(200, body + "}\n");
}

}  // namespace sqlgate::sqlgateway
