// The 7.3 reshape of an llbitmap (ONDISK.md section 9; kernel: md-llbitmap.c
// llbitmap_refresh_reshape, llbitmap_map_layout, llbitmap_reshape_mark and
// llbitmap_reshape_merge; raid10.c and raid5.c for the sizes and refusals).
#include "engine/reshape.hpp"

#include <algorithm>
#include <numeric>
#include <string>

#include <fmt/format.h>

#include "llbmp/error.hpp"
#include "engine/replay.hpp"
#include "format/personality.hpp"

namespace llbmp {

namespace {

constexpr auto kUnwritten = static_cast<std::uint8_t>(State::Unwritten);

[[noreturn]] void bad_value(const std::string& field, std::uint64_t value, const std::string& message) {
  throw Error("", field, std::to_string(value), message, ErrorKind::bad_value);
}

const Personality& reshape_personality(std::int32_t level) {
  const auto* p = personality_of(level);
  if (p == nullptr || !p->bitmap)
    throw Error("", "level", std::to_string(level), "no bitmap on this level", ErrorKind::bad_value);
  return *p;
}

// raid10 copies from its layout: near in bits 0-7, far in 8-15, offset in bit 16.
struct Raid10Copies {
  std::uint32_t near_copies;
  std::uint32_t far_copies;
  bool far_offset;
};
Raid10Copies raid10_copies(std::uint32_t layout) noexcept {
  const std::uint32_t near_copies = layout & 0xff;
  const std::uint32_t far_copies = (layout >> 8) & 0xff;
  return {near_copies == 0 ? 1 : near_copies, far_copies == 0 ? 1 : far_copies, (layout & 0x10000) != 0};
}

// raid10_size: the array `disks` members make under the chunk and copies of `geo`.
std::uint64_t raid10_size(std::uint64_t member_sectors, std::uint32_t disks, const ReshapeShape& geo) noexcept {
  const auto copies = raid10_copies(geo.layout);
  return member_sectors / geo.chunk_sectors / copies.far_copies * disks / copies.near_copies * geo.chunk_sectors;
}

std::uint64_t round_down(std::uint64_t v, std::uint64_t unit) noexcept { return v / unit * unit; }

void check_shape(const Personality& p, const ReshapeShape& shape, const std::string& name) {
  const std::uint32_t least =
      std::max<std::uint32_t>(1, p.spread == Spread::copies ? raid10_layout_copies(shape.layout) : p.min_devices);
  if (shape.raid_disks < least)
    bad_value(name + ".raid_disks", shape.raid_disks, "fewer members than " + level_name(p.level) + " needs");
  if (p.chunked && (shape.chunk_sectors < 8 || !is_power_of_two(shape.chunk_sectors)))
    bad_value(name + ".chunk_sectors", shape.chunk_sectors, "the md chunk must be a power of two of at least 8 sectors");
}

void check_request(const Personality& p, const ReshapeRequest& r) {
  check_shape(p, r.old_shape, "old_shape");
  check_shape(p, r.new_shape, "new_shape");
  if (p.chunked ? r.old_shape == r.new_shape : r.old_shape.raid_disks == r.new_shape.raid_disks)
    bad_value("new_shape.raid_disks", r.new_shape.raid_disks, "the new shape is the old one: nothing to reshape");
  if (r.member_sectors == 0) bad_value("member_sectors", 0, "no member size");
  if (!is_power_of_two(r.bitmap_chunk_sectors))
    bad_value("bitmap_chunk_sectors", r.bitmap_chunk_sectors, "the bitmap chunk must be a power of two");
  if (r.sectors_reserved == 0) bad_value("sectors_reserved", 0, "no room for the bitmap");
  if (r.io_size < 512 || r.io_size > kPageBytes || !is_power_of_two(r.io_size))
    bad_value("io_size", r.io_size, "the logical block size must be a power of two from 512 to 4096");
}

// The bitmap's sync_size before the reshape: the array's under the old shape.
std::uint64_t array_sync_before(const Personality& p, const ReshapeRequest& r) noexcept {
  return p.bitmap_span == BitmapSpan::array ? raid10_size(r.member_sectors, r.old_shape.raid_disks, r.old_shape)
                                            : r.member_sectors;
}

// The bitmap_sync_size and bitmap_array_sectors hooks of one side (section 9.3).
ReshapeSideGeometry side_geometry(const Personality& p, const ReshapeRequest& r, bool previous) {
  ReshapeSideGeometry s;
  s.shape = previous ? r.old_shape : r.new_shape;
  s.data_disks = data_disks(p, s.shape.raid_disks, s.shape.layout);
  switch (p.bitmap_span) {
    case BitmapSpan::array: {
      // raid10: both sides under the new chunk and copies; `previous` counts the fewer members.
      const std::uint32_t disks =
          previous ? std::min(r.old_shape.raid_disks, r.new_shape.raid_disks) : r.new_shape.raid_disks;
      s.sync_sectors = s.array_sectors = raid10_size(r.member_sectors, disks, r.new_shape);
      break;
    }
    case BitmapSpan::stripe_rows: {
      // raid5_size rounds the member to both chunks.
      const std::uint64_t member =
          round_down(round_down(r.member_sectors, r.new_shape.chunk_sectors), r.old_shape.chunk_sectors);
      s.row_sectors = std::uint64_t{s.shape.chunk_sectors} * s.data_disks;
      s.sync_sectors = r.member_sectors;
      s.array_sectors = member * s.data_disks;
      break;
    }
    case BitmapSpan::member:
    case BitmapSpan::none:
      s.sync_sectors = s.array_sectors = r.member_sectors;
      break;
  }
  s.chunk_sectors = previous ? r.bitmap_chunk_sectors
                             : calculate_chunksize(s.sync_sectors, r.bitmap_chunk_sectors, r.sectors_reserved);
  s.chunks = div_round_up(s.sync_sectors, s.chunk_sectors);
  return s;
}

std::vector<ChunkRange> runs_where(std::span<const std::uint8_t> bytes, std::uint64_t base, auto&& pick) {
  std::vector<ChunkRange> out;
  for (const auto& run : state_runs(bytes, base))
    if (pick(run.byte)) out.push_back({run.first, run.last});
  return out;
}

std::uint64_t chunks_in(const std::vector<ChunkRange>& ranges) noexcept {
  std::uint64_t n = 0;
  for (const auto& r : ranges) n += r.count();
  return n;
}

// llbitmap_reshape_src_range: the proportional slice of the old range for the
// part `dst` of the new range; nullopt when there is no old range.
std::optional<SectorRange> old_slice(const std::optional<SectorRange>& old_range, const SectorRange& new_range,
                                     const SectorRange& dst) noexcept {
  if (!old_range) return std::nullopt;
  __extension__ typedef unsigned __int128 Wide;  // sector products can pass 64 bits
  const Wide os = old_range->sectors();
  const Wide ns = new_range.sectors();
  const Wide lo = Wide{dst.start - new_range.start} * os / ns;
  const Wide hi_num = Wide{dst.end - new_range.start} * os;
  const Wide hi = hi_num / ns + (hi_num % ns != 0);
  const SectorRange slice{old_range->start + static_cast<std::uint64_t>(lo),
                          std::min(old_range->end, old_range->start + static_cast<std::uint64_t>(hi))};
  if (slice.end <= slice.start) return std::nullopt;
  return slice;
}

std::uint64_t alignment_of(const ReshapeGeometry& g) noexcept {
  if (g.old_side.row_sectors != 0) return std::lcm(g.old_side.row_sectors, g.new_side.row_sectors);
  return std::lcm(std::uint64_t{g.old_side.shape.chunk_sectors}, std::uint64_t{g.new_side.shape.chunk_sectors});
}

}  // namespace

ReshapeGeometry reshape_geometry(const ReshapeRequest& r) {
  const Personality& p = reshape_personality(r.level);
  check_request(p, r);
  ReshapeGeometry g;
  g.level = r.level;
  g.remapped = p.bitmap_span == BitmapSpan::stripe_rows || p.bitmap_span == BitmapSpan::array;
  g.backwards = g.remapped && (r.backwards || r.new_shape.raid_disks < r.old_shape.raid_disks);
  g.old_side = side_geometry(p, r, true);
  g.new_side = side_geometry(p, r, false);
  const std::uint64_t array_sync = array_sync_before(p, r);
  g.header_sync_sectors = r.header_sync_sectors == 0 ? array_sync : r.header_sync_sectors;
  if (g.header_sync_sectors > array_sync)
    bad_value("header_sync_sectors", g.header_sync_sectors, "above the array's sync size: the kernel refuses the bitmap");
  if (!kernel_fit(r.bitmap_chunk_sectors, g.header_sync_sectors, r.sectors_reserved))
    bad_value("bitmap_chunk_sectors", r.bitmap_chunk_sectors, "too small for the room: the kernel refuses the bitmap");
  g.header_chunks = div_round_up(g.header_sync_sectors, r.bitmap_chunk_sectors);
  if (!g.remapped) {
    g.new_side.chunk_sectors = r.bitmap_chunk_sectors;
    g.new_side.chunks = g.header_chunks;
  }
  g.memory_chunks = std::max(g.header_chunks, g.new_side.chunks);
  if (g.remapped)
    g.span_sectors = maps_stripe_rows(r.level) && !g.backwards
                         ? g.new_side.array_sectors
                         : std::min(g.old_side.array_sectors, g.new_side.array_sectors);
  g.sectors_reserved = r.sectors_reserved;
  g.io_size = r.io_size;
  g.degraded = r.degraded;
  return g;
}

bool on_old_side(const ReshapeGeometry& g, std::uint64_t reshape_position, std::uint64_t sector) noexcept {
  if (!g.remapped) return false;
  return g.backwards ? sector < reshape_position : sector >= reshape_position;
}

std::optional<SectorRange> map_to_side(const ReshapeGeometry& g, bool previous, SectorRange array) noexcept {
  const ReshapeSideGeometry& s = g.side(previous);
  if (array.start >= s.array_sectors || array.end <= array.start) return std::nullopt;
  SectorRange r{array.start, std::min(array.end, s.array_sectors)};
  if (s.row_sectors != 0)  // bitmap_sector_map: whole stripe rows, as device offsets
    r = {r.start / s.row_sectors * s.shape.chunk_sectors, div_round_up(r.end, s.row_sectors) * s.shape.chunk_sectors};
  if (r.start >= s.sync_sectors) return std::nullopt;
  r.end = std::min(r.end, s.sync_sectors);
  return r;
}

std::optional<ChunkRange> side_chunks(const ReshapeGeometry& g, bool previous, SectorRange array) noexcept {
  const auto r = map_to_side(g, previous, array);
  if (!r) return std::nullopt;
  const std::uint64_t cs = g.side(previous).chunk_sectors;
  return ChunkRange{r->start / cs, (r->end - 1) / cs};
}

ReshapeSides reshape_sides(const ReshapeGeometry& g, std::uint64_t reshape_position) noexcept {
  ReshapeSides out;
  if (!g.remapped) return out;
  // Below R lies the new side (backwards: the old one), at or above R the other.
  const bool below_is_old = g.backwards;
  const ReshapeSideGeometry& above_side = g.side(!below_is_old);
  const auto below = side_chunks(g, below_is_old, {0, reshape_position});
  const auto above = side_chunks(g, !below_is_old, {reshape_position, above_side.array_sectors});
  const IndexRange low = below ? IndexRange{0, below->last + 1} : IndexRange{};
  const IndexRange high = above ? IndexRange{above->first, above->last + 1} : IndexRange{above_side.chunks, above_side.chunks};
  (below_is_old ? out.old_indices : out.new_indices) = low;
  (below_is_old ? out.new_indices : out.old_indices) = high;
  out.leftovers = {low.end, std::max(low.end, high.first)};
  out.overlap = below && above && low.end > high.first;
  return out;
}

State reshape_merge(std::uint8_t seed, std::uint8_t old_byte) noexcept {
  const auto either = [&](State s) {
    return seed == static_cast<std::uint8_t>(s) || old_byte == static_cast<std::uint8_t>(s);
  };
  if (either(State::NeedSync) || either(State::Syncing)) return State::NeedSync;
  if (either(State::Dirty)) return State::Dirty;
  if (either(State::Clean)) return State::Clean;
  return State::Unwritten;
}

namespace {

// The memory copy: at least the room and memory_chunks bytes; 7.3 reads only
// the pages holding the chunks it loads, the others are zero.
std::vector<std::uint8_t> memory_from(const ReshapeGeometry& g, std::vector<std::uint8_t> bytes, std::uint64_t loaded) {
  const std::uint64_t room = std::uint64_t{g.sectors_reserved} * 512;
  const std::uint64_t size = std::max<std::uint64_t>(
      {room > kStateOffset ? room - kStateOffset : 0, g.memory_chunks, g.old_side.chunks, bytes.size()});
  bytes.resize(size, 0);
  const std::uint64_t read_end = pages_used(loaded) * kPageBytes - kStateOffset;
  if (read_end < bytes.size()) std::fill(bytes.begin() + static_cast<std::ptrdiff_t>(read_end), bytes.end(), 0);
  return bytes;
}

}  // namespace

ReshapeRemap::ReshapeRemap(const ReshapeGeometry& geometry, std::vector<std::uint8_t> disk, std::uint64_t loaded_chunks)
    : geometry_(geometry),
      area_(memory_from(geometry, disk, loaded_chunks), geometry.memory_chunks, geometry.io_size),
      disk_(std::move(disk)),
      mode_{geometry.level, geometry.degraded, false} {
  disk_.resize(area_.bytes().size(), 0);
}

std::vector<std::uint64_t> ReshapeRemap::unplug() {
  std::vector<std::uint64_t> blocks = area_.take_pending();
  const auto memory = area_.bytes();
  for (const std::uint64_t b : blocks) {
    const std::uint64_t end = std::min<std::uint64_t>((b + 1) * geometry_.io_size, kStateOffset + memory.size());
    const std::uint64_t first = std::max<std::uint64_t>(b * geometry_.io_size, kStateOffset);
    if (end > first)
      std::copy(memory.begin() + static_cast<std::ptrdiff_t>(first - kStateOffset),
                memory.begin() + static_cast<std::ptrdiff_t>(end - kStateOffset),
                disk_.begin() + static_cast<std::ptrdiff_t>(first - kStateOffset));
  }
  return blocks;
}

CheckpointOutcome ReshapeRemap::mark(std::uint64_t old_pos, std::uint64_t new_pos) {
  CheckpointOutcome out;
  const SectorRange finished{std::min(old_pos, new_pos), std::max(old_pos, new_pos)};
  if (!geometry_.remapped || finished.end == finished.start) return out;
  const auto old_range = map_to_side(geometry_, true, finished);
  const auto new_range = map_to_side(geometry_, false, finished);
  if (!new_range) return out;
  const std::uint64_t cs_new = geometry_.new_side.chunk_sectors;
  const std::uint64_t cs_old = geometry_.old_side.chunk_sectors;
  const std::uint64_t dst_first = new_range->start / cs_new;
  const std::uint64_t dst_last = (new_range->end - 1) / cs_new;
  if (old_range) {
    const std::uint64_t src_first = old_range->start / cs_old;
    const std::uint64_t src_last = (old_range->end - 1) / cs_old;
    out.walked_backwards = src_first < dst_first && src_last >= dst_first;
  }
  const auto memory = area_.bytes();
  const auto read = [&](std::uint64_t i) { return i < memory.size() ? memory[i] : kUnwritten; };
  for (std::uint64_t k = 0; k <= dst_last - dst_first; ++k) {
    const std::uint64_t dst = out.walked_backwards ? dst_last - k : dst_first + k;
    const SectorRange part{std::max(dst * cs_new, new_range->start), std::min(dst * cs_new + cs_new, new_range->end)};
    // The seed: the chunk's own byte if part of it was remapped before, else Unwritten.
    const bool remapped_before =
        geometry_.backwards ? dst * cs_new + cs_new > new_range->end : dst * cs_new < new_range->start;
    std::uint8_t state = remapped_before ? read(dst) : kUnwritten;
    if (const auto slice = old_slice(old_range, *new_range, part)) {
      for (std::uint64_t bit = slice->start / cs_old; bit <= (slice->end - 1) / cs_old; ++bit)
        state = static_cast<std::uint8_t>(reshape_merge(state, read(bit)));
    } else {
      state = static_cast<std::uint8_t>(reshape_merge(state, kUnwritten));
    }
    out.coalesced += area_.write(dst, static_cast<State>(state), mode_);
  }
  out.remapped = ChunkRange{dst_first, dst_last};
  out.written_blocks = unplug();
  for (std::uint64_t i = dst_first; i <= dst_last;) {
    if (memory[i] == disk_[i]) {
      ++i;
      continue;
    }
    const std::uint64_t first = i;
    while (i <= dst_last && memory[i] != disk_[i]) ++i;
    out.memory_only.push_back({first, i - 1});
  }
  return out;
}

ActionOutcome ReshapeRemap::apply(Action action, std::uint64_t chunks) {
  ActionOutcome outcome = chunks == 0 ? ActionOutcome{} : area_.apply(action, 0, chunks - 1, mode_);
  unplug();
  return outcome;
}

void ReshapeRemap::flush_all() {
  area_.take_pending();
  std::copy(area_.bytes().begin(), area_.bytes().end(), disk_.begin());
}

void ReshapeRemap::clear(std::uint64_t first, std::uint64_t end) noexcept {
  for (std::uint64_t i = first; i < end && i < area_.bytes().size(); ++i) area_.set(i, kUnwritten);
}

std::string_view reshape_refusal_name(ReshapeRefusalReason reason) noexcept {
  switch (reason) {
    case ReshapeRefusalReason::smaller_chunk: return "smaller-chunk";
    case ReshapeRefusalReason::bitmap_needs_sync: return "bitmap-needs-sync";
    case ReshapeRefusalReason::resync_pending: return "resync-pending";
    case ReshapeRefusalReason::sync_running: return "sync-running";
    case ReshapeRefusalReason::far_layout: return "far-layout";
    case ReshapeRefusalReason::copies_change: return "copies-change";
  }
  return "unknown";
}

std::vector<ReshapeRefusal> reshape_refusals(const ReshapeGeometry& g, std::span<const std::uint8_t> memory,
                                             const ReshapeStartState& start) {
  std::vector<ReshapeRefusal> out;
  if (!g.remapped) return out;
  const ReshapeShape& from = g.old_side.shape;
  const ReshapeShape& to = g.new_side.shape;
  const bool copies = counts_array_sectors(g.level);
  const auto before = raid10_copies(from.layout);
  const auto after = raid10_copies(to.layout);
  const auto far = [](const Raid10Copies& c) { return c.far_copies > 1 && !c.far_offset; };
  // md (update_raid_disks), then the personality's check_reshape, then its start_reshape.
  if (start.sync_running) out.push_back({ReshapeRefusalReason::sync_running, "EBUSY", {}});
  if (copies && (far(before) || far(after))) out.push_back({ReshapeRefusalReason::far_layout, "EINVAL", {}});
  if (to.chunk_sectors < from.chunk_sectors) out.push_back({ReshapeRefusalReason::smaller_chunk, "EOPNOTSUPP", {}});
  if (copies && before.near_copies * before.far_copies != after.near_copies * after.far_copies)
    out.push_back({ReshapeRefusalReason::copies_change, "EINVAL", {}});
  if (copies) {
    auto busy = runs_where(memory, 0, [](std::uint8_t b) {
      return b == static_cast<std::uint8_t>(State::NeedSync) || b == static_cast<std::uint8_t>(State::Syncing);
    });
    if (!busy.empty()) out.push_back({ReshapeRefusalReason::bitmap_needs_sync, "EBUSY", std::move(busy)});
  } else if (start.resync_offset) {
    out.push_back({ReshapeRefusalReason::resync_pending, "EBUSY", {}});
  }
  return out;
}

namespace {

// The checkpoints of the walk, from `from` to the end (backwards: to 0), at multiples of `step`.
std::uint64_t walk(ReshapeRemap& remap, const ReshapeGeometry& g, std::uint64_t from, std::uint64_t step,
                   std::uint64_t& coalesced) {
  std::uint64_t checkpoints = 0;
  std::uint64_t pos = from;
  while (g.backwards ? pos > 0 : pos < g.span_sectors) {
    const std::uint64_t next = g.backwards ? (pos - 1) / step * step : std::min(g.span_sectors, (pos / step + 1) * step);
    coalesced += remap.mark(pos, next).coalesced;
    pos = next;
    ++checkpoints;
  }
  return checkpoints;
}

// The walk at the kernel's own checkpoints, then the rest to the end (end_reshape).
std::uint64_t walk_at(ReshapeRemap& remap, const ReshapeGeometry& g, std::uint64_t from,
                      const std::vector<std::uint64_t>& checkpoints, std::uint64_t& coalesced) {
  const std::uint64_t end = g.backwards ? 0 : g.span_sectors;
  std::uint64_t pos = from;
  for (std::size_t i = 0; i < checkpoints.size(); ++i) {
    const std::uint64_t next = checkpoints[i];
    if (g.backwards ? !(next < pos) : !(next > pos && next <= end))
      bad_value(fmt::format("checkpoints[{}]", i), next,
                fmt::format("not {} the one before ({}) within the reshape (0..{} sectors)", g.backwards ? "below" : "above",
                            pos, g.span_sectors));
    coalesced += remap.mark(pos, next).coalesced;
    pos = next;
  }
  if (pos != end) coalesced += remap.mark(pos, end).coalesced;
  return checkpoints.size() + (pos != end ? 1 : 0);
}

// The resync after the reshape, walked as replay-resync walks one: the
// finish left no Dirty chunk (its daemon pass), so the load changes nothing.
void replay_follow_up(const ReshapeGeometry& g, std::uint32_t io_size, std::span<const std::uint8_t> bytes,
                      ReshapeFollowUp& f) {
  ReplayGeometry rg;
  rg.chunk_sectors = g.new_side.chunk_sectors;
  rg.chunks = g.new_side.chunks;
  rg.sync_sectors = g.new_side.sync_sectors;
  rg.io_size = io_size;
  ReplaySetup setup;
  setup.level = g.level;
  setup.degraded = g.degraded;
  setup.layout = g.new_side.shape.layout;
  setup.md_chunk_sectors = g.new_side.shape.chunk_sectors;
  setup.unclean = true;  // raid5_finish_reshape: resync_offset = 0
  setup.kernel = KernelSeries::linux_7_3;
  const ReplayResult r = replay_bytes(std::vector<std::uint8_t>(bytes.begin(), bytes.end()), rg, setup);
  f.after_sync = r.after_sync;
  f.end = r.end;
  f.end_bytes.assign(r.end_bytes.begin(), r.end_bytes.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(r.end_bytes.size(), rg.chunks)));
}

// What md sets after llbitmap_reshape_finish (section 9.4.5).
ReshapeFollowUp follow_up(const ReshapeGeometry& g, std::uint32_t io_size, std::span<const std::uint8_t> bytes) {
  ReshapeFollowUp f;
  // raid5_finish_reshape sets resync_offset = 0, raid10_finish_reshape (a
  // growth) the old size; either way the resync starts at sector 0, because
  // md_sync_position starts every resync of an array with a bitmap there
  // (the kernel resynced NeedSync chunks below the old end of a resumed
  // raid10 growth under qemu).
  f.resync = maps_stripe_rows(g.level) || g.delta_disks() > 0;
  if (!f.resync) return f;
  const auto chunks = bytes.first(g.new_side.chunks);
  f.need_sync = runs_where(chunks, 0, [](std::uint8_t b) { return b == static_cast<std::uint8_t>(State::NeedSync); });
  f.need_sync_chunks = chunks_in(f.need_sync);
  f.skipped_unwritten = count_states(chunks).of(State::Unwritten);
  replay_follow_up(g, io_size, bytes, f);
  return f;
}

}  // namespace

