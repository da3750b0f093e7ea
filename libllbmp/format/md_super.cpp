#include "format/md_super.hpp"

#include <algorithm>
#include <charconv>
#include <bit>
#include <cctype>
#include <cstddef>
#include <limits>
#include <fmt/format.h>

#include "format/endian.hpp"
#include "format/md_super_layout.hpp"

namespace llbmp {

namespace {

constexpr std::size_t kFixedBytes = sizeof(MdSuperblockDisk);

// The integer fields MdSuperblock and MdSuperblockDisk share by name, an le16,
// le32 or le64 on disk each: decode_md_superblock and encode_md_superblock
// walk this one list (encode's sb_csum is then recomputed).
#define LLBMP_MD_INT_FIELDS(FIELD)                                                                          \
  FIELD(magic) FIELD(major_version) FIELD(feature_map) FIELD(ctime) FIELD(level) FIELD(layout) FIELD(size) \
  FIELD(chunksize) FIELD(raid_disks) FIELD(bitmap_offset) FIELD(new_level) FIELD(reshape_position)          \
  FIELD(delta_disks) FIELD(new_layout) FIELD(new_chunk) FIELD(new_offset) FIELD(data_offset) FIELD(data_size)               \
  FIELD(super_offset) FIELD(recovery_offset) FIELD(dev_number) FIELD(bblog_size) FIELD(bblog_offset)        \
  FIELD(utime) FIELD(events) FIELD(resync_offset) FIELD(sb_csum) FIELD(max_dev) FIELD(logical_block_size)

std::string hex32(std::uint32_t v) { return fmt::format("{:#x}", v); }

// The device counts the personalities accept (raid5.c setup_conf: raid6
// needs 4; raid10.c setup_geo: 2 <= copies <= raid_disks; mdadm makes raid4/5
// from 2) and md_check_no_bitmap: raid0 and linear refuse any bitmap.
template <typename Report>
void check_level_geometry(const MdSuperblock& sb, Report& error) {
  const Personality* p = personality_of(sb.level);
  if (sb.has_bitmap() && p && !p->bitmap)
    error(FindingId::md_bitmap_on_raid0_or_linear, "md.level", level_name(sb.level), "md keeps no bitmap on raid0 or linear arrays: the kernel refuses to run it");
  if (sb.raid_disks == 0 || sb.raid_disks > kMdMaxDevices) return;
  const std::uint32_t minimum = p ? p->min_devices : 1;
  if (sb.raid_disks < minimum)
    error(FindingId::md_too_few_devices, "md.raid_disks", std::to_string(sb.raid_disks),
          fmt::format("{} needs at least {} devices: the kernel refuses it", level_name(sb.level), minimum));
  if (p && p->spread == Spread::copies && (sb.raid10_copies() < 2 || sb.raid10_copies() > sb.raid_disks))
    error(FindingId::md_raid10_copies, "md.raid_disks", std::to_string(sb.raid_disks),
          fmt::format("raid10 layout {:#x} keeps {} copies: it needs 2 or more copies and at least as many devices; the kernel "
                      "refuses it",
                      sb.layout, sb.raid10_copies()));
}

// The reshape fields the kernel reads with MD_FEATURE_RESHAPE_ACTIVE
// (super_1_validate): the old device count and the new chunk.
template <typename Report>
void check_reshape_fields(const MdSuperblock& sb, Report& error) {
  if (!sb.reshape_active()) return;
  const std::int64_t old_disks = sb.old_raid_disks();
  if (old_disks <= 0 || old_disks > std::int64_t{kMdMaxDevices})
    error(FindingId::md_reshape_disks_out_of_range, "md.delta_disks", std::to_string(sb.delta_disks),
          fmt::format("raid_disks {} - delta_disks {} leaves {} devices before the reshape", sb.raid_disks, sb.delta_disks, old_disks));
  const Personality* p = personality_of(sb.new_level);
  if (p && p->chunk_power_of_two && (sb.new_chunk < 8 || !std::has_single_bit(sb.new_chunk)))
    error(FindingId::md_reshape_bad_chunk, "md.new_chunk", std::to_string(sb.new_chunk),
          "a raid4/5/6/10 chunk must be a power of two of at least 8 sectors: the kernel refuses it");
}

}  // namespace

std::string format_uuid(const Uuid& uuid) {
  std::string text;
  for (std::size_t i = 0; i < uuid.size(); ++i) {
    if (i != 0 && i % 4 == 0) text += ':';
    text += fmt::format("{:02x}", uuid[i]);
  }
  return text;
}

std::optional<Uuid> parse_uuid(const std::string& text) {
  std::string hex;
  for (const char c : text) {
    if (c == ':' || c == '-' || c == '.' || c == ' ') continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
    hex += c;
  }
  if (hex.size() != 32) return std::nullopt;
  Uuid uuid{};
  for (std::size_t i = 0; i < 16; ++i) std::from_chars(hex.data() + 2 * i, hex.data() + 2 * i + 2, uuid[i], 16);  // digits checked above
  return uuid;
}

std::string MdSuperblock::metadata_name() const { return fmt::format("1.{}", minor_version); }

bool MdSuperblock::has_bitmap() const noexcept { return (feature_map & kMdFeatureBitmapOffset) != 0; }

bool MdSuperblock::has_bad_blocks() const noexcept { return (feature_map & kMdFeatureBadBlocks) != 0; }
bool MdSuperblock::has_ppl() const noexcept { return (feature_map & (kMdFeaturePpl | kMdFeatureMultiplePpls)) != 0; }

namespace {

// (super_offset + offset) * 512 in bytes; a super_offset no device can have
// (only on a corrupt superblock) gives INT64_MAX, past the end of any device.
std::int64_t offset_bytes(std::uint64_t super_offset, std::int32_t offset) noexcept {
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  constexpr std::uint64_t kMaxSuperOffset = static_cast<std::uint64_t>(kMax / 512) - (std::uint64_t{1} << 31);
  if (super_offset > kMaxSuperOffset) return kMax;
  return (static_cast<std::int64_t>(super_offset) + offset) * 512;
}

}  // namespace

std::int64_t MdSuperblock::bitmap_area_offset_bytes() const noexcept { return offset_bytes(super_offset, bitmap_offset); }

std::int64_t MdSuperblock::bblog_offset_bytes() const noexcept { return offset_bytes(super_offset, bblog_offset); }

std::optional<std::uint16_t> MdSuperblock::role() const noexcept {
  if (dev_number >= dev_roles.size()) return std::nullopt;
  return dev_roles[dev_number];
}

std::uint32_t MdSuperblock::raid10_copies() const noexcept {
  const Personality* p = personality_of(level);
  if (!p || p->spread != Spread::copies) return 1;
  return raid10_layout_copies(layout);
}

std::uint64_t MdSuperblock::resync_sectors() const noexcept {
  if (!counts_array_sectors(level)) return size;
  // raid10_size(): whole chunks per member, times the members, over the copies.
  const std::uint64_t chunk = chunksize == 0 ? 1 : chunksize;
  const std::uint32_t far_copies = std::max<std::uint32_t>(1, (layout >> 8) & 0xff);
  const std::uint32_t near_copies = std::max<std::uint32_t>(1, layout & 0xff);
  std::uint64_t chunks = size / chunk;
  chunks /= far_copies;
  chunks = chunks * raid_disks / near_copies;
  return chunks * chunk;
}

std::uint32_t MdSuperblock::working_roles() const noexcept {
  return static_cast<std::uint32_t>(
      std::count_if(dev_roles.begin(), dev_roles.end(), [this](std::uint16_t r) { return r < raid_disks; }));
}

std::string MdSuperblock::role_description() const {
  const auto r = role();
  if (!r) return fmt::format("unknown (dev_number {} is past max_dev {})", dev_number, dev_roles.size());
  if (*r == kRoleSpare) return "spare";
  if (*r == kRoleFaulty) return "faulty";
  if (*r == kRoleJournal) return "Journal";
  if (*r > kMdDiskRoleMax) return fmt::format("unknown ({:#06x})", *r);
  if ((feature_map & kMdFeatureReplacement) != 0) return fmt::format("Replacement device {}", *r);
  return fmt::format("Active device {}", *r);
}

std::string MdSuperblock::array_state() const {
  // raid_disks is untrusted: slots beyond every possible role hold no device.
  const std::uint32_t slots = std::min<std::uint32_t>(raid_disks, kMdMaxDevices);
  std::vector<std::uint32_t> holders(slots, 0);
  for (const auto r : dev_roles)
    if (r < slots) ++holders[r];
  std::string state;
  for (const auto n : holders) state += n == 0 ? '.' : n == 1 ? 'A' : (n == 2 && level > 0) ? 'R' : '?';
  return state;
}

bool MdSuperblock::degraded() const { return array_state().find('.') != std::string::npos || raid_disks > kMdMaxDevices; }

std::uint32_t md_superblock_checksum(std::span<const std::uint8_t> bytes, std::uint32_t max_dev) {
  std::size_t size = kFixedBytes + 2 * static_cast<std::size_t>(max_dev);
  size = std::min(size, bytes.size());
  std::uint64_t sum = 0;
  const std::size_t csum_at = offsetof(MdSuperblockDisk, sb_csum);
  std::size_t i = 0;
  for (; i + 4 <= size; i += 4)
    if (i != csum_at) sum += load_le<std::uint32_t>(bytes, i);
  if (size - i == 2) sum += load_le<std::uint16_t>(bytes, i);
  const std::uint64_t folded = (sum & 0xffffffffULL) + (sum >> 32);
  return static_cast<std::uint32_t>(folded);
}

MdSuperblock decode_md_superblock(std::span<const std::uint8_t> b, const std::string& device) {
  if (b.size() < kFixedBytes)
    throw Error(device, "md.superblock", std::to_string(b.size()), "too short for an md v1 superblock (256 bytes)");
  const auto disk = read_struct<MdSuperblockDisk>(b);
  MdSuperblock sb;
#define LLBMP_DECODE(name) decode_field(sb.name, disk.name);
  LLBMP_MD_INT_FIELDS(LLBMP_DECODE)
#undef LLBMP_DECODE
  std::copy(std::begin(disk.set_uuid), std::end(disk.set_uuid), sb.set_uuid.begin());
  const auto* name = disk.set_name;
  sb.set_name.assign(reinterpret_cast<const char*>(name),
                     std::find(name, name + 32, std::uint8_t{0}) - name);
  std::copy(std::begin(disk.device_uuid), std::end(disk.device_uuid), sb.device_uuid.begin());
  sb.devflags = disk.devflags;
  sb.bblog_shift = disk.bblog_shift;
  const std::size_t roles = std::min<std::size_t>(sb.max_dev, (b.size() - kFixedBytes) / 2);
  sb.dev_roles.reserve(roles);
  for (std::size_t i = 0; i < roles; ++i) sb.dev_roles.push_back(load_le<std::uint16_t>(b, kFixedBytes + 2 * i));
  // The superblock records where it lies: 0 is 1.1, 8 is 1.2, anything else 1.0
  // (md_superblock_at checks that against the place it was read from).
  sb.minor_version = sb.super_offset == 0 ? 1 : sb.super_offset == 8 ? 2 : 0;
  return sb;
}

std::optional<MdSuperblock> md_superblock_at(std::span<const std::uint8_t> bytes, int minor_version,
                                             std::uint64_t device_bytes, const std::string& device) {
  const auto sector = md_superblock_sector(minor_version, device_bytes);
  if (!sector || bytes.size() < kFixedBytes || load_le<std::uint32_t>(bytes, 0) != kMdMagic) return std::nullopt;
  MdSuperblock sb = decode_md_superblock(bytes, device);
  if (sb.major_version != 1 || sb.super_offset != *sector) return std::nullopt;
  sb.minor_version = minor_version;
  return sb;
}

Findings validate_md_superblock(const MdSuperblock& sb, std::span<const std::uint8_t> raw,
                                std::uint64_t device_bytes) {
  Findings out;
  auto error = [&](FindingId id, std::string f, std::string v, std::string m) {
    out.push_back({id, std::move(f), std::move(v), std::move(m)});
  };
  if (sb.magic != kMdMagic) error(FindingId::md_bad_magic, "md.magic", hex32(sb.magic), "not an md superblock (expected 0xa92b4efc)");
  if (sb.major_version != 1) error(FindingId::md_unsupported_version, "md.major_version", std::to_string(sb.major_version), "only md v1.x superblocks are supported");
  if (sb.max_dev > kMdMaxDevices)
    error(FindingId::md_too_many_devices, "md.max_dev", std::to_string(sb.max_dev), "more than 1920 devices: the kernel refuses it");
  else if (raw.size() >= kFixedBytes + 2 * std::size_t{sb.max_dev}) {
    const std::uint32_t expected = md_superblock_checksum(raw, sb.max_dev);
    if (expected != sb.sb_csum)
      error(FindingId::md_checksum_mismatch, "md.sb_csum", hex32(sb.sb_csum), fmt::format("checksum mismatch, expected {}: the kernel refuses it", hex32(expected)));
  }
  if ((sb.feature_map & ~kMdFeatureAll) != 0)
    error(FindingId::md_unknown_features, "md.feature_map", hex32(sb.feature_map), "unknown feature bits: the kernel refuses it");
  // super_1_validate: a partial parity log shares the bitmap_offset field.
  if (sb.has_ppl() && sb.has_bitmap())
    error(FindingId::md_ppl_with_bitmap, "md.feature_map", hex32(sb.feature_map), "a partial parity log (PPL) and a bitmap together: the kernel refuses it");
  const std::uint64_t device_sectors = device_bytes / 512;
  const std::uint64_t sb_bytes = kFixedBytes + 2 * std::uint64_t{std::min(sb.max_dev, kMdMaxDevices)};
  const std::uint64_t sb_sectors = (sb_bytes + 511) / 512;
  if (sb.minor_version != 0) {
    if (sb.data_offset < sb.super_offset + sb_sectors)
      error(FindingId::md_data_inside_superblock, "md.data_offset", std::to_string(sb.data_offset), "data area starts inside the superblock");
  } else if (sb.data_offset + sb.data_size > sb.super_offset) {
    error(FindingId::md_data_into_superblock, "md.data_size", std::to_string(sb.data_size), "data area of a 1.0 member runs into the superblock");
  }
  if (sb.data_offset > device_sectors || sb.data_size > device_sectors - std::min(sb.data_offset, device_sectors))
    error(FindingId::md_data_past_device, "md.data_size", std::to_string(sb.data_size),
          fmt::format("data area ({} + {} sectors) runs past the end of the device ({} sectors)", sb.data_offset,
                      sb.data_size, device_sectors));
  if (sb.raid_disks == 0 || sb.raid_disks > kMdMaxDevices)
    error(FindingId::md_raid_disks_out_of_range, "md.raid_disks", std::to_string(sb.raid_disks), "raid_disks out of range");
  const Personality* personality = personality_of(sb.level);
  if (!personality)
    error(FindingId::md_unknown_level, "md.level", std::to_string(sb.level), "unknown RAID level: the kernel has no personality for it");
  if (personality && personality->chunk_power_of_two && (sb.chunksize < 8 || !std::has_single_bit(sb.chunksize)))
    error(FindingId::md_bad_raid_chunk, "md.chunksize", std::to_string(sb.chunksize),
          "a raid4/5/6/10 chunk must be a power of two of at least 8 sectors: the kernel refuses it");
  check_level_geometry(sb, error);
  check_reshape_fields(sb, error);
  if (sb.data_size != 0 && sb.size > sb.data_size)
    error(FindingId::md_size_past_data, "md.size", std::to_string(sb.size),
          fmt::format("the array uses more sectors per member than the data area holds ({} sectors)", sb.data_size));
  if (sb.has_bitmap()) {
    const std::int64_t area = sb.bitmap_area_offset_bytes();
    if (area < 0 || static_cast<std::uint64_t>(area) + 512 > device_bytes)
      error(FindingId::md_bitmap_outside_device, "md.bitmap_offset", std::to_string(sb.bitmap_offset),
            fmt::format("bitmap area at byte {} lies outside the device ({} bytes)", area, device_bytes));
  }
  return out;
}

std::vector<std::uint8_t> encode_md_superblock(const MdSuperblock& sb, std::span<const std::uint8_t> raw) {
  const std::size_t used = kFixedBytes + 2 * std::size_t{sb.max_dev};
  std::vector<std::uint8_t> out((used + 511) / 512 * 512, 0);
  std::copy_n(raw.begin(), std::min(raw.size(), out.size()), out.begin());
  std::span<std::uint8_t> b(out);
  auto disk = read_struct<MdSuperblockDisk>(b);
#define LLBMP_ENCODE(name) encode_field(sb.name, disk.name);
  LLBMP_MD_INT_FIELDS(LLBMP_ENCODE)
#undef LLBMP_ENCODE
  std::copy(sb.set_uuid.begin(), sb.set_uuid.end(), std::begin(disk.set_uuid));
  std::fill(std::begin(disk.set_name), std::end(disk.set_name), 0);
  std::copy_n(sb.set_name.begin(), std::min<std::size_t>(sb.set_name.size(), 32), std::begin(disk.set_name));
  std::copy(sb.device_uuid.begin(), sb.device_uuid.end(), std::begin(disk.device_uuid));
  disk.devflags = sb.devflags;
  disk.bblog_shift = sb.bblog_shift;
  write_struct(b, disk);
  for (std::size_t i = 0; i < sb.max_dev; ++i)
    store_le<std::uint16_t>(b, kFixedBytes + 2 * i, i < sb.dev_roles.size() ? sb.dev_roles[i] : kRoleSpare);
  store_le<std::uint32_t>(b, offsetof(MdSuperblockDisk, sb_csum), md_superblock_checksum(b, sb.max_dev));
  return out;
}

std::optional<std::uint64_t> md_superblock_sector(int minor_version, std::uint64_t device_bytes) {
  const std::uint64_t sectors = device_bytes / 512;
  switch (minor_version) {
    case 0:
      if (sectors < 16 + 8) return std::nullopt;
      return (sectors - 16) & ~std::uint64_t{7};
    case 1: return 0;
    case 2: return 8;
    default: return std::nullopt;
  }
}

}  // namespace llbmp
