/**
 * /v1/users: the admin API's own accounts (type "inet"): list, get, create,
 * change password, delete.
 *
 * Threads: main worker (AdminUsers locks internally because the HTTP thread
 * authenticates against it at the same time).
 */
#include "../admin_users.hh"
#include "../document.hh"
#include "../rest_api.hh"
#include "common.hh"
#include "sqlgate/log.hh"

namespace sqlgate::admin
{

namespace
{

json_t* user_json(const HttpRequest& r, const AdminUserInfo& u)
{
    auto date = [](int64_t t) { return t ? json_string(http_date(t).c_str()) : json_null(); };
    json_t* attrs = json_pack("{s:s, s:s, s:o, s:o, s:o}", "name", u.name.c_str(), "account",
                              account_name(u.account), "created", date(u.created), "last_update",
                              date(u.last_update), "last_login", date(u.last_login));
    return make_resource(r, "inet", u.name, attrs);
}

HttpResponse list(const HttpRequest& r, AdminUsers& users)
{
    json_t* data = json_array();
    for (const auto& u : users.list())
    {
        json_array_append_new(data, user_json(r, u));
    }
    return HttpResponse(200, make_document(r, data));
}

const char* string_at(json_t* doc, const char* a, const char* b = nullptr, const char* c = nullptr)
{
    json_t* v = json_object_get(doc, a);
    if (b)
    {
        v = json_object_get(v, b);
    }
    if (c)
    {
        v = json_object_get(v, c);
    }
    return json_string_value(v);
}

}  // namespace

void add_user_routes(RestApi& api)
{
    AdminUsers& users = *api.ctx().users;
    api.add("GET", "users",
            SyncHandler([&users](const HttpRequest& r, const Params&) { return list(r, users); }));
    api.add("GET", "users/inet",
            SyncHandler([&users](const HttpRequest& r, const Params&) { return list(r, users); }));
    api.add("GET", "users/unix",
            SyncHandler([](const HttpRequest& r, const Params&)
                        { return HttpResponse(200, make_document(r, json_array())); }));
    api.add("GET", "users/inet/:name",
            SyncHandler(
                [&users](const HttpRequest& r, const Params& p)
                {
                    auto u = users.find(p.at("name"));
                    if (!u)
                    {
                        return not_found("user", p.at("name"));
                    }
                    return HttpResponse(200, make_document(r, user_json(r, *u)));
                }));
    api.add("POST", "users/inet",
            SyncHandler(
                [&users](const HttpRequest& r, const Params&)
                {
                    json_t* doc = r.json.get();
                    if (!doc)
                    {
                        return HttpResponse::error(400, "Missing request body");
                    }
                    for (const char* ptr : {"id", "type"})
                    {
                        json_t* v = json_object_get(json_object_get(doc, "data"), ptr);
                        if (v && !json_is_string(v))
                        {
                            return HttpResponse::error(
                                400, std::string("/data/") + ptr + " must be a string");
                        }
                    }
                    json_t* attrs = json_object_get(json_object_get(doc, "data"), "attributes");
                    for (const char* ptr : {"password", "account"})
                    {
                        json_t* v = json_object_get(attrs, ptr);
                        if (v && !json_is_string(v))
                        {
                            return HttpResponse::error(
                                400, std::string("/data/attributes/") + ptr + " must be a string");
                        }
                    }
                    const char* name = string_at(doc, "data", "id");
                    const char* password = string_at(doc, "data", "attributes", "password");
                    const char* account = string_at(doc, "data", "attributes", "account");
                    if (!name)
                    {
                        return HttpResponse::error(400, "Missing /data/id (the user name)");
                    }
                    if (!password)
                    {
                        return HttpResponse::error(400, "Missing /data/attributes/password");
                    }
                    Account acc = Account::BASIC;
                    if (account && !parse_account(account, acc))
                    {
                        return HttpResponse::error(400, std::string("/data/attributes/account: "
                                                                    "expected 'admin' or 'basic', "
                                                                    "got '") +
                                                            account + "'");
                    }
                    if (const char* type = string_at(doc, "data", "type");
                        type && strcmp(type, "inet") != 0)
                    {
                        return HttpResponse::error(
                            400, std::string("/data/type: expected 'inet', got '") + type + "'");
                    }
                    if (users.find(name))
                    {
                        return HttpResponse::error(
                            409, std::string("User '") + name + "' already exists");
                    }
                    std::string error;
                    if (!users.add(name, password, acc, error))
                    {
                        return HttpResponse::error(400, error);
                    }
                    SG_NOTICE("REST API: user '%s' created (%s) by '%s'", name, account_name(acc),
                              r.user.c_str());
                    return HttpResponse::no_content();
                }));
    api.add("PATCH", "users/inet/:name",
            SyncHandler(
                [&users](const HttpRequest& r, const Params& p)
                {
                    if (!users.find(p.at("name")))
                    {
                        return not_found("user", p.at("name"));
                    }
                    const char* password =
                        r.json ? string_at(r.json.get(), "data", "attributes", "password")
                               : nullptr;
                    if (!password)
                    {
                        return HttpResponse::error(400, "Missing /data/attributes/password");
                    }
                    std::string error;
                    if (!users.set_password(p.at("name"), password, error))
                    {
                        return HttpResponse::error(400, error);
                    }
                    SG_NOTICE("REST API: password of user '%s' changed by '%s'",
                              p.at("name").c_str(), r.user.c_str());
                    return HttpResponse::no_content();
                }));
    api.add("DELETE", "users/inet/:name",
            SyncHandler(
                [&users](const HttpRequest& r, const Params& p)
                {
                    if (!users.find(p.at("name")))
                    {
                        return not_found("user", p.at("name"));
                    }
                    std::string error;
                    if (!users.remove(p.at("name"), error))
                    {
                        return HttpResponse::error(400, error);
                    }
                    SG_NOTICE("REST API: user '%s' deleted by '%s'", p.at("name").c_str(),
                              r.user.c_str());
                    return HttpResponse::no_content();
                }));
}

}  // namespace sqlgate::admin
