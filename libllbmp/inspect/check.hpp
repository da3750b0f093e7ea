// check_members (llbmp/check.hpp) and the merge rule of its worst-state copy.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "llbmp/error.hpp"
#include "inspect/member.hpp"
#include "llbmp/check.hpp"

namespace llbmp {

// The state a chunk must be given when copies disagree, by what the next
// sync would do: anything that needs a sync (NeedSync, Syncing, invalid, or
// an Unwritten kind needing a sync next to a written copy) gives NeedSync; an
// Unwritten kind needing a sync on every copy NeedSyncUnwritten; then Dirty,
// Clean, Unwritten, CleanUnwritten.
std::uint8_t worst_state(std::span<const std::uint8_t> copies) noexcept;

}  // namespace llbmp
