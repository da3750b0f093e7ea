#include "render/check.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "render/counts.hpp"
#include "render/escape.hpp"
#include "render/reshape.hpp"
#include "render/resize.hpp"

namespace llbitmap::cli {

namespace {

struct Tally {
  std::size_t errors = 0, warnings = 0;
};

Tally tally(const llbmp::CheckReport& r) {
  Tally t;
  for (const auto& f : r.findings) {
    t.errors += f.severity == llbmp::Severity::error;
    t.warnings += f.severity == llbmp::Severity::warning;
  }
  return t;
}

// The Kernel line and the sizes of the member it loads (render/resize).
std::string kernel_text(const CheckKernel& k) {
  std::string out = fmt::format("Kernel       : {}\n", kernel_line_value(k.kernel));
  if (!k.resize) return out;
  out += fmt::format("Sizes        : read from {}\n", printable(k.device));
  for (const auto& [name, value] : member_resize_lines(*k.resize)) out += fmt::format("  {:<15}: {}\n", name, printable(value));
  return out;
}

// The reshape running (sides, counts) and whether one may start now.
std::string reshape_text(const CheckReshape& reshape) {
  std::string out;
  if (reshape.running) {
    out += fmt::format("Reshape      : mid-reshape (read from {})\n", printable(reshape.running->device));
    for (const auto& [name, value] : reshape_lines(reshape.running->view)) out += fmt::format("  {:<18}: {}\n", name, value);
  }
  if (reshape.start) {
    out += fmt::format("Reshape Start: {}\n", printable(reshape_start_headline(*reshape.start)));
    for (const auto& [name, value] : reshape_start_lines(*reshape.start))
      out += fmt::format("  {:<18}: {}\n", name, printable(value));
  }
  return out;
}

void reshape_json_into(nlohmann::json& j, const CheckReshape& reshape) {
  if (reshape.running) {
    j["reshape"] = reshape_json(reshape.running->view);
    j["reshape"]["device"] = reshape.running->device;
  }
  if (reshape.start) j["reshape_start"] = reshape_start_json(*reshape.start);
}

void reshape_export(ExportLines& e, const CheckReshape& reshape) {
  if (reshape.running) put_reshape(e, reshape.running->view);
  if (reshape.start) put_reshape_start(e, *reshape.start);
}

}  // namespace

std::string check_text(const llbmp::CheckReport& r, std::size_t members, const CheckReshape& reshape,
                       const CheckKernel& kernel) {
  std::string out;
  for (const auto& f : r.findings)
    out += fmt::format("{:<7} {}{}\n", llbmp::severity_name(f.severity), f.device.empty() ? "" : printable(f.device) + ": ",
                       printable(f.finding.to_string()));
  if (!r.kernel_source.empty()) out += fmt::format("Kernel loads : {}\n", printable(r.kernel_source));
  if (!r.freshest.empty()) out += fmt::format("Freshest     : {} (events {})\n", printable(r.freshest), r.freshest_events);
  if (members > 1) out += fmt::format("Blocks differ: {}\n", r.differing_blocks);
  out += reshape_text(reshape);
  out += kernel_text(kernel);
  const Tally t = tally(r);
  out += fmt::format("Result       : {}\n", r.consistent() ? "consistent" : fmt::format("{} error(s), {} warning(s)", t.errors, t.warnings));
  return out;
}

std::string check_json(const llbmp::CheckReport& r, const CheckReshape& reshape, const CheckKernel& kernel) {
  nlohmann::json j;
  j["consistent"] = r.consistent();
  j["kernel_source"] = r.kernel_source;
  j["freshest"] = r.freshest;
  j["freshest_events"] = r.freshest_events;
  j["differing_blocks"] = r.differing_blocks;
  j["findings"] = nlohmann::json::array();
  for (const auto& f : r.findings)
    j["findings"].push_back({{"id", f.finding.name()}, {"severity", llbmp::severity_name(f.severity)}, {"device", f.device}, {"field", f.finding.field},
                             {"value", f.finding.value}, {"message", f.finding.message}});
  reshape_json_into(j, reshape);
  j["kernel"] = llbmp::kernel_series_name(kernel.kernel);
  if (kernel.resize) {
    j["resize"] = member_resize_json(*kernel.resize);
    j["resize"]["device"] = kernel.device;
  }
  // The merge gives no invalid byte (worst_state).
  if (!r.merged.empty()) j["worst_merge"] = counts_json(llbmp::count_states(r.merged), false);
  return json_text(j) + "\n";
}

std::string check_export(const llbmp::CheckReport& r, const CheckReshape& reshape, const CheckKernel& kernel) {
  const Tally t = tally(r);
  ExportLines e("LLBITMAP_CHECK_");
  e.put("CONSISTENT", r.consistent());
  e.put("ERRORS", t.errors);
  e.put("WARNINGS", t.warnings);
  e.put("KERNEL_SOURCE", r.kernel_source);
  e.put("FRESHEST", r.freshest);
  e.put("DIFFERING_BLOCKS", r.differing_blocks);
  if (!r.merged.empty()) e.put("MERGED_NOT_IN_SYNC", llbmp::count_states(r.merged).not_in_sync());
  reshape_export(e, reshape);
  if (kernel.resize) put_member_resize(e, *kernel.resize);
  else e.put("KERNEL", llbmp::kernel_series_name(kernel.kernel));
  std::size_t n = 0;
  for (const auto& f : r.findings)
    e.put(fmt::format("FINDING_{}", n++),
          fmt::format("{} {} {}", llbmp::severity_name(f.severity), f.device.empty() ? "-" : f.device, f.finding.field));
  return e.text();
}

}  // namespace llbitmap::cli
