// check's report (llbmp::CheckReport) as text, JSON or export lines.
#pragma once

#include <string>

#include "inspect/check.hpp"
#include "inspect/reshape_view.hpp"

namespace llbitmap::cli {

// members: how many were given (the "Blocks differ" line needs two or more).
// reshape: the array's reshape (llbmp::array_reshape), shown when one runs.
std::string check_text(const llbmp::CheckReport& report, std::size_t members, const std::optional<llbmp::ArrayReshape>& reshape);
std::string check_json(const llbmp::CheckReport& report, const std::optional<llbmp::ArrayReshape>& reshape);
// LLBITMAP_CHECK_* lines for shells and harnesses, like examine --format export.
std::string check_export(const llbmp::CheckReport& report, const std::optional<llbmp::ArrayReshape>& reshape);

}  // namespace llbitmap::cli
