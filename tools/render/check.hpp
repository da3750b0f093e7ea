// check's report (llbmp::CheckReport) as text, JSON or export lines.
#pragma once

#include <string>

#include "inspect/check.hpp"
#include "inspect/reshape_start.hpp"
#include "inspect/reshape_view.hpp"
#include "inspect/resize_view.hpp"

namespace llbitmap::cli {

// The kernel check modelled (--kernel) and the sizes of the member it loads.
struct CheckKernel {
  llbmp::KernelSeries kernel = llbmp::kDefaultKernelSeries;
  std::string device;                         // whose sizes (the member the kernel loads)
  std::optional<llbmp::MemberResize> resize;  // none without an initialised llbitmap
};

// The array's extras beside the report: its reshape (llbmp::array_reshape),
// shown when one runs, and whether 7.3 lets a reshape start now.
struct CheckReshape {
  std::optional<llbmp::ArrayReshape> running;
  std::optional<llbmp::ReshapeStartCheck> start;
};

// members: how many were given (the "Blocks differ" line needs two or more).
std::string check_text(const llbmp::CheckReport& report, std::size_t members, const CheckReshape& reshape,
                       const CheckKernel& kernel);
std::string check_json(const llbmp::CheckReport& report, const CheckReshape& reshape, const CheckKernel& kernel);
// LLBITMAP_CHECK_* lines for shells and harnesses, like examine --format export.
std::string check_export(const llbmp::CheckReport& report, const CheckReshape& reshape, const CheckKernel& kernel);

}  // namespace llbitmap::cli
