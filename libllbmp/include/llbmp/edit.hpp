// Editing bitmaps for test harnesses and repair by hand (`llbitmap edit`):
// chunk states, header fields and flags, on one member or several, through
// the one write path. Editing one member of an array is how a harness makes
// the members disagree (a torn bitmap) on purpose.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "llbmp/bitmap_super.hpp"
#include "llbmp/member.hpp"
#include "llbmp/state_spec.hpp"
#include "llbmp/write_plan.hpp"

namespace llbmp {

struct EditSpec {
  std::vector<StateAssignment> states;  // llbitmap chunk states
  std::vector<std::pair<std::uint64_t, std::uint8_t>> raw_bytes;  // chunk, any byte (invalid ones too)
  std::optional<std::uint64_t> events, events_cleared, sync_size;
  std::optional<std::uint32_t> daemon_sleep;
  std::vector<BitmapFlag> set_flags, clear_flags;
  bool force = false;  // allow values the kernel refuses (daemon_sleep 0, FIRST_USE, WRITE_ERROR)

  bool changes_states() const noexcept { return !states.empty() || !raw_bytes.empty(); }
  bool changes_header() const noexcept;
};

struct EditedMember {
  std::string device;
  BitmapSuper before, after;
  StateCounts counts_before, counts_after;
};

struct EditPlan {
  WritePlan writes;
  std::vector<EditedMember> members;
};

// Checks every member (each must have a bitmap; states only on an
// initialised llbitmap; refused values need force) before planning: the
// header marked STALE when states change, the states, the edited header last.
EditPlan plan_edit(const std::vector<Member>& members, const EditSpec& spec);

}  // namespace llbmp
