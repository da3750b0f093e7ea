// Shared by the writing commands: fault injection from the environment (for
// the crash-safety tests), --dry-run output, backups and copy choice.
#pragma once

#include <fmt/core.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "command.hpp"
#include "parse.hpp"
#include "llbmp/copy_choice.hpp"
#include "llbmp/device.hpp"
#include "llbmp/metadata_image.hpp"
#include "llbmp/write_common.hpp"

namespace llbitmap::cli {

// LLBITMAP_FAULT_AT=k stops the operation at its k-th write or flush.
inline std::shared_ptr<llbmp::FaultInjector> fault_injector_from_env() {
  const char* at = std::getenv("LLBITMAP_FAULT_AT");
  if (at == nullptr || *at == '\0') return nullptr;
  return std::make_shared<llbmp::FaultInjector>(parse_number(at, "LLBITMAP_FAULT_AT"));
}

// --member DEV / --merge worst: which copy of the bitmap to read when the
// members disagree (replay-resync, convert); the kernel's copy by default.
struct CopySourceArgs {
  std::string member, merge;
};

inline void add_copy_source_options(CLI::App* cmd, CopySourceArgs& args) {
  cmd->add_option("--member", args.member, "Read the states from this member's copy (default: the copy the kernel loads); which devices are written does not change")
      ->type_name("DEV");
  cmd->add_option("--merge", args.merge, "worst: merge every member's copy, each chunk taking the state that resyncs the most")
      ->type_name("worst");
}

inline llbmp::CopySource copy_source_from(const CopySourceArgs& args, const std::vector<std::string>& devices) {
  if (!args.member.empty() && !args.merge.empty()) throw UsageError("--member and --merge exclude each other");
  if (!args.merge.empty() && args.merge != "worst") throw UsageError(fmt::format("--merge {}: only 'worst' merges copies", args.merge));
  if (!args.merge.empty()) return {llbmp::CopyChoice::merge_worst, {}};
  if (args.member.empty()) return {};
  if (std::find(devices.begin(), devices.end(), args.member) == devices.end())
    throw UsageError(fmt::format("--member {}: give it among the devices too", args.member));
  return {llbmp::CopyChoice::member, args.member};
}

// One line naming the copy read, and how much the members disagree.
inline std::string copy_source_line(const std::string& source, std::size_t copies, std::uint64_t disagreeing_chunks,
                                    const CopySourceArgs& args) {
  if (copies < 2) return source;
  if (disagreeing_chunks == 0) return fmt::format("{} (the {} members agree)", source, copies);
  const bool defaulted = args.member.empty() && args.merge.empty();
  return fmt::format("{} (the {} members disagree in {} chunk{}{})", source, copies, disagreeing_chunks,
                     disagreeing_chunks == 1 ? "" : "s", defaulted ? ": --member DEV or --merge worst choose another copy" : "");
}

// --backup-file: saves what the plan rewrites on every member it writes, then
// says how to undo. Refuses an existing file (a backup is never overwritten).
inline void save_backup(const std::string& path, const std::vector<llbmp::Member>& members, const llbmp::WritePlan& plan) {
  const auto image = llbmp::capture_before(members, plan);
  llbmp::save_metadata_image(path, image);
  fmt::print("backup: {} (undo with: llbitmap restore {}", path, path);
  for (const auto& m : image.members) fmt::print(" {}", m.device);
  fmt::print(")\n");
}

inline void print_plan(const llbmp::WritePlan& plan) {
  for (const auto& line : llbmp::describe_plan(plan)) fmt::print("  {}\n", line);
  fmt::print("  {} bytes in {} phases, each followed by a flush of every member\n", plan.bytes_written(), plan.phase_count());
}

// The last line of every --dry-run; a --backup-file given with it is not written either.
inline void print_dry_run_end(const std::string& backup_file = {}) {
  fmt::print("dry run: nothing written{}\n", backup_file.empty() ? "" : ", no backup saved");
}

}  // namespace llbitmap::cli
