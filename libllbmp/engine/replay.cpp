#include "engine/replay.hpp"

#include <algorithm>
#include <fmt/format.h>

#include "llbmp/error.hpp"
#include "format/geometry.hpp"
#include "format/md_super.hpp"
#include "format/personality.hpp"

namespace llbmp {

namespace {

constexpr std::uint64_t kPageBytes = 4096;

bool is_recovery(SyncKind k) noexcept { return k == SyncKind::recover || k == SyncKind::readd; }

// raid1_sync_request and raid5_sync_request process a chunk whatever
// bitmap_start_sync returns on a requested check/repair and on a full
// recovery onto a new disk (conf->fullsync).
bool processes_every_chunk(SyncKind k) noexcept { return k == SyncKind::requested || k == SyncKind::recover; }

// Syncing or SyncingUnwritten.
bool is_syncing(std::uint8_t b) noexcept {
  return b == static_cast<std::uint8_t>(State::Syncing) || b == static_cast<std::uint8_t>(State::SyncingUnwritten);
}

// raid10_sync_request asks for the periodic Endsync before the bitmap's
// start_sync of the chunk; raid1_sync_request and raid5_sync_request after it.
bool asks_cond_end_sync_before_start_sync(std::int32_t level) noexcept {
  const Personality* p = personality_of(level);
  return p && p->spread == Spread::copies;
}

// Per-chunk transition paths for --trace, built phase by phase.
class Tracer {
public:
  Tracer(bool enabled, const StateArea& area) : enabled_(enabled) {
    if (!enabled_) return;
    const auto bytes = area.chunk_bytes();
    snapshot_.assign(bytes.begin(), bytes.end());
    paths_.reserve(bytes.size());
    for (const auto b : bytes) paths_.push_back(name(b));
  }

  void step(const StateArea& area, std::string_view action) {
    if (!enabled_) return;
    const auto bytes = area.chunk_bytes();
    for (std::size_t i = 0; i < bytes.size(); ++i)
      if (bytes[i] != snapshot_[i]) {
        paths_[i] += fmt::format(" -{}-> {}", action, name(bytes[i]));
        snapshot_[i] = bytes[i];
      }
  }

