// llbitmap examine DEV... | --scan: the md superblock and the bitmap of each member.
#include <string>
#include <vector>

#include "command.hpp"
#include "inspect/member.hpp"
#include "inspect/resize_view.hpp"
#include "inspect/scan_groups.hpp"
#include "io/scan.hpp"
#include "parse.hpp"
#include "progress.hpp"
#include "render/examine.hpp"

namespace llbitmap::cli {

namespace {

struct ExamineOptions {
  std::vector<std::string> devices;
  std::string format = "text";
  bool brief = false;
  bool scan = false;
  bool quiet = false;
  std::optional<std::string> kernel;
};

// The sync_size findings in the kernel's terms and what it covers, per member.
void model_kernel(ExamineGroup& group, llbmp::KernelSeries kernel) {
  for (auto& m : group.members) {
    llbmp::model_kernel_findings(m, kernel);
    group.resize.push_back(llbmp::member_resize(m, kernel));
  }
}

// The devices named on the command line as one group, or (--scan) every md
// member libblkid finds, one group per array.
ExamineResult examine_devices(const ExamineOptions& opt) {
  ExamineResult result;
  ExamineGroup group;
  for (const auto& path : opt.devices) group.members.push_back(llbmp::load_member(path));
  group.agreement = llbmp::compare_members(group.members);
  result.groups.push_back(std::move(group));
  return result;
}

ExamineResult examine_scan(const ExamineOptions& opt) {
  const auto paths = llbmp::scan_md_member_paths();
  Progress progress("examine", opt.quiet);
  auto found = llbmp::load_and_group(paths, [&progress](std::size_t done, std::size_t total, const std::string& dev) {
    progress.update(done, total, dev);
  });
  ExamineResult result;
  result.scan = true;
  for (auto& array : found.arrays) {
    auto agreement = llbmp::compare_members(array.members);
    result.groups.push_back({array.set_uuid, std::move(array.members), std::move(agreement), {}});
  }
  for (const auto& f : found.failures) result.failures.push_back(f.message);
  return result;
}

int run_examine(const ExamineOptions& opt) {
  if (opt.scan && !opt.devices.empty()) throw UsageError("--scan finds the members itself: give no devices with it");
  if (!opt.scan && opt.devices.empty()) throw UsageError("give member devices or image files, or --scan");
  const auto kernel = parse_kernel(opt.kernel, "--kernel");
  auto result = opt.scan ? examine_scan(opt) : examine_devices(opt);
  result.kernel = kernel;
  for (auto& group : result.groups) model_kernel(group, kernel);
  render_examine(result, opt.format, opt.brief).print();
  return result.problems() ? kExitProblems : kExitOk;
}

}  // namespace

Runner add_examine(CLI::App& app) {
  auto opt = std::make_shared<ExamineOptions>();
  auto* cmd = app.add_subcommand("examine", "Show the md superblock and the bitmap (classic or llbitmap) of members");
  cmd->add_option("devices", opt->devices, "Member devices or image files");
  cmd->add_option("--format,-f", opt->format, "Output format")
      ->check(CLI::IsMember({"text", "json", "export", "prometheus"}))
      ->capture_default_str();
  cmd->add_flag("--brief,-b", opt->brief, "Only the mdadm -X lines");
  cmd->add_flag("--scan,-s", opt->scan, "Every md member libblkid finds on this machine, grouped by array");
  cmd->add_flag("--quiet,-q", opt->quiet, "No progress line on the terminal");
  add_kernel_option(cmd, opt->kernel);
  cmd->footer(
      "Example:\n  llbitmap examine /dev/sdb1 /dev/sdc1\n  llbitmap examine --format json member.img | jq '.[0].bitmap.states'\n"
      "  llbitmap examine --scan --brief\n"
      "  llbitmap examine --scan --format prometheus > /var/lib/node_exporter/textfile_collector/llbitmap.prom");
  return [opt] { return run_examine(*opt); };
}

}  // namespace llbitmap::cli
