// llbitmap convert DEV... (alias convert-from-classic): the classic bitmap of
// a stopped array's members to an llbitmap, or back with --to classic.
#include <fmt/core.h>

#include "command.hpp"
#include "progress.hpp"
#include "write/convert.hpp"
#include "write/metadata_backup.hpp"
#include "write/write_common.hpp"
#include "parse.hpp"
#include "write_support.hpp"

namespace llbitmap::cli {

namespace {

struct ConvertArgs {
  std::vector<std::string> devices;
  std::string to = "lockless", chunk_size, backup_file;
  bool dry_run = false, quiet = false;
  CopySourceArgs copy;
};

int run_convert(const ConvertArgs& a) {
  if (a.devices.empty()) throw UsageError("give every member device or image of the array");
  llbmp::ConvertOptions o;
  if (a.to == "lockless" || a.to == "llbitmap") o.to = llbmp::BitmapFormat::lockless;
  else if (a.to == "classic") o.to = llbmp::BitmapFormat::classic;
  else throw UsageError(fmt::format("--to {}: lockless or classic", a.to));
  if (!a.chunk_size.empty()) {
    o.chunk_bytes = parse_size_bytes(a.chunk_size, "--chunk-size", PlainNumber::refused);
    if (*o.chunk_bytes / 512 > 0xffffffffu) throw UsageError(fmt::format("--chunk-size {}: more than 2^32-1 sectors", a.chunk_size));
  }
  o.source = copy_source_from(a.copy, a.devices);
  const auto members = llbmp::load_array_members(a.devices);
  const auto plan = llbmp::plan_convert(members, o);
  if (a.dry_run) {
    fmt::print("{}{}{}", convert_text(plan, o.to, true, a.copy.chosen()), plan_text(plan.writes), dry_run_end_text(a.backup_file));
    return kExitOk;
  }
  Progress progress("convert", a.quiet);
  // Every member opened and checked before the backup is taken from it and before any write.
  llbmp::OpenedPlan opened(plan.writes, fault_injector_from_env());
  std::string undo;
  if (!a.backup_file.empty()) {
    progress.update(0, members.size(), "backup to " + a.backup_file);
    undo = save_backup(a.backup_file, opened, members);
  }
  progress.update(0, members.size(), fmt::format("writing {} phases to {} members", plan.writes.phase_count(), members.size()));
  execute_reporting(opened, undo);
  progress.clear();
  fmt::print("{}", convert_text(plan, o.to, false, a.copy.chosen()));  // only once written: a refusal at open leaves no success line
  return kExitOk;
}

}  // namespace

Runner add_convert(CLI::App& app) {
  auto a = std::make_shared<ConvertArgs>();
  auto* cmd = app.add_subcommand("convert", "Convert a stopped array's classic bitmap to an llbitmap, or back (alias convert-from-classic)");
  cmd->add_option("devices", a->devices, "Every member device or image file of the array");
  cmd->add_option("--to", a->to, "Target format: lockless or classic")->capture_default_str();
  cmd->add_option("--chunk-size", a->chunk_size, "Chunk size of the new bitmap with a unit: 64K, 1M, or 128s in sectors")
      ->type_name("SIZE");
  cmd->add_option("--backup-file", a->backup_file, "Save the metadata the conversion rewrites to this new FILE first (undo with restore)")
      ->type_name("FILE");
  add_copy_source_options(cmd, a->copy);
  cmd->add_flag("--dry-run,-n", a->dry_run, "Print the plan and the state counts; write nothing");
  cmd->add_flag("--quiet,-q", a->quiet, "No progress line on a terminal");
  cmd->footer(
      "Example:\n  llbitmap convert --backup-file md0-classic.llbmp /dev/sdb1 /dev/sdc1\n"
      "  llbitmap convert --to classic --dry-run /dev/sdb1 /dev/sdc1");
  return [a] { return run_convert(*a); };
}

}  // namespace llbitmap::cli