  std::vector<TraceRange> ranges() const {
    std::vector<TraceRange> out;
    for (std::size_t i = 0; i < paths_.size(); ++i) {
      if (!out.empty() && out.back().path == paths_[i] && out.back().last_chunk + 1 == i)
        ++out.back().last_chunk;
      else
        out.push_back({i, i, paths_[i]});
    }
    return out;
  }

private:
  static std::string name(std::uint8_t b) {
    return is_valid_state(b) ? std::string(state_key(static_cast<State>(b))) : fmt::format("invalid({})", b);
  }
  bool enabled_;
  std::vector<std::uint8_t> snapshot_;
  std::vector<std::string> paths_;
};

// The spread of a level replay models, nullopt for any other.
std::optional<Spread> modelled_spread(std::int32_t level) noexcept {
  const Personality* p = personality_of(level);
  if (!p || !p->modelled) return std::nullopt;
  return p->spread;
}

std::uint32_t working_count(const std::vector<bool>& roles) noexcept {
  return static_cast<std::uint32_t>(std::count(roles.begin(), roles.end(), true));
}

// How the personality treats a resync or check/repair on a degraded array
// (a recovery writes to the member it recovers and is not affected).
DegradedResync degraded_resync_of(const ReplaySetup& s) noexcept {
  if (!s.degraded || is_recovery(s.kind) || s.kind == SyncKind::lazy || s.roles_working.empty()) return DegradedResync::none;
  const std::uint32_t working = working_count(s.roles_working);
  const auto missing = static_cast<std::uint32_t>(s.roles_working.size()) - working;
  const auto spread = modelled_spread(s.level);
  if (spread == Spread::mirror) return working >= 2 ? DegradedResync::degraded_rules : DegradedResync::no_write_target;
  if (spread == Spread::parity) {
    const std::uint32_t limit = max_degraded(*personality_of(s.level), static_cast<std::uint32_t>(s.roles_working.size()), 0);
    return missing >= limit ? DegradedResync::not_started : DegradedResync::degraded_rules;
  }
  if (spread == Spread::copies) return DegradedResync::two_copies_only;
  return DegradedResync::degraded_rules;
}

// raid10_sync_request (resync branch): a piece of one md chunk is synced only
// when at least two of its copies sit on working members (raid10_find_phys
// places copy n of md chunk c on member (c * near + n) % raid_disks and each
// far copy near_copies members further on). Unknown placements (far sets)
// count as synced.
std::uint64_t raid10_sectors_with_two_copies(std::uint64_t first, std::uint64_t end, const ReplaySetup& s) {
  const std::uint32_t near = s.layout & 0xff;
  const std::uint32_t far = (s.layout >> 8) & 0xff;
  const bool far_sets = (s.layout & (1u << 17)) != 0;
  const auto disks = static_cast<std::uint64_t>(s.roles_working.size());
  if (near * far < 2 || s.md_chunk_sectors == 0 || disks == 0 || far_sets) return end - first;
  std::uint64_t synced = 0;
  for (std::uint64_t sector = first; sector < end;) {
    const std::uint64_t md_chunk = sector / s.md_chunk_sectors;
    const std::uint64_t piece_end = std::min(end, (md_chunk + 1) * s.md_chunk_sectors);
    std::uint32_t working = 0;
    for (std::uint32_t n = 0; n < near; ++n) {
      std::uint64_t dev = (md_chunk * near + n) % disks;
      for (std::uint32_t f = 0; f < far; ++f, dev = (dev + near) % disks) working += s.roles_working[dev] ? 1 : 0;
    }
    if (working >= 2) synced += piece_end - sector;
    sector = piece_end;
  }
  return synced;
}

// llbitmap_skip_sync_blocks.
bool skipped(std::uint8_t c, bool degraded, SyncKind kind) noexcept {
  if (c == static_cast<std::uint8_t>(State::Unwritten) || c == static_cast<std::uint8_t>(State::CleanUnwritten)) return true;
  if (degraded) return false;
  const bool clean_or_dirty = c == static_cast<std::uint8_t>(State::Clean) || c == static_cast<std::uint8_t>(State::Dirty);
  return clean_or_dirty && kind == SyncKind::resync;
}

class Walk {
public:
  Walk(std::vector<std::uint8_t> bytes, const ReplayGeometry& g, const ReplaySetup& s)
      : g_(g), s_(s), area_(std::move(bytes), g.chunks, g.io_size), tracer_(s.trace, area_) {
    sync_mode_.level = s.level;
    sync_mode_.degraded = s.degraded || is_recovery(s.kind);
    r_.level = s.level;
    r_.degraded = s.degraded;
    r_.stale = s.stale;
    r_.unclean = s.unclean;
    r_.kind = s.kind;
    r_.kernel = s.kernel;
    r_.chunk_sectors = g.chunk_sectors;
    r_.chunks = g.chunks;
    r_.sync_sectors = g.sync_sectors;
    r_.data_offset = g.data_offset;
    r_.degraded_resync = degraded_resync_of(s);
    r_.dirty_degraded = s.unclean && s.degraded && has_parity(s.level);
    // raid1_run: with a single working mirror a resync is pointless, so md
    // forgets the unclean shutdown (resync_offset = MaxSector).
    r_.single_mirror = modelled_spread(s.level) == Spread::mirror && !s.roles_working.empty() && working_count(s.roles_working) == 1;
  }

  ReplayResult run() {
    r_.before = count_states(area_.chunk_bytes());
    load();
    if (r_.sync_wanted) sync();
    else r_.after_sync = r_.after_load;  // md starts no sync thread
    daemon();
    r_.end = count_states(area_.chunk_bytes());
    r_.end_bytes.assign(area_.bytes().begin(), area_.bytes().end());
    r_.trace = tracer_.ranges();
    return std::move(r_);
  }

private:
  // llbitmap_load: Reload, or Stale when the bitmap events lag md's. Each
  // chunk Reload makes NeedSync marks its block pending (llbitmap_write ->
  // llbitmap_set_page_dirty). The md superblock update that follows assembly
  // (md_update_sb -> llbitmap_update_sb -> llbitmap_write_sb) writes page 0
  // through llbitmap_write_page, which clears the pending flags of page 0's
  // blocks only. Blocks of later pages stay pending until the sync's first
  // periodic flush (cond_end_sync below); a block still pending when
  // llbitmap_close_sync's Endsync turns one of its chunks from Syncing into
  // Dirty is coalesced (llbitmap_infect_dirty_bits: its Clean chunks become
  // Dirty too).
  void load() {
    // A recovery runs on an array that is degraded from assembly on.
    ArrayMode mode{s_.level, sync_mode_.degraded, false};
    area_.apply_all(s_.stale ? Action::Stale : Action::Reload, mode);
    tracer_.step(area_, s_.stale ? "stale" : "reload");
    area_.clear_pending(0, kPageBytes / g_.io_size);
    r_.after_load = count_states(area_.chunk_bytes());
    const auto& c = r_.after_load;
    const bool bitmap_wants = !mode.degraded && (c.of(State::NeedSync) + c.of(State::NeedSyncUnwritten) + c.invalid != 0);
    // llbitmap_state_machine asks for a sync only while the array is not
    // degraded; md's own resync after an unclean shutdown does not start on a
    // dirty degraded raid4/5/6 (or follows mdadm --force marking it clean).
    const bool md_resync = s_.unclean && !r_.dirty_degraded && !r_.single_mirror;
    r_.sync_wanted = bitmap_wants || md_resync || s_.kind == SyncKind::requested || is_recovery(s_.kind);
  }

