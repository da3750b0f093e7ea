// Shared by the writing commands: fault injection from the environment (for
// the crash-safety tests), --dry-run output and size arguments.
#pragma once

#include <fmt/core.h>

#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "command.hpp"
#include "llbmp/device.hpp"
#include "llbmp/write_common.hpp"

namespace llbitmap::cli {

// LLBITMAP_FAULT_AT=k stops the operation at its k-th write or flush.
inline std::shared_ptr<llbmp::FaultInjector> fault_injector_from_env() {
  const char* at = std::getenv("LLBITMAP_FAULT_AT");
  if (at == nullptr || *at == '\0') return nullptr;
  char* end = nullptr;
  const unsigned long long k = std::strtoull(at, &end, 10);
  if (*end != '\0') throw UsageError(fmt::format("LLBITMAP_FAULT_AT={}: not a number", at));
  return std::make_shared<llbmp::FaultInjector>(k);
}

inline void print_plan(const llbmp::WritePlan& plan) {
  for (const auto& line : llbmp::describe_plan(plan)) fmt::print("  {}\n", line);
  fmt::print("  {} bytes in {} phases, each followed by a flush of every member\n", plan.bytes_written(), plan.phase_count());
}

// "4096", "64K", "256M", "2G", "1T" (binary units) to bytes; throws UsageError.
inline std::uint64_t parse_size_bytes(const std::string& text, const char* option) {
  std::size_t used = 0;
  unsigned long long value = 0;
  try {
    value = std::stoull(text, &used);
  } catch (const std::exception&) {
    throw UsageError(fmt::format("{} {}: not a size (e.g. 256M)", option, text));
  }
  const std::string suffix = text.substr(used);
  unsigned shift = 0;
  if (suffix.empty() || suffix == "B") shift = 0;
  else if (suffix == "K" || suffix == "k" || suffix == "KiB") shift = 10;
  else if (suffix == "M" || suffix == "MiB") shift = 20;
  else if (suffix == "G" || suffix == "GiB") shift = 30;
  else if (suffix == "T" || suffix == "TiB") shift = 40;
  else if (suffix == "s") shift = 9;  // sectors
  else throw UsageError(fmt::format("{} {}: unknown unit '{}' (K, M, G, T or s for sectors)", option, text, suffix));
  if (shift != 0 && value > (~0ULL >> shift)) throw UsageError(fmt::format("{} {}: too large", option, text));
  return value << shift;
}

}  // namespace llbitmap::cli
