/**
 * Logging. Thread-safe; never call on the per-statement hot path except at
 * error or debug level. Lines carry a timestamp, the level and, where given,
 * the module or object name.
 */
#pragma once

#include <cstdarg>
#include <string>

namespace sqlgate
{

enum class LogLevel
{
    ERROR = 0,
    WARNING = 1,
    NOTICE = 2,
    INFO = 3,
    DEBUG = 4,
};

/// Open <dir>/sqlgate.log for appending (stderr output continues). Returns false with errno set.
bool log_open(const std::string& dir);
/// Close and reopen the log file (log rotation).
bool log_reopen();
void log_close();
/// Enables `level` and every more severe one, disables the others.
void log_set_level(LogLevel level);
/// Enables each level on its own (MaxScale's log_warning, log_notice, log_info, log_debug);
/// errors are always logged.
void log_set_levels(bool warning, bool notice, bool info, bool debug);
bool log_enabled(LogLevel level);
void log_message(LogLevel level, const char* module, const char* fmt, ...)
    __attribute__((format(printf, 3, 4)));

}  // namespace sqlgate

#ifndef SQLGATE_MODULE_NAME
#define SQLGATE_MODULE_NAME nullptr
#endif

#define SG_LOG(level, ...)                                                   \
    do                                                                       \
    {                                                                        \
        if (::sqlgate::log_enabled(level))                                   \
            ::sqlgate::log_message(level, SQLGATE_MODULE_NAME, __VA_ARGS__); \
    } while (0)
#define SG_ERROR(...) SG_LOG(::sqlgate::LogLevel::ERROR, __VA_ARGS__)
#define SG_WARNING(...) SG_LOG(::sqlgate::LogLevel::WARNING, __VA_ARGS__)
#define SG_NOTICE(...) SG_LOG(::sqlgate::LogLevel::NOTICE, __VA_ARGS__)
#define SG_INFO(...) SG_LOG(::sqlgate::LogLevel::INFO, __VA_ARGS__)
#define SG_DEBUG(...) SG_LOG(::sqlgate::LogLevel::DEBUG, __VA_ARGS__)
