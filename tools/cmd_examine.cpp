// llbitmap examine DEV...: the md superblock and the bitmap of each member.
#include <fmt/core.h>

#include <string>
#include <vector>

#include "command.hpp"
#include "llbmp/member.hpp"
#include "render.hpp"

namespace llbitmap::cli {

namespace {

struct ExamineOptions {
  std::vector<std::string> devices;
  std::string format = "text";
  bool brief = false;
};

int run_examine(const ExamineOptions& opt) {
  std::vector<llbmp::Member> members;
  for (const auto& path : opt.devices) members.push_back(llbmp::load_member(path));
  const auto agreement = llbmp::compare_members(members);

  if (opt.format == "json") {
    nlohmann::json all = nlohmann::json::array();
    for (const auto& m : members) all.push_back(member_json(m));
    fmt::print("{}\n", all.dump(2));
  } else if (opt.format == "export") {
    for (std::size_t i = 0; i < members.size(); ++i) fmt::print("{}{}", i ? "\n" : "", member_export(members[i]));
    if (members.size() > 1) fmt::print("\nLLBITMAP_MEMBERS_AGREE={}\n", agreement.empty() ? 1 : 0);
  } else {
    for (std::size_t i = 0; i < members.size(); ++i) fmt::print("{}{}", i ? "\n" : "", member_text(members[i], opt.brief));
    if (members.size() > 1) {
      fmt::print("\n{:>19} : {}\n", "Members agree", agreement.empty() ? "yes" : "no");
      for (const auto& f : agreement) fmt::print("{:>19}   {}\n", "", f.to_string());
    }
  }
  bool problems = !agreement.empty();
  for (const auto& m : members) {
    print_error_findings("examine", m);
    problems = problems || !m.ok();
  }
  for (const auto& f : agreement) fmt::print(stderr, "llbitmap examine: {}\n", f.to_string());
  return problems ? kExitProblems : kExitOk;
}

}  // namespace

Runner add_examine(CLI::App& app) {
  auto opt = std::make_shared<ExamineOptions>();
  auto* cmd = app.add_subcommand("examine", "Show the md superblock and the bitmap (classic or llbitmap) of members");
  cmd->add_option("devices", opt->devices, "Member devices or image files")->required();
  cmd->add_option("--format,-f", opt->format, "Output format")
      ->check(CLI::IsMember({"text", "json", "export"}))
      ->capture_default_str();
  cmd->add_flag("--brief,-b", opt->brief, "Only the mdadm -X lines");
  cmd->footer("Example:\n  llbitmap examine /dev/sdb1 /dev/sdc1\n  llbitmap examine --format json member.img | jq '.[0].bitmap.states'");
  return [opt] { return run_examine(*opt); };
}

}  // namespace llbitmap::cli
