#include "config/loader.hh"
#include "config/persist.hh"

#include <algorithm>
#include <map>

#include "config/ini.hh"
#include "config/specs.hh"
#include "config/util.hh"

namespace sqlgate
{

const ObjectConfig* ConfigFile::find(const std::string& name) const
{
    for (const auto& o : objects)
    {
        if (o.name == name)
        {
            return &o;
        }
    }
    return nullptr;
}

namespace
{

const RawParam* find_raw(const IniSection& s, std::string_view key)
{
    for (const auto& p : s.params)
    {
        if (p.key == key)
        {
            return &p;
        }
    }
    return nullptr;
}

/// Which parameter names the module of an object kind, and the lookup kind.
struct ModuleRef
{
    const char* kind;
    const char* param;
};

const ModuleRef* module_ref(const std::string& type)
{
    static const std::map<std::string, ModuleRef> refs = {
        {"service", {"router", "router"}},
        {"filter", {"filter", "module"}},
        {"monitor", {"monitor", "module"}},
        {"listener", {"protocol", "protocol"}},
    };
    auto it = refs.find(type);
    return it != refs.end() ? &it->second : nullptr;
}

class Checker
{
public:
    Checker(const std::string& file, ConfigFile& cfg, std::vector<std::string>& errors)
        : m_file(file), m_cfg(cfg), m_errors(errors)
    {
        for (const auto& o : m_cfg.objects)
        {
            m_by_name.emplace(o.name, &o);
        }
    }

    /// The parameter's name as written (an alias such as `targets` stays an alias).
    std::map<const ObjectConfig*, std::map<std::string, std::string>> written;

    void run()
    {
        for (const auto& o : m_cfg.objects)
        {
            if (o.type == "server")
            {
                either_or(o, "address", "socket");
            }
            else if (o.type == "listener")
            {
                either_or(o, "port", "socket");
                refs(o, "service", {o.get_string("service")}, {"service"});
                unique_endpoint(o);
            }
            else if (o.type == "service")
            {
                check_service(o);
            }
            else if (o.type == "monitor")
            {
                check_monitor(o);
            }
        }
        check_global();
        std::map<const ObjectConfig*, int> state;  // 1: on the path, 2: done
        std::vector<const ObjectConfig*> path;
        for (const auto& o : m_cfg.objects)
        {
            if (o.type == "service" && !state[&o])
            {
                find_cycles(&o, state, path);
            }
        }
    }

private:
    const std::string& m_file;
    ConfigFile& m_cfg;
    std::vector<std::string>& m_errors;
    std::map<std::string, const ObjectConfig*> m_by_name;
    std::map<std::string, const ObjectConfig*> m_monitored;  // server -> monitor
    std::map<std::string, const ObjectConfig*> m_endpoints;  // "addr|port" or socket -> listener
    std::map<const ObjectConfig*, std::vector<const ObjectConfig*>> m_service_edges;

    bool given(const ObjectConfig& o, const std::string& key) const { return o.origins.count(key); }

    int line_of(const ObjectConfig& o, const std::string& key) const
    {
        auto it = o.origins.find(key);
        return it != o.origins.end() ? it->second.line : o.origin.line;
    }

    std::string name_of(const ObjectConfig& o, const std::string& key) const
    {
        auto it = written.find(&o);
        if (it != written.end())
        {
            auto k = it->second.find(key);
            if (k != it->second.end())
            {
                return k->second;
            }
        }
        return key;
    }

    void error(const ObjectConfig& o, const std::string& key, const std::string& problem)
    {
        m_errors.push_back(config_error(m_file, line_of(o, key), o.name,
                                        key.empty() ? "" : name_of(o, key), problem));
    }

    void either_or(const ObjectConfig& o, const std::string& a, const std::string& b)
    {
        if (given(o, a) && given(o, b))
        {
            error(o, b, "cannot be used together with '" + a + "'");
        }
        else if (!given(o, a) && !given(o, b))
        {
            m_errors.push_back(config_error(m_file, o.origin.line, o.name, "",
                                            "either '" + a + "' or '" + b + "' must be defined"));
        }
    }

    /// Every name must be an object of one of @c types; returns the ones that are.
    std::vector<const ObjectConfig*> refs(const ObjectConfig& o, const std::string& key,
                                          const std::vector<std::string>& names,
                                          const std::vector<std::string>& types)
    {
        std::vector<const ObjectConfig*> found;
        if (!given(o, key))
        {
            return found;
        }
        std::string wanted = join(types, " or ");
        for (const auto& n : names)
        {
            auto it = m_by_name.find(n);
            if (it == m_by_name.end())
            {
                error(o, key, "'" + n + "' is not a defined " + wanted);
            }
            else if (std::find(types.begin(), types.end(), it->second->type) == types.end())
            {
                error(o, key, "'" + n + "' is a " + it->second->type + ", not a " + wanted);
            }
            else if (it->second == &o)
            {
                error(o, key, "'" + n + "' refers to the object itself");
            }
            else
            {
                found.push_back(it->second);
            }
        }
        return found;
    }

