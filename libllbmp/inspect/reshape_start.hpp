// Whether Linux 7.3 would let a reshape of this array start now (ONDISK.md
// 9.2), read from the member whose bitmap the kernel loads: raid10 asks the
// bitmap (EBUSY while a chunk is NeedSync or Syncing after the assembly's
// load), raid4/5/6 ask md (EBUSY while a resync is pending), a raid1
// raid_disks change leaves the bitmap alone, raid0 and linear keep none.
// check has no target geometry: the refusals are those of any reshape (a
// one-member growth is the probe); the target's own rules (a smaller md chunk:
// EOPNOTSUPP) are the engine's reshape_refusals for a given target.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/reshape.hpp"
#include "llbmp/member.hpp"

namespace llbmp {

enum class ReshapeStartVerdict : std::uint8_t {
  allowed,           // the kernel starts a reshape now
  refused,           // refusals below (the first is the error the kernel returns)
  bitmap_untouched,  // raid1: a raid_disks change leaves the bitmap bytes alone; nothing to refuse for the bitmap
  not_applicable,    // no llbitmap, a level without a bitmap or reshape, FIRST_USE: `why` says which
};
std::string_view reshape_start_verdict_name(ReshapeStartVerdict verdict) noexcept;  // "allowed", "refused", ...

struct ReshapeStartCheck {
  std::string device;  // the member read: the one the kernel loads
  std::int32_t level = 0;
  ReshapeStartVerdict verdict = ReshapeStartVerdict::not_applicable;
  std::string why;                       // not_applicable: the reason
  bool reshape_running = false;          // the member is mid-reshape: md refuses another start (EBUSY)
  bool stale = false;                    // the assembly runs Stale, not Reload, before the start is asked
  std::vector<ReshapeRefusal> refusals;  // refused, not reshape_running
  std::uint64_t busy_chunks = 0;         // raid10: NeedSync and Syncing chunks after the load
  std::optional<std::uint64_t> resync_offset;  // raid4/5/6: md resync_offset when below the end
};

// nullopt for no member.
std::optional<ReshapeStartCheck> reshape_start_check(const std::vector<Member>& members);

}  // namespace llbmp
