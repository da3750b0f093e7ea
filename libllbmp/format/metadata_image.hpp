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
#include <utility>
#include <vector>

#include "format/md_super.hpp"

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
inline constexpr std::uint32_t kMetadataImageMaxMembers = 64;
inline constexpr std::uint32_t kMetadataImageMaxRecordBytes = 64u << 20;
// No image of kMetadataImageMaxMembers full records is larger.
inline constexpr std::uint64_t kMetadataImageMaxBytes =
    std::uint64_t{kMetadataImageMaxMembers} * (kMetadataImageMaxRecordBytes + 16) + 16;

std::vector<std::uint8_t> encode_metadata_image(const MetadataImage& image);
MetadataImage decode_metadata_image(std::span<const std::uint8_t> bytes, const std::string& source);

// The saved md superblock and its byte offset: the first v1.x location (1.2,
// 1.1, 1.0, as on a device) whose saved bytes hold the md magic and a
// super_offset naming that location.
std::optional<std::pair<MdSuperblock, std::uint64_t>> saved_md_superblock(const SavedMember& saved);
// The same; throws Error when there is none.
std::pair<MdSuperblock, std::uint64_t> require_saved_md_superblock(const SavedMember& saved);

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

}  // namespace llbmp