    void check_service(const ObjectConfig& o)
    {
        if (given(o, "servers") && given(o, "cluster"))
        {
            error(o, "cluster", "cannot be used together with '" + name_of(o, "servers") + "'");
        }
        else if (!given(o, "servers") && !given(o, "cluster"))
        {
            m_errors.push_back(config_error(m_file, o.origin.line, o.name, "",
                                            "one of 'servers', 'targets' or 'cluster' must be "
                                            "defined"));
        }
        for (const ObjectConfig* t :
             refs(o, "servers", o.get_list("servers"), {"server", "service"}))
        {
            if (t->type == "service")
            {
                m_service_edges[&o].push_back(t);
            }
        }
        refs(o, "cluster", {o.get_string("cluster")}, {"monitor"});
        refs(o, "filters", o.get_list("filters"), {"filter"});
    }

    void check_monitor(const ObjectConfig& o)
    {
        for (const ObjectConfig* server : refs(o, "servers", o.get_list("servers"), {"server"}))
        {
            auto [it, inserted] = m_monitored.emplace(server->name, &o);
            if (!inserted && it->second != &o)
            {
                error(o, "servers",
                      "'" + server->name + "' is already monitored by '" + it->second->name + "'");
            }
        }
    }

    /// Services that target services must not form a cycle: report each back edge once.
    void find_cycles(const ObjectConfig* o, std::map<const ObjectConfig*, int>& state,
                     std::vector<const ObjectConfig*>& path)
    {
        state[o] = 1;
        path.push_back(o);
        for (const ObjectConfig* t : m_service_edges[o])
        {
            if (state[t] == 1)
            {
                std::string cycle;
                auto it = std::find(path.begin(), path.end(), t);
                for (; it != path.end(); ++it)
                {
                    cycle += (*it)->name + " -> ";
                }
                error(*o, "servers", "services form a cycle: " + cycle + t->name);
            }
            else if (!state[t])
            {
                find_cycles(t, state, path);
            }
        }
        path.pop_back();
        state[o] = 2;
    }

    void unique_endpoint(const ObjectConfig& o)
    {
        if (given(o, "socket"))
        {
            const std::string key = "socket:" + o.get_string("socket");
            auto [it, inserted] = m_endpoints.emplace(key, &o);
            if (!inserted)
            {
                error(o, "socket",
                      "socket '" + o.get_string("socket") + "' is already used by listener '" +
                          it->second->name + "'");
            }
            return;
        }
        if (!given(o, "port") || !o.has("port"))
        {
            return;
        }
        const std::string& address = o.get_string("address");
        int64_t port = o.get_int("port");
        for (const auto& [key, other] : m_endpoints)
        {
            if (key.rfind("socket:", 0) == 0 || other->get_int("port") != port)
            {
                continue;
            }
            const std::string& other_address = other->get_string("address");
            if (endpoints_collide(address, port, other_address, other->get_int("port")))
            {
                error(o, "port",
                      endpoint_conflict_message(address, port, other->name, other_address));
                return;
            }
        }
        m_endpoints.emplace(address + "|" + std::to_string(port), &o);
    }

