// check's report (llbmp::CheckReport) as text, JSON or export lines.
#pragma once

#include <string>

#include "inspect/check.hpp"

namespace llbitmap::cli {

// members: how many were given (the "Blocks differ" line needs two or more).
std::string check_text(const llbmp::CheckReport& report, std::size_t members);
std::string check_json(const llbmp::CheckReport& report);
// LLBITMAP_CHECK_* lines for shells and harnesses, like examine --format export.
std::string check_export(const llbmp::CheckReport& report);

}  // namespace llbitmap::cli
