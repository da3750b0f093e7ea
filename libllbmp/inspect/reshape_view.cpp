#include "inspect/reshape_view.hpp"

#include <algorithm>
#include <span>

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

}  // namespace

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
