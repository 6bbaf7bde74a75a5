/**
 * Loads modules (lib<name>.so) from the module directory and checks their ABI.
 *
 * Threads: main thread only. Modules are never unloaded before exit.
 */
#pragma once

#include <map>
#include <string>

#include "sqlgate/module.hh"

namespace sqlgate
{

class ModuleLoader
{
public:
    explicit ModuleLoader(std::string libdir) : m_libdir(std::move(libdir)) {}

    /// Load (once) the module @c name of @c kind. On failure returns nullptr
    /// and sets @c error to a message naming the file and the reason.
    const ModuleInfo* load(const std::string& name, ModuleKind kind, std::string& error);
    /// Every module found in the directory (loads them).
    std::map<std::string, const ModuleInfo*> load_all(std::vector<std::string>& errors);
    const std::string& libdir() const { return m_libdir; }
    /// The modules loaded so far, by name.
    const std::map<std::string, const ModuleInfo*>& loaded() const { return m_loaded; }

    /// Directory of the running executable's sibling lib/sqlgate.
    static std::string default_libdir();

private:
    std::string m_libdir;
    std::map<std::string, const ModuleInfo*> m_loaded;
};

}  // namespace sqlgate
