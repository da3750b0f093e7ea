// replay-resync: what md does to the llbitmap at the next assembly (Reload or
// Stale) and during the sync that follows (skip rules, Startsync, Endsync,
// Abortsync, Daemon), replayed offline on the state bytes of one member.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/state_engine.hpp"
#include "format/kernel_series.hpp"

namespace llbmp {

enum class SyncKind : std::uint8_t {
  automatic,  // resync; a lazy recovery on raid4/5/6
  resync,     // MD_RECOVERY_SYNC after an unclean shutdown or a NeedSync chunk
  requested,  // user check/repair: Clean and Dirty are not skipped
  recover,    // full recovery onto a brand-new disk
  readd,      // bitmap-based recovery of a re-added member
  lazy,       // raid4/5/6 lazy recovery (MD_RECOVERY_LAZY_RECOVER)
};
std::string_view sync_kind_name(SyncKind kind) noexcept;

// What md's personality does with a resync (or a check/repair) on a degraded
// array that no recovery makes whole: raid1_sync_request, raid5_sync_request
// and raid10_sync_request look for a copy to write before they sync.
enum class DegradedResync : std::uint8_t {
  none,             // not degraded, or a recovery onto a member: the walk as usual
  degraded_rules,   // two copies remain (raid1 with two mirrors left, raid6 missing one): synced under the degraded rules
  no_write_target,  // raid1 with one mirror left, a check asked for: the first chunk started, the rest skipped
  not_started,      // raid4/5/6 missing max_degraded members: skipped before the bitmap is asked; nothing written
  two_copies_only,  // raid10: every chunk started, only the regions with two working copies synced
};
std::string_view degraded_resync_name(DegradedResync d) noexcept;

inline constexpr std::uint32_t kMdSpeedMinKiB = 1000;    // /proc/sys/dev/raid/speed_limit_min
inline constexpr std::uint32_t kMdSpeedMaxKiB = 200000;  // /proc/sys/dev/raid/speed_limit_max

struct SyncedRange {
  std::uint64_t first_chunk = 0;
  std::uint64_t last_chunk = 0;  // inclusive
  std::uint64_t first_sector = 0;
  std::uint64_t end_sector = 0;  // exclusive, clamped to the sync size
  std::optional<std::uint64_t> member_first_byte;  // data_offset added (raid1, raid4/5/6)
  std::optional<std::uint64_t> member_end_byte;
};

struct TraceRange {
  std::uint64_t first_chunk = 0;
  std::uint64_t last_chunk = 0;
  std::string path;  // "dirty -reload-> need_sync -startsync-> syncing ..."
};

struct ReplayResult {
  std::string device;  // the member whose header and state bytes were replayed (merged ones: the kernel's copy)
  std::string source;  // the copy replayed, in words (ChosenCopy::describe)
  std::size_t copies = 0;                // members whose copies were compared
  std::uint64_t disagreeing_chunks = 0;  // chunks whose copies differ among them
  bool first_use = false;  // FIRST_USE: the kernel initialises the bitmap; nothing to replay
  std::int32_t level = 1;
  std::uint32_t raid_disks = 0;
  std::uint32_t working_roles = 0;
  bool degraded = false;
  bool detected_degraded = false;
  bool stale = false;
  bool detected_stale = false;
  bool unclean = false;  // md resync_offset below the end
  SyncKind kind = SyncKind::resync;
  bool sync_wanted = false;  // the bitmap or the md superblock asks for a sync
  DegradedResync degraded_resync = DegradedResync::none;
  // raid4/5/6 after an unclean shutdown with a member missing: raid5_run refuses
  // to start it ("cannot start dirty degraded array"); mdadm --assemble --force
  // marks it clean first, so no resync follows either way.
  bool dirty_degraded = false;
  // raid1 with one working mirror: raid1_run drops md's unclean mark, so
  // only a check/repair asked for starts a sync (and finds nothing to write).
  bool single_mirror = false;
  std::uint64_t started_chunks = 0;  // chunks the sync thread ran Startsync on (synced or not)
  std::optional<std::uint64_t> interrupt_chunk;
  std::uint64_t chunk_sectors = 0;
  std::uint64_t chunks = 0;
  std::uint64_t sync_sectors = 0;
  std::uint64_t data_offset = 0;
  StateCounts before, after_load, after_sync, end;
  std::vector<SyncedRange> plan;
  std::uint64_t synced_chunks = 0;
  std::uint64_t synced_sectors = 0;
  std::uint64_t periodic_flushes = 0;
  KernelSeries kernel = kDefaultKernelSeries;  // whose llbitmap_cond_end_sync was modelled
  // Chunks of the plan that md marks in sync without copying them (fully):
  // on 6.18 and 7.2 the periodic Endsync makes the chunk being synced Dirty
  // first; raid1 then copies nothing of it, raid4/5/6 one stripe.
  std::vector<std::uint64_t> uncopied;
  std::vector<TraceRange> trace;
  std::vector<std::uint8_t> end_bytes;  // the state area from byte 1024 after the daemon

  std::uint64_t synced_bytes() const noexcept { return synced_sectors * 512; }
  double share() const noexcept;  // of a full resync
  double seconds_at(std::uint32_t kib_per_second) const noexcept;
};

// The walk on bytes alone (for tests and the simulator): `bytes` are the
// state bytes from area offset 1024 to the end of the reserved room.
struct ReplayGeometry {
  std::uint64_t chunk_sectors = 128;
  std::uint64_t chunks = 0;
  std::uint64_t sync_sectors = 0;
  std::uint64_t data_offset = 0;
  std::uint32_t daemon_sleep = 30;
  std::uint32_t io_size = 512;
};
struct ReplaySetup {
  std::int32_t level = 1;
  bool degraded = false;
  // The roles that work (size raid_disks); empty: all but the last one when
  // degraded. raid10 needs them to find the regions with two working copies.
  std::vector<bool> roles_working;
  std::uint32_t layout = 0;            // md layout (raid10: near, far, offset copies)
  std::uint32_t md_chunk_sectors = 0;  // md chunk (raid10 copy placement)
  bool stale = false;
  bool unclean = false;
  SyncKind kind = SyncKind::resync;
  std::optional<std::uint64_t> interrupt_at;
  std::optional<std::uint32_t> speed_kib;
  bool trace = false;
  KernelSeries kernel = kDefaultKernelSeries;
};
ReplayResult replay_bytes(std::vector<std::uint8_t> bytes, const ReplayGeometry& geometry, const ReplaySetup& setup);

}  // namespace llbmp
