#include "format/metadata_image.hpp"

#include <fmt/core.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>

#include "format/endian.hpp"
#include "llbmp/error.hpp"
#include "format/md_super.hpp"
#include "format/shared_library.hpp"

namespace llbmp {

namespace {

constexpr std::array<std::uint8_t, 8> kMagic = {'L', 'L', 'B', 'M', 'P', 'S', 'A', 'V'};
constexpr std::uint16_t kMaxRanges = 16;

// zlib, loaded at the first image encoded or decoded (format/shared_library.hpp).
struct Zlib {
  SharedLibrary library{"libz.so.1", "the metadata image"};
  decltype(&::crc32) crc32 = library.function<decltype(&::crc32)>("crc32");
  decltype(&::compressBound) compress_bound = library.function<decltype(&::compressBound)>("compressBound");
  decltype(&::compress2) compress2 = library.function<decltype(&::compress2)>("compress2");
  decltype(&::uncompress) uncompress = library.function<decltype(&::uncompress)>("uncompress");
};

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
  return static_cast<std::uint32_t>(loaded<Zlib>().crc32(0L, bytes.data(), static_cast<uInt>(bytes.size())));
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

}  // namespace

// The saved md superblock and its byte offset: the first v1.x location (1.2,
// 1.1, 1.0, as on a device) whose saved bytes hold the md magic and a
// super_offset naming that location.
std::optional<std::pair<MdSuperblock, std::uint64_t>> saved_md_superblock(const SavedMember& m) {
  for (const int minor : {2, 1, 0}) {
    const auto sector = md_superblock_sector(minor, m.device_bytes);
    if (!sector) continue;
    const std::uint64_t at = *sector * 512;
    for (const auto& r : m.ranges) {
      if (at < r.offset || at + kMdSuperblockRead > r.offset + r.bytes.size()) continue;
      const auto md = md_superblock_at(std::span(r.bytes).subspan(at - r.offset, kMdSuperblockRead), minor, m.device_bytes, m.device);
      if (md) return std::make_pair(*md, at);
    }
  }
  return std::nullopt;
}

std::pair<MdSuperblock, std::uint64_t> require_saved_md_superblock(const SavedMember& m) {
  auto md = saved_md_superblock(m);
  if (!md) throw Error(m.device, "md", "none", "the saved member holds no md v1.x superblock at its place");
  return std::move(*md);
}

std::vector<std::uint8_t> encode_metadata_image(const MetadataImage& image) {
  Writer w;
  w.put_bytes(kMagic);
  w.put_le<std::uint32_t>(kMetadataImageVersion);
  w.put_le<std::uint32_t>(static_cast<std::uint32_t>(image.members.size()));
  for (const auto& m : image.members) {
    const auto raw = encode_record(m);
    uLongf zlen = loaded<Zlib>().compress_bound(static_cast<uLong>(raw.size()));
    std::vector<std::uint8_t> z(zlen);
    if (loaded<Zlib>().compress2(z.data(), &zlen, raw.data(), static_cast<uLong>(raw.size()), Z_BEST_COMPRESSION) != Z_OK)
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
  if (count == 0 || count > kMetadataImageMaxMembers)
    throw Error(source, "image.members", std::to_string(count), fmt::format("between 1 and {}", kMetadataImageMaxMembers));
  MetadataImage image;
  for (std::uint32_t i = 0; i < count; ++i) {
    const auto raw_len = r.get<std::uint32_t>("member.raw_len");
    if (raw_len == 0 || raw_len > kMetadataImageMaxRecordBytes)
      throw Error(source, "member.raw_len", std::to_string(raw_len), fmt::format("between 1 and {} bytes", kMetadataImageMaxRecordBytes));
    const auto zlen = r.get<std::uint32_t>("member.zlen");
    const auto crc = r.get<std::uint32_t>("member.crc");
    const auto z = r.bytes(zlen, "member.zdata");
    std::vector<std::uint8_t> raw(raw_len);
    uLongf got = raw_len;
    if (loaded<Zlib>().uncompress(raw.data(), &got, z.data(), zlen) != Z_OK || got != raw_len)
      throw Error(source, "member.zdata", fmt::format("{} bytes", zlen), "does not inflate to the recorded length");
    if (crc_of(raw) != crc) throw Error(source, "member.crc", fmt::format("{:#010x}", crc), "does not match the member's bytes");
    image.members.push_back(decode_record(raw, source));
  }
  if (!r.done()) throw Error(source, "image", fmt::format("{} bytes", r.left()), "bytes after the last member");
  return image;
}

MemberIdentity identity_of(const MdSuperblock& sb) { return {sb.set_uuid, sb.device_uuid, sb.role()}; }

std::string MemberIdentity::describe() const {
  const std::string role_text = !role                 ? std::string("no role")
                                : *role == kRoleSpare  ? std::string("spare")
                                : *role == kRoleFaulty ? std::string("faulty")
                                                       : fmt::format("role {}", *role);
  return fmt::format("array {}, {}, device {}", format_uuid(set_uuid), role_text, format_uuid(device_uuid));
}

MemberIdentity saved_identity(const SavedMember& saved) { return identity_of(require_saved_md_superblock(saved).first); }

}  // namespace llbmp
