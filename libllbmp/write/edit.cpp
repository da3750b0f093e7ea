#include "write/edit.hpp"

#include <algorithm>
#include <fmt/core.h>

#include "llbmp/error.hpp"
#include "format/geometry.hpp"
#include "write/write_common.hpp"

namespace llbmp {

namespace {

BitmapSuper edited_header(const Member& m, const EditSpec& s) {
  BitmapSuper sb = m.bitmap->sb;
  for (const auto& f : s.fields) {
    try {
      set_bitmap_field(sb, f.field, f.value);
    } catch (const Error& e) {
      throw Error(m.device, e.field(), e.value(), e.message(), e.kind());
    }
  }
  for (const auto f : s.set_flags) sb.set(f, true);
  for (const auto f : s.clear_flags) sb.set(f, false);
  return sb;
}

std::vector<FieldChange> header_changes(const BitmapSuper& before, const BitmapSuper& after) {
  std::vector<FieldChange> out;
  for (const char* name : kBitmapFieldNames) {
    const auto old_text = bitmap_field_text(before, name);
    const auto new_text = bitmap_field_text(after, name);
    if (old_text != new_text) out.push_back({name, old_text, new_text});
  }
  return out;
}

// FIRST_USE and WRITE_ERROR pass the load checks but make the kernel
// re-initialise or ignore the bitmap; whether set as a flag or through the
// state field, turning one on needs force.
void refuse_without_force(const Member& m, const BitmapSuper& before, const BitmapSuper& after, const EditSpec& s) {
  if (s.force) return;
  for (const auto& refusal : kernel_load_refusals(m, after))
    throw Error(m.device, refusal.field, refusal.value, refusal.message, ErrorKind::refused);
  // A 7.3 kernel keeps a smaller sync_size and tracks only its chunks (7.2.13 ignores it).
  const std::uint64_t array_sync = m.md.resync_sectors();
  if (after.lockless() && after.sync_size != before.sync_size && after.sync_size != 0 && after.sync_size < array_sync)
    throw Error(m.device, "bitmap.sync_size", std::to_string(after.sync_size),
                fmt::format("smaller than the array's resync size ({} sectors): a 7.3 kernel would track only the first {} "
                            "sectors",
                            array_sync, after.sync_size),
                ErrorKind::refused);
  for (const auto f : {BitmapFlag::first_use, BitmapFlag::write_error})
    if (after.has(f) && !before.has(f))
      throw Error(m.device, "bitmap.state", f == BitmapFlag::first_use ? "first_use" : "write_error",
                  f == BitmapFlag::first_use ? "the kernel would re-initialise every chunk at the next assembly"
                                             : "the kernel would ignore the bitmap",
                  ErrorKind::refused);
}

std::vector<std::uint8_t> edited_states(const Member& m, const EditSpec& s) {
  if (!m.bitmap->lockless)
    throw Error(m.device, "bitmap.version", std::to_string(m.bitmap->sb.version),
                m.bitmap->sb.awaiting_kernel_init() ? "a FIRST_USE llbitmap has no chunk states yet" : "chunk states are an llbitmap's (version 6)");
  std::vector<std::uint8_t> states = m.bitmap->lockless->states;
  apply_state_spec(s.states, states, m.device);
  for (const auto& [chunk, byte] : s.raw_bytes) {
    if (chunk >= states.size())
      throw Error(m.device, "raw_bytes", std::to_string(chunk), fmt::format("past the last chunk ({})", states.size() - 1),
                  ErrorKind::bad_value);
    states[chunk] = byte;
  }
  return states;
}

// Every member must be editable before any is planned: a refusal on the
// last member writes nothing on the first.
EditedMember checked_edit(const Member& m, const EditSpec& s) {
  refuse_errors(m, {"md."});
  if (!m.bitmap) throw Error(m.device, "md.feature_map", fmt::format("{:#x}", m.md.feature_map), "this member has no bitmap");
  if (!s.force) refuse_mid_reshape(m);
  EditedMember e{m.device, m.bitmap->sb, edited_header(m, s), {}, {}, {}, 0, mid_reshape_risk(m)};
  e.changes = header_changes(e.before, e.after);
  refuse_without_force(m, e.before, e.after, s);
  return e;
}

}  // namespace

EditPlan plan_edit(const std::vector<Member>& members, const EditSpec& s) {
  if (!s.changes_states() && !s.changes_header()) throw Error("", "edit", "nothing", "no edit given", ErrorKind::bad_value);
  if (s.only_member && std::none_of(members.begin(), members.end(), [&](const Member& m) { return m.device == *s.only_member; }))
    throw Error(*s.only_member, "only_member", *s.only_member, "not among the devices given", ErrorKind::bad_value);
  EditPlan plan;
  plan.writes = bitmap_rewrite_plan();
  for (const Member& m : members) {
    EditedMember e = checked_edit(m, s);
    std::vector<std::uint8_t> states;
    if (s.changes_states()) {
      states = edited_states(m, s);
      e.counts_before = m.bitmap->lockless->counts;
      e.counts_after = count_states(states);
      const auto& old_states = m.bitmap->lockless->states;
      for (std::size_t c = 0; c < states.size(); ++c) e.chunks_changed += states[c] != old_states[c] ? 1 : 0;
    }
    if (s.only_member && m.device != *s.only_member) continue;
    BitmapBody body{m.bitmap->area_offset + kStateOffset, states, {}};
    if (s.changes_states()) body.before = m.bitmap->lockless->states;
    add_bitmap_rewrite(plan.writes, m, body, e.after);
    plan.members.push_back(std::move(e));
  }
  drop_empty_phases(plan.writes);
  check_plan(plan.writes);
  return plan;
}

}  // namespace llbmp
