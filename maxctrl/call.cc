// `maxctrl call command` (module commands) and `maxctrl api` (raw REST requests).
#include "client.hh"
#include "command.hh"
#include "output.hh"

namespace maxctrl
{

namespace
{

std::string dump(json_t* j, bool pretty)
{
    char* s = json_dumps(j, JSON_ENCODE_ANY | (pretty ? JSON_INDENT(4) : JSON_COMPACT));
    std::string out = s ? s : "";
    free(s);
    return out;
}

void call_command(Context& ctx, const Args& a)
{
    const std::string& module = a.positional[0];
    const std::string& command = a.positional[1];
    Json mod = ctx.get("maxscale/modules/" + url_encode(module));
    std::string method;
    for (json_t* c : find_values(mod.get(), "data.attributes.commands[]"))
    {
        if (json_string_value(json_object_get(c, "id")) == command)
        {
            const char* m =
                json_string_value(json_object_get(json_object_get(c, "attributes"), "method"));
            method = m ? m : "POST";
        }
    }
    if (method.empty())
    {
        throw Error("Module '" + module + "' has no command '" + command +
                    "'. See `maxctrl show commands " + module + "`.");
    }
    std::string resource = "maxscale/modules/" + url_encode(module) + "/" + url_encode(command);
    for (size_t i = 2; i < a.positional.size(); ++i)
    {
        resource += (i == 2 ? "?" : "&") + url_encode(a.positional[i]);
    }
    Json res = ctx.send(method, resource);
    json_t* meta = res ? json_object_get(res.get(), "meta") : nullptr;
    if (meta)
    {
        ctx.print(dump(meta, true));
    }
    else
    {
        ctx.ok();
    }
}

void api_get(Context& ctx, const Args& a)
{
    Json doc = ctx.client.request_json("GET", a.positional[0]);
    bool pretty = a.has("pretty") && a.value("pretty") != "false";
    json_t* result = doc.get();
    Json mapped;
    if (a.positional.size() > 1)
    {
        std::vector<json_t*> found = find_values(doc.get(), a.positional[1]);
        if (a.positional[1].find("[]") != std::string::npos)
        {
            mapped.reset(json_array());
            for (json_t* v : found)
            {
                json_array_append(mapped.get(), v);
            }
            result = mapped.get();
        }
        else
        {
            result = found.empty() ? nullptr : found[0];
        }
        if (!result)
        {
            throw Error("Nothing at '" + a.positional[1] + "' in " + a.positional[0]);
        }
    }
    if (a.has("sum"))
    {
        double sum = 0;
        bool integral = true;
        size_t i;
        json_t* v;
        json_array_foreach(result, i, v)
        {
            sum += json_number_value(v);
            integral = integral && !json_is_real(v);
        }
        ctx.print(integral ? std::to_string((long long)sum) : dump(json_real(sum), false));
        return;
    }
    ctx.print(dump(result, pretty));
}

void api_write(Context& ctx, const std::string& method, const Args& a)
{
    json_error_t err;
    Json body(json_loads(a.positional[1].c_str(), 0, &err));
    if (!body)
    {
        throw Error("Invalid JSON body: " + std::string(err.text) + " at position " +
                    std::to_string(err.position));
    }
    Json res = ctx.send(method, a.positional[0], body.get());
    if (res)
    {
        ctx.print(dump(res.get(), a.has("pretty")));
    }
    else
    {
        ctx.ok();
    }
}

}  // namespace

void add_call_commands()
{
    Command call;
    call.words = {"call", "command"};
    call.usage_args = "<module> <command> [params...]";
    call.summary = "Call a module command";
    call.description =
        "Run a command of a module, e.g.\n"
        "  maxctrl call command mariadbmon switchover Sandbox-Monitor server2\n"
        "`maxctrl list commands` lists the commands, `maxctrl show commands <module>` their "
        "parameters. The command's result is printed as JSON, or OK when it has none.";
    call.min_args = 2;
    call.max_args = -1;
    call.run = call_command;
    verb("call", "Call module commands").commands.push_back(call);

    Verb& api = verb("api", "Raw REST API access");
    Command get;
    get.words = {"api", "get"};
    get.usage_args = "<resource> [path]";
    get.summary = "Get raw JSON";
    get.description =
        "Print the JSON of a REST resource, e.g. `maxctrl api get servers`. `path` picks a "
        "part of it: keys separated by dots, name[N] for element N of an array, name[] for "
        "every element, e.g.\n  maxctrl api get servers data[].attributes.state\n"
        "--sum adds up the numbers of such a list.";
    get.min_args = 1;
    get.max_args = 2;
    get.flags = {{"sum", FlagSpec::BOOL, "Print the sum of the values (a list of numbers)"},
                 {"pretty", FlagSpec::BOOL, "Indent the JSON"}};
    get.run = api_get;
    api.commands.push_back(get);
    for (const char* method : {"post", "patch"})
    {
        Command c;
        std::string upper = method[1] == 'o' ? "POST" : "PATCH";
        c.words = {"api", method};
        c.usage_args = "<resource> <json>";
        c.summary = "Send a raw " + upper + " request";
        c.description = "Send a JSON body with " + upper +
                        " to a REST resource, e.g.\n  maxctrl api " + method +
                        " servers/server1 '{\"data\": {\"attributes\": {\"parameters\": "
                        "{\"port\": 3307}}}}'\nPrints the answer's JSON, or OK when it has none.";
        c.min_args = c.max_args = 2;
        c.flags = {{"pretty", FlagSpec::BOOL, "Indent the JSON of the answer"}};
        c.run = [upper](Context& ctx, const Args& a) { api_write(ctx, upper, a); };
        api.commands.push_back(c);
    }
}

}  // namespace maxctrl
