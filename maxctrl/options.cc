#include "options.hh"

#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>

namespace maxctrl
{

namespace
{

std::string trim(const std::string& s)
{
    size_t a = s.find_first_not_of(" \t\r");
    size_t b = s.find_last_not_of(" \t\r");
    return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

bool parse_bool(const std::string& name, const std::string& value)
{
    if (value.empty() || value == "true" || value == "1" || value == "yes" || value == "on")
    {
        return true;
    }
    if (value == "false" || value == "0" || value == "no" || value == "off")
    {
        return false;
    }
    throw Error("Invalid value for --" + name + ": '" + value + "' (expected true or false)");
}

std::vector<std::string> split_hosts(const std::string& value)
{
    std::vector<std::string> hosts;
    size_t start = 0;
    while (start <= value.size())
    {
        size_t comma = value.find(',', start);
        std::string h = trim(
            value.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        if (!h.empty())
        {
            hosts.push_back(h);
        }
        if (comma == std::string::npos)
        {
            break;
        }
        start = comma + 1;
    }
    if (hosts.empty())
    {
        throw Error("--hosts needs at least one HOST:PORT");
    }
    return hosts;
}

// Sets one option; `value` is "" for a flag given without one.
void apply(const GlobalOption& o, const std::string& value, Options& opt, bool& prompt)
{
    const std::string& n = o.long_name;
    if (n == "user")
    {
        opt.user = value;
    }
    else if (n == "password")
    {
        opt.password = value;
        prompt = value.empty();
    }
    else if (n == "hosts")
    {
        opt.hosts = split_hosts(value);
    }
    else if (n == "timeout")
    {
        opt.timeout_ms = parse_timeout(value);
    }
    else if (n == "quiet")
    {
        opt.quiet = parse_bool(n, value);
    }
    else if (n == "tsv")
    {
        opt.tsv = parse_bool(n, value);
    }
    else if (n == "skip-sync")
    {
        opt.skip_sync = parse_bool(n, value);
    }
    else if (n == "secure")
    {
        opt.secure = parse_bool(n, value);
    }
    else if (n == "tls-key")
    {
        opt.tls_key = value;
    }
    else if (n == "tls-cert")
    {
        opt.tls_cert = value;
    }
    else if (n == "tls-passphrase")
    {
        opt.tls_passphrase = value;
    }
    else if (n == "tls-ca-cert")
    {
        opt.tls_ca_cert = value;
    }
    else if (n == "tls-verify-server-cert")
    {
        opt.tls_verify_server_cert = parse_bool(n, value);
    }
}

const GlobalOption* find_long(const std::string& name)
{
    for (const GlobalOption& o : global_options())
    {
        if (o.long_name == name)
        {
            return &o;
        }
    }
    return nullptr;
}

const GlobalOption* find_short(char c)
{
    for (const GlobalOption& o : global_options())
    {
        if (o.short_name == c)
        {
            return &o;
        }
    }
    return nullptr;
}

// Reads the [maxctrl] section of `path` into `opt`. A missing file is an error only
// when it was named with --config.
void load_config(const std::string& path, bool explicit_path, Options& opt, bool& prompt)
{
    struct stat st;
    if (stat(path.c_str(), &st) != 0)
    {
        if (errno == ENOENT && !explicit_path)
        {
            return;
        }
        throw Error("Cannot read config file '" + path + "': " + strerror(errno));
    }
    if (st.st_mode & (S_IRWXG | S_IRWXO))
    {
        char mode[8];
        snprintf(mode, sizeof(mode), "%04o", (unsigned)(st.st_mode & 07777));
        throw Error("Config file '" + path + "' has too open permissions (" + mode +
                    "): it may hold a password, so group and others must have no access. Run: "
                    "chmod 600 '" +
                    path + "'");
    }
    std::ifstream in(path);
    if (!in)
    {
        throw Error("Cannot read config file '" + path + "': " + strerror(errno));
    }
    std::string line;
    std::string section;
    int number = 0;
    while (std::getline(in, line))
    {
        ++number;
        std::string t = trim(line);
        std::string where = path + ":" + std::to_string(number);
        if (t.empty() || t[0] == '#' || t[0] == ';')
        {
            continue;
        }
        if (t[0] == '[')
        {
            if (t.back() != ']')
            {
                throw Error(where + ": section header without ']': " + t);
            }
            section = trim(t.substr(1, t.size() - 2));
            continue;
        }
        if (section != "maxctrl")
        {
            continue;
        }
        size_t eq = t.find('=');
        std::string key = trim(t.substr(0, eq));
        std::string value = eq == std::string::npos ? "" : trim(t.substr(eq + 1));
        if (value.size() >= 2 && (value[0] == '"' || value[0] == '\'') && value.back() == value[0])
        {
            value = value.substr(1, value.size() - 2);
        }
        const GlobalOption* o = key.size() == 1 ? find_short(key[0]) : find_long(key);
        if (!o || o->long_name == "config" || o->long_name == "help" || o->long_name == "version")
        {
            throw Error(where + ": unknown option '" + key + "' in [maxctrl]");
        }
        try
        {
            apply(*o, value, opt, prompt);
        }
        catch (const Error& e)
        {
            throw Error(where + ": " + e.what());
        }
    }
}

}  // namespace

const std::vector<GlobalOption>& global_options()
{
    static const std::vector<GlobalOption> options = {
        {"config", 'c', true, "FILE", "Defaults for these options (default: ~/.maxctrl.cnf)"},
        {"user", 'u', true, "USER", "Username for the REST API (default: admin)"},
        {"password", 'p', true, "PASSWORD", "Password (default: mariadb); -p '' asks for it"},
        {"hosts", 'h', true, "HOST:PORT,...",
         "REST APIs to run the command on (default: 127.0.0.1:8989)"},
        {"timeout", 't', true, "TIME",
         "Request timeout in ms, or with h, m, s, ms (default: 10000)"},
        {"quiet", 'q', false, "", "Print nothing for successful writes"},
        {"tsv", 0, false, "", "Tab-separated output, no borders or headers"},
        {"skip-sync", 0, false, "", "Accepted; sqlgate has no config sync"},
        {"secure", 's', false, "", "Use HTTPS"},
        {"tls-key", 0, true, "FILE", "Client private key (with --secure)"},
        {"tls-passphrase", 0, true, "PASS", "Passphrase of the client private key"},
        {"tls-cert", 0, true, "FILE", "Client certificate (with --secure)"},
        {"tls-ca-cert", 0, true, "FILE", "CA certificate to verify the server with"},
        {"tls-verify-server-cert", 'n', true, "BOOL",
         "Verify the server's certificate (default: true)"},
        {"version", 0, false, "", "Print the version and exit"},
        {"help", 0, false, "", "Show help (also after any command)"},
    };
    return options;
}

long parse_timeout(const std::string& text)
{
    size_t digits = 0;
    while (digits < text.size() && isdigit((unsigned char)text[digits]))
    {
        ++digits;
    }
    std::string unit = text.substr(digits);
    long scale = unit.empty() || unit == "ms" ? 1
                 : unit == "s"                ? 1000
                 : unit == "m"                ? 60000
                 : unit == "h"                ? 3600000
                                              : 0;
    if (digits == 0 || digits > 9 || scale == 0)
    {
        throw Error("Invalid timeout '" + text +
                    "': expected milliseconds or a number with h, m, s or ms");
    }
    long ms = std::stol(text.substr(0, digits)) * scale;
    if (ms <= 0)
    {
        throw Error("Invalid timeout '" + text + "': it must be more than 0");
    }
    return ms;
}

std::string read_password()
{
    std::string password;
    if (isatty(STDIN_FILENO))
    {
        termios old{};
        tcgetattr(STDIN_FILENO, &old);
        termios quiet = old;
        quiet.c_lflag &= ~ECHO;
        std::cerr << "Password: " << std::flush;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
        std::getline(std::cin, password);
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        std::cerr << "\n";
    }
    else if (!std::getline(std::cin, password))
    {
        throw Error(
            "An empty --password asks for one, but there is no terminal and nothing "
            "on standard input");
    }
    if (!password.empty() && password.back() == '\r')
    {
        password.pop_back();
    }
    return password;
}

ParsedLine parse_command_line(const std::vector<std::string>& argv, Options& opt)
{
    // First pass: find --config, so that the command line can override the file.
    // --help and --version work whatever the file holds.
    std::string config;
    bool explicit_config = false;
    bool skip_config = false;
    for (size_t i = 0; i < argv.size(); ++i)
    {
        const std::string& a = argv[i];
        if (a == "--")
        {
            break;
        }
        skip_config = skip_config || a == "--help" || a == "--version";
        if ((a == "-c" || a == "--config") && i + 1 < argv.size())
        {
            config = argv[++i];
            explicit_config = true;
        }
        else if (a.rfind("--config=", 0) == 0)
        {
            config = a.substr(9);
            explicit_config = true;
        }
    }
    if (!explicit_config)
    {
        const char* home = getenv("HOME");
        config = std::string(home ? home : "") + "/.maxctrl.cnf";
    }
    bool prompt = false;
    if (!skip_config)
    {
        load_config(config, explicit_config, opt, prompt);
    }
    ParsedLine out = parse_options(argv, opt, prompt);
    if (prompt && !out.help && !out.version)
    {
        opt.password = read_password();
    }
    return out;
}

ParsedLine parse_options(const std::vector<std::string>& argv, Options& opt, bool& prompt)
{
    ParsedLine out;
    bool rest = false;
    for (size_t i = 0; i < argv.size(); ++i)
    {
        const std::string& a = argv[i];
        if (rest || a.size() < 2 || a[0] != '-' || (a[1] != '-' && isdigit((unsigned char)a[1])))
        {
            out.words.push_back(a);
            continue;
        }
        if (a == "--")
        {
            rest = true;
            continue;
        }
        const GlobalOption* o = nullptr;
        std::string value;
        bool inline_value = false;
        if (a[1] == '-')
        {
            std::string name = a.substr(2);
            size_t eq = name.find('=');
            if (eq != std::string::npos)
            {
                value = name.substr(eq + 1);
                name.resize(eq);
                inline_value = true;
            }
            o = find_long(name);
        }
        else if (a.size() >= 2)
        {
            o = find_short(a[1]);
            if (o && a.size() > 2)
            {
                value = a.substr(2);
                inline_value = true;
            }
        }
        if (!o)
        {
            out.words.push_back(a);  // maybe a command's own option; checked later
            continue;
        }
        if (o->long_name == "help")
        {
            out.help = true;
            continue;
        }
        if (o->long_name == "version")
        {
            out.version = true;
            continue;
        }
        if (o->takes_value && !inline_value)
        {
            bool boolean = o->long_name == "tls-verify-server-cert";
            if (i + 1 < argv.size() &&
                (!boolean || argv[i + 1] == "true" || argv[i + 1] == "false"))
            {
                value = argv[++i];
            }
            else if (o->long_name == "password" || boolean)
            {
                value = boolean ? "true" : "";
            }
            else
            {
                throw Error("Option --" + o->long_name + " needs a value");
            }
        }
        if (o->long_name == "config")
        {
            continue;
        }
        apply(*o, value, opt, prompt);
        if (o->long_name == "password")
        {
            prompt = value.empty();
        }
    }
    return out;
}

std::string global_options_help()
{
    std::string out = "Global options:\n";
    std::vector<std::pair<std::string, std::string>> rows;
    size_t w = 0;
    for (const GlobalOption& o : global_options())
    {
        std::string left = o.short_name ? std::string("-") + o.short_name + ", " : "    ";
        left += "--" + o.long_name + (o.takes_value ? " " + o.value_name : "");
        w = std::max(w, left.size());
        rows.emplace_back(left, o.help);
    }
    for (const auto& [left, help] : rows)
    {
        out += "  " + left + std::string(w - left.size() + 2, ' ') + help + "\n";
    }
    return out;
}

}  // namespace maxctrl
