#include "write/create.hpp"

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>

#include "llbmp/error.hpp"
#include "format/geometry.hpp"
#include "format/md_super_layout.hpp"
#include "format/personality.hpp"
#include "write/write_common.hpp"

namespace llbmp {

namespace {

enum Phase : std::size_t { kMarkStale, kStateArea, kBitmapHeader, kMdSuper, kPhaseCount };
constexpr const char* kPhaseNames[kPhaseCount] = {"mark the old bitmap stale", "write the state area",
                                                  "write the bitmap superblock", "point the md superblock at the bitmap"};

std::uint32_t reserved_for(const Member& m, const CreateOptions& o) {
  if (o.reserved) {
    if (*o.reserved < 8)
      throw Error(m.device, "reserved", std::to_string(*o.reserved), "at least 8 sectors (4 KiB)", ErrorKind::bad_value);
    return *o.reserved;
  }
  // 1.0: the kernel derives the room from bitmap_offset, so an explicit offset sets it.
  if (m.md.minor_version == 0 && o.offset && *o.offset < 0) return static_cast<std::uint32_t>(-static_cast<std::int64_t>(*o.offset));
  return kMdadmReservedSectors;
}

std::int64_t area_start_bytes(const Member& m, std::int32_t offset) {
  return (static_cast<std::int64_t>(m.md.super_offset) + offset) * 512;
}

bool placement_fits(const Member& m, const std::vector<ByteRange>& room, std::int32_t offset, std::uint32_t reserved) {
  const std::int64_t start = area_start_bytes(m, offset);
  const std::uint64_t length = std::uint64_t{reserved} * 512;
  if (start < 0) return false;
  const auto area = static_cast<std::uint64_t>(start);
  const std::uint64_t super = m.md.super_offset * 512;
  if (m.md.minor_version == 0) {
    if (area + length > super) return false;
  } else if (area < super + kMdSuperblockRead) {
    return false;
  }
  return fits_room(room, area, length);
}

std::vector<std::int32_t> candidate_offsets(const Member& m, std::uint32_t reserved) {
  std::vector<std::int32_t> out;
  if (m.md.has_bitmap()) out.push_back(m.md.bitmap_offset);
  if (m.md.minor_version == 0) {
    out.push_back(-static_cast<std::int32_t>(reserved));
    return out;
  }
  out.push_back(8);  // mdadm's place: 4 KiB after the superblock
  if (m.md.bblog_size != 0 && m.md.bblog_offset > 0) {
    // After the bad-block log, 4 KiB aligned (mdadm --bitmap=none members: +24).
    const std::int64_t after = m.md.bblog_offset + std::int64_t{m.md.bblog_size};
    out.push_back(static_cast<std::int32_t>((after + 7) / 8 * 8));
  }
  return out;
}

std::vector<ByteRange> bitmap_room(const Member& m) {
  auto room = metadata_room(m);
  const std::uint64_t super = m.md.super_offset * 512;
  std::erase_if(room, [&](const ByteRange& r) { return r.offset == super && r.length == kMdSuperblockRead; });
  return room;
}

std::string offsets_text(const std::vector<std::int32_t>& offsets) {
  std::string out;
  for (const auto o : offsets) out += fmt::format("{}{:+}", out.empty() ? "" : ", ", o);
  return out;
}

void check_level(const Member& m) {
  if (const Personality* p = personality_of(m.md.level); p && !p->bitmap)
    throw Error(m.device, "md.level", level_name(m.md.level), "md keeps no bitmap on raid0 or linear arrays");
}

void check_old_header_survives(const Member& m, const NewBitmap& nb) {
  if (!m.bitmap || m.md.bitmap_offset == nb.bitmap_offset) return;
  const ByteSpan old_header{m.bitmap->area_offset, m.bitmap->area_offset + kBitmapSuperBytes};
  const ByteSpan new_area{nb.area_offset, nb.area_offset + nb.area.size()};
  if (old_header.overlaps(new_area))
    throw Error(m.device, "bitmap_offset", std::to_string(nb.bitmap_offset),
                fmt::format("the new area would overwrite the old bitmap header (offset {:+}) before the md superblock "
                            "points to the new one; another offset must leave it alone",
                            m.md.bitmap_offset));
}

void add_member_writes(WritePlan& plan, const Member& m, const NewBitmap& nb) {
  MemberPlan& mp = plan.member(m.device);
  mp.room = metadata_room(m);
  mp.device_bytes = m.device_bytes;
  // Without a bitmap the md superblock, written last, is what makes the new one count.
  mp.partial_state = m.md.has_bitmap() ? MemberState::stale : MemberState::old_metadata;
  if (m.bitmap && m.bitmap->sb.magic == kBitmapMagic)
    plan.add(m.device, kMarkStale, m.bitmap->area_offset, stale_header_bytes(m.bitmap->sb));
  plan.add(m.device, kStateArea, nb.area_offset + kBitmapSuperBytes,
           std::vector<std::uint8_t>(nb.area.begin() + kBitmapSuperBytes, nb.area.end()));
  plan.add(m.device, kBitmapHeader, nb.area_offset,
           std::vector<std::uint8_t>(nb.area.begin(), nb.area.begin() + kBitmapSuperBytes));
  if (nb.md_changes) {
    MdSuperblock md = m.md;
    md.feature_map |= kMdFeatureBitmapOffset;
    md.bitmap_offset = nb.bitmap_offset;
    plan.add(m.device, kMdSuper, md.super_offset * 512, encode_md_superblock(md, m.md_raw));
  }
}

}  // namespace

std::int32_t choose_bitmap_offset(const Member& m, std::optional<std::int32_t> wanted, std::uint32_t reserved) {
  const auto room = bitmap_room(m);
  const auto candidates = wanted ? std::vector<std::int32_t>{*wanted} : candidate_offsets(m, reserved);
  for (const auto offset : candidates)
    if (placement_fits(m, room, offset, reserved)) return offset;
  std::string log;
  if (m.md.bblog_size != 0)
    log = fmt::format("; bad-block log at {:+}..{:+}", m.md.bblog_offset, m.md.bblog_offset + m.md.bblog_size - 1);
  throw Error(m.device, "bitmap_offset", offsets_text(candidates),
              fmt::format("no room for a {}-sector bitmap area (sectors from the superblock): free room {}{}, data_offset "
                          "{}; another offset or fewer reserved sectors may fit",
                          reserved, describe_room(m, room), log, m.md.data_offset));
}

NewBitmap build_lockless_bitmap(const Member& m, std::int32_t bitmap_offset, const CreateOptions& o) {
  const std::uint32_t reserved = reserved_for(m, o);
  NewBitmap nb;
  nb.device = m.device;
  nb.bitmap_offset = bitmap_offset;
  nb.area_offset = static_cast<std::uint64_t>(area_start_bytes(m, bitmap_offset));
  nb.md_changes = !m.md.has_bitmap() || m.md.bitmap_offset != bitmap_offset;
  BitmapSuper& sb = nb.sb;
  sb.version = kBitmapVersionLockless;
  sb.uuid = m.md.set_uuid;
  sb.sync_size = m.md.resync_sectors();
  sb.sectors_reserved = reserved;
  nb.area.assign(std::uint64_t{reserved} * 512, 0);
  if (o.first_use) {
    // What mdadm 4.6 writes (ONDISK.md section 4): the kernel picks the geometry.
    if (!o.states.empty())
      throw Error(m.device, "states", "", "a FIRST_USE bitmap has no chunk states to seed", ErrorKind::bad_value);
    sb.state = flag_mask(BitmapFlag::first_use) | (o.assume_clean ? flag_mask(BitmapFlag::clean) : 0);
    sb.chunksize = kMdadmClassicChunkBytes;
    sb.daemon_sleep = o.daemon_sleep.value_or(kMdadmDaemonSleep);
    std::fill(nb.area.begin() + kBitmapSuperBytes,
              nb.area.begin() + static_cast<std::ptrdiff_t>(std::min<std::uint64_t>(kPageBytes, nb.area.size())), 0xff);
  } else {
    const std::uint64_t chunk = o.chunk_sectors.value_or(fitting_chunksize(sb.sync_size, reserved));
    if (!is_power_of_two(chunk) || chunk > 0xffffffffu)
      throw Error(m.device, "chunk_sectors", std::to_string(chunk), "the chunk size (sectors) must be a power of two",
                  ErrorKind::bad_value);
    sb.chunksize = static_cast<std::uint32_t>(chunk);
    sb.daemon_sleep = o.daemon_sleep.value_or(kKernelDefaultDaemonSleep);
    if (sb.daemon_sleep < 1)
      throw Error(m.device, "daemon_sleep", "0", "must be at least 1 second: the kernel refuses 0", ErrorKind::bad_value);
    sb.events = m.md.events;
    nb.chunks = chunk_count(sb.sync_size, chunk);
    MdSuperblock placed = m.md;
    placed.bitmap_offset = bitmap_offset;
    const std::uint64_t kernel_room = kernel_room_sectors(placed, sb);
    if (!true_fit(nb.chunks, reserved) || !kernel_fit(chunk, sb.sync_size, static_cast<std::uint32_t>(kernel_room)))
      throw Error(m.device, o.chunk_sectors ? "chunk_sectors" : "chunksize", std::to_string(chunk),
                  fmt::format("{} chunks of {} sectors do not fit after the 1 KiB header in {} reserved sectors", nb.chunks,
                              chunk, reserved),
                  o.chunk_sectors ? ErrorKind::bad_value : ErrorKind::device);
    std::fill(nb.area.begin() + kBitmapSuperBytes, nb.area.begin() + kStateOffset, 0xff);
    std::vector<std::uint8_t> states(nb.chunks, static_cast<std::uint8_t>(o.assume_clean ? State::Clean : State::Unwritten));
    apply_state_spec(o.states, states, m.device);
    std::copy(states.begin(), states.end(), nb.area.begin() + kStateOffset);
    nb.counts = count_states(states);
  }
  const auto header = encode_bitmap_super(sb);
  std::copy(header.begin(), header.end(), nb.area.begin());
  return nb;
}

CreatePlan plan_create(const std::vector<Member>& members, const CreateOptions& o) {
  CreatePlan out;
  out.writes.phase_names.assign(kPhaseNames, kPhaseNames + kPhaseCount);
  for (const auto& m : members) refuse_mid_reshape(m);
  for (const auto& m : members) {
    refuse_errors(m, {"md."});
    check_level(m);
    if (m.md.has_ppl())
      throw Error(m.device, "md.feature_map", fmt::format("{:#x}", m.md.feature_map),
                  "the array keeps a partial parity log (PPL) where a bitmap would go, and the kernel refuses both: switch "
                  "it to a bitmap with mdadm --grow --consistency-policy=bitmap first");
    if (m.md.has_bitmap() && !o.force)
      throw Error(m.device, "md.feature_map", fmt::format("{:#x}", m.md.feature_map),
                  fmt::format("already has a bitmap (version {} at offset {:+})",
                              m.bitmap ? std::to_string(m.bitmap->sb.version) : std::string("?"), m.md.bitmap_offset),
                  ErrorKind::refused);
    const std::uint32_t reserved = reserved_for(m, o);
    const std::int32_t offset = choose_bitmap_offset(m, o.offset, reserved);
    NewBitmap nb = build_lockless_bitmap(m, offset, o);
    check_old_header_survives(m, nb);
    add_member_writes(out.writes, m, nb);
    out.bitmaps.push_back(std::move(nb));
  }
  drop_empty_phases(out.writes);
  check_plan(out.writes);
  return out;
}

namespace {

std::vector<MemberMetadata> seeded_members(const ImageSpec& spec) {
  std::vector<MemberMetadata> out;
  for (std::uint32_t role = 0; role < spec.array.raid_disks; ++role) {
    if (role < spec.array.missing.size() && spec.array.missing[role]) continue;
    MemberMetadata meta = build_member(spec.array, role);
    if (!spec.states.empty()) {
      if (spec.array.bitmap == BitmapKind::lockless) {
        std::vector<std::uint8_t> states(meta.bitmap_area.begin() + kStateOffset,
                                         meta.bitmap_area.begin() + static_cast<std::ptrdiff_t>(kStateOffset + meta.chunks));
        apply_state_spec(spec.states, states);
        std::copy(states.begin(), states.end(), meta.bitmap_area.begin() + kStateOffset);
      } else if (spec.array.bitmap == BitmapKind::classic) {
        for (const auto& a : spec.states) {
          if (a.last >= meta.chunks)
            throw Error("", "states", fmt::format("{}-{}", a.first, a.last),
                        fmt::format("range ends past the last chunk ({} chunks)", meta.chunks), ErrorKind::bad_value);
          for (std::uint64_t c = a.first; c <= a.last; ++c) {
            auto& byte = meta.bitmap_area[kBitmapSuperBytes + c / 8];
            const auto bit = static_cast<std::uint8_t>(1u << (c % 8));
            byte = counts_as_dirty(static_cast<std::uint8_t>(a.state)) ? (byte | bit) : (byte & ~bit);
          }
        }
      } else {
        throw Error("", "states", "", "chunk states need an initialised lockless or a classic bitmap", ErrorKind::bad_value);
      }
    }
    out.push_back(std::move(meta));
  }
  return out;
}

// Member images are new files, one per member: a file named twice (after
// resolving ".", ".." and symbolic links) would keep only the last member.
void check_image_paths(const std::vector<std::string>& paths, const ImageSpec& spec, std::size_t members) {
  if (paths.size() != members)
    throw Error("", "devices", std::to_string(paths.size()),
                fmt::format("{} output files for {} present members (raid_disks {} less missing roles)", paths.size(), members,
                            spec.array.raid_disks),
                ErrorKind::bad_value);
  std::vector<std::filesystem::path> resolved;
  for (std::size_t i = 0; i < paths.size(); ++i) {
    std::error_code ignored;
    if (std::filesystem::exists(std::filesystem::symlink_status(paths[i], ignored)))
      throw Error(paths[i], "device", paths[i], "exists already: member images are only written to new files");
    std::error_code error;
    auto path = std::filesystem::weakly_canonical(std::filesystem::absolute(paths[i], error), error);
    if (error) throw Error(paths[i], "device", paths[i], fmt::format("cannot resolve the path: {}", error.message()));
    const auto earlier = std::find(resolved.begin(), resolved.end(), path);
    if (earlier != resolved.end())
      throw Error(paths[i], "device", paths[i],
                  fmt::format("the same file as {}: each member needs a file of its own",
                              paths[static_cast<std::size_t>(earlier - resolved.begin())]));
    resolved.push_back(std::move(path));
  }
}

// What examine would report as an error on the image, the kernel's refusals
// among them, refuses it before anything is written. The checks read the
// bytes about to be written, as examine reads them back.
void check_image_layout(const std::string& path, const MemberMetadata& meta, const ImageSpec& spec) {
  MdSuperblock md = decode_md_superblock(meta.md_bytes, path);
  md.minor_version = meta.md.minor_version;  // where it lies, as find_md_superblock tells it
  const BitmapSuper sb = meta.bitmap_area.size() < kBitmapSuperBytes
                             ? BitmapSuper{}
                             : decode_bitmap_super(std::span(meta.bitmap_area).first(kBitmapSuperBytes), path);
  for (const auto& f : layout_findings(md, meta.md_bytes, sb, spec.array.member_bytes, 512))
    if (f.severity == Severity::error) throw Error(path, f.field, f.value, f.message);
}

}  // namespace

std::vector<MemberMetadata> build_member_images(const ImageSpec& spec, const std::vector<std::string>& paths) {
  auto members = seeded_members(spec);
  check_image_paths(paths, spec, members.size());
  for (std::size_t i = 0; i < members.size(); ++i) check_image_layout(paths[i], members[i], spec);
  return members;
}

void write_member_images(const ImageSpec& spec, const std::vector<std::string>& paths) {
  const auto members = build_member_images(spec, paths);
  // All or none: a file that cannot be written takes the ones already made with it.
  std::size_t made = 0;
  try {
    for (; made < paths.size(); ++made) write_member_image(paths[made], members[made], spec.array.member_bytes);
  } catch (const Error&) {
    std::error_code ec;
    for (std::size_t i = 0; i <= made && i < paths.size(); ++i) std::filesystem::remove(paths[i], ec);
    throw;
  }
}

}  // namespace llbmp
