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
    // Group the targets by kind, keeping their order.
    std::vector<std::pair<std::string, std::vector<std::string>>> by_type;
    for (size_t i = 1; i < a.positional.size(); ++i)
    {
        std::string type = target_type(ctx, a.positional[i], collection == "monitors");
        auto it = std::find_if(by_type.begin(), by_type.end(),
                               [&](const auto& p) { return p.first == type; });
        if (it == by_type.end())
        {
            by_type.emplace_back(type, std::vector<std::string>{});
            it = by_type.end() - 1;
        }
        it->second.push_back(a.positional[i]);
    }
    for (const auto& [type, names] : by_type)
    {
        change_relationship(ctx, link, collection, a.positional[0], type, names);
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

void change_relationship(Context& ctx, bool link, const std::string& collection,
                         const std::string& object, const std::string& type,
                         const std::vector<std::string>& names)
{
    std::string resource = collection + "/" + url_encode(object);
    Json doc = ctx.get(resource);
    std::vector<std::string> list;
    for (json_t* id : find_values(doc.get(), "data.relationships." + type + ".data[].id"))
    {
        list.push_back(json_string_value(id));
    }
    for (const std::string& name : names)
    {
        auto it = std::find(list.begin(), list.end(), name);
        if (link && it == list.end())
        {
            list.push_back(name);  // filters: appended to the end of the chain
        }
        else if (!link && it != list.end())
        {
            list.erase(it);
        }
    }
    Json body(relationship(list, type));
    ctx.send("PATCH", resource + "/relationships/" + type, body.get());
}

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
