// A read-only consistency check of one member or every member of one array
// (`llbitmap check`): every finding of each member on its own, the members
// against each other (md superblocks, bitmap headers, events), the state
// areas compared block by block as the kernel writes them, invalid state
// bytes with their likely cause, which member's copy the kernel loads, and a
// worst-state merge of all copies.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <llbmp/error.hpp>
#include <llbmp/export.hpp>
#include <llbmp/member.hpp>

namespace llbmp {

struct CheckOptions {
  std::uint32_t block_size = 512;  // the array's logical block size: the kernel's unit of write-back
};

struct CheckFinding {
  Severity severity = Severity::error;
  std::string device;  // empty for array-wide findings
  Finding finding;
};

struct CheckReport {
  std::vector<CheckFinding> findings;
  std::string kernel_source;         // the member whose bitmap the kernel reads
  std::string freshest;              // the member with the highest md events
  std::uint64_t freshest_events = 0;
  std::uint64_t differing_blocks = 0;
  std::vector<std::uint8_t> merged;  // worst state of every chunk over the members (llbitmap only)

  LLBMP_API bool consistent() const noexcept;  // no warning and no error
};

LLBMP_API CheckReport check_members(const std::vector<Member>& members, const CheckOptions& options);

}  // namespace llbmp
