// Replaying, offline, what md does with an llbitmap at the next assembly and
// in the sync that follows (ONDISK.md section 5, "Lifecycle of the actions"):
// Reload or Stale over every chunk, then the sync thread chunk by chunk (skip
// rules, Startsync), then Endsync (Abortsync first when interrupted), then
// the daemon. The result says which chunks are synced and every chunk's
// state after each stage, so that the CLI can print a plan and a trace.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "llbmp/member.hpp"
#include "llbmp/state_engine.hpp"
#include "llbmp/write_plan.hpp"

namespace llbmp {

enum class SyncKind {
  resync,     // the bitmap-requested resync (raid4/5/6: a lazy recovery)
  requested,  // a user check or repair: Clean and Dirty are not skipped
  recover,    // a recovery onto a re-added member
  new_disk,   // a full recovery onto a brand-new member: every chunk not skipped is synced
};
const char* sync_kind_name(SyncKind kind) noexcept;

struct ReplayOptions {
  std::optional<bool> degraded;        // default: from the members' dev_roles
  std::optional<bool> stale;           // default: bitmap events < the freshest md events
  std::optional<std::int32_t> level;   // default: the md superblock's
  SyncKind kind = SyncKind::resync;
  std::optional<std::uint64_t> interrupt_at;  // resync-space sector where the sync stops
};

// The stages a chunk goes through; states[stage] holds every chunk's byte.
enum class Stage : std::size_t { before, loaded, walked, ended, settled, count };
inline constexpr std::size_t kStageCount = static_cast<std::size_t>(Stage::count);

struct SyncedRange {
  std::uint64_t first_chunk = 0;
  std::uint64_t last_chunk = 0;     // inclusive
  std::uint64_t first_sector = 0;   // resync space
  std::uint64_t end_sector = 0;     // exclusive, clamped to the sync size
  std::uint64_t sectors() const noexcept { return end_sector - first_sector; }
};

struct ReplayResult {
  std::string source;             // the member whose copy the kernel loads
  std::int32_t level = 1;
  bool degraded = false;
  bool stale = false;
  bool first_use = false;         // the kernel initialises the bitmap at assembly
  SyncKind kind = SyncKind::resync;
  bool lazy_recovery = false;     // raid4/5/6: the bitmap-requested sync is a lazy recovery
  bool sync_runs = false;         // whether any sync starts at all
  std::string why_no_sync;        // when it does not
  bool interrupted = false;
  std::uint64_t interrupt_chunk = 0;
  std::uint64_t chunk_sectors = 0;
  std::uint64_t sync_sectors = 0;
  std::uint64_t chunks = 0;
  std::uint64_t data_offset = 0;  // sectors: member byte offsets for raid1/4/5/6
  bool member_offsets = false;    // resync sectors are member sectors (not raid10)
  std::vector<SyncedRange> synced;
  std::uint64_t synced_chunks = 0;
  std::uint64_t synced_sectors = 0;
  std::array<std::vector<std::uint8_t>, kStageCount> states;
  std::array<StateCounts, kStageCount> counts;

  double share_of_full() const noexcept {
    return sync_sectors == 0 ? 0.0 : static_cast<double>(synced_sectors) / static_cast<double>(sync_sectors);
  }
};

// The member the kernel reads the bitmap from: the first member with a
// working role and the freshest events, lowest role first (ONDISK.md section 4).
std::size_t kernel_source_member(const std::vector<Member>& members);

// Throws Error when no member has a usable llbitmap.
ReplayResult replay_resync(const std::vector<Member>& members, const ReplayOptions& options);

// A run of chunks that went through the same states at every stage.
struct TraceRun {
  std::uint64_t first = 0;
  std::uint64_t last = 0;
  std::array<std::uint8_t, kStageCount> states{};
};
std::vector<TraceRun> trace_runs(const ReplayResult& result);

// The writes of the end state (settled) to every member: mark STALE, write
// the states, then the header without STALE and with the freshest events.
WritePlan plan_replay_commit(const std::vector<Member>& members, const ReplayResult& result);

}  // namespace llbmp
