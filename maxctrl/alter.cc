// `maxctrl alter ...`: PATCH parameters of an object.
#include "client.hh"
#include "command.hh"

namespace maxctrl
{

namespace
{

// Parameters that are relationships in the REST API: "servers=a,b", "filters=A|B".
const std::vector<std::pair<std::string, std::string>> kRelationParams = {
    {"servers", "servers"}, {"targets", "servers"}, {"filters", "filters"}};

std::vector<std::string> split_any(const std::string& s, const std::string& separators)
{
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= s.size())
    {
        size_t end = s.find_first_of(separators, start);
        std::string part =
            s.substr(start, end == std::string::npos ? std::string::npos : end - start);
        size_t a = part.find_first_not_of(' ');
        if (a != std::string::npos)
        {
            out.push_back(part.substr(a, part.find_last_not_of(' ') - a + 1));
        }
        if (end == std::string::npos)
        {
            break;
        }
        start = end + 1;
    }
    return out;
}

Command object(const std::string& kind, const std::string& collection)
{
    Command c;
    c.words = {"alter", kind};
    c.usage_args = "<name> <key=value...>";
    c.summary = "Alter " + kind + " parameters";
    c.description = "Change parameters of a " + kind + ", e.g.\n  maxctrl alter " + kind +
                    " <name> key1=value1 key2=value2\n"
                    "Numbers, true and false are sent as JSON numbers and booleans, "
                    "a.b=value as a nested object. " +
                    (kind == "service" || kind == "monitor"
                         ? "servers=a,b (or targets=) and, for services, filters=A|B replace "
                           "those relationships. "
                         : "") +
                    "The legacy form `alter " + kind +
                    " <name> key value` also works.\n"
                    "`maxctrl show module <module>` lists the parameters and whether they "
                    "can be changed at runtime.";
    c.min_args = 2;
    c.max_args = -1;
    bool relations = kind == "service" || kind == "monitor";
    c.run = [collection, kind, relations](Context& ctx, const Args& a)
    {
        Json params = parse_key_values(a.positional, 1);
        json_t* rel = nullptr;
        if (relations)
        {
            for (const auto& [param, type] : kRelationParams)
            {
                json_t* v = json_object_get(params.get(), param.c_str());
                if (!v || (kind == "monitor" && type != "servers"))
                {
                    continue;
                }
                std::string text = json_is_string(v) ? json_string_value(v) : "";
                rel = rel ? rel : json_object();
                json_object_set_new(
                    rel, type.c_str(),
                    relationship(split_any(text, type == "filters" ? "|" : ","), type));
                json_object_del(params.get(), param.c_str());
            }
        }
        json_t* attrs = json_object();
        json_object_set_new(attrs, "parameters", params.release());
        Json doc = make_document(a.positional[0], collection, attrs, rel);
        ctx.send("PATCH", collection + "/" + url_encode(a.positional[0]), doc.get());
        ctx.ok();
    };
    return c;
}

Command globals(const std::string& word, const std::string& what)
{
    Command c;
    c.words = {"alter", word};
    c.usage_args = "<key=value...>";
    c.summary = "Alter " + what;
    c.description = "Change " + what + " at runtime, e.g.\n  maxctrl alter " + word +
                    (word == "logging" ? " log_info=true" : " auth_connect_timeout=10s") +
                    "\n`maxctrl show module maxscale` lists the global parameters and whether "
                    "they can be changed at runtime.";
    c.min_args = 1;
    c.max_args = -1;
    c.run = [](Context& ctx, const Args& a)
    {
        json_t* attrs = json_object();
        json_object_set_new(attrs, "parameters", parse_key_values(a.positional, 0).release());
        Json doc = make_document("maxscale", "maxscale", attrs);
        ctx.send("PATCH", "maxscale", doc.get());
        ctx.ok();
    };
    return c;
}

}  // namespace

void add_alter_commands()
{
    Verb& v = verb("alter", "Alter objects");
    v.commands.push_back(object("server", "servers"));
    v.commands.push_back(object("monitor", "monitors"));
    v.commands.push_back(object("service", "services"));
    v.commands.push_back(object("filter", "filters"));
    v.commands.push_back(object("listener", "listeners"));
    v.commands.push_back(globals("maxscale", "global parameters"));
    v.commands.push_back(globals("logging", "logging parameters"));

    Command user;
    user.words = {"alter", "user"};
    user.usage_args = "<name> <password>";
    user.summary = "Alter the password of a REST API user";
    user.description = "Change the password of a REST API account.";
    user.min_args = user.max_args = 2;
    user.run = [](Context& ctx, const Args& a)
    {
        Json doc = make_document(a.positional[0], "inet",
                                 json_pack("{s:s}", "password", a.positional[1].c_str()));
        ctx.send("PATCH", "users/inet/" + url_encode(a.positional[0]), doc.get());
        ctx.ok();
    };
    v.commands.push_back(user);
}

}  // namespace maxctrl
