// qlafilter's module command `log`: the unified log file's lines over the REST API
// (GET /v1/maxscale/modules/qlafilter/log?FILTER[&START[&END]]). Runs on the main worker.
#include <cstdlib>

#include "qlafilter.hh"
#include "sqlgate/modulecmd.hh"
#include "sqlgate/service.hh"

namespace sqlgate::qlafilter
{

namespace
{
// `log FILTER [START] [END]`: lines of the unified file as a JSON array.
void log_command(const std::vector<CommandArg>& args, CommandDone done)
{
    constexpr size_t kMaxLines = 10000;
    auto* qla = dynamic_cast<QlaFilter*>(args[0].filter->instance.get());
    size_t start = 0;
    size_t end = kMaxLines;
    char* rest = nullptr;
    if (args[1].given)
    {
        start = strtoull(args[1].text.c_str(), &rest, 10);
        if (args[1].text.empty() || *rest || args[1].text[0] == '-')
        {
            done(nullptr, "Argument 'start': '" + args[1].text + "' is not a line number");
            return;
        }
        end = start + kMaxLines;
    }
    if (args[2].given)
    {
        end = strtoull(args[2].text.c_str(), &rest, 10);
        if (args[2].text.empty() || *rest || args[2].text[0] == '-' || end < start)
        {
            done(nullptr,
                 "Argument 'end': '" + args[2].text + "' is not a line number at or after 'start'");
            return;
        }
        if (end - start > kMaxLines)
        {
            done(nullptr, "At most " + std::to_string(kMaxLines) + " lines at a time");
            return;
        }
    }
    std::vector<std::string> lines;
    std::string error;
    if (!qla || !qla->read_unified(start, end, lines, error))
    {
        done(nullptr, qla ? error : "Not a qlafilter");
        return;
    }
    json_t* out = json_array();
    for (const auto& l : lines)
    {
        json_array_append_new(out, json_stringn(l.data(), l.size()));
    }
    done(out, "");
}

}  // namespace

const std::vector<ModuleCommand>& commands()
{
    static const std::vector<ModuleCommand> cmds = {
        {"log",
         false,
         "Show lines of the unified log file as a JSON array (line 0 is the header)",
         {{"filter", CommandArgType::FILTER, false, "A qlafilter with log_type=unified"},
          {"start", CommandArgType::STRING, true, "First line (default 0)"},
          {"end", CommandArgType::STRING, true, "Line to stop before (default start+10000)"}},
         &log_command},
    };
    return cmds;
}

}  // namespace sqlgate::qlafilter
