// `maxctrl destroy ...`: DELETE an object.
#include "client.hh"
#include "command.hh"

namespace maxctrl
{

namespace
{

Command destroy(const std::string& what, const std::string& resource, bool force)
{
    Command c;
    c.words = {"destroy", what};
    c.usage_args = "<name>";
    c.summary = "Destroy an unused " + what;
    c.description = "Destroy a " + what + ". It must not be in use" +
                    (force ? ", unless --force is given: then it is first removed from "
                             "whatever uses it."
                           : ".");
    c.min_args = c.max_args = 1;
    if (force)
    {
        c.flags = {{"force", FlagSpec::BOOL, "Remove it from whatever uses it first"}};
    }
    c.run = [resource](Context& ctx, const Args& a)
    {
        std::string r = resource + "/" + url_encode(a.positional[0]);
        if (a.has("force") && a.value("force") != "false")
        {
            r += "?force=yes";
        }
        ctx.send("DELETE", r);
        ctx.ok();
    };
    return c;
}

}  // namespace

void add_destroy_commands()
{
    Verb& v = verb("destroy", "Destroy objects");
    v.commands.push_back(destroy("server", "servers", true));
    v.commands.push_back(destroy("monitor", "monitors", true));
    v.commands.push_back(destroy("service", "services", true));
    v.commands.push_back(destroy("filter", "filters", true));

    Command listener;
    listener.words = {"destroy", "listener"};
    listener.usage_args = "{ <listener> | <service> <listener> }";
    listener.summary = "Destroy a listener";
    listener.description = "Destroy a listener; its port stops accepting connections.";
    listener.min_args = 1;
    listener.max_args = 2;
    listener.run = [](Context& ctx, const Args& a)
    {
        const auto& p = a.positional;
        ctx.send("DELETE", p.size() == 1
                               ? "listeners/" + url_encode(p[0])
                               : "services/" + url_encode(p[0]) + "/listeners/" + url_encode(p[1]));
        ctx.ok();
    };
    v.commands.push_back(listener);

    Command user = destroy("user", "users/inet", false);
    user.summary = "Destroy a REST API user";
    user.description = "Remove an account of the REST API.";
    v.commands.push_back(user);

    Command session = destroy("session", "sessions", false);
    session.usage_args = "<id>";
    session.summary = "Close a session";
    session.description =
        "Close a client session and its backend connections (see `list "
        "sessions` for the IDs).";
    v.commands.push_back(session);
}

}  // namespace maxctrl
