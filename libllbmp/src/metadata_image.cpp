#include "llbmp/metadata_image.hpp"

#include <fmt/core.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <filesystem>
#include <optional>

#include "llbmp/bitmap_super.hpp"
#include "llbmp/endian.hpp"
#include "llbmp/error.hpp"
#include "llbmp/md_super.hpp"
#include "llbmp/write_common.hpp"

namespace llbmp {

namespace {

constexpr std::array<std::uint8_t, 8> kMagic = {'L', 'L', 'B', 'M', 'P', 'S', 'A', 'V'};
constexpr std::uint32_t kMaxMembers = 64;
constexpr std::uint32_t kMaxRecordBytes = 64u << 20;
constexpr std::uint16_t kMaxRanges = 16;
constexpr std::uint64_t kMdSlotBytes = 4096;

// Appends little-endian integers and bytes.
class Writer {
public:
  template <typename T>
  void put_le(T value) {
    std::array<std::uint8_t, sizeof(T)> b{};
    store_le<T>(b, 0, value);
    out_.insert(out_.end(), b.begin(), b.end());
  }
  void put_bytes(std::span<const std::uint8_t> bytes) { out_.insert(out_.end(), bytes.begin(), bytes.end()); }
  std::vector<std::uint8_t> take() { return std::move(out_); }

private:
  std::vector<std::uint8_t> out_;
};

// Reads little-endian integers and bytes; a short read is an Error naming the field.
class Reader {
public:
  Reader(std::span<const std::uint8_t> bytes, std::string source) : bytes_(bytes), source_(std::move(source)) {}
  template <typename T>
  T get(const char* field) {
    need(sizeof(T), field);
    const T v = load_le<T>(bytes_, at_);
    at_ += sizeof(T);
    return v;
  }
  std::span<const std::uint8_t> bytes(std::size_t n, const char* field) {
    need(n, field);
    const auto s = bytes_.subspan(at_, n);
    at_ += n;
    return s;
  }
  bool done() const noexcept { return at_ == bytes_.size(); }
  std::size_t left() const noexcept { return bytes_.size() - at_; }

private:
  void need(std::size_t n, const char* field) const {
    if (bytes_.size() - at_ < n)
      throw Error(source_, field, fmt::format("{} bytes at {}", n, at_), "the image ends early (truncated or not a metadata image)");
  }
  std::span<const std::uint8_t> bytes_;
  std::size_t at_ = 0;
  std::string source_;
};

std::uint32_t crc_of(std::span<const std::uint8_t> bytes) {
  return static_cast<std::uint32_t>(crc32(0L, bytes.data(), static_cast<uInt>(bytes.size())));
}

std::vector<std::uint8_t> encode_record(const SavedMember& m) {
  Writer w;
  w.put_le<std::uint64_t>(m.device_bytes);
  const std::string name = m.device.substr(0, 0xffff);
  w.put_le<std::uint16_t>(static_cast<std::uint16_t>(name.size()));
  w.put_bytes(std::span(reinterpret_cast<const std::uint8_t*>(name.data()), name.size()));
  w.put_le<std::uint16_t>(static_cast<std::uint16_t>(m.ranges.size()));
  for (const auto& r : m.ranges) {
    w.put_le<std::uint64_t>(r.offset);
    w.put_le<std::uint32_t>(static_cast<std::uint32_t>(r.bytes.size()));
    w.put_bytes(r.bytes);
  }
  return w.take();
}

SavedMember decode_record(std::span<const std::uint8_t> raw, const std::string& source) {
  Reader r(raw, source);
  SavedMember m;
  m.device_bytes = r.get<std::uint64_t>("member.device_bytes");
  const auto name_len = r.get<std::uint16_t>("member.name_len");
  const auto name = r.bytes(name_len, "member.name");
  m.device.assign(name.begin(), name.end());
  const auto nranges = r.get<std::uint16_t>("member.ranges");
  if (nranges == 0 || nranges > kMaxRanges)
    throw Error(source, "member.ranges", std::to_string(nranges), fmt::format("between 1 and {}", kMaxRanges));
  for (std::uint16_t i = 0; i < nranges; ++i) {
    SavedRange range;
    range.offset = r.get<std::uint64_t>("range.offset");
    const auto length = r.get<std::uint32_t>("range.length");
    if (length == 0 || range.offset > m.device_bytes || length > m.device_bytes - range.offset)
      throw Error(source, "range.offset", fmt::format("{}+{}", range.offset, length),
                  fmt::format("outside the saved device of {} bytes", m.device_bytes));
    const auto bytes = r.bytes(length, "range.bytes");
    range.bytes.assign(bytes.begin(), bytes.end());
    if (!m.ranges.empty() && range.offset < m.ranges.back().offset + m.ranges.back().bytes.size())
      throw Error(source, "range.offset", std::to_string(range.offset), "ranges must be in order and must not overlap");
    m.ranges.push_back(std::move(range));
  }
  if (!r.done()) throw Error(source, "member", fmt::format("{} bytes", r.left()), "bytes after the last range");
  return m;
}

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

// The saved md superblock: the first slot location whose bytes decode.
std::optional<std::pair<MdSuperblock, std::uint64_t>> saved_md(const SavedMember& m) {
  for (const int minor : {2, 1, 0}) {
    const auto sector = md_superblock_sector(minor, m.device_bytes);
    if (!sector) continue;
    const std::uint64_t at = *sector * 512;
    for (const auto& r : m.ranges) {
      if (at < r.offset || at + kMdSlotBytes > r.offset + r.bytes.size()) continue;
      try {
        MdSuperblock md = decode_md_superblock(std::span(r.bytes).subspan(at - r.offset, kMdSlotBytes), m.device);
        if (md.minor_version == minor) return std::make_pair(md, at);
      } catch (const Error&) {
      }
    }
  }
  return std::nullopt;
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
  std::vector<ByteRange> ranges = extra;
  ranges.push_back({member.md.super_offset * 512, kMdSlotBytes});
  if (member.bitmap) {
    const std::uint64_t reserved = std::uint64_t{member.bitmap->sb.sectors_reserved} * 512;
    const std::uint64_t length = std::max<std::uint64_t>({member.bitmap->area.size(), reserved, kBitmapSuperBytes});
    ranges.push_back({member.bitmap->area_offset, std::min(length, member.bitmap->room_bytes)});
  }
  for (auto& r : ranges) r.length = std::min(r.length, member.device_bytes - std::min(r.offset, member.device_bytes));
  const Device dev = Device::open_for_read(member.device);
  SavedMember out;
  out.device = member.device;
  out.device_bytes = dev.size_bytes();
  for (const auto& r : merge_ranges(ranges)) out.ranges.push_back({r.offset, dev.read(r.offset, r.length)});
  return out;
}

MetadataImage capture_before(const std::vector<Member>& members, const WritePlan& plan) {
  MetadataImage image;
  for (const auto& m : members) {
    const auto ranges = plan.ranges_of(m.device);
    if (!ranges.empty()) image.members.push_back(capture_member(m, ranges));
  }
  return image;
}

std::vector<std::uint8_t> encode_metadata_image(const MetadataImage& image) {
  Writer w;
  w.put_bytes(kMagic);
  w.put_le<std::uint32_t>(kMetadataImageVersion);
  w.put_le<std::uint32_t>(static_cast<std::uint32_t>(image.members.size()));
  for (const auto& m : image.members) {
    const auto raw = encode_record(m);
    uLongf zlen = compressBound(static_cast<uLong>(raw.size()));
    std::vector<std::uint8_t> z(zlen);
    if (compress2(z.data(), &zlen, raw.data(), static_cast<uLong>(raw.size()), Z_BEST_COMPRESSION) != Z_OK)
      throw Error(m.device, "image", "zlib", "compression failed");
    z.resize(zlen);
    w.put_le<std::uint32_t>(static_cast<std::uint32_t>(raw.size()));
    w.put_le<std::uint32_t>(static_cast<std::uint32_t>(z.size()));
    w.put_le<std::uint32_t>(crc_of(raw));
    w.put_bytes(z);
  }
  return w.take();
}

MetadataImage decode_metadata_image(std::span<const std::uint8_t> bytes, const std::string& source) {
  Reader r(bytes, source);
  const auto magic = r.bytes(kMagic.size(), "image.magic");
  if (!std::equal(magic.begin(), magic.end(), kMagic.begin())) throw Error(source, "image.magic", "", "not an llbitmap metadata image");
  const auto version = r.get<std::uint32_t>("image.version");
  if (version != kMetadataImageVersion)
    throw Error(source, "image.version", std::to_string(version), fmt::format("this llbitmap reads version {}", kMetadataImageVersion));
  const auto count = r.get<std::uint32_t>("image.members");
  if (count == 0 || count > kMaxMembers)
    throw Error(source, "image.members", std::to_string(count), fmt::format("between 1 and {}", kMaxMembers));
  MetadataImage image;
  for (std::uint32_t i = 0; i < count; ++i) {
    const auto raw_len = r.get<std::uint32_t>("member.raw_len");
    if (raw_len == 0 || raw_len > kMaxRecordBytes)
      throw Error(source, "member.raw_len", std::to_string(raw_len), fmt::format("between 1 and {} bytes", kMaxRecordBytes));
    const auto zlen = r.get<std::uint32_t>("member.zlen");
    const auto crc = r.get<std::uint32_t>("member.crc");
    const auto z = r.bytes(zlen, "member.zdata");
    std::vector<std::uint8_t> raw(raw_len);
    uLongf got = raw_len;
    if (uncompress(raw.data(), &got, z.data(), zlen) != Z_OK || got != raw_len)
      throw Error(source, "member.zdata", fmt::format("{} bytes", zlen), "does not inflate to the recorded length");
    if (crc_of(raw) != crc) throw Error(source, "member.crc", fmt::format("{:#010x}", crc), "does not match the member's bytes");
    image.members.push_back(decode_record(raw, source));
  }
  if (!r.done()) throw Error(source, "image", fmt::format("{} bytes", r.left()), "bytes after the last member");
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
  if (in.size_bytes() > std::uint64_t{kMaxMembers} * (kMaxRecordBytes + 16) + 16)
    throw Error(path, "file", std::to_string(in.size_bytes()), "too large for a metadata image");
  return decode_metadata_image(in.read(0, in.size_bytes()), path);
}

WritePlan plan_restore(const SavedMember& saved, const RestoreTarget& target, bool force) {
  enum Phase : std::size_t { kMarkStale, kBody, kBitmapHeader, kMdSuper };
  const auto md = saved_md(saved);
  if (!md) throw Error(saved.device, "md", "none", "the saved member holds no md superblock");
  const MdSuperblock& sb = md->first;
  const std::uint64_t data_first = sb.data_offset * 512;
  const std::uint64_t data_end = (sb.data_offset + sb.data_size) * 512;
  for (const auto& r : saved.ranges)
    if (r.offset < data_end && data_first < r.offset + r.bytes.size())
      throw Error(saved.device, "range.offset", std::to_string(r.offset),
                  fmt::format("reaches the data area (bytes {}..{}): not restored", data_first, data_end));

  WritePlan plan;
  plan.phase_names = {"mark the target's bitmap stale", "write the saved areas", "write the saved bitmap header",
                      "write the saved md superblock"};
  MemberPlan& mp = plan.member(target.path);
  for (const auto& r : saved.ranges) mp.room.push_back({r.offset, r.bytes.size()});
  if (!target.create) {
    const Device dev = Device::open_for_read(target.path);
    if (dev.size_bytes() != saved.device_bytes && !force)
      throw Error(target.path, "size", std::to_string(dev.size_bytes()),
                  fmt::format("differs from the saved {} bytes of {} (--force restores anyway)", saved.device_bytes, saved.device));
    std::optional<Member> current;
    try {
      current = load_member(dev);
    } catch (const Error&) {
      if (!force) throw Error(target.path, "md", "none", "the target has no md superblock (--force restores anyway)");
    }
    if (current) {
      if (current->md.set_uuid != sb.set_uuid && !force)
        throw Error(target.path, "md.set_uuid", format_uuid(current->md.set_uuid),
                    fmt::format("differs from the saved array {} (--force restores anyway)", format_uuid(sb.set_uuid)));
      if (current->bitmap) {
        for (const auto& r : metadata_room(*current)) mp.room.push_back(r);
        plan.add(target.path, kMarkStale, current->bitmap->area_offset, stale_header_bytes(current->bitmap->sb));
      }
    }
  }
  const std::uint64_t md_at = md->second;
  const std::optional<std::uint64_t> header_at =
      sb.has_bitmap() && sb.bitmap_area_offset_bytes() >= 0 ? std::optional<std::uint64_t>(static_cast<std::uint64_t>(sb.bitmap_area_offset_bytes()))
                                                          : std::nullopt;
  for (const auto& r : saved.ranges) {
    // Everything but the md slot and the bitmap header first, in pieces around them.
    std::vector<std::pair<std::uint64_t, std::uint64_t>> cuts = {{md_at, md_at + kMdSlotBytes}};
    if (header_at) cuts.push_back({*header_at, *header_at + kBitmapSuperBytes});
    std::sort(cuts.begin(), cuts.end());
    std::uint64_t from = r.offset;
    for (const auto& [lo, hi] : cuts) {
      add_piece(plan, target.path, kBody, r, from, lo);
      from = std::max(from, hi);
    }
    add_piece(plan, target.path, kBody, r, from, r.offset + r.bytes.size());
    if (header_at) add_piece(plan, target.path, kBitmapHeader, r, *header_at, *header_at + kBitmapSuperBytes);
    add_piece(plan, target.path, kMdSuper, r, md_at, md_at + kMdSlotBytes);
  }
  drop_empty_phases(plan);
  check_plan(plan);
  return plan;
}

}  // namespace llbmp
