#include "sqlgateway_gate.hh"

#include <fstream>

namespace sqlgate::test::gw
{

GwGate::GwGate(const std::string& listener_extra)
{
    ConfigOptions o;
    o.servers = {0};  // the primary only: tests write and read back at once
    o.admin_port = admin;
    std::string section =
        "[GW]\ntype=listener\nservice=Read-Write-Service\n"
        "protocol=sqlgateway\naddress=127.0.0.1\nport=" +
        std::to_string(gw) + "\n" + listener_extra;
    gate = std::make_unique<SqlGate>(config_for(shared_cluster(), port, section, o), gw);
    EXPECT_TRUE(eventually([&] { return port_accepts(admin); }, 20s)) << gate->diagnostics();
}

std::string statement(const std::string& sql, const std::string& extra)
{
    Json j(json_object());
    json_object_set_new(j.get(), "statement", json_stringn(sql.data(), sql.size()));
    char* s = json_dumps(j.get(), JSON_COMPACT);
    std::string out = s;
    free(s);
    if (!extra.empty())
    {
        out.pop_back();
        out += "," + extra + "}";
    }
    return out;
}

std::string text(const json_t* v)
{
    if (!v)
    {
        return "null";
    }
    char* s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    std::string out = s ? s : "";
    free(s);
    return out;
}

std::string raw_fields(const std::string& body, size_t row)
{
    return json_after(body, "\"fields\":", row);
}

std::string Client::open(const std::string& body)
{
    HttpResult r = open_raw(body);
    std::string sh = r.str("/sessionHandle");
    EXPECT_EQ(r.code, 200) << "POST /sessions " << body << ": " << r.body;
    EXPECT_EQ(sh.size(), 36u) << r.body;
    return r.code == 200 ? sh : "";
}

std::string Client::submit(const std::string& sh, const std::string& body)
{
    HttpResult r = post("/sessions/" + sh + "/statements", body);
    std::string oh = r.str("/operationHandle");
    EXPECT_EQ(r.code, 200) << "POST statements " << body << ": " << r.body;
    EXPECT_EQ(oh.size(), 36u) << r.body;
    return r.code == 200 ? oh : "";
}

HttpResult Client::fetch(const std::string& sh, const std::string& oh, const std::string& token,
                         const std::string& format) const
{
    std::string path = op_path(sh, oh) + "/result/" + token;
    if (!format.empty())
    {
        path += "?rowFormat=" + format;
    }
    return get(path);
}

std::string Client::status(const std::string& sh, const std::string& oh) const
{
    HttpResult r = get(op_path(sh, oh) + "/status");
    return r.code == 200 ? r.str("/status") : "HTTP " + std::to_string(r.code) + " " + r.body;
}

std::string Client::wait_done(const std::string& sh, const std::string& oh,
                              std::chrono::milliseconds timeout) const
{
    std::string s;
    eventually(
        [&]
        {
            s = status(sh, oh);
            return s != "PENDING" && s != "RUNNING";
        },
        timeout, 10ms);
    return s;
}

std::vector<Json> Client::rows(const std::string& sh, const std::string& oh,
                               const std::string& format, HttpResult* last) const
{
    std::vector<Json> out;
    std::string path = prefix() + op_path(sh, oh) + "/result/0";
    if (m_version != 1 && !format.empty())
    {
        path += "?rowFormat=" + format;
    }
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline)
    {
        HttpResult r = m_http.get(path);
        if (r.code != 200 || !r.json)
        {
            ADD_FAILURE() << "GET " << path << ": HTTP " << r.code << " " << r.body;
            break;
        }
        std::string type = r.str("/resultType");
        if (type == "NOT_READY")
        {
            std::this_thread::sleep_for(10ms);
            path = r.str("/nextResultUri");
            continue;
        }
        size_t i;
        json_t* row;
        json_array_foreach(r.at("/results/data"), i, row)
        {
            out.emplace_back(json_incref(json_object_get(row, "fields")));
        }
        if (type == "EOS")
        {
            if (last)
            {
                *last = std::move(r);
            }
            return out;
        }
        path = r.str("/nextResultUri");
        if (type != "PAYLOAD" || path.empty())
        {
            ADD_FAILURE() << "GET " << path << ": " << r.body;
            break;
        }
    }
    ADD_FAILURE() << "no EOS for operation " << oh;
    return out;
}

std::vector<Json> Client::query(const std::string& sh, const std::string& sql)
{
    std::string oh = submit_sql(sh, sql);
    return oh.empty() ? std::vector<Json>{} : rows(sh, oh);
}

std::string Client::value(const std::string& sh, const std::string& sql)
{
    std::vector<Json> r = query(sh, sql);
    if (r.empty())
    {
        return "";
    }
    json_t* v = json_array_get(r[0].get(), 0);
    return json_is_string(v) ? json_string_value(v) : text(v);
}

}  // namespace sqlgate::test::gw
