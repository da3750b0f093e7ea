#include "format/bitmap_super.hpp"

#include "format/number.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <fmt/format.h>

namespace llbmp {

std::optional<BitmapFlag> parse_bitmap_flag(const std::string& name) {
  for (const auto& entry : kBitmapFlagNames)
    if (name == entry.name) return entry.flag;
  return std::nullopt;
}

std::vector<std::string> bitmap_flag_names(std::uint32_t state) {
  std::vector<std::string> names;
  for (unsigned bit = 0; bit < 32; ++bit) {
    if ((state & (1u << bit)) == 0) continue;
    const auto* known = std::find_if(std::begin(kBitmapFlagNames), std::end(kBitmapFlagNames),
                                     [bit](const FlagName& f) { return static_cast<unsigned>(f.flag) == bit; });
    names.push_back(known != std::end(kBitmapFlagNames) ? std::string(known->name) : fmt::format("bit{}", bit));
  }
  return names;
}

BitmapSuper decode_bitmap_super(std::span<const std::uint8_t> bytes, const std::string& device) {
  if (bytes.size() < kBitmapSuperBytes)
    throw Error(device, "bitmap.superblock", std::to_string(bytes.size()),
                "too short for a bitmap superblock (256 bytes)");
  const auto disk = read_struct<BitmapSuperDisk>(bytes);
  BitmapSuper sb;
  sb.magic = disk.magic.get();
  sb.version = disk.version.get();
  std::copy(std::begin(disk.uuid), std::end(disk.uuid), sb.uuid.begin());
  sb.events = disk.events.get();
  sb.events_cleared = disk.events_cleared.get();
  sb.sync_size = disk.sync_size.get();
  sb.state = disk.state.get();
  sb.chunksize = disk.chunksize.get();
  sb.daemon_sleep = disk.daemon_sleep.get();
  sb.write_behind = disk.write_behind.get();
  sb.sectors_reserved = disk.sectors_reserved.get();
  sb.nodes = disk.nodes.get();
  const auto* name = disk.cluster_name;
  sb.cluster_name.assign(reinterpret_cast<const char*>(name), std::find(name, name + 64, std::uint8_t{0}) - name);
  return sb;
}

std::array<std::uint8_t, kBitmapSuperBytes> encode_bitmap_super(const BitmapSuper& sb) {
  BitmapSuperDisk disk{};
  disk.magic.set(sb.magic);
  disk.version.set(sb.version);
  std::copy(sb.uuid.begin(), sb.uuid.end(), std::begin(disk.uuid));
  disk.events.set(sb.events);
  disk.events_cleared.set(sb.events_cleared);
  disk.sync_size.set(sb.sync_size);
  disk.state.set(sb.state);
  disk.chunksize.set(sb.chunksize);
  disk.daemon_sleep.set(sb.daemon_sleep);
  disk.write_behind.set(sb.write_behind);
  disk.sectors_reserved.set(sb.sectors_reserved);
  disk.nodes.set(sb.nodes);
  std::copy_n(sb.cluster_name.begin(), std::min<std::size_t>(sb.cluster_name.size(), 63), std::begin(disk.cluster_name));
  std::array<std::uint8_t, kBitmapSuperBytes> out{};
  write_struct(std::span<std::uint8_t>(out), disk);
  return out;
}

namespace {

template <typename T>
T parse_field_number(const std::string& field, const std::string& text) {
  const auto value = parse_unsigned(text);
  if (!value || *value > std::numeric_limits<T>::max())
    throw Error("", "bitmap." + field, text, fmt::format("not a number from 0 to {} (decimal, or hex after 0x)", std::numeric_limits<T>::max()),
                ErrorKind::bad_value);
  return static_cast<T>(*value);
}

struct FieldAccess {
  const char* name;
  std::uint64_t* u64;
  std::uint32_t* u32;
};

std::optional<FieldAccess> numeric_field(BitmapSuper& sb, const std::string& field) {
  const FieldAccess fields[] = {
      {"magic", nullptr, &sb.magic},           {"version", nullptr, &sb.version},
      {"events", &sb.events, nullptr},         {"events_cleared", &sb.events_cleared, nullptr},
      {"sync_size", &sb.sync_size, nullptr},   {"state", nullptr, &sb.state},
      {"chunksize", nullptr, &sb.chunksize},   {"daemon_sleep", nullptr, &sb.daemon_sleep},
      {"write_behind", nullptr, &sb.write_behind}, {"sectors_reserved", nullptr, &sb.sectors_reserved},
      {"nodes", nullptr, &sb.nodes},
  };
  for (const auto& f : fields)
    if (field == f.name) return f;
  return std::nullopt;
}

}  // namespace

bool is_bitmap_field(const std::string& name) {
  return std::any_of(std::begin(kBitmapFieldNames), std::end(kBitmapFieldNames), [&](const char* n) { return name == n; });
}

std::string bitmap_field_list() {
  std::string names;
  for (const char* n : kBitmapFieldNames) names += (names.empty() ? "" : ", ") + std::string(n);
  return names;
}

void set_bitmap_field(BitmapSuper& sb, const std::string& field, const std::string& value) {
  if (field == "uuid") {
    const auto uuid = parse_uuid(value);
    if (!uuid) throw Error("", "bitmap.uuid", value, "not a uuid (32 hex digits, e.g. 01234567:89abcdef:01234567:89abcdef)",
                           ErrorKind::bad_value);
    sb.uuid = *uuid;
  } else if (field == "cluster_name") {
    if (value.size() > 63) throw Error("", "bitmap.cluster_name", value, "longer than 63 bytes", ErrorKind::bad_value);
    sb.cluster_name = value;
  } else if (const auto f = numeric_field(sb, field)) {
    if (f->u64 != nullptr) *f->u64 = parse_field_number<std::uint64_t>(field, value);
    else *f->u32 = parse_field_number<std::uint32_t>(field, value);
  } else {
    throw Error("", "bitmap", field, "no such header field (" + bitmap_field_list() + ")", ErrorKind::bad_value);
  }
}

std::string bitmap_field_text(const BitmapSuper& sb, const std::string& field) {
  if (field == "uuid") return format_uuid(sb.uuid);
  if (field == "cluster_name") return sb.cluster_name;
  BitmapSuper copy = sb;
  const auto f = numeric_field(copy, field);
  if (!f) return {};
  if (field == "magic" || field == "state") return fmt::format("{:#x}", *f->u32);
  return f->u64 != nullptr ? std::to_string(*f->u64) : std::to_string(*f->u32);
}

}  // namespace llbmp
