#include "sqlgate/assert.hh"

#include <cstdio>
#include <cstdlib>

#include "sqlgate/log.hh"

namespace sqlgate
{

void check_failed(const char* expression, const char* file, int line)
{
    // The log first (it is what operators read), then stderr in case the log
    // is not open yet; then stop before the broken state does more harm.
    log_message(LogLevel::ERROR, nullptr, "Internal check failed: %s (%s:%d); aborting", expression,
                file, line);
    fprintf(stderr, "sqlgate: internal check failed: %s (%s:%d)\n", expression, file, line);
    abort();
}

}  // namespace sqlgate
