// Shared by the writing commands: fault injection from the environment (for
// the crash-safety tests), backups, the copy choice and the report of a
// stopped write (their text: render/write.hpp).
#pragma once

#include <fmt/core.h>

#include <algorithm>
#include <cstdio>
#include <cstdint>
#include <csignal>
#include <cstdlib>
#include <string_view>
#include <memory>
#include <string>
#include <vector>

#include "command.hpp"
#include "parse.hpp"
#include "inspect/copy_choice.hpp"
#include "io/device.hpp"
#include "write/metadata_backup.hpp"
#include "engine/state_spec.hpp"
#include "write/write_plan.hpp"
#include "write/write_common.hpp"
#include "render/write.hpp"

namespace llbitmap::cli {

// For the crash-safety tests: LLBITMAP_FAULT_AT=k stops the operation at its
// k-th write or flush; LLBITMAP_SIGNAL_AT=k[:INT|:TERM] sends the process
// SIGTERM (or SIGINT) just before its k-th write or flush.
inline std::shared_ptr<llbmp::FaultInjector> fault_injector_from_env() {
  const auto step_from = [](const char* name, std::string_view text) {
    const auto k = llbmp::parse_unsigned(text);
    if (!k) throw UsageError(fmt::format("{}={}: not a number", name, text));
    return *k;
  };
  const char* fail = std::getenv("LLBITMAP_FAULT_AT");
  const char* signal = std::getenv("LLBITMAP_SIGNAL_AT");
  const bool has_fail = fail != nullptr && *fail != '\0';
  const bool has_signal = signal != nullptr && *signal != '\0';
  if (!has_fail && !has_signal) return nullptr;
  const std::uint64_t fail_at = has_fail ? step_from("LLBITMAP_FAULT_AT", fail) : 0;
  std::uint64_t signal_at = 0;
  int signal_number = SIGTERM;
  if (has_signal) {
    std::string_view text = signal;
    const auto colon = text.find(':');
    if (colon != std::string_view::npos) {
      const auto name = text.substr(colon + 1);
      if (name == "INT") signal_number = SIGINT;
      else if (name != "TERM") throw UsageError(fmt::format("LLBITMAP_SIGNAL_AT={}: the signal is INT or TERM", text));
      text = text.substr(0, colon);
    }
    signal_at = step_from("LLBITMAP_SIGNAL_AT", text);
  }
  return std::make_shared<llbmp::FaultInjector>(fail_at, signal_at, signal_number);
}

// --member DEV / --merge worst: which copy of the bitmap to read when the
// members disagree (replay-resync, convert); the kernel's copy by default.
struct CopySourceArgs {
  std::string member, merge;
  bool chosen() const noexcept { return !member.empty() || !merge.empty(); }
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

// --backup-file: saves what the plan rewrites on every member it writes, read
// from the devices the plan holds open, verifies that it reads back and
// restores, then says how to undo. Refuses an existing file (a backup is never
// overwritten). Returns the line that says how to undo.
inline std::string save_backup(const std::string& path, const llbmp::OpenedPlan& opened, const std::vector<llbmp::Member>& members) {
  const auto image = llbmp::capture_before(opened, members);
  llbmp::save_verified_backup(path, image, members);
  std::vector<std::string> devices;
  for (const auto& m : image.members) devices.push_back(m.device);
  const auto undo = restore_command(path, devices);
  fmt::print("{}", backup_text(path, undo));
  return "undo with: " + undo;
}

// Writes an opened plan. When writing stops half-way (a failed write, SIGINT
// or SIGTERM) says on stderr what each member was left holding and how to get
// back (`recovery`, e.g. "undo with: llbitmap restore ..."; empty: no backup),
// then lets the error through to main.
inline void execute_reporting(llbmp::OpenedPlan& opened, const std::string& recovery) {
  try {
    opened.execute();
  } catch (const llbmp::WriteStopped& stopped) {
    fmt::print(stderr, "{}", stopped_text(stopped.outcomes(), recovery));
    throw;
  }
}

}  // namespace llbitmap::cli
