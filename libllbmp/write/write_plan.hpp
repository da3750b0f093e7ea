// The only way the library writes metadata: a WritePlan.
//
// A plan lists, per member, the byte ranges it may touch (the md superblock and
// the bitmap room, never data and never a bad-block log) and the writes of each
// phase. execute() first opens every member for writing (O_EXCL on block
// devices, refused while held by an array or a mount) and checks every write
// of every phase against its member's room; only then does it write, phase by
// phase, flushing every member after each phase. A crash or failure between
// phases leaves each member with all the writes of the earlier phases.
//
// OpenedPlan splits that in two, so that a writing command can take its
// backup from the very devices it holds open: open and check every member
// first (nothing written when one is refused), then execute. SIGINT and
// SIGTERM from the opening on are deferred: execute abandons the plan before
// its first write, or finishes the phase it is in, flushes, and stops; then,
// as after a failed write, it throws WriteStopped telling what each member
// holds.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "io/device.hpp"
#include "llbmp/error.hpp"
#include "inspect/member.hpp"

namespace llbmp {

struct PlannedWrite {
  std::uint64_t offset = 0;  // bytes from the device start
  std::vector<std::uint8_t> bytes;
};

// What a member holds when writing stops: its old metadata (nothing
// written), the new one (every write done and flushed), or, in between, as the
// plan says: a bitmap marked STALE (md resyncs everything) or, on a member
// whose md superblock does not point to the half-written bitmap yet, the old.
enum class MemberState { old_metadata, stale, new_metadata };
const char* member_state_name(MemberState state) noexcept;  // "old", "STALE", "new"

struct MemberPlan {
  std::string device;
  std::vector<ByteRange> room;                     // where writes may go
  std::vector<std::vector<PlannedWrite>> phases;   // phases[p] = writes of phase p
  std::uint64_t device_bytes = 0;  // the size it had when planned: opening refuses another; 0 for any
  std::uint64_t create_bytes = 0;  // > 0: a new sparse image of that size, created once every other member is open
  MemberState partial_state = MemberState::stale;  // between its first write and its last
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

struct MemberOutcome {
  std::string device;
  MemberState state = MemberState::old_metadata;
};

// Writing stopped once it had begun: a write or flush failed, or a signal
// came. what() says why; outcomes() what each member of the plan holds.
class WriteStopped : public Error {
public:
  WriteStopped(const Error& cause, std::vector<MemberOutcome> outcomes, int signal);
  const std::vector<MemberOutcome>& outcomes() const noexcept { return outcomes_; }
  int signal() const noexcept { return signal_; }  // 0 after a failure

private:
  std::vector<MemberOutcome> outcomes_;
  int signal_ = 0;
};

class OpenedPlan {
public:
  // Checks the plan and opens every member for writing (O_EXCL, writable, the
  // planned size), then creates the new image files; throws Error, with
  // nothing written and no file left behind, when any is refused. `plan` must
  // outlive this object.
  explicit OpenedPlan(const WritePlan& plan, std::shared_ptr<FaultInjector> faults = nullptr);
  OpenedPlan(const OpenedPlan&) = delete;
  OpenedPlan& operator=(const OpenedPlan&) = delete;

  const WritePlan& plan() const noexcept { return plan_; }
  // The open device of a member (to read what is there before writing).
  const Device& device(const std::string& path) const;
  // Writes and flushes phase by phase; throws WriteStopped (see above).
  void execute();

private:
  std::vector<MemberOutcome> outcomes(const std::vector<std::size_t>& writes_done,
                                      const std::vector<std::size_t>& writes_flushed) const;

  const WritePlan& plan_;
  SignalDeferral signals_;
  std::vector<Device> devices_;  // one per plan_.members, same order
};

// OpenedPlan(plan, faults).execute().
void execute_plan(const WritePlan& plan, std::shared_ptr<FaultInjector> faults = nullptr);

}  // namespace llbmp
