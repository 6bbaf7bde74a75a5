/**
 * Checked invariants.
 *
 * SG_CHECK(cond) is always on: a false condition logs the expression, file and
 * line and aborts (a broken invariant must not go on corrupting data).
 * SG_ASSERT(cond) is the same in builds with SQLGATE_ASSERTIONS (Debug builds
 * and the sanitizer build, see the top CMakeLists.txt) and compiles to nothing
 * otherwise: use it on hot paths, e.g. SG_ASSERT_OWNER(worker) at the entry
 * points of objects that belong to one worker's thread.
 *
 * Threads: any.
 */
#pragma once

namespace sqlgate
{
[[noreturn]] void check_failed(const char* expression, const char* file, int line);
}

#define SG_CHECK(cond) \
    ((cond) ? static_cast<void>(0) : ::sqlgate::check_failed(#cond, __FILE__, __LINE__))

#ifdef SQLGATE_ASSERTIONS
#define SG_ASSERT(cond) SG_CHECK(cond)
#else
// Not evaluated, but still compiled: an assertion that does not build breaks every build.
#define SG_ASSERT(cond) static_cast<void>(sizeof(!(cond)))
#endif

/// The calling thread may touch what @c worker owns (Worker::is_owner()).
#define SG_ASSERT_OWNER(worker) SG_ASSERT((worker).is_owner())
