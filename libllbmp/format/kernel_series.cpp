#include "format/kernel_series.hpp"

namespace llbmp {

std::string_view kernel_series_name(KernelSeries k) noexcept {
  switch (k) {
    case KernelSeries::linux_6_18: return "6.18";
    case KernelSeries::linux_7_2: return "7.2";
    case KernelSeries::linux_7_3: return "7.3";
  }
  return "?";
}

std::optional<KernelSeries> parse_kernel_series(std::string_view text) noexcept {
  for (const auto k : kKernelSeries)
    if (text == kernel_series_name(k)) return k;
  return std::nullopt;
}

std::optional<KernelSeries> kernel_series_of_release(std::string_view release) noexcept {
  for (const auto k : kKernelSeries) {
    const auto name = kernel_series_name(k);
    if (release.substr(0, name.size()) != name) continue;
    // "7.2" must not match "7.20": the series ends the string or a separator follows.
    if (release.size() == name.size()) return k;
    const char next = release[name.size()];
    if (next == '.' || next == '-' || next == '+' || next == '~') return k;
  }
  return std::nullopt;
}

bool periodic_endsync_covers_current_chunk(KernelSeries k) noexcept { return k != KernelSeries::linux_7_3; }

bool discard_covers_partial_last_chunk(KernelSeries k) noexcept { return k != KernelSeries::linux_7_3; }

bool header_sync_size_used(KernelSeries k) noexcept { return k == KernelSeries::linux_7_3; }

bool resize_writes_bitmap(KernelSeries k) noexcept { return k == KernelSeries::linux_7_3; }

}  // namespace llbmp