    void check_global()
    {
        const ObjectConfig& g = m_cfg.global;
        if (!g.has("writeq_low_water") || !g.has("writeq_high_water"))
        {
            return;
        }
        int64_t low = g.get_size("writeq_low_water");
        int64_t high = g.get_size("writeq_high_water");
        if (low >= high)
        {
            std::string key = given(g, "writeq_low_water") || !given(g, "writeq_high_water")
                                  ? "writeq_low_water"
                                  : "writeq_high_water";
            m_errors.push_back(config_error(m_file, line_of(g, key), g.name, key,
                                            "writeq_low_water (" + std::to_string(low) +
                                                " bytes) must be less than writeq_high_water (" +
                                                std::to_string(high) + " bytes)"));
        }
    }
};

/// A warning for every parameter of @c obj that was set and is marked ignored.
void warn_ignored(const ObjectConfig& obj, const std::vector<const Specification*>& specs,
                  std::vector<std::string>& warnings)
{
    for (const auto& [key, origin] : obj.origins)
    {
        for (const Specification* spec : specs)
        {
            const ParamSpec* p = spec ? spec->find(key) : nullptr;
            if (p && !p->ignored.empty())
            {
                warnings.push_back(config_error(origin.file, origin.line, obj.name, key,
                                                "ignored: " + p->ignored));
                break;
            }
        }
    }
}

bool load_sections(const std::string& file, const std::vector<IniSection>& sections,
                   const ModuleSpecLookup& lookup, ConfigFile& out,
                   std::vector<std::string>& errors)
{
    const size_t errors_before = errors.size();
    const IniSection* global = nullptr;

    for (const auto& s : sections)
    {
        if (!is_global_section(s.name))
        {
            continue;
        }
        if (global)
        {
            errors.push_back(config_error(file, s.line, s.name, "",
                                          "the global section is already defined as [" +
                                              global->name + "] at line " +
                                              std::to_string(global->line) + "; use only one"));
            continue;
        }
        global = &s;
    }
    static const std::vector<RawParam> no_params;
    build_object(file, global ? global->name : "sqlgate", global ? global->line : 0,
                 global ? global->params : no_params, {&global_spec()}, out.global, errors);
    out.global.type = "global";
    warn_ignored(out.global, {&global_spec()}, out.warnings);

    std::vector<std::map<std::string, std::string>> written_keys;
    for (const auto& s : sections)
    {
        if (is_global_section(s.name))
        {
            continue;
        }
        const RawParam* type_param = find_raw(s, "type");
        if (!type_param)
        {
            errors.push_back(config_error(file, s.line, s.name, "type",
                                          "missing; every section except [sqlgate] needs "
                                          "type=server, service, listener, monitor or filter"));
            continue;
        }
        const std::string type = lower(trim(type_param->value));
        const Specification* core = type == "global" ? nullptr : core_spec_for_type(type);
        if (!core)
        {
            errors.push_back(config_error(file, type_param->line, s.name, "type",
                                          "unknown object type '" + type_param->value +
                                              "', expected server, service, listener, monitor "
                                              "or filter"));
            continue;
        }

        const Specification* module = nullptr;
        bool module_known = true;
        std::string protocol;
        if (const ModuleRef* ref = module_ref(type))
        {
            const RawParam* mp = find_raw(s, ref->param);
            std::string name = mp ? std::string(trim(mp->value)) : std::string();
            if (type == "listener")
            {
                protocol = canonical_protocol(mp ? name : "mariadbprotocol");
                name = protocol;
            }
            if (name.empty())
            {
                module_known = false;  // build_object reports the missing mandatory parameter
            }
            else if (lookup)
            {
                std::string problem;
                module = lookup(ref->kind, name, problem);
                if (!module && !problem.empty())
                {
                    module_known = false;
                    errors.push_back(
                        config_error(file, mp ? mp->line : s.line, s.name, ref->param, problem));
                }
            }
        }

        std::vector<RawParam> params;
        std::map<std::string, std::string> keys;
        for (const auto& p : s.params)
        {
            const ParamSpec* spec = core->find(p.key);
            if (!spec && module)
            {
                spec = module->find(p.key);
            }
            if (spec)
            {
                keys[spec->name] = p.key;
            }
            if (spec || module_known)
            {
                params.push_back(p);  // without the module, its parameters cannot be checked
            }
        }

        ObjectConfig obj;
        build_object(s.file.empty() ? file : s.file, s.name, s.line, params, {core, module}, obj,
                     errors);
        obj.type = type;
        warn_ignored(obj, {core, module}, out.warnings);
        if (type == "listener")
        {
            obj.values["protocol"].text = protocol;
        }
        out.objects.push_back(std::move(obj));
        written_keys.push_back(std::move(keys));
    }

    Checker checker(file, out, errors);
    for (size_t i = 0; i < out.objects.size(); ++i)
    {
        checker.written[&out.objects[i]] = written_keys[i];
    }
    checker.run();
    return errors.size() == errors_before;
}

}  // namespace

bool load_config_text(const std::string& file_name, const std::string& text,
                      const ModuleSpecLookup& lookup, ConfigFile& out,
                      std::vector<std::string>& errors)
{
    out = ConfigFile{};
    out.path = file_name;
    std::vector<IniSection> sections;
    bool ok = parse_ini(file_name, text, sections, errors);
    return load_sections(file_name, sections, lookup, out, errors) && ok;
}

bool load_config(const std::string& path, const ModuleSpecLookup& lookup, ConfigFile& out,
                 std::vector<std::string>& errors, const std::string& persisted_datadir)
{
    out = ConfigFile{};
    out.path = path;
    std::string text;
    std::string problem;
    if (!read_text_file(path, text, problem))
    {
        errors.push_back(problem);
        return false;
    }
    std::vector<IniSection> sections;
    bool ok = parse_ini(path, text, sections, errors);
    if (!persisted_datadir.empty())
    {
        ok = merge_persisted(persisted_datadir, sections, errors) && ok;
    }
    return load_sections(path, sections, lookup, out, errors) && ok;
}

}  // namespace sqlgate
