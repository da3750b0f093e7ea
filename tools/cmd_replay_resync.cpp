// llbitmap replay-resync DEV...: what md will resync at the next assembly.
#include <fmt/core.h>

#include "command.hpp"
#include "format/personality.hpp"
#include "inspect/replay_members.hpp"
#include "write/replay_commit.hpp"
#include "write/write_common.hpp"
#include "parse.hpp"
#include "render/replay.hpp"
#include "write_support.hpp"

namespace llbitmap::cli {

namespace {

struct ReplayArgs {
  std::vector<std::string> devices;
  bool degraded = false, not_degraded = false, stale = false;
  bool requested = false, recover = false, readd = false, lazy = false, resync = false;
  std::optional<std::string> level;
  std::string interrupt_at, speed;
  std::optional<std::string> kernel;
  std::string format = "text";
  bool trace = false, commit = false, force = false;
  CopySourceArgs copy;
};

llbmp::SyncKind sync_kind(const ReplayArgs& a) {
  const int chosen = a.requested + a.recover + a.readd + a.lazy + a.resync;
  if (chosen > 1) throw UsageError("--resync, --requested, --recover, --re-add and --lazy exclude each other");
  if (a.requested) return llbmp::SyncKind::requested;
  if (a.recover) return llbmp::SyncKind::recover;
  if (a.readd) return llbmp::SyncKind::readd;
  if (a.lazy) return llbmp::SyncKind::lazy;
  if (a.resync) return llbmp::SyncKind::resync;
  return llbmp::SyncKind::automatic;
}

llbmp::ReplayOptions options_from(const ReplayArgs& a) {
  if (a.devices.empty()) throw UsageError("give the member devices or image files of one array");
  if (a.degraded && a.not_degraded) throw UsageError("--degraded and --not-degraded exclude each other");
  if (a.commit && !a.force) throw UsageError("--commit writes the end state to every member: add --force");
  if (a.force && !a.commit) throw UsageError("--force only goes with --commit");
  llbmp::ReplayOptions o;
  if (a.level) {
    auto text = *a.level;
    if (text.rfind("raid", 0) != 0) text = "raid" + text;
    const auto level = llbmp::parse_level(text);
    if (!level || !llbmp::is_modelled(*level))
      throw UsageError(fmt::format("--level {}: unknown level (1, 4, 5, 6 or 10)", *a.level));
    o.level = *level;
  }
  if (a.degraded) o.degraded = true;
  if (a.not_degraded) o.degraded = false;
  o.stale = a.stale;
  o.kind = sync_kind(a);
  if (!a.interrupt_at.empty()) o.interrupt_at = parse_number(a.interrupt_at, "--interrupt-at");
  if (!a.speed.empty()) o.speed_kib = parse_number_as<std::uint32_t>(a.speed, "--speed", 1);
  o.trace = a.trace;
  o.kernel = parse_kernel(a.kernel, "--kernel");
  o.source = copy_source_from(a.copy, a.devices);
  return o;
}

std::vector<std::uint32_t> speeds(const ReplayArgs& a) {
  if (!a.speed.empty()) return {parse_number_as<std::uint32_t>(a.speed, "--speed", 1)};
  return {llbmp::kMdSpeedMinKiB, llbmp::kMdSpeedMaxKiB};
}

int run_replay(const ReplayArgs& a) {
  const auto options = options_from(a);
  const auto members = llbmp::load_array_members(a.devices);
  const auto result = llbmp::replay_resync(members, options);
  const ReplayView view{result, speeds(a), a.trace, a.copy.chosen(), a.commit};
  fmt::print("{}", a.format == "json" ? replay_json(view) : replay_text(view));
  if (result.first_use || !a.commit) return kExitOk;
  const auto plan = llbmp::plan_replay_commit(members, result);
  llbmp::OpenedPlan opened(plan, fault_injector_from_env());
  execute_reporting(opened, {});
  if (a.format != "json") fmt::print("{}", committed_text(members.size()));
  return kExitOk;
}

}  // namespace

Runner add_replay_resync(CLI::App& app) {
  auto a = std::make_shared<ReplayArgs>();
  auto* cmd = app.add_subcommand("replay-resync", "Replay what md will resync at the next assembly, offline");
  cmd->add_option("devices", a->devices, "Member devices or image files of one array");
  cmd->add_option("--level", a->level, "Override the raid level (1, 4, 5, 6, 10)");
  cmd->add_flag("--degraded", a->degraded, "Treat the array as degraded");
  cmd->add_flag("--not-degraded", a->not_degraded, "Treat the array as not degraded");
  cmd->add_flag("--stale", a->stale, "Treat the bitmap as stale (Stale instead of Reload)");
  cmd->add_flag("--resync", a->resync, "A resync (the default; raid4/5/6 default to a lazy recovery)");
  cmd->add_flag("--requested", a->requested, "A user-requested check/repair: Clean and Dirty are not skipped");
  cmd->add_flag("--recover", a->recover, "A full recovery onto a new disk");
  cmd->add_flag("--re-add", a->readd, "A bitmap-based recovery of a re-added member");
  cmd->add_flag("--lazy", a->lazy, "A raid4/5/6 lazy recovery");
  cmd->add_option("--interrupt-at", a->interrupt_at, "Stop the sync at this resync-space sector (Abortsync from there)")
      ->type_name("SECTOR");
  cmd->add_option("--speed", a->speed, "Sync speed in KiB/s for the time estimate (default: md's 1000 and 200000)")
      ->type_name("KIB/S");
  cmd->add_option("--kernel", a->kernel,
                  "The Linux series to model: 6.18, 7.2 or 7.3 (default: the running kernel's, else 7.2)")
      ->type_name("SERIES");
  cmd->add_option("--format,-f", a->format, "Output format")->check(CLI::IsMember({"text", "json"}))->capture_default_str();
  add_copy_source_options(cmd, a->copy);
  cmd->add_flag("--trace", a->trace, "Print each chunk range's transitions");
  cmd->add_flag("--commit", a->commit, "Write the end state to every member (needs --force)");
  cmd->add_flag("--force", a->force, "Allow --commit to write");
  cmd->footer(
      "Example:\n  llbitmap replay-resync /dev/sdb1 /dev/sdc1\n  llbitmap replay-resync --trace --interrupt-at 65536 a.img b.img\n"
      "  llbitmap replay-resync --merge worst /dev/sdb1 /dev/sdc1\n"
      "  llbitmap replay-resync --kernel 7.3 /dev/sdb1 /dev/sdc1\n"
      "  llbitmap replay-resync --commit --force a.img b.img");
  return [a] { return run_replay(*a); };
}

}  // namespace llbitmap::cli