  std::uint64_t chunk_end_sector(std::uint64_t chunk) const noexcept {
    return std::min(g_.sync_sectors, (chunk + 1) * g_.chunk_sectors);
  }

  std::uint64_t chunk_sectors_synced(std::uint64_t chunk) const {
    const std::uint64_t first = chunk * g_.chunk_sectors;
    const std::uint64_t end = chunk_end_sector(chunk);
    if (end <= first) return 0;
    return r_.degraded_resync == DegradedResync::two_copies_only ? raid10_sectors_with_two_copies(first, end, s_) : end - first;
  }

  void add_synced(std::uint64_t chunk, std::uint64_t sectors) {
    const std::uint64_t first = chunk * g_.chunk_sectors;
    const std::uint64_t end = chunk_end_sector(chunk);
    ++r_.synced_chunks;
    r_.synced_sectors += sectors;
    if (!r_.plan.empty() && r_.plan.back().last_chunk + 1 == chunk) {
      auto& back = r_.plan.back();
      back.last_chunk = chunk;
      back.end_sector = end;
      if (back.member_end_byte) back.member_end_byte = (g_.data_offset + end) * 512;
      return;
    }
    SyncedRange range{chunk, chunk, first, end, std::nullopt, std::nullopt};
    if (!counts_array_sectors(s_.level)) {
      range.member_first_byte = (g_.data_offset + first) * 512;
      range.member_end_byte = (g_.data_offset + end) * 512;
    }
    r_.plan.push_back(range);
  }

  // llbitmap_cond_end_sync, asked at each chunk the personality syncs. A
  // call at sector 0 only starts the clock. last_end_sync starts at 0 and on
  // 64-bit jiffies start far past daemon_sleep, so when the first chunk synced
  // is not chunk 0 the first call already flushes; later ones flush every
  // daemon_sleep seconds. A flush is an Endsync (see
  // periodic_endsync_covers_current_chunk) and __llbitmap_flush, which writes
  // every block and so clears every pending one. Returns whether the Endsync
  // turned this chunk, still being synced, into Dirty.
  bool cond_end_sync(std::uint64_t chunk) {
    if (chunk == 0) {
      clock_started_ = true;
      elapsed_ = 0;
      return false;
    }
    if (clock_started_ && elapsed_ < static_cast<double>(g_.daemon_sleep)) return false;
    const bool covers_current = periodic_endsync_covers_current_chunk(s_.kernel);
    const bool was_syncing = is_syncing(area_.at(chunk));
    area_.apply(Action::Endsync, 0, covers_current ? chunk : chunk - 1, sync_mode_);
    area_.clear_pending(0, ~std::uint64_t{0});
    clock_started_ = true;
    elapsed_ = 0;
    ++r_.periodic_flushes;
    return covers_current && was_syncing;
  }

  // One chunk the sync runs on. When the periodic Endsync made it Dirty
  // first, the personality asks the bitmap again for the rest of the chunk
  // and is told it is in sync: raid1_sync_request builds an empty request
  // (md_do_sync stops and md starts the sync again past it), raid5_sync_request
  // copies the stripe it had queued and skips the rest. md counts the chunk
  // as synced all the same.
  void sync_chunk(std::uint64_t chunk, bool dirtied_early) {
    const std::uint64_t sectors = chunk_sectors_synced(chunk);
    if (sectors != 0) add_synced(chunk, sectors);
    if (dirtied_early) r_.uncopied.push_back(chunk);
    elapsed_ += seconds_for(sectors);
  }

  double seconds_for(std::uint64_t sectors) const noexcept {
    return static_cast<double>(sectors) / 2.0 / static_cast<double>(s_.speed_kib.value_or(kMdSpeedMaxKiB));
  }

