// replay-resync on members: the copy the kernel reads, the array as its
// superblocks describe it, then the sync walk of engine/replay.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "engine/replay.hpp"
#include "engine/reshape.hpp"
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

// The geometry a previewed reshape goes to; what is not given stays the array's.
struct ReshapeTarget {
  std::uint32_t raid_disks = 0;
  std::optional<std::uint32_t> chunk_sectors;  // md chunk
  std::optional<std::uint32_t> layout;         // md layout
  std::optional<std::int32_t> level;           // only the array's own: a takeover is not previewed
  // Where the kernel stored reshape_position while it ran this reshape, when
  // known (a test that watched md/reshape_position): the remap's checkpoints.
  std::vector<std::uint64_t> checkpoints;
};

struct ReshapeMembersPreview {
  std::string device;  // whose copy was remapped
  std::string source;  // the copy, in words (as ReplayResult::source)
  ReshapePreview preview;
  // A reshape already in progress resumed from md reshape_position
  // (resume_reshape_members); nullopt for a previewed start.
  std::optional<std::uint64_t> resumed_from;
};

// Linux 7.3's reshape of the array into `target`, offline (ONDISK 9.2-9.5),
// from the copy and the detection replay_resync uses: the level, raid_disks,
// layout, chunk and size of the chosen member's md superblock, the header's
// chunksize, sync_size and sectors_reserved. Throws Error naming the field for
// an impossible target or a member already mid-reshape.
ReshapeMembersPreview preview_reshape_members(const std::vector<Member>& members, const ReplayOptions& options,
                                              const ReshapeTarget& target);

// Linux 7.3's next assembly of an array mid-reshape (ONDISK 9.6): the
// kernel loads max(old, new) chunks with Reload, the reshape resumes from the
// md superblock's reshape_position (the rest remapped), the finish writes the
// new header, then the resync that follows (the bitmap's NeedSync chunks).
// From the copy replay_resync uses; both geometries from that member's md
// superblock. nullopt when that member is not mid-reshape or its level's
// bitmap is not remapped (raid1: replay_resync is the next assembly). Throws
// Error naming md.feature_map when `options.kernel` is not 7.3 (older kernels
// have no remap and misread the bitmap) and the engine's Error for a geometry
// it refuses (a header that already has the new sync_size, say).
std::optional<ReshapeMembersPreview> resume_reshape_members(const std::vector<Member>& members, const ReplayOptions& options);

}  // namespace llbmp
