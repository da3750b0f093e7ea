// llbitmap examine DEV... | --scan: the md superblock and the bitmap of each member.
#include <fmt/core.h>

#include <string>
#include <vector>

#include "command.hpp"
#include "inspect/member.hpp"
#include "inspect/scan_groups.hpp"
#include "io/scan.hpp"
#include "metrics.hpp"
#include "progress.hpp"
#include "render.hpp"

namespace llbitmap::cli {

namespace {

struct ExamineOptions {
  std::vector<std::string> devices;
  std::string format = "text";
  bool brief = false;
  bool scan = false;
  bool quiet = false;
};

// One array's members (or the devices named on the command line) in text or export.
void print_members(const std::vector<llbmp::Member>& members, const llbmp::Findings& agreement,
                   const ExamineOptions& opt) {
  if (opt.format == "export") {
    for (std::size_t i = 0; i < members.size(); ++i) fmt::print("{}{}", i ? "\n" : "", member_export(members[i]));
    if (members.size() > 1) {
      ExportLines agree("LLBITMAP_");
      agree.put("MEMBERS_AGREE", agreement.empty());
      fmt::print("\n{}", agree.text());
    }
    return;
  }
  for (std::size_t i = 0; i < members.size(); ++i) fmt::print("{}{}", i ? "\n" : "", member_text(members[i], opt.brief));
  if (members.size() > 1) {
    fmt::print("\n{:>19} : {}\n", "Members agree", agreement.empty() ? "yes" : "no");
    for (const auto& f : agreement) fmt::print("{:>19}   {}\n", "", printable(f.to_string()));
  }
}

// Error findings and disagreements on stderr; true when there was any.
bool report_problems(const std::vector<llbmp::Member>& members, const llbmp::Findings& agreement) {
  bool problems = !agreement.empty();
  for (const auto& m : members) {
    print_error_findings("examine", m);
    problems = problems || !m.ok();
  }
  for (const auto& f : agreement) fmt::print(stderr, "llbitmap examine: {}\n", printable(f.to_string()));
  return problems;
}

int run_devices(const ExamineOptions& opt) {
  std::vector<llbmp::Member> members;
  for (const auto& path : opt.devices) members.push_back(llbmp::load_member(path));
  const auto agreement = llbmp::compare_members(members);
  if (opt.format == "json") {
    nlohmann::json all = nlohmann::json::array();
    for (const auto& m : members) all.push_back(member_json(m));
    fmt::print("{}\n", json_text(all));
  } else if (opt.format == "prometheus") {
    fmt::print("{}", members_prometheus(members));
  } else {
    print_members(members, agreement, opt);
  }
  return report_problems(members, agreement) ? kExitProblems : kExitOk;
}

llbmp::ScanResult scan_members(const ExamineOptions& opt) {
  const auto paths = llbmp::scan_md_member_paths();
  Progress progress("examine", opt.quiet);
  return llbmp::load_and_group(paths, [&progress](std::size_t done, std::size_t total, const std::string& dev) {
    progress.update(done, total, dev);
  });
}

// --scan: every md member libblkid finds, one block per array.
int run_scan(const ExamineOptions& opt) {
  const auto found = scan_members(opt);
  bool problems = false;
  nlohmann::json groups = nlohmann::json::array();
  std::vector<llbmp::Member> all;
  for (std::size_t g = 0; g < found.arrays.size(); ++g) {
    const auto& group = found.arrays[g];
    const auto agreement = llbmp::compare_members(group.members);
    if (opt.format == "json") {
      nlohmann::json members = nlohmann::json::array();
      for (const auto& m : group.members) members.push_back(member_json(m));
      groups.push_back({{"array_uuid", llbmp::format_uuid(group.set_uuid)},
                        {"members_agree", agreement.empty()},
                        {"members", members}});
    } else if (opt.format == "prometheus") {
      all.insert(all.end(), group.members.begin(), group.members.end());
    } else {
      if (opt.format == "text")
        fmt::print("{}Array {} ({} member{})\n\n", g ? "\n" : "", llbmp::format_uuid(group.set_uuid),
                   group.members.size(), group.members.size() == 1 ? "" : "s");
      else if (g)
        fmt::print("\n");
      print_members(group.members, agreement, opt);
    }
    problems = report_problems(group.members, agreement) || problems;
  }
  if (opt.format == "json") fmt::print("{}\n", json_text(groups));
  if (opt.format == "prometheus") fmt::print("{}", members_prometheus(all));
  if (opt.format == "text" && found.arrays.empty() && found.failures.empty()) fmt::print("No md members found\n");
  for (const auto& f : found.failures) fmt::print(stderr, "llbitmap examine: {}\n", f.message);
  return problems || !found.failures.empty() ? kExitProblems : kExitOk;
}

int run_examine(const ExamineOptions& opt) {
  if (opt.scan && !opt.devices.empty()) throw UsageError("--scan finds the members itself: give no devices with it");
  if (!opt.scan && opt.devices.empty()) throw UsageError("give member devices or image files, or --scan");
  return opt.scan ? run_scan(opt) : run_devices(opt);
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
  cmd->footer(
      "Example:\n  llbitmap examine /dev/sdb1 /dev/sdc1\n  llbitmap examine --format json member.img | jq '.[0].bitmap.states'\n"
      "  llbitmap examine --scan --brief\n"
      "  llbitmap examine --scan --format prometheus > /var/lib/node_exporter/textfile_collector/llbitmap.prom");
  return [opt] { return run_examine(*opt); };
}

}  // namespace llbitmap::cli
