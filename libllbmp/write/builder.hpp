// Builds member metadata from a description: the md v1.x superblock and a
// bitmap (llbitmap, FIRST_USE llbitmap or classic). Used by `create` to make
// member images for tests and harnesses, and by the tests' fixtures.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "format/bitmap_super.hpp"
#include "format/geometry.hpp"
#include "format/md_super.hpp"
#include "engine/state_engine.hpp"

namespace llbmp {

enum class BitmapKind { none, lockless, lockless_first_use, classic };

struct ArraySpec {
  std::int32_t level = 1;
  std::uint32_t raid_disks = 2;
  std::uint32_t layout = 0;            // raid10 default near=2 (0x102), raid5 left-symmetric (2)
  std::uint32_t chunk_sectors = 1024;  // md chunk (raid0/4/5/6/10), 512 KiB
  std::uint64_t member_bytes = 256ull << 20;
  int minor_version = 2;
  std::uint64_t data_offset = 2048;    // sectors (1.1/1.2); 1.0 keeps data at 0
  Uuid uuid{};
  std::string name = "llbitmap-test";
  std::uint64_t events = 1;
  std::uint64_t ctime = 1700000000;
  std::vector<bool> missing;           // per role: the member is missing (degraded)

  BitmapKind bitmap = BitmapKind::lockless;
  std::int32_t bitmap_offset = 8;      // sectors from the superblock (1.0: negative, chosen when 0)
  std::uint32_t sectors_reserved = 256;    // mdadm 4.6 reserves 128 KiB for llbitmap
  std::uint32_t bitmap_chunk = 0;      // llbitmap sectors / classic bytes; 0 = the kernel's / mdadm's choice
  std::uint32_t daemon_sleep = 0;      // 0 = the default of the kind
  bool assume_clean = false;
  std::uint64_t bitmap_events = 0;     // 0 = the md events
  std::uint64_t bblog_offset = 0;      // sectors from the superblock, 0 = none
  std::uint16_t bblog_size = 0;

};

struct MemberMetadata {
  MdSuperblock md;
  std::vector<std::uint8_t> md_bytes;      // encoded superblock (checksum set)
  std::uint64_t md_offset = 0;             // bytes
  BitmapSuper bitmap;
  std::vector<std::uint8_t> bitmap_area;   // header + states/bits, empty without a bitmap
  std::uint64_t bitmap_area_offset = 0;    // bytes
  std::uint64_t chunks = 0;
};

// The metadata of member `role` of the array (role < raid_disks).
MemberMetadata build_member(const ArraySpec& spec, std::uint32_t role);

// Sectors per member the array uses (md `size`), derived like mdadm does.
std::uint64_t member_size_sectors(const ArraySpec& spec);

// Writes a sparse image file of spec.member_bytes holding the member's metadata.
void write_member_image(const std::string& path, const MemberMetadata& meta, std::uint64_t member_bytes);

}  // namespace llbmp
