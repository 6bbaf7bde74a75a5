// mariadbmon's module commands (commands.cc).
#pragma once

#include <vector>

#include "sqlgate/modulecmd.hh"

namespace sqlgate::mariadbmon
{

const std::vector<ModuleCommand>& commands();

}  // namespace sqlgate::mariadbmon