  // md_do_sync -> skip_sync_blocks, then the personality's sync_request ->
  // bitmap start_sync, one chunk at a time (llbitmap_start_sync sets
  // *blocks to the rest of the chunk, so a sync window never spans two).
  void sync() {
    const std::uint64_t stop_sector = std::min(s_.interrupt_at.value_or(g_.sync_sectors), g_.sync_sectors);
    const std::uint64_t stop_chunk = stop_sector / g_.chunk_sectors;  // first chunk not completed
    const bool interrupted = stop_sector < g_.sync_sectors;
    if (interrupted) r_.interrupt_chunk = stop_chunk;
    // llbitmap_start_sync at offset 0 of a non-lazy recovery.
    if (is_recovery(s_.kind) && stop_sector > 0 && g_.chunks > 0 && !skipped(area_.at(0), sync_mode_.degraded, s_.kind)) {
      area_.apply_all(Action::ClearUnwritten, sync_mode_);
      tracer_.step(area_, "clearunwritten");
    }
    // raid5_sync_request gives up before it asks the bitmap.
    const bool personality_skips_all = r_.degraded_resync == DegradedResync::not_started;
    const std::uint64_t started_end =
        personality_skips_all ? 0 : std::min(g_.chunks, div_round_up(stop_sector, g_.chunk_sectors));
    const bool flush_asked_first = asks_cond_end_sync_before_start_sync(s_.level);
    for (std::uint64_t chunk = 0; chunk < started_end; ++chunk) {
      const std::uint8_t c = area_.at(chunk);
      if (skipped(c, sync_mode_.degraded, s_.kind)) continue;
      if (flush_asked_first) cond_end_sync(chunk);  // the chunk is not Syncing yet: nothing is lost
      const auto started = next_state(c, Action::Startsync, sync_mode_);
      const bool syncing = started && is_syncing(static_cast<std::uint8_t>(*started));
      area_.apply(Action::Startsync, chunk, chunk, sync_mode_);
      ++r_.started_chunks;
      if (!syncing && !processes_every_chunk(s_.kind)) continue;
      // raid1_sync_request runs the bitmap's start_sync before it looks for a
      // mirror to write; finding none, it skips the rest of the array.
      if (r_.degraded_resync == DegradedResync::no_write_target) break;
      const bool dirtied_early = !flush_asked_first && cond_end_sync(chunk);
      if (chunk < stop_chunk) sync_chunk(chunk, dirtied_early && !processes_every_chunk(s_.kind));
    }
    tracer_.step(area_, "startsync");
    if (interrupted) {
      // llbitmap_end_sync from the stop point, then close_sync's Endsync on all.
      area_.apply(Action::Abortsync, stop_chunk, g_.chunks == 0 ? 0 : g_.chunks - 1, sync_mode_);
      tracer_.step(area_, "abortsync");
    }
    area_.apply_all(Action::Endsync, sync_mode_);  // llbitmap_close_sync
    tracer_.step(area_, "endsync");
    r_.after_sync = count_states(area_.chunk_bytes());
    interrupted_ = interrupted;
  }

  // md_llbitmap_daemon_fn: close_sync expired every page, so the next daemon
  // run clears every Dirty chunk; nothing at all while the array is degraded
  // (a finished recovery leaves it whole again).
  void daemon() {
    const bool degraded_after = s_.degraded && !(is_recovery(s_.kind) && !interrupted_);
    if (degraded_after) return;
    area_.apply_all(Action::Daemon, ArrayMode{s_.level, false, false});
    tracer_.step(area_, "daemon");
  }

  ReplayGeometry g_;
  ReplaySetup s_;
  StateArea area_;
  Tracer tracer_;
  ArrayMode sync_mode_;
  ReplayResult r_;
  double elapsed_ = 0;
  bool clock_started_ = false;  // llbitmap->last_end_sync set by a call at sector 0
  bool interrupted_ = false;
};

}  // namespace

std::string_view degraded_resync_name(DegradedResync d) noexcept {
  switch (d) {
    case DegradedResync::none: return "none";
    case DegradedResync::degraded_rules: return "degraded-rules";
    case DegradedResync::no_write_target: return "no-write-target";
    case DegradedResync::not_started: return "not-started";
    case DegradedResync::two_copies_only: return "two-copies-only";
  }
  return "?";
}

std::string_view sync_kind_name(SyncKind kind) noexcept {
  switch (kind) {
    case SyncKind::automatic: return "automatic";
    case SyncKind::resync: return "resync";
    case SyncKind::requested: return "requested";
    case SyncKind::recover: return "recover";
    case SyncKind::readd: return "re-add";
    case SyncKind::lazy: return "lazy-recovery";
  }
  return "?";
}

double ReplayResult::share() const noexcept {
  return sync_sectors == 0 ? 0.0 : static_cast<double>(synced_sectors) / static_cast<double>(sync_sectors);
}

double ReplayResult::seconds_at(std::uint32_t kib_per_second) const noexcept {
  return kib_per_second == 0 ? 0.0 : static_cast<double>(synced_sectors) / 2.0 / kib_per_second;
}

ReplayResult replay_bytes(std::vector<std::uint8_t> bytes, const ReplayGeometry& geometry, const ReplaySetup& setup) {
  ReplaySetup s = setup;
  if (s.kind == SyncKind::automatic) s.kind = has_lazy_recovery(s.level) && !s.degraded ? SyncKind::lazy : SyncKind::resync;
  ReplayGeometry g = geometry;
  if (g.chunk_sectors == 0) throw Error("", "bitmap.chunksize", "0", "chunk size of 0 sectors");
  if (g.io_size == 0) g.io_size = 512;
  return Walk(std::move(bytes), g, s).run();
}

}  // namespace llbmp
