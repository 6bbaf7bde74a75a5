#include "sqlgate/log.hh"

#include <sys/time.h>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <mutex>

namespace sqlgate
{
namespace
{
struct ThisUnit
{
    std::mutex lock;
    FILE* file = nullptr;
    std::string path;
    // Bit N set: messages of level N are written. Errors always are.
    std::atomic<unsigned> enabled{0b00111};
} this_unit;

const char* level_name(LogLevel l)
{
    switch (l)
    {
        case LogLevel::ERROR:
            return "error";
        case LogLevel::WARNING:
            return "warning";
        case LogLevel::NOTICE:
            return "notice";
        case LogLevel::INFO:
            return "info";
        case LogLevel::DEBUG:
            return "debug";
    }
    return "?";
}
}  // namespace

bool log_open(const std::string& dir)
{
    std::lock_guard<std::mutex> guard(this_unit.lock);
    std::string path = dir + "/sqlgate.log";
    FILE* f = fopen(path.c_str(), "a");
    if (!f)
    {
        return false;
    }
    if (this_unit.file)
    {
        fclose(this_unit.file);
    }
    this_unit.file = f;
    this_unit.path = path;
    return true;
}

bool log_reopen()
{
    std::lock_guard<std::mutex> guard(this_unit.lock);
    if (this_unit.path.empty())
    {
        return true;
    }
    FILE* f = fopen(this_unit.path.c_str(), "a");
    if (!f)
    {
        return false;
    }
    if (this_unit.file)
    {
        fclose(this_unit.file);
    }
    this_unit.file = f;
    return true;
}

void log_close()
{
    std::lock_guard<std::mutex> guard(this_unit.lock);
    if (this_unit.file)
    {
        fclose(this_unit.file);
        this_unit.file = nullptr;
    }
}

void log_set_level(LogLevel level)
{
    this_unit.enabled = (2u << static_cast<int>(level)) - 1;
}

void log_set_levels(bool warning, bool notice, bool info, bool debug)
{
    this_unit.enabled = 1u | (warning ? 1u << static_cast<int>(LogLevel::WARNING) : 0) |
                        (notice ? 1u << static_cast<int>(LogLevel::NOTICE) : 0) |
                        (info ? 1u << static_cast<int>(LogLevel::INFO) : 0) |
                        (debug ? 1u << static_cast<int>(LogLevel::DEBUG) : 0);
}

bool log_enabled(LogLevel level)
{
    return this_unit.enabled.load(std::memory_order_relaxed) & (1u << static_cast<int>(level));
}

void log_message(LogLevel level, const char* module, const char* fmt, ...)
{
    char msg[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);

    struct timeval tv;
    gettimeofday(&tv, nullptr);
    struct tm tm;
    localtime_r(&tv.tv_sec, &tm);
    char ts[64];
    size_t n = strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S", &tm);
    snprintf(ts + n, sizeof(ts) - n, ".%03d", static_cast<int>(tv.tv_usec / 1000));

    char line[4300];
    if (module)
    {
        snprintf(line, sizeof(line), "%s   %-7s : (%s) %s\n", ts, level_name(level), module, msg);
    }
    else
    {
        snprintf(line, sizeof(line), "%s   %-7s : %s\n", ts, level_name(level), msg);
    }
    std::lock_guard<std::mutex> guard(this_unit.lock);
    fputs(line, stderr);
    if (this_unit.file)
    {
        fputs(line, this_unit.file);
        fflush(this_unit.file);
    }
}

}  // namespace sqlgate
