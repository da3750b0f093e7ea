// The eight llbitmap chunk states (ONDISK.md section 5) and their counts
// over a bitmap. The state machine itself is the library's own
// (libllbmp/engine/state_engine.hpp).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <llbmp/export.hpp>

namespace llbmp {

enum class State : std::uint8_t {
  Unwritten = 0,
  Clean = 1,
  Dirty = 2,
  NeedSync = 3,
  Syncing = 4,
  NeedSyncUnwritten = 5,
  SyncingUnwritten = 6,
  CleanUnwritten = 7,
};
inline constexpr std::size_t kStateCount = 8;

constexpr bool is_valid_state(std::uint8_t byte) noexcept { return byte < kStateCount; }

// Machine names (the JSON keys): "unwritten", "need_sync", ...
LLBMP_API std::string_view state_key(State state) noexcept;
// The kernel's sysfs names: "unwritten", "need sync", ...
LLBMP_API std::string_view state_sysfs_name(State state) noexcept;

struct StateCounts {
  std::array<std::uint64_t, kStateCount> by_state{};
  std::uint64_t invalid = 0;

  LLBMP_API std::uint64_t total() const noexcept;
  std::uint64_t of(State s) const noexcept { return by_state[static_cast<std::size_t>(s)]; }
  // Every chunk not known to be in sync: dirty, need_sync, syncing,
  // need_sync_unwritten, syncing_unwritten and invalid.
  LLBMP_API std::uint64_t not_in_sync() const noexcept;
  LLBMP_API StateCounts& operator+=(const StateCounts& other) noexcept;
  bool operator==(const StateCounts&) const = default;
};

}  // namespace llbmp
