// The only way the library writes metadata: a WritePlan.
//
// A plan lists, per member, the byte ranges it may touch (the md superblock and
// the bitmap room, never data and never a bad-block log) and the writes of each
// phase. execute() first opens every member for writing (O_EXCL on block
// devices, refused while held by an array or a mount) and checks every write
// of every phase against its member's room; only then does it write, phase by
// phase, flushing every member after each phase. A crash or failure between
// phases leaves each member with all the writes of the earlier phases.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "llbmp/device.hpp"
#include "llbmp/member.hpp"

namespace llbmp {

struct PlannedWrite {
  std::uint64_t offset = 0;  // bytes from the device start
  std::vector<std::uint8_t> bytes;
};

struct MemberPlan {
  std::string device;
  std::vector<ByteRange> room;                     // where writes may go
  std::vector<std::vector<PlannedWrite>> phases;   // phases[p] = writes of phase p
};

struct WritePlan {
  std::vector<MemberPlan> members;
  std::vector<std::string> phase_names;  // for --dry-run and errors, e.g. "mark old bitmap stale"

  std::size_t phase_count() const noexcept { return phase_names.size(); }
  MemberPlan& member(const std::string& device);  // adds one when missing
  void add(const std::string& device, std::size_t phase, std::uint64_t offset, std::vector<std::uint8_t> bytes);
  std::uint64_t bytes_written() const noexcept;
  // Every byte range the plan writes on one device, in every phase.
  std::vector<ByteRange> ranges_of(const std::string& device) const;
};

// The ranges of a member that metadata writes may touch: the md superblock
// (its 4 KiB slot) and the bitmap room (before data_offset / the 1.0
// superblock), minus any bad-block log.
std::vector<ByteRange> metadata_room(const Member& member);

// Checks every write against the room; throws Error naming the device and the
// offset of the first write that falls outside.
void check_plan(const WritePlan& plan);

// Opens every member, checks, then writes and flushes phase by phase.
void execute_plan(const WritePlan& plan, std::shared_ptr<FaultInjector> faults = nullptr);

}  // namespace llbmp
