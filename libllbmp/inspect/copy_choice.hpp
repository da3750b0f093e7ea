// Which copy of the bitmap a reader takes when the members of one array
// disagree (replay-resync, convert). The kernel reads one member only
// (kernel_source_member); a careful reader can take one member by name, or
// merge every copy chunk by chunk into the state that leaves the most to
// resync (worst_state; for classic bitmaps a bit set on any member).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "inspect/member.hpp"

namespace llbmp {

enum class CopyChoice { kernel, member, merge_worst };

struct CopySource {
  CopyChoice choice = CopyChoice::kernel;
  std::string member;  // the device, for CopyChoice::member
};

struct ChosenCopy {
  CopyChoice choice = CopyChoice::kernel;
  std::size_t member = 0;  // whose md superblock, header and geometry are used (the kernel's copy when merging)
  std::vector<std::uint8_t> states;  // llbitmap: one state byte per chunk under the choice
  std::vector<bool> out_of_sync;     // classic: one flag per chunk under the choice (a set bit)
  std::size_t copies = 0;            // members whose copy was compared
  std::uint64_t disagreeing_chunks = 0;  // chunks whose copies differ among them

  // "a.img, the copy the kernel loads", "b.img (--member)", "the worst state over 2 members".
  std::string describe(const std::vector<Member>& members) const;
};

// Reads every member's copy (llbitmap states or classic bits) and applies
// the choice. Throws Error when the named member is not given or has no
// readable bitmap, when no member has one, or when merging copies of
// different chunk counts.
ChosenCopy choose_copy(const std::vector<Member>& members, const CopySource& source);

// The llbitmap state bytes of the chosen member's area from byte 1024 to the
// end of what was read, the copy's states over its chunks: what the kernel
// holds in memory, the bytes past the chunks included.
std::vector<std::uint8_t> copy_area_states(const Member& member, const ChosenCopy& copy);

}  // namespace llbmp
