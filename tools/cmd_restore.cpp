// llbitmap restore FILE TARGET...: writes the metadata saved by dump --save or
// convert --backup-file back onto devices, or into new sparse image files.
#include <fmt/core.h>

#include <filesystem>

#include "command.hpp"
#include "write/metadata_backup.hpp"
#include "write_support.hpp"

namespace llbitmap::cli {

namespace {

struct RestoreArgs {
  std::string file;
  std::vector<std::string> targets;
  bool force = false, dry_run = false;
};

std::string saved_names(const llbmp::MetadataImage& image) {
  std::string names;
  for (const auto& m : image.members) names += (names.empty() ? "" : " ") + m.device;
  return names;
}

int run_restore(const RestoreArgs& a) {
  const auto image = llbmp::load_metadata_image(a.file);
  if (a.targets.size() != image.members.size())
    throw UsageError(fmt::format("{} holds {} member(s): give one target for each ({}), in any order", a.file, image.members.size(),
                                 saved_names(image)));
  std::vector<llbmp::RestoreTarget> targets;
  for (const auto& t : a.targets) targets.push_back({t, !std::filesystem::exists(t)});
  const auto plan = llbmp::plan_restore(image, targets, a.force);
  if (a.dry_run) {
    fmt::print("{}{}{}", restore_text(image, plan, true), plan_text(plan.writes), dry_run_end_text());
    return kExitOk;
  }
  // Every target opened (and the new images created) before the first write to any.
  llbmp::OpenedPlan opened(plan.writes, fault_injector_from_env());
  std::vector<std::string> in_order;
  bool creates = false;
  for (const auto& as : plan.assignments) {
    in_order.push_back(as.target.path);
    creates = creates || as.target.create;
  }
  // A new image cut short has no md superblock yet: finishing it needs --force.
  execute_reporting(opened, "finish with: " + restore_command(a.file, in_order) + (a.force || creates ? " --force" : ""));
  fmt::print("{}", restore_text(image, plan, false));  // only once written and flushed
  return kExitOk;
}

}  // namespace

Runner add_restore(CLI::App& app) {
  auto a = std::make_shared<RestoreArgs>();
  auto* cmd = app.add_subcommand("restore", "Write metadata saved by dump --save or convert --backup-file back");
  cmd->add_option("file", a->file, "The metadata image")->required();
  cmd->add_option("targets", a->targets,
                  "One device or image file per saved member, in any order: each gets the member it matches by array "
                  "uuid, device uuid and role (a missing file is created sparse)")
      ->required();
  cmd->add_flag("--force", a->force, "Restore across devices (onto targets that are not the saved members) or sizes");
  cmd->add_flag("--dry-run,-n", a->dry_run, "Print the writes; write nothing");
  cmd->footer("Example:\n  llbitmap restore md0-classic.llbmp /dev/sdb1 /dev/sdc1\n  llbitmap restore sdb1.llbmp copy-of-sdb1.img");
  return [a] { return run_restore(*a); };
}

}  // namespace llbitmap::cli
