#include "dispatch.hh"

#include <algorithm>

#include "options.hh"

namespace maxctrl
{

namespace
{

std::string usage_line(const Command& c)
{
    std::string out = "maxctrl";
    for (const std::string& w : c.words)
    {
        out += " " + w;
    }
    if (!c.usage_args.empty())
    {
        out += " " + c.usage_args;
    }
    for (const FlagSpec& f : c.flags)
    {
        out += " [--" + f.name +
               (f.kind == FlagSpec::VALUE  ? " VALUE"
                : f.kind == FlagSpec::LIST ? " NAME..."
                                           : "") +
               "]";
    }
    return out;
}

// Takes the command's own options out of `rest` into `args`.
void parse_flags(const Command& c, const std::vector<std::string>& rest, Args& args)
{
    for (size_t i = 0; i < rest.size(); ++i)
    {
        const std::string& w = rest[i];
        if (w.size() < 3 || w.rfind("--", 0) != 0)
        {
            if (w.size() >= 2 && w[0] == '-' && w[1] != '-' && !isdigit((unsigned char)w[1]))
            {
                throw Error("Unknown option '" + w + "' for `" + usage_line(c) +
                            "`. See `maxctrl " + c.words[0] + " " + c.words[1] + " --help`.");
            }
            args.positional.push_back(w);
            continue;
        }
        std::string name = w.substr(2);
        std::string value;
        bool inline_value = false;
        if (size_t eq = name.find('='); eq != std::string::npos)
        {
            value = name.substr(eq + 1);
            name.resize(eq);
            inline_value = true;
        }
        auto spec = std::find_if(c.flags.begin(), c.flags.end(),
                                 [&](const FlagSpec& f) { return f.name == name; });
        if (spec == c.flags.end())
        {
            std::string cmd;
            for (const std::string& word : c.words)
            {
                cmd += (cmd.empty() ? "" : " ") + word;
            }
            throw Error("Unknown option '--" + name + "' for `" + cmd + "`. See `maxctrl " + cmd +
                        " --help`.");
        }
        auto& values = args.flags[name];
        switch (spec->kind)
        {
            case FlagSpec::BOOL:
                values.push_back(inline_value ? value : "true");
                break;
            case FlagSpec::VALUE:
                if (!inline_value)
                {
                    if (i + 1 >= rest.size())
                    {
                        throw Error("Option --" + name + " needs a value");
                    }
                    value = rest[++i];
                }
                values.push_back(value);
                break;
            case FlagSpec::LIST:
                if (inline_value)
                {
                    values.push_back(value);
                }
                while (i + 1 < rest.size() && rest[i + 1].rfind("--", 0) != 0)
                {
                    values.push_back(rest[++i]);
                }
                break;
        }
    }
}

}  // namespace

std::vector<Verb>& verbs()
{
    static std::vector<Verb> all;
    return all;
}

Verb& verb(const std::string& name, const std::string& summary)
{
    for (Verb& v : verbs())
    {
        if (v.name == name)
        {
            return v;
        }
    }
    verbs().push_back(Verb{name, summary, {}});
    return verbs().back();
}

void register_all()
{
    if (!verbs().empty())
    {
        return;
    }
    add_list_commands();
    add_show_commands();
    add_state_commands();
    add_create_commands();
    add_destroy_commands();
    add_link_commands();
    add_control_commands();
    add_alter_commands();
    add_call_commands();
}

Match match_command(const std::vector<std::string>& words, bool for_help)
{
    Match m;
    if (words.empty())
    {
        return m;
    }
    for (const Verb& v : verbs())
    {
        if (v.name == words[0])
        {
            m.verb = &v;
        }
    }
    if (!m.verb)
    {
        throw Error("Unknown command '" + words[0] + "'. See `maxctrl --help`.");
    }
    // The longest list of command words that matches.
    size_t best = 0;
    for (const Command& c : m.verb->commands)
    {
        if (c.words.size() <= words.size() && c.words.size() > best &&
            std::equal(c.words.begin(), c.words.end(), words.begin()))
        {
            m.command = &c;
            best = c.words.size();
        }
    }
    if (!m.command)
    {
        if (for_help)
        {
            return m;
        }
        if (words.size() == 1)
        {
            throw Error("`maxctrl " + words[0] + "` needs a command. See `maxctrl " + words[0] +
                        " --help`.");
        }
        throw Error("Unknown command '" + words[0] + " " + words[1] + "'. See `maxctrl " +
                    words[0] + " --help`.");
    }
    if (for_help)
    {
        return m;
    }
    parse_flags(*m.command, std::vector<std::string>(words.begin() + best, words.end()), m.args);
    int n = (int)m.args.positional.size();
    const Command& c = *m.command;
    if (n < c.min_args || (c.max_args >= 0 && n > c.max_args))
    {
        throw Error(std::string(n < c.min_args ? "Not enough" : "Too many") +
                    " arguments. Usage: " + usage_line(c));
    }
    return m;
}

std::string main_help()
{
    std::string out =
        "Usage: maxctrl [OPTIONS] <command> [ARGS...]\n"
        "\n"
        "The command-line admin tool of sqlgate: it talks to the REST API.\n"
        "Without a command it reads commands from standard input (with a prompt on a\n"
        "terminal), one per line; `exit` or `quit` ends it.\n"
        "\n"
        "Commands:\n";
    for (const Verb& v : verbs())
    {
        out += "  " + v.name + std::string(10 - std::min<size_t>(9, v.name.size()), ' ') +
               v.summary + "\n";
    }
    out += "\n" + global_options_help();
    out += "\nRun `maxctrl <command> --help` for the commands of each.\n";
    return out;
}

std::string verb_help(const Verb& v)
{
    std::string out = "Usage: maxctrl " + v.name + " <command>\n\n" + v.summary + "\n\nCommands:\n";
    size_t w = 0;
    std::vector<std::pair<std::string, std::string>> rows;
    for (const Command& c : v.commands)
    {
        std::string left;
        for (size_t i = 1; i < c.words.size(); ++i)
        {
            left += (i > 1 ? " " : "") + c.words[i];
        }
        left = v.name + " " + left + (c.usage_args.empty() ? "" : " " + c.usage_args);
        w = std::max(w, left.size());
        rows.emplace_back(left, c.summary);
    }
    for (const auto& [left, summary] : rows)
    {
        out += "  " + left + std::string(w - left.size() + 2, ' ') + summary + "\n";
    }
    return out + "\nRun `maxctrl " + v.name + " <command> --help` for details.\n";
}

std::string command_help(const Command& c)
{
    std::string out = "Usage: " + usage_line(c) + "\n\n" + c.summary + "\n";
    if (!c.description.empty())
    {
        out += "\n" + c.description;
        if (out.back() != '\n')
        {
            out += "\n";
        }
    }
    if (!c.flags.empty())
    {
        out += "\nOptions:\n";
        size_t w = 0;
        for (const FlagSpec& f : c.flags)
        {
            w = std::max(w, f.name.size());
        }
        for (const FlagSpec& f : c.flags)
        {
            out += "  --" + f.name + std::string(w - f.name.size() + 2, ' ') + f.help + "\n";
        }
    }
    return out;
}

}  // namespace maxctrl
