// replay-resync's output: what md resyncs at the next assembly, as text or JSON.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/replay.hpp"
#include "inspect/replay_members.hpp"
#include "inspect/resize_view.hpp"

namespace llbitmap::cli {

struct ReplayView {
  llbmp::ReplayResult result;
  std::vector<std::uint32_t> speeds;  // KiB/s of the time estimates
  bool trace = false;                 // each chunk range's transitions
  bool copy_chosen = false;           // --member or --merge picked the copy
  bool commit = false;                // the end state is written afterwards
  std::optional<llbmp::ReshapeMembersPreview> reshape;  // --reshape: Linux 7.3's reshape, previewed after this assembly
  std::optional<llbmp::ResizeMembersPreview> resize;    // --size: a resize, previewed after this assembly
};

std::string replay_text(const ReplayView& view);
std::string replay_json(const ReplayView& view);
// A member mid-reshape (--kernel 7.3): the reshape resumed from
// reshape_position, then the resync that follows it.
std::string resume_text(const llbmp::ReshapeMembersPreview& resumed);
std::string resume_json(const llbmp::ReshapeMembersPreview& resumed);
// After --commit has written the end state.
std::string committed_text(std::size_t members);

}  // namespace llbitmap::cli
