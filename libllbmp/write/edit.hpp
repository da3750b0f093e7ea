// Editing bitmaps for test harnesses and repair by hand (`llbitmap edit`):
// chunk states, header fields and flags, on one member or several, through
// the one write path. Editing one member of an array is how a harness makes
// the members disagree (a torn bitmap) on purpose.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "format/bitmap_super.hpp"
#include "inspect/member.hpp"
#include "engine/state_spec.hpp"
#include "write/write_plan.hpp"

namespace llbmp {

struct FieldAssignment {
  std::string field;  // a bitmap_super_t name (kBitmapFieldNames)
  std::string value;  // as set_bitmap_field takes it
};

struct EditSpec {
  // Chunk states and raw bytes apply to the chunks of the header as read;
  // header fields change only the header (a new chunksize reinterprets the
  // state bytes already there, as a dd of the header would).
  std::vector<StateAssignment> states;  // llbitmap chunk states
  std::vector<std::pair<std::uint64_t, std::uint8_t>> raw_bytes;  // chunk, any byte (invalid ones too)
  std::vector<FieldAssignment> fields;  // applied in order
  std::vector<BitmapFlag> set_flags, clear_flags;
  std::optional<std::string> only_member;  // write this member alone; the others are only checked
  bool force = false;  // write what the kernel refuses to load, FIRST_USE or WRITE_ERROR, or onto a member mid-reshape

  bool changes_states() const noexcept { return !states.empty() || !raw_bytes.empty(); }
  bool changes_header() const noexcept { return !fields.empty() || !set_flags.empty() || !clear_flags.empty(); }
};

struct FieldChange {
  std::string field, before, after;
};

struct EditedMember {
  std::string device;
  BitmapSuper before, after;
  std::vector<FieldChange> changes;  // header fields whose value changes
  StateCounts counts_before, counts_after;
  std::uint64_t chunks_changed = 0;  // state bytes that change
  std::string reshape_risk;          // --force on a member mid-reshape: what the write risks (write/write_common.hpp)
};

struct EditPlan {
  WritePlan writes;
  std::vector<EditedMember> members;
};

// Checks every member (one array; each readable md superblock with a bitmap;
// states only on an initialised llbitmap; a result the kernel would refuse to
// load needs force) before planning the members to write (all, or
// only_member): the header marked STALE when states change, the states, the
// edited header last.
EditPlan plan_edit(const std::vector<Member>& members, const EditSpec& spec);

}  // namespace llbmp
