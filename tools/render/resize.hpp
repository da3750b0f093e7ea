// A member's sizes as one kernel reads them (examine, check: what the bitmap
// covers, a header/array sync_size mismatch, the largest size a resize
// reaches) and a previewed resize (replay-resync --size), as text, JSON and
// export lines.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "inspect/resize_view.hpp"
#include "render/escape.hpp"

namespace llbitmap::cli {

// "Linux 7.3 (md's llbitmap code modelled)": the Kernel line of every command that models one.
std::string kernel_line_value(llbmp::KernelSeries kernel);

// Name and value of each line (Kernel covers, Sync sizes, Grow limit, States past count).
std::vector<std::pair<std::string, std::string>> member_resize_lines(const llbmp::MemberResize& r);
nlohmann::json member_resize_json(const llbmp::MemberResize& r);
// RESIZE_* keys (the prefix is the caller's).
void put_member_resize(ExportLines& e, const llbmp::MemberResize& r);

// One llbitmap_resize outcome (refused, errno, the counts and ranges): simulate --resize's rows.
nlohmann::json resize_outcome_json(const llbmp::ResizeOutcome& o);

// The Resize section of replay-resync --size.
std::string resize_preview_text(const llbmp::ResizeMembersPreview& p);
nlohmann::json resize_preview_json(const llbmp::ResizeMembersPreview& p);

}  // namespace llbitmap::cli
