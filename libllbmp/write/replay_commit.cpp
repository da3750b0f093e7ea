#include "write/replay_commit.hpp"

#include <algorithm>
#include <fmt/format.h>

#include "llbmp/error.hpp"
#include "write/write_common.hpp"

namespace llbmp {

WritePlan plan_replay_commit(const std::vector<Member>& members, const ReplayResult& result) {
  for (const auto& m : members) refuse_mid_reshape(m);
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
