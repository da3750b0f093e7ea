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
#include <span>
#include <string>
#include <vector>

#include "llbmp/device.hpp"
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
// The backup a writing command saves first: every member the plan writes,
// with its md superblock, bitmap area and every range the plan touches.
MetadataImage capture_before(const std::vector<Member>& members, const WritePlan& plan);

std::vector<std::uint8_t> encode_metadata_image(const MetadataImage& image);
MetadataImage decode_metadata_image(std::span<const std::uint8_t> bytes, const std::string& source);

// Writes a new file (refuses to replace one) and flushes it.
void save_metadata_image(const std::string& path, const MetadataImage& image);
MetadataImage load_metadata_image(const std::string& path);

struct RestoreTarget {
  std::string path;
  bool create = false;   // a new sparse image file of the saved size
};

// The writes that put a saved member back onto a target: the target's bitmap
// (if any) marked STALE, the saved ranges, then the bitmap header and the md
// superblock last. Refuses when the target exists with another size or array
// uuid (unless force) or when a saved range would reach the data area.
WritePlan plan_restore(const SavedMember& saved, const RestoreTarget& target, bool force);

}  // namespace llbmp
