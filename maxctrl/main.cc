// maxctrl: the command-line admin tool of sqlgate. Parses the global options, finds the
// command and runs it against each host; errors print "Error: ..." and exit with 1.
//
// Threads: single-threaded.
#include <curl/curl.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <memory>

#include "client.hh"
#include "dispatch.hh"
#include "options.hh"
#include "output.hh"

using namespace maxctrl;

namespace
{

void print_error(const std::string& message, const Options& opt)
{
    bool color = opt.color && isatty(STDERR_FILENO);
    std::cerr << red("Error:", color) << " " << message << std::endl;
}

// Prints the help for `words` (which may name nothing, a verb or a command).
void print_help(const std::vector<std::string>& words)
{
    Match m = match_command(words, true);
    if (m.command)
    {
        std::cout << command_help(*m.command);
    }
    else if (m.verb)
    {
        std::cout << verb_help(*m.verb);
    }
    else
    {
        std::cout << main_help();
    }
}

// Runs one command (its words without global options) on every host.
void run_words(const std::vector<std::string>& words, bool help, const Options& opt)
{
    if (help || (!words.empty() && words[0] == "help"))
    {
        print_help(help ? words : std::vector<std::string>(words.begin() + 1, words.end()));
        return;
    }
    Match m = match_command(words, false);
    std::vector<std::unique_ptr<Client>> clients;
    for (const std::string& host : opt.hosts)
    {
        clients.push_back(std::make_unique<Client>(opt, host));
    }
    if (clients.size() > 1)
    {
        // All hosts must answer before the command changes any of them.
        for (auto& c : clients)
        {
            c->request("GET", "");
        }
    }
    for (auto& c : clients)
    {
        Context ctx{opt, *c, ""};
        m.command->run(ctx, m.args);
        if (clients.size() > 1)
        {
            std::cout << yellow(c->host(), opt.color) << "\n";
        }
        std::cout << ctx.out << std::flush;
    }
}

// Splits a line of the interactive mode into words: whitespace separates, quotes group,
// a backslash escapes the next character.
std::vector<std::string> split_line(const std::string& line)
{
    std::vector<std::string> words;
    std::string cur;
    bool in_word = false;
    char quote = 0;
    for (size_t i = 0; i < line.size(); ++i)
    {
        char c = line[i];
        if (quote)
        {
            if (c == quote)
            {
                quote = 0;
            }
            else if (c == '\\' && quote == '"' && i + 1 < line.size())
            {
                cur += line[++i];
            }
            else
            {
                cur += c;
            }
        }
        else if (c == '\'' || c == '"')
        {
            quote = c;
            in_word = true;
        }
        else if (c == '\\' && i + 1 < line.size())
        {
            cur += line[++i];
            in_word = true;
        }
        else if (c == ' ' || c == '\t' || c == '\r')
        {
            if (in_word)
            {
                words.push_back(cur);
                cur.clear();
                in_word = false;
            }
        }
        else
        {
            cur += c;
            in_word = true;
        }
    }
    if (quote)
    {
        throw Error(std::string("Unterminated ") + quote + " quote");
    }
    if (in_word)
    {
        words.push_back(cur);
    }
    return words;
}

// No command: one command per line from stdin, with a prompt on a terminal.
int interactive(const Options& opt)
{
    bool tty = isatty(STDIN_FILENO);
    int status = 0;
    std::string line;
    while (true)
    {
        if (tty)
        {
            std::cout << "maxctrl> " << std::flush;
        }
        if (!std::getline(std::cin, line))
        {
            break;
        }
        try
        {
            std::vector<std::string> words = split_line(line);
            if (words.empty())
            {
                continue;
            }
            if (words[0] == "exit" || words[0] == "quit")
            {
                break;
            }
            // Global options on the line apply to this command only.
            Options line_opt = opt;
            bool prompt = false;
            ParsedLine parsed = parse_options(words, line_opt, prompt);
            if (prompt)
            {
                throw Error(
                    "An empty --password cannot be asked for here; give it when "
                    "starting maxctrl");
            }
            run_words(parsed.words, parsed.help, line_opt);
        }
        catch (const Error& e)
        {
            print_error(e.what(), opt);
            status = 1;
        }
    }
    if (tty)
    {
        std::cout << "\n";
    }
    return tty ? 0 : status;
}

}  // namespace

int main(int argc, char** argv)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    register_all();
    Options opt;
    const char* no_color = getenv("NO_COLOR");
    opt.color = isatty(STDOUT_FILENO) && !(no_color && *no_color);
    int status = 0;
    try
    {
        ParsedLine line = parse_command_line(std::vector<std::string>(argv + 1, argv + argc), opt);
        if (line.version)
        {
            std::cout << SQLGATE_VERSION << "\n";
        }
        else if (line.words.empty() && !line.help)
        {
            status = interactive(opt);
        }
        else
        {
            run_words(line.words, line.help, opt);
        }
    }
    catch (const Error& e)
    {
        print_error(e.what(), opt);
        status = 1;
    }
    curl_global_cleanup();
    return status;
}