ReshapePreview preview_reshape(const ReshapePreviewRequest& rq) {
  ReshapePreview out;
  out.geometry = reshape_geometry(rq.reshape);
  const ReshapeGeometry& g = out.geometry;
  const auto given = std::span<const std::uint8_t>(rq.bytes);
  out.before = count_states(given.first(std::min<std::size_t>(given.size(), g.header_chunks)));
  if (!g.remapped) {  // raid1: the bytes are left alone
    out.bytes = rq.bytes;
    out.after_load = out.after = out.before;
    out.chunk_sectors = g.old_side.chunk_sectors;
    out.sync_sectors = g.header_sync_sectors;
    out.chunks = g.header_chunks;
    return out;
  }
  if (rq.resume_from && *rq.resume_from > g.span_sectors)
    bad_value("resume_from", *rq.resume_from, "past the end of the reshape (" + std::to_string(g.span_sectors) + " sectors)");
  // Before a start the kernel holds the header's chunks; resuming, max(old, new).
  const std::uint64_t loaded = rq.resume_from ? g.memory_chunks : g.header_chunks;
  ReshapeRemap remap(g, rq.bytes, loaded);
  out.stale = rq.reload && rq.stale;
  if (rq.reload) remap.apply(out.stale ? Action::Stale : Action::Reload, loaded);
  out.after_load = count_states(remap.memory().first(loaded));
  if (!rq.resume_from) {
    out.refusals = reshape_refusals(g, remap.memory().first(loaded), rq.start);
    if (counts_array_sectors(g.level) && g.delta_disks() != 0) {
      // raid10 start (llbitmap_resize): a daemon pass and a flush, the new chunks zeroed, a flush.
      remap.apply(Action::Daemon, loaded);
      remap.clear(loaded, g.new_side.chunks);
      remap.flush_all();
    }
  }
  out.alignment_sectors = alignment_of(g);
  const std::uint64_t from = rq.resume_from.value_or(g.backwards ? g.span_sectors : 0);
  if (!rq.checkpoints.empty()) {
    out.kernel_checkpoints = true;
    out.checkpoints = walk_at(remap, g, from, rq.checkpoints, out.coalesced);
  } else {
    const std::uint64_t asked = std::max<std::uint64_t>(rq.checkpoint_sectors, 1);
    out.checkpoint_sectors = div_round_up(asked, out.alignment_sectors) * out.alignment_sectors;
    out.checkpoints = walk(remap, g, from, out.checkpoint_sectors, out.coalesced);
  }
  // llbitmap_reshape_finish: a daemon pass and a full flush, the new header, another flush.
  remap.apply(Action::Daemon, g.memory_chunks);
  remap.flush_all();
  out.bytes.assign(remap.memory().begin(), remap.memory().end());
  out.chunk_sectors = g.new_side.chunk_sectors;
  out.sync_sectors = g.new_side.sync_sectors;
  out.chunks = g.new_side.chunks;
  out.after = count_states(std::span<const std::uint8_t>(out.bytes).first(out.chunks));
  out.follow_up = follow_up(g, rq.reshape.io_size, out.bytes);
  return out;
}

}  // namespace llbmp
