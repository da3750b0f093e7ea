#include "write/builder.hpp"

#include <algorithm>
#include <fmt/format.h>

#include "io/device.hpp"
#include "llbmp/error.hpp"
#include "format/md_super_layout.hpp"
#include "format/personality.hpp"

namespace llbmp {

namespace {

constexpr std::uint32_t kMaxDevOnCreate = 384;  // what mdadm's super1 reserves

bool chunked_level(std::int32_t level) {
  const Personality* p = personality_of(level);
  return p && p->chunked;
}

std::uint64_t super_sector(const ArraySpec& spec) {
  const auto at = md_superblock_sector(spec.minor_version, spec.member_bytes);
  if (!at) throw Error("", "size", std::to_string(spec.member_bytes), "member too small for an md superblock");
  return *at;
}

std::uint64_t area_sectors(const ArraySpec& spec) {
  switch (spec.bitmap) {
    case BitmapKind::none: return 0;
    case BitmapKind::classic: return 8;
    default: return spec.sectors_reserved;
  }
}

std::int32_t bitmap_offset_for(const ArraySpec& spec) {
  if (spec.minor_version != 0) return spec.bitmap_offset;
  if (spec.bitmap_offset < 0) return spec.bitmap_offset;
  return -static_cast<std::int32_t>(std::max<std::uint64_t>(area_sectors(spec), 8));
}

// The reserved area, never less than the header: a spec may reserve nothing
// (sectors_reserved 0 is what a test of the refusal needs).
std::uint64_t lockless_area_bytes(std::uint32_t sectors_reserved) {
  return std::max<std::uint64_t>(std::uint64_t{sectors_reserved} * 512, kBitmapSuperBytes);
}

}  // namespace

std::uint64_t member_size_sectors(const ArraySpec& spec) {
  const std::uint64_t sectors = spec.member_bytes / 512;
  std::uint64_t data = 0;
  if (spec.minor_version == 0) {
    const std::int64_t end = static_cast<std::int64_t>(super_sector(spec)) + bitmap_offset_for(spec);
    data = spec.bitmap == BitmapKind::none ? super_sector(spec) : static_cast<std::uint64_t>(std::max<std::int64_t>(0, end));
  } else {
    data = sectors > spec.data_offset ? sectors - spec.data_offset : 0;
  }
  const std::uint64_t round = chunked_level(spec.level) && spec.chunk_sectors ? spec.chunk_sectors : 128;
  return data / round * round;
}

MemberMetadata build_member(const ArraySpec& spec, std::uint32_t role) {
  if (role >= spec.raid_disks) throw Error("", "role", std::to_string(role), "role past raid_disks");
  MemberMetadata meta;
  MdSuperblock& md = meta.md;
  md.minor_version = spec.minor_version;
  md.feature_map = spec.bitmap == BitmapKind::none ? 0 : kMdFeatureBitmapOffset;
  md.set_uuid = spec.uuid;
  md.set_name = spec.name;
  md.ctime = spec.ctime;
  md.level = spec.level;
  md.layout = spec.layout;
  if (const Personality* p = personality_of(spec.level); spec.layout == 0 && p) md.layout = p->default_layout;
  md.chunksize = chunked_level(spec.level) ? spec.chunk_sectors : 0;
  md.raid_disks = spec.raid_disks;
  md.super_offset = super_sector(spec);
  md.bitmap_offset = spec.bitmap == BitmapKind::none ? 0 : bitmap_offset_for(spec);
  md.size = member_size_sectors(spec);
  if (md.size == 0) throw Error("", "size", std::to_string(spec.member_bytes), "member too small for its data offset");
  md.data_offset = spec.minor_version == 0 ? 0 : spec.data_offset;
  md.data_size = md.size;
  md.dev_number = role;
  md.device_uuid = spec.uuid;
  md.device_uuid[15] = static_cast<std::uint8_t>(md.device_uuid[15] ^ (role + 1));
  md.device_uuid[0] = static_cast<std::uint8_t>(md.device_uuid[0] ^ 0x5a);
  if (spec.bblog_size != 0) {
    md.bblog_shift = 0;
    md.bblog_size = spec.bblog_size;
    md.bblog_offset = static_cast<std::int32_t>(spec.bblog_offset);
  }
  md.utime = spec.ctime;
  md.events = spec.events;
  md.resync_offset = ~std::uint64_t{0};
  md.max_dev = std::max(kMaxDevOnCreate, spec.raid_disks);
  md.dev_roles.assign(md.max_dev, kRoleSpare);
  for (std::uint32_t r = 0; r < spec.raid_disks; ++r)
    md.dev_roles[r] = r < spec.missing.size() && spec.missing[r] ? kRoleFaulty : static_cast<std::uint16_t>(r);
  meta.md_offset = md.super_offset * 512;
  meta.md_bytes = encode_md_superblock(md, {});

  if (spec.bitmap == BitmapKind::none) return meta;
  BitmapSuper& sb = meta.bitmap;
  sb.uuid = spec.uuid;
  sb.events = spec.bitmap_events ? spec.bitmap_events : spec.events;
  const std::uint64_t resync = md.resync_sectors();
  sb.sync_size = resync;
  meta.bitmap_area_offset = static_cast<std::uint64_t>(md.bitmap_area_offset_bytes());
  switch (spec.bitmap) {
    case BitmapKind::lockless: {
      sb.version = kBitmapVersionLockless;
      sb.sectors_reserved = spec.sectors_reserved;
      sb.chunksize = spec.bitmap_chunk ? spec.bitmap_chunk
                                       : static_cast<std::uint32_t>(fitting_chunksize(resync, spec.sectors_reserved));
      sb.daemon_sleep = spec.daemon_sleep ? spec.daemon_sleep : kKernelDefaultDaemonSleep;
      meta.chunks = chunk_count(resync, sb.chunksize);
      meta.bitmap_area.assign(lockless_area_bytes(sb.sectors_reserved), 0);
      const auto fill = static_cast<std::uint8_t>(spec.assume_clean ? State::Clean : State::Unwritten);
      const std::uint64_t n = std::min<std::uint64_t>(meta.chunks, meta.bitmap_area.size() - std::min<std::uint64_t>(kStateOffset, meta.bitmap_area.size()));
      std::fill_n(meta.bitmap_area.begin() + kStateOffset, n, fill);
      break;
    }
    case BitmapKind::lockless_first_use: {
      // What mdadm 4.6 writes for --bitmap=lockless (ONDISK.md section 4).
      sb.version = kBitmapVersionLockless;
      sb.state = flag_mask(BitmapFlag::first_use) | (spec.assume_clean ? flag_mask(BitmapFlag::clean) : 0);
      sb.sectors_reserved = spec.sectors_reserved;
      sb.chunksize = spec.bitmap_chunk ? spec.bitmap_chunk : kMdadmClassicChunkBytes;
      sb.daemon_sleep = spec.daemon_sleep ? spec.daemon_sleep : kMdadmDaemonSleep;
      sb.events = spec.bitmap_events;
      meta.bitmap_area.assign(lockless_area_bytes(sb.sectors_reserved), 0);
      std::fill(meta.bitmap_area.begin() + kBitmapSuperBytes,
                meta.bitmap_area.begin() + static_cast<std::ptrdiff_t>(std::min<std::uint64_t>(4096, meta.bitmap_area.size())), 0xff);
      break;
    }
    case BitmapKind::classic: {
      sb.version = 4;
      sb.chunksize = spec.bitmap_chunk ? spec.bitmap_chunk : kMdadmClassicChunkBytes;
      sb.daemon_sleep = spec.daemon_sleep ? spec.daemon_sleep : kMdadmDaemonSleep;
      meta.chunks = div_round_up(resync * 512, sb.chunksize);
      meta.bitmap_area.assign(div_round_up(kBitmapSuperBytes + div_round_up(meta.chunks, 8), 512) * 512, 0);
      if (!spec.assume_clean) {
        for (std::uint64_t i = 0; i < meta.chunks; ++i) meta.bitmap_area[kBitmapSuperBytes + i / 8] |= static_cast<std::uint8_t>(1u << (i % 8));
      }
      break;
    }
    case BitmapKind::none: break;
  }
  const auto header = encode_bitmap_super(sb);
  std::copy(header.begin(), header.end(), meta.bitmap_area.begin());
  return meta;
}

void write_member_image(const std::string& path, const MemberMetadata& meta, std::uint64_t member_bytes) {
  Device dev = Device::create_image(path, member_bytes);
  dev.allow_writes({meta.md_offset, meta.md_bytes.size()});
  dev.write(meta.md_offset, meta.md_bytes);
  if (!meta.bitmap_area.empty()) {
    dev.allow_writes({meta.bitmap_area_offset, meta.bitmap_area.size()});
    dev.write(meta.bitmap_area_offset, meta.bitmap_area);
  }
  dev.flush();
}

}  // namespace llbmp
