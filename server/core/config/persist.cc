#include "config/persist.hh"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <strings.h>
#include <algorithm>
#include <cerrno>
#include <cstring>

namespace sqlgate
{

std::string persist_dir(const std::string& datadir)
{
    return datadir + "/sqlgate.cnf.d";
}

std::string object_to_ini(const ObjectConfig& obj)
{
    bool global = obj.type == "global";
    std::string out = "[" + (global ? std::string("sqlgate") : obj.name) + "]\n" +
                      (global ? "" : "type=" + obj.type + "\n");
    for (const auto& [key, value] : obj.values)
    {
        if (key != "type" && obj.origins.count(key))
        {
            std::string text = value.text;
            if (value.type == ParamType::FILTERS)
            {
                text.clear();
                for (const auto& f : value.list)
                {
                    text += (text.empty() ? "" : "|") + f;
                }
            }
            out += key + "=" + text + "\n";
        }
    }
    return out;
}

namespace
{
bool write_all(int fd, const std::string& text)
{
    size_t done = 0;
    while (done < text.size())
    {
        ssize_t n = write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR)
        {
            continue;
        }
        if (n <= 0)
        {
            return false;
        }
        done += static_cast<size_t>(n);
    }
    return true;
}
}  // namespace

bool persist_object(const std::string& datadir, const ObjectConfig& obj, std::string& error)
{
    std::string dir = persist_dir(datadir);
    if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    {
        error = "cannot create " + dir + ": " + strerror(errno);
        return false;
    }
    std::string path = dir + "/" + (obj.type == "global" ? "sqlgate" : obj.name) + ".cnf";
    std::string tmp = path + ".tmp";
    std::string text =
        "# Written by sqlgate: a runtime change made through the REST API.\n" + object_to_ini(obj);
    int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
    {
        error = "cannot write " + tmp + ": " + strerror(errno);
        return false;
    }
    bool ok = write_all(fd, text) && fsync(fd) == 0;
    int saved = errno;
    close(fd);
    if (!ok || rename(tmp.c_str(), path.c_str()) != 0)
    {
        error = "cannot write " + path + ": " + strerror(ok ? errno : saved);
        unlink(tmp.c_str());
        return false;
    }
    int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0)
    {
        fsync(dfd);
        close(dfd);
    }
    return true;
}

bool unpersist_object(const std::string& datadir, const std::string& name, std::string& error)
{
    std::string path = persist_dir(datadir) + "/" + name + ".cnf";
    if (unlink(path.c_str()) != 0 && errno != ENOENT)
    {
        error = "cannot remove " + path + ": " + strerror(errno);
        return false;
    }
    return true;
}

bool merge_persisted(const std::string& datadir, std::vector<IniSection>& sections,
                     std::vector<std::string>& errors)
{
    std::string dir = persist_dir(datadir);
    DIR* d = opendir(dir.c_str());
    if (!d)
    {
        return true;  // nothing persisted yet
    }
    std::vector<std::string> files;
    while (dirent* e = readdir(d))
    {
        std::string n = e->d_name;
        if (n.size() > 4 && n.compare(n.size() - 4, 4, ".cnf") == 0)
        {
            files.push_back(dir + "/" + n);
        }
    }
    closedir(d);
    std::sort(files.begin(), files.end());
    bool ok = true;
    for (const auto& f : files)
    {
        std::vector<IniSection> persisted;
        if (!read_ini(f, persisted, errors))
        {
            ok = false;
            continue;
        }
        for (auto& p : persisted)
        {
            p.file = f;
            auto is_global = [](const std::string& n) {
                return strcasecmp(n.c_str(), "sqlgate") == 0 ||
                       strcasecmp(n.c_str(), "maxscale") == 0;
            };
            if (is_global(p.name))
            {
                // Global parameters changed at runtime override single keys.
                auto g = std::find_if(sections.begin(), sections.end(),
                                      [&](const IniSection& s) { return is_global(s.name); });
                if (g == sections.end())
                {
                    sections.push_back(std::move(p));
                    continue;
                }
                for (auto& param : p.params)
                {
                    auto k = std::find_if(g->params.begin(), g->params.end(),
                                          [&](const RawParam& r) { return r.key == param.key; });
                    if (k != g->params.end())
                    {
                        *k = param;
                    }
                    else
                    {
                        g->params.push_back(param);
                    }
                }
                continue;
            }
            auto it = std::find_if(sections.begin(), sections.end(),
                                   [&](const IniSection& s) { return s.name == p.name; });
            if (it != sections.end())
            {
                *it = std::move(p);
            }
            else
            {
                sections.push_back(std::move(p));
            }
        }
    }
    return ok;
}

}  // namespace sqlgate
