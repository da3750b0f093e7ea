#include "inspect/reshape_view.hpp"

#include <algorithm>
#include <span>

#include <fmt/format.h>

#include "format/geometry.hpp"
#include "inspect/member.hpp"

namespace llbmp {

namespace {

ReshapeShape old_shape_of(const MdSuperblock& md) {
  return {static_cast<std::uint32_t>(std::clamp<std::int64_t>(md.old_raid_disks(), 0, kMdMaxDevices)), md.chunksize, md.layout};
}

ReshapeRequest request_of(const Member& m, const BitmapSuper& sb) {
  ReshapeRequest r;
  r.level = m.md.level;
  r.old_shape = old_shape_of(m.md);
  r.new_shape = {m.md.raid_disks, m.md.new_chunk, m.md.new_layout};
  r.member_sectors = m.md.size;
  r.bitmap_chunk_sectors = sb.chunksize;
  r.header_sync_sectors = sb.sync_size;
  r.sectors_reserved = sb.sectors_reserved;
  r.backwards = m.md.reshape_backwards();
  r.io_size = m.logical_block_size;
  r.degraded = m.md.degraded();
  return r;
}

// The state bytes of indices [first, end) that the member holds.
ReshapeSideView side_view(std::span<const std::uint8_t> states, IndexRange range) {
  const std::uint64_t first = std::min<std::uint64_t>(range.first, states.size());
  const std::uint64_t end = std::clamp<std::uint64_t>(range.end, first, states.size());
  return {range, count_states(states.subspan(first, end - first))};
}

void add_sides(MemberReshape& out, const Member& m, const ReshapeGeometry& g) {
  out.span_sectors = g.span_sectors;
  out.header_chunks = g.header_chunks;
  out.memory_chunks = g.memory_chunks;
  out.new_chunk_sectors = g.new_side.chunk_sectors;
  out.remapped = g.remapped;
  if (!g.remapped) return;
  const ReshapeSides sides = reshape_sides(g, out.position);
  const auto& area = m.bitmap->area;
  const std::span<const std::uint8_t> states =
      area.size() > kStateOffset ? std::span<const std::uint8_t>(area).subspan(kStateOffset) : std::span<const std::uint8_t>();
  out.overlap = sides.overlap;
  out.new_side = side_view(states, sides.new_indices);
  out.old_side = side_view(states, sides.old_indices);
  out.leftovers = side_view(states, sides.leftovers);
}

std::span<const std::uint8_t> state_span(const Member& m) {
  const auto& area = m.bitmap->area;
  return area.size() > kStateOffset ? std::span<const std::uint8_t>(area).subspan(kStateOffset) : std::span<const std::uint8_t>();
}

bool written_result(std::uint8_t b) {
  return b == static_cast<std::uint8_t>(State::Dirty) || b == static_cast<std::uint8_t>(State::NeedSync) ||
         b == static_cast<std::uint8_t>(State::Syncing);
}

std::string ranges_text(const std::vector<ChunkRange>& ranges, std::size_t most = 8) {
  std::string out;
  for (std::size_t i = 0; i < ranges.size() && i < most; ++i)
    out += fmt::format("{}{}", i == 0 ? "" : ", ", ranges[i].first == ranges[i].last ? fmt::format("{}", ranges[i].first)
                                                                                      : fmt::format("{}-{}", ranges[i].first, ranges[i].last));
  if (ranges.size() > most) out += fmt::format(" and {} more range{}", ranges.size() - most, ranges.size() - most == 1 ? "" : "s");
  return out;
}

// The new side's bytes that a remap may not have written (9.5): Clean and the Unwritten kinds.
void unwritten_merges(const Member& m, const ReshapeGeometry& g, Findings& out) {
  const IndexRange side = reshape_sides(g, m.md.reshape_position).new_indices;
  const auto states = state_span(m);
  const std::uint64_t end = std::min<std::uint64_t>(side.end, states.size());
  if (side.first >= end) return;
  std::vector<ChunkRange> ranges;
  std::uint64_t n = 0;
  for (const auto& run : state_runs(states.subspan(side.first, end - side.first), side.first)) {
    if (written_result(run.byte) || !is_valid_state(run.byte)) continue;
    if (!ranges.empty() && ranges.back().last + 1 == run.first) ranges.back().last = run.last;
    else ranges.push_back({run.first, run.last});
    n += run.last - run.first + 1;
  }
  if (ranges.empty()) return;
  out.push_back({FindingId::reshape_merge_maybe_not_on_disk, "bitmap.states", ranges_text(ranges),
                 fmt::format("{} new-side chunk{} read Clean or Unwritten: the remap writes only its Dirty and NeedSync results "
                             "before the md superblock, so after a crash or reset these may still be the pre-reshape bytes of "
                             "those indices (a clean stop flushes every byte; 7.3 does not remap them again)",
                             n, n == 1 ? "" : "s")});
}

void memory_room(const BitmapSuper& sb, const ReshapeGeometry& g, Findings& out) {
  const std::uint64_t room = std::uint64_t{sb.sectors_reserved} * 512;
  const std::uint64_t end = kStateOffset + g.memory_chunks;
  if (end <= room) return;
  out.push_back({FindingId::reshape_memory_past_reserved, "bitmap.sectors_reserved", std::to_string(sb.sectors_reserved),
                 fmt::format("during the reshape the kernel holds max({}, {}) = {} chunk bytes, which end at byte {} of the "
                             "area, past the reserved room of {} bytes",
                             g.header_chunks, g.new_side.chunks, g.memory_chunks, end, room)});
}

// The header already has the new side's sync_size (and chunk): the finish wrote it, the md superblock did not follow.
bool header_already_new(const Member& m, const BitmapSuper& sb, Findings& out) {
  ReshapeRequest r = request_of(m, sb);
  r.header_sync_sectors = 0;  // the old array's
  ReshapeGeometry g;
  try {
    g = reshape_geometry(r);
  } catch (const Error&) {
    return false;
  }
  if (!g.remapped || sb.sync_size == 0 || sb.sync_size == g.header_sync_sectors || sb.sync_size != g.new_side.sync_sectors)
    return false;
  out.push_back({FindingId::reshape_header_already_new, "bitmap.sync_size", std::to_string(sb.sync_size),
                 fmt::format("the new geometry's sync_size (chunk {} sectors), not the old one's {}, while md is still "
                             "mid-reshape at {}: a crash between llbitmap_reshape_finish's header write and the md superblock "
                             "that ends the reshape; the next assembly takes the new header for the old side",
                             sb.chunksize, g.header_sync_sectors, m.md.reshape_position)});
  return true;
}

}  // namespace

ReshapeRequest reshape_request_of(const Member& m) { return request_of(m, m.bitmap->sb); }

Findings reshape_findings(const Member& m) {
  Findings out;
  if (!m.md.reshape_active() || !m.bitmap || !m.bitmap->sb.lockless() || m.bitmap->sb.awaiting_kernel_init()) return out;
  const BitmapSuper& sb = m.bitmap->sb;
  const bool already_new = header_already_new(m, sb, out);
  ReshapeGeometry g;
  try {
    g = reshape_geometry(request_of(m, sb));
  } catch (const Error&) {
    return out;  // examine's reshape lines name the field; the md and header findings say the rest
  }
  if (!g.remapped) return out;  // raid1: the bytes stay as they are
  out.insert(out.begin(), Finding{FindingId::reshape_misread_before_7_3, "md.feature_map", "reshape_active",
                                  "an llbitmap mid-reshape: Linux 7.2 and 6.18 have no remap (they read every byte in the "
                                  "header's old geometry and skip Unwritten chunks even in the reshape), so they misread it; "
                                  "assemble this array under 7.3"});
  if (!already_new) unwritten_merges(m, g, out);
  memory_room(sb, g, out);
  return out;
}

double MemberReshape::percent() const noexcept {
  if (span_sectors == 0) return 0;
  return 100.0 * static_cast<double>(std::min(position, span_sectors)) / static_cast<double>(span_sectors);
}

std::optional<MemberReshape> member_reshape(const Member& m) {
  if (!m.md.reshape_active()) return std::nullopt;
  MemberReshape out;
  out.position = m.md.reshape_position;
  out.backwards = m.md.reshape_backwards();
  out.old_level = m.md.level;
  out.new_level = m.md.new_level;
  out.old_shape = old_shape_of(m.md);
  out.new_shape = {m.md.raid_disks, m.md.new_chunk, m.md.new_layout};
  if (!m.bitmap || !m.bitmap->sb.lockless() || m.bitmap->sb.awaiting_kernel_init()) {
    out.unmodelled = "no initialised llbitmap on this member";
    return out;
  }
  const BitmapSuper& sb = m.bitmap->sb;
  out.header_chunk_sectors = sb.chunksize;
  out.header_sync_sectors = sb.sync_size;
  try {
    add_sides(out, m, reshape_geometry(request_of(m, sb)));
  } catch (const Error& e) {
    out.unmodelled = e.field() + " " + e.value() + ": " + e.message();
  }
  return out;
}

std::optional<ArrayReshape> array_reshape(const std::vector<Member>& members) {
  if (members.empty()) return std::nullopt;
  const Member& source = members[kernel_source_member(members)];
  if (auto view = member_reshape(source)) return ArrayReshape{source.device, std::move(*view)};
  for (const auto& m : members)
    if (auto view = member_reshape(m)) return ArrayReshape{m.device, std::move(*view)};
  return std::nullopt;
}

}  // namespace llbmp
