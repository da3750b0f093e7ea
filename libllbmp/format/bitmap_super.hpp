// The md bitmap superblock (bitmap_super_t), 256 bytes at the start of the
// bitmap area, shared by classic bitmaps (versions 3, 4, 5) and llbitmap (6).
//
// Grammar (little-endian; version 3 is host-endian, identical on x86):
//   bitmap_super := magic:u32 @0 version:u32 @4 uuid:16 @8 events:u64 @24
//                   events_cleared:u64 @32 sync_size:u64 @40 state:u32 @48
//                   chunksize:u32 @52 daemon_sleep:u32 @56 write_behind:u32 @60
//                   sectors_reserved:u32 @64 nodes:u32 @68 cluster_name:64 @72
//                   pad:120 @136
//   classic area := bitmap_super bits[ceil(chunks / 8)]      (chunk i: bit i%8 of byte i/8)
//   version 5    := one classic area per node, node n at n * round_up(256 + bits, 4096)
//   llbitmap     := bitmap_super unused[768] state[chunks] ... up to sectors_reserved * 512
// chunksize is in bytes for classic bitmaps and in sectors for llbitmap, except
// in a FIRST_USE llbitmap header written by mdadm, which carries a classic byte
// value until the kernel initialises it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "format/endian.hpp"
#include "llbmp/bitmap_super.hpp"
#include "llbmp/error.hpp"
#include "format/md_super.hpp"

namespace llbmp {

inline constexpr std::size_t kBitmapSuperBytes = 256;

struct BitmapSuperDisk {
  le32 magic;
  le32 version;
  std::uint8_t uuid[16];
  le64 events;
  le64 events_cleared;
  le64 sync_size;
  le32 state;
  le32 chunksize;
  le32 daemon_sleep;
  le32 write_behind;
  le32 sectors_reserved;
  le32 nodes;
  std::uint8_t cluster_name[64];
  std::uint8_t pad[120];
};
static_assert(sizeof(BitmapSuperDisk) == kBitmapSuperBytes);
static_assert(offsetof(BitmapSuperDisk, version) == 4);
static_assert(offsetof(BitmapSuperDisk, uuid) == 8);
static_assert(offsetof(BitmapSuperDisk, events) == 24);
static_assert(offsetof(BitmapSuperDisk, events_cleared) == 32);
static_assert(offsetof(BitmapSuperDisk, sync_size) == 40);
static_assert(offsetof(BitmapSuperDisk, state) == 48);
static_assert(offsetof(BitmapSuperDisk, chunksize) == 52);
static_assert(offsetof(BitmapSuperDisk, daemon_sleep) == 56);
static_assert(offsetof(BitmapSuperDisk, write_behind) == 60);
static_assert(offsetof(BitmapSuperDisk, sectors_reserved) == 64);
static_assert(offsetof(BitmapSuperDisk, nodes) == 68);
static_assert(offsetof(BitmapSuperDisk, cluster_name) == 72);
static_assert(offsetof(BitmapSuperDisk, pad) == 136);

struct FlagName {
  BitmapFlag flag;
  const char* name;
};
inline constexpr FlagName kBitmapFlagNames[] = {
    {BitmapFlag::stale, "stale"},       {BitmapFlag::write_error, "write_error"},
    {BitmapFlag::first_use, "first_use"}, {BitmapFlag::clean, "clean"},
    {BitmapFlag::daemon_busy, "daemon_busy"}, {BitmapFlag::shutdown, "shutdown"},
    {BitmapFlag::hostendian, "hostendian"},
};

std::optional<BitmapFlag> parse_bitmap_flag(const std::string& name);

// Header fields by their bitmap_super_t names, for `edit --set FIELD=VALUE`
// (state takes the raw flag word; flags by name have their own options).
inline constexpr const char* kBitmapFieldNames[] = {
    "magic", "version", "uuid", "events", "events_cleared", "sync_size", "state", "chunksize",
    "daemon_sleep", "write_behind", "sectors_reserved", "nodes", "cluster_name",
};
bool is_bitmap_field(const std::string& name);
std::string bitmap_field_list();  // "magic, version, uuid, ..."
// Sets one field from text: numbers in decimal or 0x hex within the field's
// width, the uuid as mdadm prints it, cluster_name up to 63 bytes. Throws
// Error naming the field and the value.
void set_bitmap_field(BitmapSuper& sb, const std::string& field, const std::string& value);
// The field's value as set_bitmap_field takes it (uuid as mdadm prints it).
std::string bitmap_field_text(const BitmapSuper& sb, const std::string& field);

BitmapSuper decode_bitmap_super(std::span<const std::uint8_t> bytes, const std::string& device);
std::array<std::uint8_t, kBitmapSuperBytes> encode_bitmap_super(const BitmapSuper& sb);

}  // namespace llbmp
