// check's report (llbmp::CheckReport) as text, JSON or export lines.
#pragma once

#include <string>

#include "inspect/check.hpp"
#include "inspect/reshape_start.hpp"
#include "inspect/reshape_view.hpp"

namespace llbitmap::cli {

// The array's extras beside the report: its reshape (llbmp::array_reshape),
// shown when one runs, and whether 7.3 lets a reshape start now.
struct CheckReshape {
  std::optional<llbmp::ArrayReshape> running;
  std::optional<llbmp::ReshapeStartCheck> start;
};

// members: how many were given (the "Blocks differ" line needs two or more).
std::string check_text(const llbmp::CheckReport& report, std::size_t members, const CheckReshape& reshape);
std::string check_json(const llbmp::CheckReport& report, const CheckReshape& reshape);
// LLBITMAP_CHECK_* lines for shells and harnesses, like examine --format export.
std::string check_export(const llbmp::CheckReport& report, const CheckReshape& reshape);

}  // namespace llbitmap::cli
