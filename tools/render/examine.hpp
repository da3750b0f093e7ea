// examine's output: the members of each array (or of the command line) in
// text, export, JSON or Prometheus, their error findings and disagreements
// on stderr.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "inspect/member.hpp"
#include "inspect/resize_view.hpp"
#include "render/printout.hpp"

namespace llbitmap::cli {

struct ExamineGroup {
  std::optional<llbmp::Uuid> set_uuid;  // --scan: the array; none for devices named on the command line
  std::vector<llbmp::Member> members;
  llbmp::Findings agreement;            // compare_members
  // One per member: its sizes as the modelled kernel reads them (none without an initialised llbitmap).
  std::vector<std::optional<llbmp::MemberResize>> resize;
};

struct ExamineResult {
  bool scan = false;
  llbmp::KernelSeries kernel = llbmp::kDefaultKernelSeries;  // --kernel: whose reading of the sizes is shown
  std::vector<ExamineGroup> groups;
  std::vector<std::string> failures;  // --scan: members libblkid found that could not be read
  // Something to report: an error finding, a disagreement or a failure.
  bool problems() const;
};

// format: text, export, json or prometheus; brief: only mdadm -X's lines.
Printout render_examine(const ExamineResult& result, const std::string& format, bool brief);

}  // namespace llbitmap::cli
