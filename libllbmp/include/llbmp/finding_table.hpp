// The one table of findings: every finding the library (and check's
// unreadable device) reports has a stable kebab-case id, a severity and one
// sentence that describes it in general. A Finding carries its id; its
// message keeps the values of the instance. llbitmap-check(8) lists this
// table (tests/unit/format/test_finding_table.cpp compares them).
//
// One id has one severity: where one kind of problem is harmless in one case
// and dangerous in another (the bad-block log over the bitmap), each case has
// its own id. To add a finding: add its id to FindingId and its row to the
// table in libllbmp/format/finding_table.cpp (same order), and its entry to
// the man page. While the SOVERSION is 0 the numbers of FindingId may change
// from one release to the next: a program compares the stable ids (name).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include <llbmp/export.hpp>

namespace llbmp {

enum class Severity {
  info,     // worth knowing, nothing wrong (e.g. FIRST_USE: the kernel will initialise it)
  warning,  // the kernel accepts it, but it is risky or unusual
  error,    // the kernel refuses it or data safety is at stake: exit status 1
};

LLBMP_API const char* severity_name(Severity severity) noexcept;

enum class FindingId : std::uint8_t {
  // the md superblock of one member
  md_bad_magic,
  md_unsupported_version,
  md_too_many_devices,
  md_checksum_mismatch,
  md_unknown_features,
  md_ppl_with_bitmap,
  md_data_inside_superblock,
  md_data_into_superblock,
  md_data_past_device,
  md_raid_disks_out_of_range,
  md_unknown_level,
  md_bad_raid_chunk,
  md_bitmap_on_raid0_or_linear,
  md_too_few_devices,
  md_raid10_copies,
  md_size_past_data,
  md_bitmap_outside_device,
  md_reshape_disks_out_of_range,
  md_reshape_bad_chunk,
  md_no_bitmap,
  // the bad-block log over the bitmap area
  bblog_overlaps_bitmap,
  bblog_overlaps_states,
  bblog_overlaps_reserved,
  // the bitmap header of one member
  bitmap_bad_magic,
  bitmap_unknown_version,
  bitmap_uuid_mismatch,
  bitmap_write_error,
  bitmap_runtime_flag,
  bitmap_first_use,
  bitmap_no_reserved_area,
  bitmap_reserved_past_room,
  bitmap_chunksize_not_power_of_two,
  bitmap_daemon_sleep_zero,
  bitmap_sync_size_larger,
  bitmap_sync_size_smaller,
  bitmap_sync_size_zero,
  bitmap_states_past_count,
  bitmap_chunks_exceed_kernel_room,
  bitmap_states_past_reserved,
  bitmap_states_past_device,
  bitmap_invalid_states,
  bitmap_classic_chunksize,
  bitmap_sync_size_overflow,
  bitmap_too_many_nodes,
  bitmap_classic_past_room,
  bitmap_node_bad_magic,
  bitmap_area_in_md_superblock,
  bitmap_area_in_data,
  bitmap_states_into_md_superblock,
  bitmap_states_into_data,
  bitmap_events_stale,
  bitmap_stale_flag,
  // a member mid-reshape (ONDISK.md 9.4-9.6)
  reshape_misread_before_7_3,
  reshape_merge_maybe_not_on_disk,
  reshape_header_already_new,
  reshape_memory_past_reserved,
  // the members against each other
  device_given_twice,
  member_duplicate_uuid,
  member_duplicate_role,
  md_fields_differ,
  md_events_behind,
  bitmap_presence_differs,
  bitmap_fields_differ,
  bitmap_events_behind,
  bitmap_mdadm_add_leftover,
  bitmap_block_differs,
  bitmap_states_differ,
  bitmap_bits_differ,
  // a device check cannot read as a member
  device_unreadable,
};

struct FindingKind {
  FindingId id;
  std::string_view name;         // the stable id, kebab-case: "md-checksum-mismatch"
  Severity severity;
  std::string_view description;  // one sentence, as llbitmap-check(8) gives it
};

// Every kind, in FindingId order.
LLBMP_API std::span<const FindingKind> finding_table() noexcept;
LLBMP_API const FindingKind& finding_kind(FindingId id) noexcept;

}  // namespace llbmp
