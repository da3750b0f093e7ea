#include "llbmp/edit.hpp"

#include <fmt/core.h>

#include "llbmp/error.hpp"
#include "llbmp/geometry.hpp"
#include "llbmp/write_common.hpp"

namespace llbmp {

namespace {

enum Phase : std::size_t { kMarkStale, kStates, kHeader };

BitmapSuper edited_header(const Member& m, const EditSpec& s) {
  BitmapSuper sb = m.bitmap->sb;
  if (s.events) sb.events = *s.events;
  if (s.events_cleared) sb.events_cleared = *s.events_cleared;
  if (s.sync_size) sb.sync_size = *s.sync_size;
  if (s.daemon_sleep) sb.daemon_sleep = *s.daemon_sleep;
  for (const auto f : s.set_flags) sb.set(f, true);
  for (const auto f : s.clear_flags) sb.set(f, false);
  return sb;
}

void refuse_without_force(const Member& m, const BitmapSuper& sb, const EditSpec& s) {
  if (s.force) return;
  if (sb.daemon_sleep == 0)
    throw Error(m.device, "bitmap.daemon_sleep", "0", "the kernel refuses a bitmap with daemon_sleep 0 (--force writes it anyway)");
  for (const auto f : s.set_flags)
    if (f == BitmapFlag::first_use || f == BitmapFlag::write_error)
      throw Error(m.device, "bitmap.state", flag_mask(f) == flag_mask(BitmapFlag::first_use) ? "first_use" : "write_error",
                  "the kernel then re-initialises or ignores the bitmap (--force sets it anyway)");
}

}  // namespace

bool EditSpec::changes_header() const noexcept {
  return events || events_cleared || sync_size || daemon_sleep || !set_flags.empty() || !clear_flags.empty();
}

EditPlan plan_edit(const std::vector<Member>& members, const EditSpec& s) {
  if (!s.changes_states() && !s.changes_header()) throw Error("", "edit", "nothing", "no edit given");
  EditPlan plan;
  plan.writes.phase_names = {"mark the bitmap stale", "write the chunk states", "write the bitmap header"};
  for (const Member& m : members) {
    if (!m.bitmap) throw Error(m.device, "md.feature_map", fmt::format("{:#x}", m.md.feature_map), "this member has no bitmap");
    EditedMember e{m.device, m.bitmap->sb, edited_header(m, s), {}, {}};
    refuse_without_force(m, e.after, s);
    plan.writes.member(m.device).room = metadata_room(m);
    if (s.changes_states()) {
      if (!m.bitmap->lockless)
        throw Error(m.device, "bitmap.version", std::to_string(m.bitmap->sb.version),
                    m.bitmap->sb.awaiting_kernel_init() ? "a FIRST_USE llbitmap has no chunk states yet" : "chunk states are an llbitmap's (version 6)");
      std::vector<std::uint8_t> states = m.bitmap->lockless->states;
      e.counts_before = count_states(states);
      apply_state_spec(s.states, states, m.device);
      for (const auto& [chunk, byte] : s.raw_bytes) {
        if (chunk >= states.size())
          throw Error(m.device, "raw-byte", std::to_string(chunk), fmt::format("past the last chunk ({})", states.size() - 1));
        states[chunk] = byte;
      }
      e.counts_after = count_states(states);
      plan.writes.add(m.device, kMarkStale, m.bitmap->area_offset, stale_header_bytes(m.bitmap->sb));
      add_changed_blocks(plan.writes, m.device, kStates, m.bitmap->area_offset + kStateOffset, m.bitmap->lockless->states, states);
    }
    const auto header = encode_bitmap_super(e.after);
    plan.writes.add(m.device, kHeader, m.bitmap->area_offset, {header.begin(), header.end()});
    plan.members.push_back(std::move(e));
  }
  drop_empty_phases(plan.writes);
  check_plan(plan.writes);
  return plan;
}

}  // namespace llbmp
