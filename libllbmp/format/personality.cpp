#include "format/personality.hpp"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>

namespace llbmp {

std::uint32_t data_disks(const Personality& p, std::uint32_t raid_disks, std::uint32_t layout) noexcept {
  switch (p.spread) {
    case Spread::concat:
    case Spread::stripe: return raid_disks;
    case Spread::parity: return raid_disks > p.parity ? raid_disks - p.parity : 1;
    case Spread::copies: return std::max<std::uint32_t>(1, raid_disks / raid10_layout_copies(layout));
    case Spread::single:
    case Spread::mirror: return 1;
  }
  return 1;
}

std::uint32_t max_degraded(const Personality& p, std::uint32_t raid_disks, std::uint32_t layout) noexcept {
  switch (p.spread) {
    case Spread::parity: return p.parity;
    case Spread::mirror: return raid_disks > 0 ? raid_disks - 1 : 0;
    case Spread::copies: return raid10_layout_copies(layout) - 1;
    case Spread::single:
    case Spread::concat:
    case Spread::stripe: return 0;
  }
  return 0;
}

std::string level_name(std::int32_t level) {
  const auto* p = personality_of(level);
  if (p && !p->name.empty()) return std::string(p->name);
  return fmt::format("level{}", level);
}

std::optional<std::int32_t> parse_level(const std::string& text) {
  std::string t = text;
  std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return std::tolower(c); });
  if (t.rfind("raid", 0) == 0) t = t.substr(4);
  for (const auto& p : kPersonalities) {
    if (!p.creatable) continue;
    std::string_view name = p.name;
    if (name.rfind("raid", 0) == 0) name.remove_prefix(4);
    if (t == name) return p.level;
  }
  return std::nullopt;
}

}  // namespace llbmp
