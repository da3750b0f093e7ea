// The md personalities: for each RAID level the facts the code decides by.
// Every level rule of the library and the CLI asks this table.
// It lives in format, not engine, because the md superblock validator needs it
// and format may not include engine (the table is pure data).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "llbmp/level.hpp"

namespace llbmp {

// How the array's data lies on the members.
enum class Spread : std::uint8_t {
  single,       // one member at a time (faulty)
  concat,       // members one after another (linear)
  stripe,       // striped, no redundancy (raid0)
  mirror,       // every member a full copy (raid1, multipath)
  parity,       // striped with parity blocks (raid4, raid5, raid6)
  copies,       // striped copies, near and far (raid10)
};

// What the bitmap's chunks count, and so what sync_size means.
enum class BitmapSpan : std::uint8_t {
  none,         // the kernel keeps no bitmap
  member,       // member sectors, which are the array's (sync_size: per member)
  stripe_rows,  // member sectors: an array range widens to whole stripe rows and maps to
                // a row's sectors on one member (llbitmap_prepare_range; sync_size: per member)
  array,        // array sectors (raid10_size(); sync_size: the array)
};

struct Personality {
  std::int32_t level;
  // As examine prints it; empty: printed as "level<N>".
  std::string_view name;
  Spread spread;
  bool bitmap;                  // the kernel runs it with a bitmap (md_check_no_bitmap)
  bool chunked;                 // the md chunk size is stored and rounds the member size
  bool chunk_power_of_two;      // the kernel refuses a chunk that is not 2^n >= 8 sectors
  std::uint32_t min_devices;    // raid10's own bound is its copies (2 <= copies <= raid_disks)
  std::uint32_t parity;         // parity blocks per stripe row
  std::uint32_t default_layout; // mdadm's layout when none is given
  BitmapSpan bitmap_span;
  // A first write leaves the chunk NeedSync (the parity is built later) and an
  // automatic sync of a whole array is a lazy recovery (MD_RECOVERY_LAZY_RECOVER).
  bool lazy_recovery;
  bool creatable;               // parse_level accepts its name (create, replay-resync and simulate --level)
  bool modelled;                // replay-resync and simulate model its syncs
};

inline constexpr std::array<Personality, 9> kPersonalities{{
    // level, name, spread, bitmap, chunked, chunk_power_of_two, min_devices, parity, default_layout,
    // bitmap_span, lazy_recovery, creatable, modelled
    // faulty: examine has always printed "level-5" for it, so it keeps no name here.
    {-5, "", Spread::single, true, false, false, 1, 0, 0, BitmapSpan::member, false, false, false},
    {-4, "multipath", Spread::mirror, true, false, false, 1, 0, 0, BitmapSpan::member, false, false, false},
    {-1, "linear", Spread::concat, false, false, false, 1, 0, 0, BitmapSpan::none, false, true, false},
    {0, "raid0", Spread::stripe, false, true, false, 1, 0, 0, BitmapSpan::none, false, true, false},
    {1, "raid1", Spread::mirror, true, false, false, 1, 0, 0, BitmapSpan::member, false, true, true},
    {4, "raid4", Spread::parity, true, true, true, 2, 1, 0, BitmapSpan::stripe_rows, true, true, true},
    {5, "raid5", Spread::parity, true, true, true, 2, 1, 2, BitmapSpan::stripe_rows, true, true, true},
    {6, "raid6", Spread::parity, true, true, true, 4, 2, 2, BitmapSpan::stripe_rows, true, true, true},
    {10, "raid10", Spread::copies, true, true, true, 1, 0, 0x102, BitmapSpan::array, false, true, true},
}};

// The personality of a level, or nullptr when md has none for it.
constexpr const Personality* personality_of(std::int32_t level) noexcept {
  for (const auto& p : kPersonalities)
    if (p.level == level) return &p;
  return nullptr;
}

// Named facts of a level that may be unknown (false for an unknown level).
constexpr bool has_lazy_recovery(std::int32_t level) noexcept {
  const auto* p = personality_of(level);
  return p && p->lazy_recovery;
}
constexpr bool has_parity(std::int32_t level) noexcept {
  const auto* p = personality_of(level);
  return p && p->spread == Spread::parity;
}
constexpr bool maps_stripe_rows(std::int32_t level) noexcept {
  const auto* p = personality_of(level);
  return p && p->bitmap_span == BitmapSpan::stripe_rows;
}
constexpr bool counts_array_sectors(std::int32_t level) noexcept {
  const auto* p = personality_of(level);
  return p && p->bitmap_span == BitmapSpan::array;
}
// raid10_resize refuses a resize while a reshape runs (-EBUSY); raid1 and
// raid4/5/6 do not ask (ONDISK.md 9.7.1).
constexpr bool resize_refused_during_reshape(std::int32_t level) noexcept {
  const auto* p = personality_of(level);
  return p && p->spread == Spread::copies;
}
constexpr bool is_modelled(std::int32_t level) noexcept {
  const auto* p = personality_of(level);
  return p && p->modelled;
}

// raid10's copies from its layout (near in bits 0-7, far in 8-15, each at least 1).
constexpr std::uint32_t raid10_layout_copies(std::uint32_t layout) noexcept {
  const std::uint32_t near_copies = layout & 0xff;
  const std::uint32_t far_copies = (layout >> 8) & 0xff;
  return (near_copies == 0 ? 1 : near_copies) * (far_copies == 0 ? 1 : far_copies);
}

// Members that hold data in one stripe row (or one copy): raid1 1, raid4/5
// n-1, raid6 n-2 (at least 1), raid10 n / copies, raid0 and linear n.
std::uint32_t data_disks(const Personality& p, std::uint32_t raid_disks, std::uint32_t layout) noexcept;

// Members the array can lose and still run: raid1 n-1, raid4/5 1, raid6 2,
// raid10 copies-1, raid0 and linear 0.
std::uint32_t max_degraded(const Personality& p, std::uint32_t raid_disks, std::uint32_t layout) noexcept;

// level_name (the other way) is public: llbmp/level.hpp.
// A creatable level by name: "raid5", "5", "linear" (any case).
std::optional<std::int32_t> parse_level(const std::string& text);

}  // namespace llbmp
