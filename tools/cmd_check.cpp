// llbitmap check DEV...: read-only consistency check of one member or every
// member of an array. Exit 0 consistent, 1 problems, 2 usage.
#include <fmt/core.h>

#include "command.hpp"
#include "inspect/check.hpp"
#include "inspect/reshape_start.hpp"
#include "inspect/reshape_view.hpp"
#include "inspect/resize_view.hpp"
#include "llbmp/error.hpp"
#include "parse.hpp"
#include "render/check.hpp"

namespace llbitmap::cli {

namespace {

struct CheckArgs {
  std::vector<std::string> devices;
  std::string block_size = "512";
  std::string format = "text";
  bool quiet = false;
  std::optional<std::string> kernel;
};

struct Loaded {
  std::vector<llbmp::Member> members;
  std::vector<llbmp::CheckFinding> unreadable;
};

// A device that cannot be read at all is a finding too: check reports, it does not stop.
Loaded load_all(const std::vector<std::string>& devices) {
  Loaded out;
  for (const auto& d : devices) {
    try {
      out.members.push_back(llbmp::load_member(d));
    } catch (const llbmp::Error& e) {
      llbmp::Finding f{llbmp::FindingId::device_unreadable, e.field(), e.value(), e.message()};
      out.unreadable.push_back({f.severity, d, std::move(f)});
    }
  }
  return out;
}

// The sizes of the member the kernel loads (the first with an llbitmap when none is named).
CheckKernel check_kernel(const std::vector<llbmp::Member>& members, const llbmp::CheckReport& report, llbmp::KernelSeries kernel) {
  CheckKernel out{kernel, {}, {}};
  for (const auto& m : members) {
    auto r = llbmp::member_resize(m, kernel);
    if (!r || (out.resize && m.device != report.kernel_source)) continue;
    out.device = m.device;
    out.resize = std::move(r);
  }
  return out;
}

int run_check(const CheckArgs& a) {
  if (a.devices.empty()) throw UsageError("give one member or every member of an array");
  const auto block_size = parse_number_as<std::uint32_t>(a.block_size, "--block-size", 512, 4096);
  if (block_size != 512 && block_size != 4096) throw UsageError(fmt::format("--block-size {}: 512 or 4096", a.block_size));
  if (a.format != "text" && a.format != "json" && a.format != "export")
    throw UsageError(fmt::format("--format {}: text, json or export", a.format));
  const auto kernel = parse_kernel(a.kernel, "--kernel");
  Loaded loaded = load_all(a.devices);
  for (auto& m : loaded.members) llbmp::model_kernel_findings(m, kernel);
  llbmp::CheckReport report = llbmp::check_members(loaded.members, {block_size});
  report.findings.insert(report.findings.begin(), loaded.unreadable.begin(), loaded.unreadable.end());
  if (!a.quiet) {
    const CheckReshape reshape{llbmp::array_reshape(loaded.members), llbmp::reshape_start_check(loaded.members)};
    const CheckKernel sizes = check_kernel(loaded.members, report, kernel);
    if (a.format == "json") fmt::print("{}", check_json(report, reshape, sizes));
    else if (a.format == "export") fmt::print("{}", check_export(report, reshape, sizes));
    else fmt::print("{}", check_text(report, a.devices.size(), reshape, sizes));
  }
  return report.consistent() ? kExitOk : kExitProblems;
}

}  // namespace

Runner add_check(CLI::App& app) {
  auto a = std::make_shared<CheckArgs>();
  auto* cmd = app.add_subcommand("check", "Check one member or a whole array for consistency (read only)");
  cmd->add_option("devices", a->devices, "One member, or every member of the array");
  cmd->add_option("--block-size", a->block_size, "Compare state areas in blocks of 512 or 4096 bytes")
      ->type_name("BYTES")
      ->capture_default_str();
  cmd->add_option("--format", a->format, "Output: text, json or export (LLBITMAP_CHECK_* lines)")->capture_default_str();
  cmd->add_flag("--quiet,-q", a->quiet, "Print nothing: the exit status says it");
  add_kernel_option(cmd, a->kernel);
  cmd->footer("Example:\n  llbitmap check /dev/sdb1 /dev/sdc1\n  llbitmap check --quiet /dev/sdb1 /dev/sdc1 || echo inconsistent");
  return [a] { return run_check(*a); };
}

}  // namespace llbitmap::cli
