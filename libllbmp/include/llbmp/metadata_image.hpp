// The metadata image of `dump --save` and `convert --backup-file`, read back
// by `restore`: the metadata ranges of one or more members (the md superblock
// slot, the bitmap area, anything a writing command is about to change),
// compressed with zlib, so that a bug report or an undo carries exactly the
// bytes the tool reads.
//
// Byte format, all integers little-endian:
//
//   image   := magic version count member{count}
//   magic   := "LLBMPSAV"                      8 bytes
//   version := u32 = 1
//   count   := u32, 1..64                      members
//   member  := raw_len:u32 zlen:u32 crc:u32 zdata[zlen]
//              zdata inflates to exactly raw_len (<= 64 MiB) bytes whose
//              CRC-32 is crc; those bytes are a record:
//   record  := device_bytes:u64 name_len:u16 name[name_len] nranges:u16 range{nranges}
//   range   := offset:u64 length:u32 bytes[length]
//              ranges lie inside device_bytes, do not overlap, 1..16 of them
//
// Nothing in an image is trusted: decode checks every length and offset and
// throws Error naming the field and its value.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "llbmp/device.hpp"
#include "llbmp/md_super.hpp"
#include "llbmp/member.hpp"
#include "llbmp/write_plan.hpp"

namespace llbmp {

struct SavedRange {
  std::uint64_t offset = 0;
  std::vector<std::uint8_t> bytes;
};

struct SavedMember {
  std::string device;           // the name it was saved from
  std::uint64_t device_bytes = 0;
  std::vector<SavedRange> ranges;
};

struct MetadataImage {
  std::vector<SavedMember> members;
};

inline constexpr std::uint32_t kMetadataImageVersion = 1;

// Reads the member's md superblock slot, its bitmap area (the whole reserved
// room of an llbitmap) and the extra ranges, merged where they overlap.
SavedMember capture_member(const Member& member, const std::vector<ByteRange>& extra = {});
SavedMember capture_member(const Device& device, const Member& member, const std::vector<ByteRange>& extra = {});
// The backup a writing command saves first, read from the devices it holds
// open: every member the plan writes, with its md superblock, bitmap area and
// every range the plan touches.
MetadataImage capture_before(const OpenedPlan& opened, const std::vector<Member>& members);

std::vector<std::uint8_t> encode_metadata_image(const MetadataImage& image);
MetadataImage decode_metadata_image(std::span<const std::uint8_t> bytes, const std::string& source);

// Writes a new file (refuses to replace one) and flushes it.
void save_metadata_image(const std::string& path, const MetadataImage& image);
MetadataImage load_metadata_image(const std::string& path);

// Who a member is: what restore matches a target to a saved member by.
struct MemberIdentity {
  Uuid set_uuid{};
  Uuid device_uuid{};
  std::optional<std::uint16_t> role;
  bool operator==(const MemberIdentity&) const = default;
  std::string describe() const;  // "array U, role 1, device D"
};
MemberIdentity identity_of(const MdSuperblock& sb);
// From the saved md superblock (1.0, 1.1 or 1.2, found where that version
// lies, magic and super_offset checked); throws Error when there is none.
MemberIdentity saved_identity(const SavedMember& saved);

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
