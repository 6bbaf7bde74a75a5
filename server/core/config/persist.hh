/**
 * Runtime changes on disk: every object created or changed through the REST
 * API is written to <datadir>/sqlgate.cnf.d/<name>.cnf (the whole object, in
 * the config-file format). On startup these files override the sections of
 * the same name in the static file, or add objects, as MaxScale's persisted
 * configuration does.
 *
 * Files are written to a temporary name, fsynced and renamed, so a crash
 * leaves either the old or the new file, never a torn one.
 *
 * Threads: main thread only.
 */
#pragma once

#include <string>
#include <vector>

#include "config/ini.hh"
#include "sqlgate/config.hh"

namespace sqlgate
{

/// <datadir>/sqlgate.cnf.d
std::string persist_dir(const std::string& datadir);

/// The config-file text of @c obj: its type and every explicitly given or
/// changed parameter (passwords in clear, as the static file has them).
std::string object_to_ini(const ObjectConfig& obj);

/// Write @c obj to <datadir>/sqlgate.cnf.d/<name>.cnf atomically (mode 0600).
bool persist_object(const std::string& datadir, const ObjectConfig& obj, std::string& error);

/// Remove the persisted file of @c name (no error when there is none).
bool unpersist_object(const std::string& datadir, const std::string& name, std::string& error);

/**
 * Merge the persisted sections into @c sections (from the static file): a
 * persisted section replaces the static one of the same name; others are
 * appended. Files are read in name order; stale "*.tmp" files are ignored.
 */
bool merge_persisted(const std::string& datadir, std::vector<IniSection>& sections,
                     std::vector<std::string>& errors);

}  // namespace sqlgate
