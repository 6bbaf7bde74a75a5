#include "module_loader.hh"

#include <dirent.h>
#include <dlfcn.h>
#include <unistd.h>

#include <sys/stat.h>
#include <algorithm>
#include <climits>

#include "sqlgate/log.hh"

namespace sqlgate
{
namespace
{
std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}
}  // namespace

const char* to_string(ModuleKind k)
{
    switch (k)
    {
        case ModuleKind::ROUTER:
            return "Router";
        case ModuleKind::FILTER:
            return "Filter";
        case ModuleKind::MONITOR:
            return "Monitor";
        case ModuleKind::PROTOCOL:
            return "Protocol";
    }
    return "Unknown";
}

std::string ModuleLoader::default_libdir()
{
    char buf[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
    if (n <= 0)
    {
        return "/usr/lib/sqlgate";
    }
    buf[n] = '\0';
    std::string exe(buf);
    std::string dir = exe.substr(0, exe.rfind('/'));
    return dir + "/../lib/sqlgate";
}

const ModuleInfo* ModuleLoader::load(const std::string& name_in, ModuleKind kind,
                                     std::string& error)
{
    std::string name = lower(name_in);
    auto it = m_loaded.find(name);
    const ModuleInfo* info = nullptr;
    if (it != m_loaded.end())
    {
        info = it->second;
    }
    else
    {
        std::string path = m_libdir + "/lib" + name + ".so";
        struct stat st;
        if (stat(path.c_str(), &st) != 0)
        {
            error = "module '" + name_in + "' not found: no file " + path;
            return nullptr;
        }
        void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (!handle)
        {
            error = "cannot load module '" + name_in + "' from " + path + ": " + dlerror();
            return nullptr;
        }
        using EntryFn = const ModuleInfo* (*)();
        auto entry = reinterpret_cast<EntryFn>(dlsym(handle, "sqlgate_module_info"));
        if (!entry)
        {
            error = "cannot load module '" + name_in + "' from " + path +
                    ": it does not export sqlgate_module_info";
            dlclose(handle);
            return nullptr;
        }
        info = entry();
        if (!info || info->abi != SQLGATE_ABI)
        {
            error = "cannot load module '" + name_in + "' from " + path + ": ABI version " +
                    std::to_string(info ? info->abi : 0) + " does not match the core's " +
                    std::to_string(SQLGATE_ABI) + " (rebuild the module from this source tree)";
            dlclose(handle);
            return nullptr;
        }
        if (lower(info->name) != name)
        {
            error = "cannot load module '" + name_in + "' from " + path + ": it calls itself '" +
                    info->name + "'";
            dlclose(handle);
            return nullptr;
        }
        m_loaded[name] = info;
        SG_INFO("Loaded module %s %s (%s)", info->name, info->version, path.c_str());
    }
    if (info->kind != kind)
    {
        error = std::string("module '") + name_in + "' is a " + to_string(info->kind) +
                " module, not a " + to_string(kind) + " module";
        return nullptr;
    }
    return info;
}

std::map<std::string, const ModuleInfo*> ModuleLoader::load_all(std::vector<std::string>& errors)
{
    std::map<std::string, const ModuleInfo*> out;
    DIR* d = opendir(m_libdir.c_str());
    if (!d)
    {
        errors.push_back("cannot read module directory " + m_libdir);
        return out;
    }
    while (dirent* e = readdir(d))
    {
        std::string f = e->d_name;
        if (f.size() > 6 && f.compare(0, 3, "lib") == 0 && f.compare(f.size() - 3, 3, ".so") == 0 &&
            f != "libsqlgate-core.so")
        {
            std::string name = f.substr(3, f.size() - 6);
            for (ModuleKind k : {ModuleKind::ROUTER, ModuleKind::FILTER, ModuleKind::MONITOR,
                                 ModuleKind::PROTOCOL})
            {
                std::string err;
                if (const ModuleInfo* info = load(name, k, err))
                {
                    out[name] = info;
                    break;
                }
                if (err.find("is a") == std::string::npos)
                {
                    errors.push_back(err);
                    break;
                }
            }
        }
    }
    closedir(d);
    return out;
}

}  // namespace sqlgate
