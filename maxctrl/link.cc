// `maxctrl link|unlink service|monitor`: add or remove relationships, keeping the
// others (GET the object, edit the list, PATCH it back).
#include <algorithm>

#include "client.hh"
#include "command.hh"
#include "output.hh"

namespace maxctrl
{

namespace
{

// Which kind of object `name` is, trying each kind a service may point to.
std::string target_type(Context& ctx, const std::string& name, bool monitor)
{
    std::vector<std::string> kinds =
        monitor ? std::vector<std::string>{"servers"}
                : std::vector<std::string>{"servers", "filters", "services", "monitors"};
    for (const std::string& kind : kinds)
    {
        try
        {
            ctx.client.request("GET", kind + "/" + url_encode(name));
            return kind;
        }
        catch (const Error&)
        {
        }
    }
    throw Error("'" + name + "' is not " + (monitor ? "a server" : "a server, filter or service") +
                " at " + ctx.client.host());
}

void edit(Context& ctx, bool link, const std::string& collection, const Args& a)
{
    const std::string& object = a.positional[0];
    std::string resource = collection + "/" + url_encode(object);
    Json doc = ctx.get(resource);
    std::map<std::string, std::vector<std::string>> lists;
    for (size_t i = 1; i < a.positional.size(); ++i)
    {
        const std::string& name = a.positional[i];
        std::string type = target_type(ctx, name, collection == "monitors");
        if (!lists.count(type))
        {
            for (json_t* id : find_values(doc.get(), "data.relationships." + type + ".data[].id"))
            {
                lists[type].push_back(json_string_value(id));
            }
        }
        auto& names = lists[type];
        auto it = std::find(names.begin(), names.end(), name);
        if (link && it == names.end())
        {
            names.push_back(name);  // filters: appended to the end of the chain
        }
        else if (!link && it != names.end())
        {
            names.erase(it);
        }
    }
    for (const auto& [type, names] : lists)
    {
        Json body(relationship(names, type));
        ctx.send("PATCH", resource + "/relationships/" + type, body.get());
    }
    ctx.ok();
}

Command make(bool link, const std::string& kind)
{
    bool service = kind == "service";
    Command c;
    c.words = {link ? "link" : "unlink", kind};
    c.usage_args = "<" + kind + "> <" + (service ? "target" : "server") + "...>";
    c.summary =
        std::string(link ? "Link" : "Unlink") + " objects " + (link ? "to" : "from") + " a " + kind;
    c.description =
        service
            ? std::string(link ? "Add servers or filters to" : "Remove servers or filters from") +
                  " a service. The other relationships stay; a linked filter goes to the end "
                  "of the service's filter chain."
            : std::string(link ? "Let a monitor watch these servers"
                               : "Stop a monitor from watching these servers") +
                  "; its other servers stay.";
    c.min_args = 2;
    c.max_args = -1;
    c.run = [link, service](Context& ctx, const Args& a)
    { edit(ctx, link, service ? "services" : "monitors", a); };
    return c;
}

}  // namespace

void add_link_commands()
{
    Verb& l = verb("link", "Link objects");
    l.commands.push_back(make(true, "service"));
    l.commands.push_back(make(true, "monitor"));
    Verb& u = verb("unlink", "Unlink objects");
    u.commands.push_back(make(false, "service"));
    u.commands.push_back(make(false, "monitor"));
}

}  // namespace maxctrl
