#include "llbmp/finding_table.hpp"

#include <array>

namespace llbmp {

namespace {

using enum FindingId;
using enum Severity;

constexpr FindingKind kTable[] = {
    {md_bad_magic, "md-bad-magic", error,
     "The md superblock has the wrong magic (md.magic, expected 0xa92b4efc): it is not an md superblock."},
    {md_unsupported_version, "md-unsupported-version", error,
     "The md superblock's major version is not 1 (md.major_version): only md v1.x superblocks are supported."},
    {md_too_many_devices, "md-too-many-devices", error,
     "The md superblock lists more than 1920 devices (md.max_dev): the kernel refuses it and the bitmap cannot be "
     "located."},
    {md_checksum_mismatch, "md-checksum-mismatch", error,
     "The md superblock's checksum does not match its bytes (md.sb_csum): the kernel refuses the member."},
    {md_unknown_features, "md-unknown-features", error,
     "The md superblock sets feature bits the kernel does not know (md.feature_map): the kernel refuses the member."},
    {md_ppl_with_bitmap, "md-ppl-with-bitmap", error,
     "The md superblock has a partial parity log (PPL) and a bitmap together (md.feature_map): the kernel refuses the "
     "member."},
    {md_data_inside_superblock, "md-data-inside-superblock", error,
     "On 1.1 and 1.2 the data area starts inside the md superblock (md.data_offset)."},
    {md_data_into_superblock, "md-data-into-superblock", error,
     "On 1.0 the data area runs into the md superblock at the end of the device (md.data_size)."},
    {md_data_past_device, "md-data-past-device", error, "The data area runs past the end of the device (md.data_size)."},
    {md_raid_disks_out_of_range, "md-raid-disks-out-of-range", error, "raid_disks is 0 or above 1920 (md.raid_disks)."},
    {md_unknown_level, "md-unknown-level", error,
     "A RAID level the kernel has no personality for (md.level)."},
    {md_bad_raid_chunk, "md-bad-raid-chunk", error,
     "A raid4, raid5, raid6 or raid10 chunk that is not a power of two of at least 8 sectors (md.chunksize): the kernel "
     "refuses it."},
    {md_bitmap_on_raid0_or_linear, "md-bitmap-on-raid0-or-linear", error,
     "A bitmap on a raid0 or linear array (md.level): md keeps no bitmap there and the kernel refuses to run it."},
    {md_too_few_devices, "md-too-few-devices", error,
     "Fewer devices than the level needs (md.raid_disks): raid6 4, raid4 and raid5 2, any other level 1; the kernel "
     "refuses it."},
    {md_raid10_copies, "md-raid10-copies", error,
     "A raid10 layout with fewer than 2 copies or more copies than devices (md.raid_disks): the kernel refuses it."},
    {md_size_past_data, "md-size-past-data", error,
     "The array uses more sectors per member than the data area holds (md.size)."},
    {md_bitmap_outside_device, "md-bitmap-outside-device", error,
     "The bitmap area lies outside the device (md.bitmap_offset)."},
    {md_reshape_disks_out_of_range, "md-reshape-disks-out-of-range", error,
     "Mid-reshape, the old device count raid_disks - delta_disks is 0 or above 1920 (md.delta_disks)."},
    {md_reshape_bad_chunk, "md-reshape-bad-chunk", error,
     "Mid-reshape, a raid4, raid5, raid6 or raid10 new chunk that is not a power of two of at least 8 sectors "
     "(md.new_chunk): the kernel refuses it."},
    {md_no_bitmap, "md-no-bitmap", info, "The member has no bitmap (md.feature_map)."},
    {bblog_overlaps_bitmap, "bblog-overlaps-bitmap", info,
     "The bad-block log overlaps the bitmap area while no bad block is recorded (md.bblog_offset, MD_FEATURE_BAD_BLOCKS "
     "clear): the kernel neither reads nor writes the log, so the overlap is harmless; mdadm 4.6 lays out every lockless "
     "array this way, the log at 16 sectors over the state bytes of chunks 3072 and up."},
    {bblog_overlaps_states, "bblog-overlaps-states", error,
     "The bad-block log overlaps the state bytes and bad blocks are recorded (md.bblog_offset): the log and the bitmap "
     "overwrite each other."},
    {bblog_overlaps_reserved, "bblog-overlaps-reserved", warning,
     "The bad-block log overlaps only the unused reserved bitmap area and bad blocks are recorded (md.bblog_offset): "
     "Linux 7.3 zeroes the unused reserved pages at a full flush."},
    {bitmap_bad_magic, "bitmap-bad-magic", error,
     "No bitmap superblock where the md superblock points (bitmap.magic, expected 0x6d746962)."},
    {bitmap_unknown_version, "bitmap-unknown-version", error,
     "A bitmap version other than 3, 4, 5 (classic) and 6 (llbitmap) (bitmap.version)."},
    {bitmap_uuid_mismatch, "bitmap-uuid-mismatch", error,
     "The bitmap's uuid is not the array's (bitmap.uuid): the kernel refuses the bitmap."},
    {bitmap_write_error, "bitmap-write-error", error,
     "The WRITE_ERROR flag is set (bitmap.state): the kernel ignores the bitmap and tracks no writes."},
    {bitmap_runtime_flag, "bitmap-runtime-flag", info,
     "DAEMON_BUSY or SHUTDOWN is set (bitmap.state): a runtime flag the kernel persisted."},
    {bitmap_first_use, "bitmap-first-use", info,
     "FIRST_USE, a bitmap mdadm created and no kernel has initialised yet (bitmap.state): the kernel chooses the chunk "
     "size and initialises every chunk at the next assembly."},
    {bitmap_no_reserved_area, "bitmap-no-reserved-area", error,
     "A version 6 bitmap without a reserved area (bitmap.sectors_reserved)."},
    {bitmap_reserved_past_room, "bitmap-reserved-past-room", error,
     "The reserved area runs past the room before the data area or the md superblock (bitmap.sectors_reserved)."},
    {bitmap_chunksize_not_power_of_two, "bitmap-chunksize-not-power-of-two", error,
     "An llbitmap chunk size (sectors) that is not a power of two (bitmap.chunksize)."},
    {bitmap_daemon_sleep_zero, "bitmap-daemon-sleep-zero", error,
     "A daemon_sleep below 1 second (bitmap.daemon_sleep): the kernel refuses the bitmap."},
    {bitmap_sync_size_larger, "bitmap-sync-size-larger", error,
     "A header sync_size above the array's resync size (bitmap.sync_size): 7.3 refuses to load the bitmap, 7.2.13 and "
     "6.18-era kernels ignore the header's sync_size."},
    {bitmap_sync_size_smaller, "bitmap-sync-size-smaller", warning,
     "A header sync_size below the array's resync size (bitmap.sync_size): 7.2.13 and 6.18-era kernels ignore it and "
     "cover the whole array, 7.3 covers only the chunks of the smaller size, so the kernels track different chunks."},
    {bitmap_sync_size_zero, "bitmap-sync-size-zero", info,
     "A header sync_size of 0, which stands for the array's resync size (bitmap.sync_size): every kernel covers the "
     "whole array."},
    {bitmap_states_past_count, "bitmap-states-past-count", warning,
     "State bytes past the last chunk the kernel covers, outside the last chunk's block (bitmap.states): 7.3 sets the "
     "chunks a shrink cuts to 0, so these are a resize by 7.2.13, which clears nothing, or damage."},
    {bitmap_chunks_exceed_kernel_room, "bitmap-chunks-exceed-kernel-room", error,
     "The chunks do not fit the kernel's bitmap room, the chunk size is too small for it (bitmap.chunksize): the kernel "
     "refuses the bitmap."},
    {bitmap_states_past_reserved, "bitmap-states-past-reserved", warning,
     "The chunk count passes the kernel's fit test, which ignores the 1 KiB header, but the state bytes end past the "
     "reserved area (bitmap.chunksize): the kernel uses a page past the area."},
    {bitmap_states_past_device, "bitmap-states-past-device", error,
     "The state bytes of the chunks run past the end of the device (bitmap.sync_size)."},
    {bitmap_invalid_states, "bitmap-invalid-states", error,
     "State bytes that are not states (bitmap.states; check gives them as runs): the kernel reads them as NeedSync."},
    {bitmap_classic_chunksize, "bitmap-classic-chunksize", error,
     "A classic chunk size (bytes) that is not a power of two of at least 512 (bitmap.chunksize)."},
    {bitmap_sync_size_overflow, "bitmap-sync-size-overflow", error,
     "A classic sync_size so large that the chunk count overflows (bitmap.sync_size)."},
    {bitmap_too_many_nodes, "bitmap-too-many-nodes", error, "More cluster nodes than md supports (bitmap.nodes)."},
    {bitmap_classic_past_room, "bitmap-classic-past-room", error,
     "The bits of a classic bitmap need more bytes than its room holds (bitmap.sync_size)."},
    {bitmap_node_bad_magic, "bitmap-node-bad-magic", error,
     "A cluster node's bitmap superblock has a bad magic (bitmap.nodeN.magic)."},
    {bitmap_area_in_md_superblock, "bitmap-area-in-md-superblock", error,
     "The bitmap area starts inside the md superblock (md.bitmap_offset): the two overwrite each other."},
    {bitmap_area_in_data, "bitmap-area-in-data", error,
     "The bitmap area starts inside the data area (md.bitmap_offset): the kernel writes an llbitmap over array data and "
     "refuses to write a classic bitmap there (WRITE_ERROR), so writes are not tracked."},
    {bitmap_states_into_md_superblock, "bitmap-states-into-md-superblock", error,
     "The state bytes run past the reserved area into the md superblock (bitmap.chunksize): the two overwrite each "
     "other."},
    {bitmap_states_into_data, "bitmap-states-into-data", error,
     "The state bytes run past the reserved area into the data area (bitmap.chunksize): the kernel writes the bitmap "
     "over array data."},
    {bitmap_events_stale, "bitmap-events-stale", error,
     "The bitmap's events are behind the member's md events (bitmap.events): the bitmap is stale, and the next assembly "
     "runs the kernel's Stale action (Clean, Dirty and Syncing chunks become NeedSync and are resynced, the Unwritten "
     "kinds become or stay Unwritten; a classic bitmap is recovered whole)."},
    {bitmap_stale_flag, "bitmap-stale-flag", error,
     "The STALE flag is set (bitmap.state): the next assembly runs the kernel's Stale action, as for "
     "bitmap-events-stale."},
    {reshape_misread_before_7_3, "reshape-misread-before-7-3", warning,
     "An llbitmap mid-reshape on raid10 or raid4/5/6 (md.feature_map reshape-active): Linux 7.2 and 6.18 have no remap, "
     "they read every byte in the header's old geometry and skip Unwritten chunks even in the reshape, so they misread "
     "it; assemble the array under 7.3."},
    {reshape_merge_maybe_not_on_disk, "reshape-merge-maybe-not-on-disk", warning,
     "New-side chunks of a member mid-reshape read Clean or Unwritten (bitmap.states): the remap writes only its Dirty "
     "and NeedSync results before the md superblock, so after a crash or reset these bytes may still be the "
     "pre-reshape bytes of those indices; a clean stop flushes every byte."},
    {reshape_header_already_new, "reshape-header-already-new", warning,
     "The bitmap header of a member mid-reshape already has the new geometry's sync_size (bitmap.sync_size): a crash "
     "between llbitmap_reshape_finish's header write and the md superblock that ends the reshape; the next assembly "
     "takes the new header for the old side."},
    {reshape_memory_past_reserved, "reshape-memory-past-reserved", error,
     "During the reshape the kernel holds max(old, new) chunk bytes (bitmap.sectors_reserved): from byte 1024 of the "
     "area they do not fit the reserved room, so its pages run past it."},
    {device_given_twice, "device-given-twice", error, "The same device is given twice (device)."},
    {member_duplicate_uuid, "member-duplicate-uuid", error,
     "Two members have the same device uuid (md.device_uuid): one is a copy of the other (dd, a snapshot) or the same "
     "device under two names; md takes only one of them."},
    {member_duplicate_role, "member-duplicate-role", error, "Two members claim the same role (md.role)."},
    {md_fields_differ, "md-fields-differ", error,
     "The md superblocks differ in md.set_uuid, md.level, md.layout, md.raid_disks or md.size: the devices are not "
     "members of one array."},
    {md_events_behind, "md-events-behind", warning,
     "A member's md events are behind the freshest member's (md.events): md will not trust it; it is re-added or "
     "recovered."},
    {bitmap_presence_differs, "bitmap-presence-differs", error,
     "Some members have a bitmap and others have none (bitmap)."},
    {bitmap_fields_differ, "bitmap-fields-differ", error,
     "The bitmap headers differ in bitmap.version, bitmap.chunksize, bitmap.sync_size, bitmap.sectors_reserved, "
     "bitmap.daemon_sleep, bitmap.events or bitmap.state."},
    {bitmap_events_behind, "bitmap-events-behind", warning,
     "A bitmap's events are behind the freshest md events of the members (bitmap.events): the bitmap is stale; the "
     "next assembly runs the kernel's Stale action, as for bitmap-events-stale."},
    {bitmap_mdadm_add_leftover, "bitmap-mdadm-add-leftover", warning,
     "Bytes 0xFF at chunk 3072 (page 1) or later and no other bytes that are not states (bitmap.states): what mdadm "
     "--add leaves on a new member of a lockless array (it writes 256 KiB of 0xFF, reading the chunk size in sectors "
     "as bytes) until the kernel writes those blocks back (7.3 writes its unused pages as zeros). The kernel loads the "
     "pages from the first in-sync member; if that is this one, these chunks are NeedSync: a resync of them, no data "
     "at risk."},
    {bitmap_block_differs, "bitmap-block-differs", warning,
     "The members' state bytes differ in one block (bitmap.block): a torn write-back, and the kernel loads one copy."},
    {bitmap_states_differ, "bitmap-states-differ", error,
     "Two members' llbitmap chunk states differ (bitmap.states)."},
    {bitmap_bits_differ, "bitmap-bits-differ", error, "Two members' classic bitmap bits differ (bitmap.bits)."},
    {device_unreadable, "device-unreadable", error,
     "A device that cannot be read as a member at all: no md superblock, too small or unreadable."},
};

constexpr bool in_id_order() {
  for (std::size_t i = 0; i < std::size(kTable); ++i)
    if (static_cast<std::size_t>(kTable[i].id) != i) return false;
  return true;
}
static_assert(in_id_order(), "the table lists every FindingId once, in the enum's order");
static_assert(static_cast<std::size_t>(device_unreadable) + 1 == std::size(kTable), "a FindingId without a row");

}  // namespace

const char* severity_name(Severity severity) noexcept {
  switch (severity) {
    case Severity::info: return "info";
    case Severity::warning: return "warning";
    case Severity::error: return "error";
  }
  return "error";
}

std::span<const FindingKind> finding_table() noexcept { return kTable; }

const FindingKind& finding_kind(FindingId id) noexcept { return kTable[static_cast<std::size_t>(id)]; }

}  // namespace llbmp
