// llbitmap restore FILE TARGET...: writes the metadata saved by dump --save or
// convert --backup-file back onto devices, or into new sparse image files.
#include <fmt/core.h>

#include <filesystem>

#include "command.hpp"
#include "llbmp/metadata_image.hpp"
#include "write_support.hpp"

namespace llbitmap::cli {

namespace {

struct RestoreArgs {
  std::string file;
  std::vector<std::string> targets;
  bool force = false, dry_run = false;
};

int run_restore(const RestoreArgs& a) {
  const auto image = llbmp::load_metadata_image(a.file);
  if (a.targets.size() != image.members.size())
    throw UsageError(fmt::format("{} holds {} member(s): give as many targets, in the same order ({})", a.file, image.members.size(),
                                 [&] {
                                   std::string names;
                                   for (const auto& m : image.members) names += (names.empty() ? "" : " ") + m.device;
                                   return names;
                                 }()));
  std::vector<llbmp::WritePlan> plans;
  std::vector<llbmp::RestoreTarget> targets;
  for (std::size_t i = 0; i < a.targets.size(); ++i) {
    targets.push_back({a.targets[i], !std::filesystem::exists(a.targets[i])});
    plans.push_back(llbmp::plan_restore(image.members[i], targets.back(), a.force));
  }
  for (std::size_t i = 0; i < plans.size(); ++i) {
    const auto& saved = image.members[i];
    fmt::print("{}: {} the metadata of {} ({} bytes{})\n", targets[i].path, a.dry_run ? "would get" : "gets", saved.device,
               saved.device_bytes, targets[i].create ? ", a new sparse image" : "");
    if (a.dry_run) print_plan(plans[i]);
  }
  if (a.dry_run) {
    print_dry_run_end();
    return kExitOk;
  }
  const auto faults = fault_injector_from_env();
  for (std::size_t i = 0; i < plans.size(); ++i) {
    if (targets[i].create) llbmp::Device::create_image(targets[i].path, image.members[i].device_bytes);
    llbmp::execute_plan(plans[i], faults);
  }
  return kExitOk;
}

}  // namespace

Runner add_restore(CLI::App& app) {
  auto a = std::make_shared<RestoreArgs>();
  auto* cmd = app.add_subcommand("restore", "Write metadata saved by dump --save or convert --backup-file back");
  cmd->add_option("file", a->file, "The metadata image")->required();
  cmd->add_option("targets", a->targets, "One device or image file per saved member (a missing file is created sparse)")->required();
  cmd->add_flag("--force", a->force, "Restore onto a target of another size or array");
  cmd->add_flag("--dry-run,-n", a->dry_run, "Print the writes; write nothing");
  cmd->footer("Example:\n  llbitmap restore md0-classic.llbmp /dev/sdb1 /dev/sdc1\n  llbitmap restore sdb1.llbmp copy-of-sdb1.img");
  return [a] { return run_restore(*a); };
}

}  // namespace llbitmap::cli
