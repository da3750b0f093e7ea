// Backups and restores of member metadata: what `dump --save`, the writing
// commands' --backup-file and `restore` do with a metadata image
// (format/metadata_image.hpp holds its byte format).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "format/metadata_image.hpp"
#include "inspect/member.hpp"
#include "io/device.hpp"
#include "write/write_plan.hpp"

namespace llbmp {

// Reads the member's md superblock slot, its bitmap area (the whole reserved
// room of an llbitmap) and the extra ranges, merged where they overlap.
SavedMember capture_member(const Member& member, const std::vector<ByteRange>& extra = {});
SavedMember capture_member(const Device& device, const Member& member, const std::vector<ByteRange>& extra = {});
// The backup a writing command saves first, read from the devices it holds
// open: every member the plan writes, with its md superblock, bitmap area and
// every range the plan touches.
MetadataImage capture_before(const OpenedPlan& opened, const std::vector<Member>& members);

// Writes a new file (refuses to replace one) and flushes it.
void save_metadata_image(const std::string& path, const MetadataImage& image);
MetadataImage load_metadata_image(const std::string& path);

struct RestoreTarget {
  std::string path;
  bool create = false;   // a new sparse image file of the saved size
};

struct RestoreAssignment {
  std::size_t saved = 0;        // index into the image's members
  RestoreTarget target;
  bool across_devices = false;  // forced onto a target that is not the saved member
};

struct RestorePlan {
  WritePlan writes;
  std::vector<RestoreAssignment> assignments;  // one per target, in the order given
};

// Matches every target to the saved member of the same array uuid, device
// uuid and role, whatever the order they are given in; new image files take
// the saved members left, in the image's order. A target that matches none
// is refused (naming it and the saved member left over) unless force, which
// takes the saved members left in order. Then plans, per target: its bitmap
// (if any) marked STALE, the saved ranges, the bitmap header and the md
// superblock last. Also refuses a target of another size (unless force) and a
// saved range that would reach the data area.
RestorePlan plan_restore(const MetadataImage& image, const std::vector<RestoreTarget>& targets, bool force);

// Checks that restoring `image` onto the members it was saved from would be
// accepted and would write back every saved byte (replayed in memory).
void verify_restores(const MetadataImage& image, const std::vector<Member>& members);
// Reads a saved file back, compares it byte for byte with `image` and
// verify_restores it; throws Error on the first difference.
void verify_saved_file(const std::string& path, const MetadataImage& image, const std::vector<Member>& members);
// Saves a backup to a new file, reads it back, compares it byte for byte and
// verify_restores it; on any failure removes the file and throws.
void save_verified_backup(const std::string& path, const MetadataImage& image, const std::vector<Member>& members);

}  // namespace llbmp
