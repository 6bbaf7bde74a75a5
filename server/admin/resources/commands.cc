/**
 * Module commands: GET|POST /v1/maxscale/modules/:module/:command.
 *
 * Arguments come from the query string, either positional (?Mon&server2,
 * MaxScale's classic form) or by name (?monitor=Mon&new_primary=server2;
 * chosen when any argument has a value). They are checked against the
 * command's argument list and resolved to objects here, on the main worker;
 * the command answers through CommandDone from whatever thread it finished
 * on, and the answer goes straight to the HTTP thread (Reply is thread-safe).
 */
#include <strings.h>

#include <algorithm>

#include "../rest_api.hh"
#include "common.hh"
#include "document.hh"
#include "sqlgate/modulecmd.hh"

namespace sqlgate
{
const char* to_string(CommandArgType t)
{
    switch (t)
    {
        case CommandArgType::SERVER:
            return "server";
        case CommandArgType::MONITOR:
            return "monitor";
        case CommandArgType::FILTER:
            return "filter";
        case CommandArgType::BOOLEAN:
            return "boolean";
        case CommandArgType::STRING:
            break;
    }
    return "string";
}
}  // namespace sqlgate

namespace sqlgate::admin
{

namespace
{
// Query parameters that belong to the API, never to the command.
bool api_parameter(const std::string& key)
{
    return key == "pretty" || key == "fields" || key == "range" || key == "filter" ||
           key.rfind("fields[", 0) == 0 || key.rfind("page[", 0) == 0;
}

std::string usage(const ModuleInfo& m, const ModuleCommand& c)
{
    std::string u = std::string(m.name) + " " + c.name;
    for (const auto& a : c.args)
    {
        u += a.optional ? std::string(" [") + a.name + "]" : std::string(" ") + a.name;
    }
    return u;
}

bool parse_bool(const std::string& v, bool& out)
{
    for (const char* t : {"true", "yes", "on", "1"})
    {
        if (strcasecmp(v.c_str(), t) == 0)
        {
            out = true;
            return true;
        }
    }
    for (const char* f : {"false", "no", "off", "0"})
    {
        if (strcasecmp(v.c_str(), f) == 0)
        {
            out = false;
            return true;
        }
    }
    return false;
}

// The texts of the arguments in the command's order ("" and given=false when omitted).
bool gather(const HttpRequest& r, const ModuleInfo& m, const ModuleCommand& c,
            std::vector<CommandArg>& args, std::string& error)
{
    std::vector<std::pair<std::string, std::string>> given;
    bool named = false;
    auto is_argument = [&](const std::string& key)
    {
        return std::any_of(c.args.begin(), c.args.end(),
                           [&](const CommandArgSpec& a) { return key == a.name; });
    };
    for (const auto& kv : r.query_list)
    {
        // filter= is the API's filter unless the command has an argument of that name.
        if (!api_parameter(kv.first) || is_argument(kv.first))
        {
            given.push_back(kv);
            named |= !kv.second.empty();
        }
    }
    args.assign(c.args.size(), CommandArg());
    if (named)
    {
        for (const auto& [k, v] : given)
        {
            size_t i = 0;
            while (i < c.args.size() && k != c.args[i].name)
            {
                ++i;
            }
            if (i == c.args.size())
            {
                error = "Unknown argument '" + k + "'; usage: " + usage(m, c);
                return false;
            }
            args[i].text = v;
            args[i].given = true;
        }
    }
    else
    {
        if (given.size() > c.args.size())
        {
            error =
                "Too many arguments (" + std::to_string(given.size()) + "); usage: " + usage(m, c);
            return false;
        }
        for (size_t i = 0; i < given.size(); ++i)
        {
            args[i].text = given[i].first;
            args[i].given = true;
        }
    }
    for (size_t i = 0; i < c.args.size(); ++i)
    {
        args[i].type = c.args[i].type;
        if (!args[i].given && !c.args[i].optional)
        {
            error = std::string("Missing argument '") + c.args[i].name + "'; usage: " + usage(m, c);
            return false;
        }
    }
    return true;
}

bool resolve(const Objects& o, const ModuleInfo& m, const ModuleCommand& c,
             std::vector<CommandArg>& args, std::string& error)
{
    for (size_t i = 0; i < args.size(); ++i)
    {
        CommandArg& a = args[i];
        const char* name = c.args[i].name;
        if (!a.given)
        {
            continue;
        }
        switch (a.type)
        {
            case CommandArgType::SERVER:
            {
                auto it = o.servers.find(a.text);
                if (it == o.servers.end())
                {
                    error =
                        std::string("Argument '") + name + "': '" + a.text + "' is not a server";
                    return false;
                }
                a.server = it->second;
                break;
            }
            case CommandArgType::MONITOR:
            {
                auto it = o.monitors.find(a.text);
                if (it == o.monitors.end() || it->second->module() != m.name)
                {
                    error = std::string("Argument '") + name + "': '" + a.text +
                            "' is not a monitor of module " + m.name;
                    return false;
                }
                a.monitor = it->second;
                break;
            }
            case CommandArgType::FILTER:
            {
                auto it = o.filters.find(a.text);
                if (it == o.filters.end() || it->second->module != m.name)
                {
                    error = std::string("Argument '") + name + "': '" + a.text +
                            "' is not a filter of module " + m.name;
                    return false;
                }
                a.filter = it->second;
                break;
            }
            case CommandArgType::BOOLEAN:
                if (!parse_bool(a.text, a.boolean))
                {
                    error =
                        std::string("Argument '") + name + "': '" + a.text + "' is not a boolean";
                    return false;
                }
                break;
            case CommandArgType::STRING:
                break;
        }
    }
    return true;
}

// Answers exactly once: with what the command gave, or, if every copy of the
// CommandDone is dropped unanswered (a monitor stopped), with an error.
struct Answer
{
    Reply reply;
    std::string command;
    bool answered = false;

