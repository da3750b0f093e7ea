#include "llbmp/replay.hpp"

#include <algorithm>
#include <fmt/format.h>

#include "llbmp/error.hpp"
#include "llbmp/geometry.hpp"
#include "llbmp/write_common.hpp"

namespace llbmp {

namespace {

constexpr std::uint64_t kPageBytes = 4096;

bool is_syncing(std::optional<State> s) noexcept {
  return s && (*s == State::Syncing || *s == State::SyncingUnwritten);
}

bool is_recovery(SyncKind k) noexcept { return k == SyncKind::recover || k == SyncKind::readd; }

// raid1_sync_request and raid5_sync_request process a chunk whatever
// bitmap_start_sync returns on a requested check/repair and on a full
// recovery onto a new disk (conf->fullsync).
bool processes_every_chunk(SyncKind k) noexcept { return k == SyncKind::requested || k == SyncKind::recover; }

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
    r_.chunk_sectors = g.chunk_sectors;
    r_.chunks = g.chunks;
    r_.sync_sectors = g.sync_sectors;
    r_.data_offset = g.data_offset;
  }

  ReplayResult run() {
    r_.before = count_states(area_.chunk_bytes());
    load();
    sync();
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
  // blocks only. Blocks of later pages stay pending: nothing unplugs them
  // while no user write comes, and llbitmap_cond_end_sync flushes only after
  // daemon_sleep seconds of syncing. So when llbitmap_close_sync's Endsync
  // turns a synced chunk of a later page from Syncing into Dirty,
  // test_and_set_bit finds its block pending and llbitmap_infect_dirty_bits
  // makes every Clean chunk of the 512-byte block Dirty too; in page 0 it
  // does not. (Not a sync-window effect: llbitmap_start_sync handles one chunk
  // per call, and raid1_sync_request's 64 KiB window never spans two chunks.)
  void load() {
    // A recovery runs on an array that is degraded from assembly on.
    ArrayMode mode{s_.level, sync_mode_.degraded, false};
    area_.apply_all(s_.stale ? Action::Stale : Action::Reload, mode);
    tracer_.step(area_, s_.stale ? "stale" : "reload");
    area_.clear_pending(0, kPageBytes / g_.io_size);
    r_.after_load = count_states(area_.chunk_bytes());
    const auto& c = r_.after_load;
    const bool bitmap_wants = !mode.degraded && (c.of(State::NeedSync) + c.of(State::NeedSyncUnwritten) + c.invalid != 0);
    r_.sync_wanted = bitmap_wants || s_.unclean || s_.kind == SyncKind::requested || is_recovery(s_.kind);
  }

  std::uint64_t chunk_end_sector(std::uint64_t chunk) const noexcept {
    return std::min(g_.sync_sectors, (chunk + 1) * g_.chunk_sectors);
  }

  void add_synced(std::uint64_t chunk) {
    const std::uint64_t first = chunk * g_.chunk_sectors;
    const std::uint64_t end = chunk_end_sector(chunk);
    ++r_.synced_chunks;
    r_.synced_sectors += end > first ? end - first : 0;
    if (!r_.plan.empty() && r_.plan.back().last_chunk + 1 == chunk) {
      auto& back = r_.plan.back();
      back.last_chunk = chunk;
      back.end_sector = end;
      if (back.member_end_byte) back.member_end_byte = (g_.data_offset + end) * 512;
      return;
    }
    SyncedRange range{chunk, chunk, first, end, std::nullopt, std::nullopt};
    if (s_.level != 10) {
      range.member_first_byte = (g_.data_offset + first) * 512;
      range.member_end_byte = (g_.data_offset + end) * 512;
    }
    r_.plan.push_back(range);
  }

  // llbitmap_cond_end_sync: every daemon_sleep seconds of syncing, Endsync
  // over the chunks fully passed and a flush of every page
  // (__llbitmap_flush), which clears every pending block.
  void cond_end_sync(std::uint64_t chunk) {
    const double limit = g_.daemon_sleep;
    if (elapsed_ < limit) return;
    if (chunk > 0) area_.apply(Action::Endsync, 0, chunk - 1, sync_mode_);
    area_.clear_pending(0, ~std::uint64_t{0});
    elapsed_ = 0;
    ++r_.periodic_flushes;
  }

  double chunk_seconds(std::uint64_t chunk) const noexcept {
    const double kib = static_cast<double>(chunk_end_sector(chunk) - chunk * g_.chunk_sectors) / 2.0;
    return kib / static_cast<double>(s_.speed_kib.value_or(kMdSpeedMaxKiB));
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
    const std::uint64_t started_end = std::min(g_.chunks, div_round_up(stop_sector, g_.chunk_sectors));
    for (std::uint64_t chunk = 0; chunk < started_end; ++chunk) {
      const std::uint8_t c = area_.at(chunk);
      if (skipped(c, sync_mode_.degraded, s_.kind)) continue;
      const bool syncing = is_syncing(next_state(c, Action::Startsync, sync_mode_));
      area_.apply(Action::Startsync, chunk, chunk, sync_mode_);
      if (!syncing && !processes_every_chunk(s_.kind)) continue;
      cond_end_sync(chunk);
      if (chunk < stop_chunk) {
        add_synced(chunk);
        elapsed_ += chunk_seconds(chunk);
      }
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
  bool interrupted_ = false;
};

void check_level(const Member& m, std::int32_t level) {
  if (level == 1 || level == 4 || level == 5 || level == 6 || level == 10) return;
  throw Error(m.device, "md.level", level_name(level), "replay-resync models raid1, raid10, raid4, raid5 and raid6");
}

std::uint32_t io_size_of(const Member& m) {
  const std::uint32_t lbs = m.md.logical_block_size;
  return lbs >= 512 && lbs <= 4096 && (lbs & (lbs - 1)) == 0 ? lbs : 512;
}

}  // namespace

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
  if (s.kind == SyncKind::automatic) s.kind = level_is_raid456(s.level) && !s.degraded ? SyncKind::lazy : SyncKind::resync;
  ReplayGeometry g = geometry;
  if (g.chunk_sectors == 0) throw Error("", "bitmap.chunksize", "0", "chunk size of 0 sectors");
  if (g.io_size == 0) g.io_size = 512;
  return Walk(std::move(bytes), g, s).run();
}

ReplayResult replay_resync(const std::vector<Member>& members, const ReplayOptions& options) {
  if (members.empty()) throw Error("", "device", "", "no member given");
  const auto first_use = std::find_if(members.begin(), members.end(), [](const Member& m) {
    return m.bitmap && !m.bitmap->lockless && m.bitmap->sb.awaiting_kernel_init();
  });
  if (first_use != members.end() && std::none_of(members.begin(), members.end(), [](const Member& m) {
        return m.bitmap && m.bitmap->lockless;
      })) {
    ReplayResult r;
    r.device = first_use->device;
    r.first_use = true;
    r.level = first_use->md.level;
    r.raid_disks = first_use->md.raid_disks;
    return r;
  }
  const ChosenCopy copy = choose_copy(members, options.source);
  const Member& m = members[copy.member];
  if (!m.bitmap->lockless)
    throw Error(m.device, "bitmap.version", std::to_string(m.bitmap->sb.version),
                "no initialised llbitmap (version 6) on this member: nothing to replay");
  const auto& view = *m.bitmap->lockless;
  const std::int32_t level = options.level.value_or(m.md.level);
  check_level(m, level);
  if (view.chunk_sectors == 0) throw Error(m.device, "bitmap.chunksize", "0", "chunk size of 0 sectors");
  if (options.interrupt_at && *options.interrupt_at >= view.sync_sectors)
    throw Error(m.device, "interrupt_at", std::to_string(*options.interrupt_at),
                fmt::format("past the end of the sync ({} sectors)", view.sync_sectors), ErrorKind::bad_value);

  ReplayGeometry g;
  g.chunk_sectors = view.chunk_sectors;
  g.chunks = view.chunks;
  g.sync_sectors = view.sync_sectors;
  g.data_offset = m.md.data_offset;
  g.daemon_sleep = m.bitmap->sb.daemon_sleep == 0 ? 30 : m.bitmap->sb.daemon_sleep;
  g.io_size = io_size_of(m);

  const std::uint32_t working = m.md.working_roles();
  const bool detected_degraded = working < m.md.raid_disks;
  // A STALE flag found on disk triggers the Stale action exactly like stale events (llbitmap_read_sb);
  // the events are the array's, the freshest member's, even when another member's copy is replayed.
  const bool detected_stale = m.bitmap->sb.events < freshest_md_events(members) || m.bitmap->sb.has(BitmapFlag::stale);
  ReplaySetup s;
  s.level = level;
  s.degraded = options.degraded.value_or(detected_degraded);
  s.stale = options.stale || detected_stale;
  s.unclean = m.md.resync_offset < m.md.resync_sectors();
  s.kind = options.kind;
  s.interrupt_at = options.interrupt_at;
  s.speed_kib = options.speed_kib;
  s.trace = options.trace;

  const auto& area = m.bitmap->area;
  std::vector<std::uint8_t> bytes;
  if (area.size() > kStateOffset) bytes.assign(area.begin() + static_cast<std::ptrdiff_t>(kStateOffset), area.end());
  std::copy(copy.states.begin(), copy.states.end(), bytes.begin());  // the merged states, when merging
  auto r = replay_bytes(std::move(bytes), g, s);
  r.device = m.device;
  r.source = copy.describe(members);
  r.copies = copy.copies;
  r.disagreeing_chunks = copy.disagreeing_chunks;
  r.raid_disks = m.md.raid_disks;
  r.working_roles = working;
  r.detected_degraded = detected_degraded;
  r.detected_stale = detected_stale;
  return r;
}

WritePlan plan_replay_commit(const std::vector<Member>& members, const ReplayResult& result) {
  WritePlan plan = bitmap_rewrite_plan();
  for (const auto& m : members) {
    if (!m.bitmap || !m.bitmap->lockless)
      throw Error(m.device, "bitmap.version", m.bitmap ? std::to_string(m.bitmap->sb.version) : "none",
                  "no initialised llbitmap on this member (nothing written)");
    if (m.bitmap->lockless->chunks != result.chunks)
      throw Error(m.device, "bitmap.chunks", std::to_string(m.bitmap->lockless->chunks),
                  fmt::format("differs from {} ({}): nothing written", result.device, result.chunks));
    const auto& area = m.bitmap->area;
    const std::span<const std::uint8_t> before =
        area.size() > kStateOffset ? std::span(area).subspan(kStateOffset) : std::span<const std::uint8_t>();
    const std::size_t n = std::min(before.size(), result.end_bytes.size());
    // llbitmap_update_sb writes md's events once the load is done.
    BitmapSuper sb = m.bitmap->sb;
    sb.events = std::max(sb.events, m.md.events);
    sb.set(BitmapFlag::stale, false);
    add_bitmap_rewrite(plan, m, {m.bitmap->area_offset + kStateOffset, std::span(result.end_bytes).first(n), before.first(n)}, sb);
  }
  drop_empty_phases(plan);
  check_plan(plan);
  return plan;
}

}  // namespace llbmp
