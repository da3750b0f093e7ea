#include "write/metadata_backup.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <filesystem>
#include <optional>

#include "format/bitmap_super.hpp"
#include "llbmp/error.hpp"
#include "format/md_super.hpp"
#include "write/write_common.hpp"

namespace llbmp {

namespace {

// Sorted ranges with overlapping or touching ones merged.
std::vector<ByteRange> merge_ranges(std::vector<ByteRange> ranges) {
  std::sort(ranges.begin(), ranges.end(), [](const ByteRange& a, const ByteRange& b) { return a.offset < b.offset; });
  std::vector<ByteRange> out;
  for (const auto& r : ranges) {
    if (r.length == 0) continue;
    if (!out.empty() && r.offset <= out.back().end())
      out.back().length = std::max(out.back().end(), r.end()) - out.back().offset;
    else
      out.push_back(r);
  }
  return out;
}

// Adds the bytes of `range` that fall inside [first, end) to `phase`.
void add_piece(WritePlan& plan, const std::string& device, std::size_t phase, const SavedRange& range, std::uint64_t first,
               std::uint64_t end) {
  const std::uint64_t lo = std::max(first, range.offset);
  const std::uint64_t hi = std::min(end, range.offset + range.bytes.size());
  if (lo >= hi) return;
  const auto begin = range.bytes.begin() + static_cast<std::ptrdiff_t>(lo - range.offset);
  plan.add(device, phase, lo, std::vector<std::uint8_t>(begin, begin + static_cast<std::ptrdiff_t>(hi - lo)));
}

}  // namespace

SavedMember capture_member(const Member& member, const std::vector<ByteRange>& extra) {
  const Device dev = Device::open_for_read(member.device);
  return capture_member(dev, member, extra);
}

SavedMember capture_member(const Device& dev, const Member& member, const std::vector<ByteRange>& extra) {
  std::vector<ByteRange> ranges = extra;
  ranges.push_back({member.md.super_offset * 512, kMdSuperblockRead});
  if (member.bitmap) {
    const std::uint64_t reserved = std::uint64_t{member.bitmap->sb.sectors_reserved} * 512;
    const std::uint64_t length = std::max<std::uint64_t>({member.bitmap->area.size(), reserved, kBitmapSuperBytes});
    ranges.push_back({member.bitmap->area_offset, std::min(length, member.bitmap->room_bytes)});
  }
  for (auto& r : ranges) r.length = std::min(r.length, member.device_bytes - std::min(r.offset, member.device_bytes));
  SavedMember out;
  out.device = member.device;
  out.device_bytes = dev.size_bytes();
  for (const auto& r : merge_ranges(ranges)) out.ranges.push_back({r.offset, dev.read(r.offset, r.length)});
  return out;
}

MetadataImage capture_before(const OpenedPlan& opened, const std::vector<Member>& members) {
  MetadataImage image;
  for (const auto& m : members) {
    const auto ranges = opened.plan().ranges_of(m.device);
    if (!ranges.empty()) image.members.push_back(capture_member(opened.device(m.device), m, ranges));
  }
  return image;
}

void save_metadata_image(const std::string& path, const MetadataImage& image) {
  if (std::filesystem::exists(path)) throw Error(path, "file", "exists", "a metadata image is only written to a new file");
  const auto bytes = encode_metadata_image(image);
  Device out = Device::create_image(path, bytes.size());
  out.allow_writes({0, bytes.size()});
  out.write(0, bytes);
  out.flush();
}

MetadataImage load_metadata_image(const std::string& path) {
  const Device in = Device::open_for_read(path);
  if (in.size_bytes() > kMetadataImageMaxBytes)
    throw Error(path, "file", std::to_string(in.size_bytes()), "too large for a metadata image");
  return decode_metadata_image(in.read(0, in.size_bytes()), path);
}

namespace {

enum RestorePhase : std::size_t { kMarkStale, kBody, kBitmapHeader, kMdSuper };

WritePlan restore_plan_frame() {
  WritePlan plan;
  plan.phase_names = {"mark the target's bitmap stale", "write the saved areas", "write the saved bitmap header",
                      "write the saved md superblock"};
  return plan;
}

// The writes that put `saved` onto `target`: its bitmap (if any) marked
// STALE, the saved ranges, then the bitmap header and the md superblock last.
MemberPlan& add_restore_writes(WritePlan& plan, const SavedMember& saved, const std::string& target,
                               const std::optional<Member>& current) {
  const auto [sb, md_at] = require_saved_md_superblock(saved);
  // Never over data: neither the saved member's data area nor the one the
  // target has now (its data offset may have moved since the save).
  const auto refuse_over_data = [&](const MdSuperblock& md, const std::string& whose) {
    const std::uint64_t data_first = md.data_offset * 512;
    const std::uint64_t data_end = (md.data_offset + std::max(md.data_size, md.size)) * 512;
    for (const auto& r : saved.ranges)
      if (r.offset < data_end && data_first < r.offset + r.bytes.size())
        throw Error(target, "range.offset", std::to_string(r.offset),
                    fmt::format("the saved bytes reach {} data area (bytes {}..{}): not restored", whose, data_first, data_end));
  };
  refuse_over_data(sb, "the saved member's");
  if (current) refuse_over_data(current->md, "the target's current");
  MemberPlan& mp = plan.member(target);
  for (const auto& r : saved.ranges) mp.room.push_back({r.offset, r.bytes.size()});
  if (current && current->bitmap) {
    for (const auto& r : metadata_room(*current)) mp.room.push_back(r);
    plan.add(target, kMarkStale, current->bitmap->area_offset, stale_header_bytes(current->bitmap->sb));
  }
  const std::optional<std::uint64_t> header_at =
      sb.has_bitmap() && sb.bitmap_area_offset_bytes() >= 0 ? std::optional<std::uint64_t>(static_cast<std::uint64_t>(sb.bitmap_area_offset_bytes()))
                                                          : std::nullopt;
  for (const auto& r : saved.ranges) {
    // Everything but the md slot and the bitmap header first, in pieces around them.
    std::vector<std::pair<std::uint64_t, std::uint64_t>> cuts = {{md_at, md_at + kMdSuperblockRead}};
    if (header_at) cuts.push_back({*header_at, *header_at + kBitmapSuperBytes});
    // The target's bad-block log is left as it is now: it records what the
    // disk holds today, and the saved copy may be older.
    if (current && current->md.bblog_offset != 0 && current->md.bblog_size != 0 && current->md.bblog_offset_bytes() >= 0) {
      const auto log = static_cast<std::uint64_t>(current->md.bblog_offset_bytes());
      cuts.push_back({log, log + std::uint64_t{current->md.bblog_size} * 512});
    }
    std::sort(cuts.begin(), cuts.end());
    std::uint64_t from = r.offset;
    for (const auto& [lo, hi] : cuts) {
      add_piece(plan, target, kBody, r, from, lo);
      from = std::max(from, hi);
    }
    add_piece(plan, target, kBody, r, from, r.offset + r.bytes.size());
    if (header_at) add_piece(plan, target, kBitmapHeader, r, *header_at, *header_at + kBitmapSuperBytes);
    add_piece(plan, target, kMdSuper, r, md_at, md_at + kMdSuperblockRead);
  }
  return mp;
}

std::optional<Member> try_load(const std::string& path) {
  try {
    return load_member(path);
  } catch (const Error&) {
    return std::nullopt;
  }
}

std::string describe_target(const std::optional<Member>& current) {
  return current ? identity_of(current->md).describe() : std::string("it has no md superblock");
}

bool same_saved(const SavedMember& a, const SavedMember& b) {
  if (a.device != b.device || a.device_bytes != b.device_bytes || a.ranges.size() != b.ranges.size()) return false;
  for (std::size_t i = 0; i < a.ranges.size(); ++i)
    if (a.ranges[i].offset != b.ranges[i].offset || a.ranges[i].bytes != b.ranges[i].bytes) return false;
  return true;
}

}  // namespace

RestorePlan plan_restore(const MetadataImage& image, const std::vector<RestoreTarget>& targets, bool force) {
  const std::size_t n = image.members.size();
  if (targets.size() != n)
    throw Error("", "targets", std::to_string(targets.size()), fmt::format("the image holds {} member(s): give one target each", n));
  std::vector<MemberIdentity> saved_ids;
  for (const auto& s : image.members) {
    saved_ids.push_back(saved_identity(s));
    for (std::size_t u = 0; u + 1 < saved_ids.size(); ++u)
      if (saved_ids[u] == saved_ids.back())
        throw Error(s.device, "md.device_uuid", format_uuid(saved_ids.back().device_uuid),
                    fmt::format("the image holds this member twice (also as {}): not a backup of one array", image.members[u].device),
                    ErrorKind::format);
  }
  std::vector<std::optional<Member>> current(n);
  std::vector<std::optional<std::size_t>> match(n);
  std::vector<bool> taken(n, false);
  for (std::size_t t = 0; t < n; ++t) {
    for (std::size_t u = 0; u < t; ++u)
      if (targets[u].path == targets[t].path) throw Error(targets[t].path, "device", targets[t].path, "given twice");
    if (targets[t].create) continue;
    current[t] = try_load(targets[t].path);
    if (!current[t]) continue;
    refuse_mid_reshape(*current[t]);
    const auto id = identity_of(current[t]->md);
    for (std::size_t s = 0; s < n; ++s) {
      if (!(saved_ids[s] == id)) continue;
      if (taken[s])
        throw Error(targets[t].path, "md.device_uuid", format_uuid(id.device_uuid),
                    fmt::format("is the same member as another target (both match the saved {}): nothing written", image.members[s].device));
      match[t] = s;
      taken[s] = true;
      break;
    }
  }
  const auto next_untaken = [&] { return static_cast<std::size_t>(std::find(taken.begin(), taken.end(), false) - taken.begin()); };
  // A new image file overwrites nothing: it takes the next saved member left.
  for (std::size_t t = 0; t < n; ++t)
    if (targets[t].create && !match[t]) {
      match[t] = next_untaken();
      taken[*match[t]] = true;
    }
  RestorePlan out{restore_plan_frame(), {}};
  for (std::size_t t = 0; t < n; ++t) {
    bool across = false;
    if (!match[t]) {
      const std::size_t s = next_untaken();
      if (!force)
        throw Error(targets[t].path, "md.device_uuid", current[t] ? format_uuid(current[t]->md.device_uuid) : "none",
                    fmt::format("matches no saved member ({}), and the saved {} ({}) is left without a target: nothing "
                                "written",
                                describe_target(current[t]), image.members[s].device, saved_ids[s].describe()),
                    ErrorKind::refused);
      match[t] = s;
      taken[s] = true;
      across = true;
    }
    const SavedMember& saved = image.members[*match[t]];
    std::uint64_t size = 0;
    if (!targets[t].create) {
      size = current[t] ? current[t]->device_bytes : Device::open_for_read(targets[t].path).size_bytes();
      if (size != saved.device_bytes && !force)
        throw Error(targets[t].path, "size", std::to_string(size),
                    fmt::format("differs from the saved {} bytes of {}", saved.device_bytes, saved.device), ErrorKind::refused);
    }
    MemberPlan& mp = add_restore_writes(out.writes, saved, targets[t].path, current[t]);
    mp.device_bytes = size;
    mp.create_bytes = targets[t].create ? saved.device_bytes : 0;
    out.assignments.push_back({*match[t], targets[t], across});
  }
  drop_empty_phases(out.writes);
  check_plan(out.writes);
  return out;
}

void verify_restores(const MetadataImage& image, const std::vector<Member>& members) {
  for (const auto& saved : image.members) {
    const auto m = std::find_if(members.begin(), members.end(), [&](const Member& x) { return x.device == saved.device; });
    if (m == members.end()) throw Error(saved.device, "backup", saved.device, "saved from no member of this write");
    if (!(saved_identity(saved) == identity_of(m->md)))
      throw Error(saved.device, "backup", saved_identity(saved).describe(), "the saved md superblock is not this member's: restore would refuse it");
    WritePlan plan = restore_plan_frame();
    add_restore_writes(plan, saved, m->device, *m);
    check_plan(plan);
    // Replays the restore over bytes that differ everywhere from the saved ones.
    std::vector<std::vector<std::uint8_t>> after;
    for (const auto& r : saved.ranges) {
      after.push_back(r.bytes);
      for (auto& b : after.back()) b = static_cast<std::uint8_t>(~b);
    }
    // The bad-block log is not written by a restore (add_restore_writes): on
    // the member it keeps the bytes it has now, the ones just saved.
    if (m->md.bblog_offset != 0 && m->md.bblog_size != 0 && m->md.bblog_offset_bytes() >= 0) {
      const auto log = static_cast<std::uint64_t>(m->md.bblog_offset_bytes());
      const std::uint64_t log_end = log + std::uint64_t{m->md.bblog_size} * 512;
      for (std::size_t i = 0; i < saved.ranges.size(); ++i) {
        const auto& r = saved.ranges[i];
        const std::uint64_t lo = std::max(log, r.offset);
        const std::uint64_t hi = std::min(log_end, r.offset + r.bytes.size());
        if (lo < hi)
          std::copy_n(r.bytes.begin() + static_cast<std::ptrdiff_t>(lo - r.offset), hi - lo,
                      after[i].begin() + static_cast<std::ptrdiff_t>(lo - r.offset));
      }
    }
    for (const auto& phase : plan.members.front().phases)
      for (const auto& w : phase)
        for (std::size_t i = 0; i < saved.ranges.size(); ++i) {
          const auto& r = saved.ranges[i];
          const std::uint64_t lo = std::max(w.offset, r.offset);
          const std::uint64_t hi = std::min(w.offset + w.bytes.size(), r.offset + r.bytes.size());
          if (lo < hi)
            std::copy_n(w.bytes.begin() + static_cast<std::ptrdiff_t>(lo - w.offset), hi - lo,
                        after[i].begin() + static_cast<std::ptrdiff_t>(lo - r.offset));
        }
    for (std::size_t i = 0; i < saved.ranges.size(); ++i)
      if (after[i] != saved.ranges[i].bytes)
        throw Error(saved.device, "backup", std::to_string(saved.ranges[i].offset), "restoring it would not give back the saved bytes");
  }
}

void verify_saved_file(const std::string& path, const MetadataImage& image, const std::vector<Member>& members) {
  const MetadataImage back = load_metadata_image(path);
  if (back.members.size() != image.members.size() ||
      !std::equal(back.members.begin(), back.members.end(), image.members.begin(), same_saved))
    throw Error(path, "backup", "", "reads back different from what was saved");
  verify_restores(back, members);
}

void save_verified_backup(const std::string& path, const MetadataImage& image, const std::vector<Member>& members) {
  save_metadata_image(path, image);
  try {
    verify_saved_file(path, image, members);
  } catch (const Error& e) {
    std::error_code ec;
    std::filesystem::remove(path, ec);
    throw Error(e.device(), e.field(), e.value(), fmt::format("{}: backup {} removed, nothing written", e.message(), path));
  }
}

}  // namespace llbmp
