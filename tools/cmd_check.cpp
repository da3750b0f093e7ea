// llbitmap check DEV...: read-only consistency check of one member or every
// member of an array. Exit 0 consistent, 1 problems, 2 usage.
#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "inspect/check.hpp"
#include "format/error.hpp"
#include "output.hpp"
#include "parse.hpp"

namespace llbitmap::cli {

namespace {

struct CheckArgs {
  std::vector<std::string> devices;
  std::string block_size = "512";
  std::string format = "text";
  bool quiet = false;
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

void print_text(const llbmp::CheckReport& r, std::size_t members) {
  std::size_t errors = 0, warnings = 0;
  for (const auto& f : r.findings) {
    errors += f.severity == llbmp::Severity::error;
    warnings += f.severity == llbmp::Severity::warning;
    fmt::print("{:<7} {}{}\n", llbmp::severity_name(f.severity), f.device.empty() ? "" : printable(f.device) + ": ",
               printable(f.finding.to_string()));
  }
  if (!r.kernel_source.empty()) fmt::print("Kernel loads : {}\n", printable(r.kernel_source));
  if (!r.freshest.empty()) fmt::print("Freshest     : {} (events {})\n", printable(r.freshest), r.freshest_events);
  if (members > 1) fmt::print("Blocks differ: {}\n", r.differing_blocks);
  fmt::print("Result       : {}\n", r.consistent() ? "consistent" : fmt::format("{} error(s), {} warning(s)", errors, warnings));
}

void print_json(const llbmp::CheckReport& r) {
  nlohmann::json j;
  j["consistent"] = r.consistent();
  j["kernel_source"] = r.kernel_source;
  j["freshest"] = r.freshest;
  j["freshest_events"] = r.freshest_events;
  j["differing_blocks"] = r.differing_blocks;
  j["findings"] = nlohmann::json::array();
  for (const auto& f : r.findings)
    j["findings"].push_back({{"id", f.finding.name()}, {"severity", llbmp::severity_name(f.severity)}, {"device", f.device},
                             {"field", f.finding.field}, {"value", f.finding.value}, {"message", f.finding.message}});
  if (!r.merged.empty()) {
    const auto counts = llbmp::count_states(r.merged);
    nlohmann::json m;
    for (std::size_t s = 0; s < llbmp::kStateCount; ++s) m[std::string(llbmp::state_key(static_cast<llbmp::State>(s)))] = counts.by_state[s];
    j["worst_merge"] = m;
  }
  fmt::print("{}\n", json_text(j));
}

// KEY=value lines for shells and harnesses, like examine --format export.
void print_export(const llbmp::CheckReport& r) {
  std::size_t errors = 0, warnings = 0;
  for (const auto& f : r.findings) {
    errors += f.severity == llbmp::Severity::error;
    warnings += f.severity == llbmp::Severity::warning;
  }
  ExportLines e("LLBITMAP_CHECK_");
  e.put("CONSISTENT", r.consistent());
  e.put("ERRORS", errors);
  e.put("WARNINGS", warnings);
  e.put("KERNEL_SOURCE", r.kernel_source);
  e.put("FRESHEST", r.freshest);
  e.put("DIFFERING_BLOCKS", r.differing_blocks);
  if (!r.merged.empty()) e.put("MERGED_NOT_IN_SYNC", llbmp::count_states(r.merged).not_in_sync());
  std::size_t n = 0;
  for (const auto& f : r.findings)
    e.put(fmt::format("FINDING_{}", n++),
          fmt::format("{} {} {}", llbmp::severity_name(f.severity), f.device.empty() ? "-" : f.device, f.finding.field));
  fmt::print("{}", e.text());
}

int run_check(const CheckArgs& a) {
  if (a.devices.empty()) throw UsageError("give one member or every member of an array");
  const auto block_size = parse_number_as<std::uint32_t>(a.block_size, "--block-size", 512, 4096);
  if (block_size != 512 && block_size != 4096) throw UsageError(fmt::format("--block-size {}: 512 or 4096", a.block_size));
  if (a.format != "text" && a.format != "json" && a.format != "export")
    throw UsageError(fmt::format("--format {}: text, json or export", a.format));
  const Loaded loaded = load_all(a.devices);
  llbmp::CheckReport report = llbmp::check_members(loaded.members, {block_size});
  report.findings.insert(report.findings.begin(), loaded.unreadable.begin(), loaded.unreadable.end());
  if (!a.quiet) {
    if (a.format == "json") print_json(report);
    else if (a.format == "export") print_export(report);
    else print_text(report, a.devices.size());
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
  cmd->footer("Example:\n  llbitmap check /dev/sdb1 /dev/sdc1\n  llbitmap check --quiet /dev/sdb1 /dev/sdc1 || echo inconsistent");
  return [a] { return run_check(*a); };
}

}  // namespace llbitmap::cli