    void finish(json_t* output, const std::string& error)
    {
        answered = true;
        if (!error.empty())
        {
            HttpResponse resp = HttpResponse::error(400, error);
            if (output)
            {
                json_object_set_new(resp.body.get(), "meta", output);
            }
            reply(std::move(resp));
        }
        else if (output)
        {
            reply(HttpResponse(200, json_pack("{s:o}", "meta", output)));
        }
        else
        {
            reply(HttpResponse::no_content());
        }
    }
    ~Answer()
    {
        if (!answered)
        {
            reply(HttpResponse::error(
                500, "Command " + command + " did not complete: its monitor was stopped"));
        }
    }
};

json_t* command_json(const HttpRequest& r, const ModuleInfo& m, const ModuleCommand& c)
{
    json_t* params = json_array();
    int arg_min = 0;
    for (const auto& a : c.args)
    {
        arg_min += a.optional ? 0 : 1;
        json_array_append_new(
            params, json_pack("{s:s, s:s, s:b, s:s}", "name", a.name, "type", to_string(a.type),
                              "required", !a.optional, "description", a.description));
    }
    json_t* attrs = json_pack("{s:s, s:i, s:i, s:s, s:o}", "method", c.modifies ? "POST" : "GET",
                              "arg_min", arg_min, "arg_max", static_cast<int>(c.args.size()),
                              "description", c.description, "parameters", params);
    json_t* res =
        json_pack("{s:s, s:s, s:o}", "id", c.name, "type", "module_command", "attributes", attrs);
    json_object_set_new(
        res, "links",
        json_pack("{s:s}", "self",
                  (r.base_url + "maxscale/modules/" + m.name + "/" + c.name + "/").c_str()));
    return res;
}

}  // namespace

json_t* module_commands_json(const HttpRequest& r, const ModuleInfo& m)
{
    json_t* out = json_array();
    if (m.commands)
    {
        for (const auto& c : *m.commands)
        {
            json_array_append_new(out, command_json(r, m, c));
        }
    }
    return out;
}

void add_command_routes(RestApi& api)
{
    AdminContext& ctx = api.ctx();
    auto handler = [&ctx](const HttpRequest& r, const Params& p, Reply reply)
    {
        const std::string& module = p.at("module");
        const std::string& name = p.at("command");
        const ModuleInfo* info = nullptr;
        auto it = ctx.modules->loaded().find(module);
        if (it != ctx.modules->loaded().end())
        {
            info = it->second;
        }
        else
        {
            std::vector<std::string> errors;
            auto all = ctx.modules->load_all(errors);
            info = all.count(module) ? all.at(module) : nullptr;
        }
        if (!info)
        {
            bool core = module == "maxscale" || module == "servers" || module == "services" ||
                        module == "listeners" || module == "monitors" || module == "filters";
            reply(core ? HttpResponse::error(404,
                                             "Module " + module + " has no command '" + name + "'")
                       : not_found("module", module));
            return;
        }
        const ModuleCommand* cmd = nullptr;
        if (info->commands)
        {
            for (const ModuleCommand& c : *info->commands)
            {
                cmd = c.name == name ? &c : cmd;
            }
        }
        if (!cmd)
        {
            reply(HttpResponse::error(404, "Module " + module + " has no command '" + name + "'"));
            return;
        }
        if (cmd->modifies != (r.method == "POST"))
        {
            reply(HttpResponse::error(404, "Command " + module + " " + name +
                                               (cmd->modifies ? " modifies" : " only reads") +
                                               ": call it with " +
                                               (cmd->modifies ? "POST" : "GET")));
            return;
        }
        std::vector<CommandArg> args;
        std::string error;
        if (!gather(r, *info, *cmd, args, error) ||
            !resolve(*ctx.objects, *info, *cmd, args, error))
        {
            reply(HttpResponse::error(400, error));
            return;
        }
        auto answer = std::make_shared<Answer>();
        answer->reply = std::move(reply);
        answer->command = module + " " + name;
        cmd->call(args, [answer](json_t* output, std::string err) { answer->finish(output, err); });
    };
    api.add("GET", "maxscale/modules/:module/:command", Handler(handler));
    api.add("POST", "maxscale/modules/:module/:command", Handler(handler));
}

}  // namespace sqlgate::admin
