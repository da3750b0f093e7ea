// replay-resync on members: the copy the kernel reads, the array as its
// superblocks describe it, then the sync walk of engine/replay.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "engine/replay.hpp"
#include "inspect/copy_choice.hpp"
#include "inspect/member.hpp"

namespace llbmp {

struct ReplayOptions {
  std::optional<std::int32_t> level;
  std::optional<bool> degraded;
  bool stale = false;  // force Stale at load
  SyncKind kind = SyncKind::automatic;
  std::optional<std::uint64_t> interrupt_at;  // resync-space sector
  std::optional<std::uint32_t> speed_kib;     // models the periodic flush; default the md maximum
  bool trace = false;
  KernelSeries kernel = kDefaultKernelSeries;  // whose md code is modelled
  CopySource source;  // whose copy to replay: the kernel's (default), one member, or the worst merge
};

// Detection from the members' metadata, overrides applied, then the walk.
// A FIRST_USE llbitmap gives a result with first_use set and nothing else.
// Throws Error when no member carries a version 6 bitmap.
ReplayResult replay_resync(const std::vector<Member>& members, const ReplayOptions& options);

}  // namespace llbmp
