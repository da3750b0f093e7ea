#include "render/simulate.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "render/escape.hpp"
#include "render/size.hpp"

namespace llbitmap::cli {

namespace {

std::string human(std::uint64_t bytes) { return binary_size(bytes, kSizeToTiB); }

// "fits", or why the kernel could not have this geometry in the room, and
// the room that would hold it.
std::string room_text(const llbmp::SimulateReport& r) {
  std::string text = r.fit == llbmp::RoomFit::fits          ? "fits"
                     : r.fit == llbmp::RoomFit::kernel_only ? fmt::format("kernel's test only: needs {} sectors reserved", r.sectors_needed)
                                                            : fmt::format("IMPOSSIBLE: needs {} sectors reserved", r.sectors_needed);
  return r.kernel_choice ? text + " (the kernel's choice)" : text;
}

// ONDISK section 4: the kernel's test ignores the 1 KiB header, so its choice
// may not fit; this project's choice (fitting_chunksize) always does.
std::string kernel_choice_text(const llbmp::SimulateConfig& base) {
  const std::uint64_t kernel = llbmp::kernel_chunksize(base.size_sectors, base.sectors_reserved);
  const std::uint64_t chunks = llbmp::chunk_count(base.size_sectors, kernel);
  const std::uint64_t room = std::uint64_t{base.sectors_reserved} * 512;
  std::string out = fmt::format(
      "the kernel chooses {} chunks ({} of them) for {} with {} sectors reserved ({} of state bytes after the header)\n",
      human(kernel * 512), chunks, human(base.size_sectors * 512), base.sectors_reserved,
      human(room > llbmp::kStateOffset ? room - llbmp::kStateOffset : 0));
  if (!llbmp::true_fit(chunks, base.sectors_reserved))
    out += fmt::format("  they do not fit after the 1 KiB header; the smallest chunk that fits is {}\n",
                       human(llbmp::fitting_chunksize(base.size_sectors, base.sectors_reserved) * 512));
  return out;
}

}  // namespace

std::string simulate_json(const std::vector<llbmp::SimulateReport>& reports, const llbmp::SimulateConfig& base) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& r : reports)
    rows.push_back({{"chunk_bytes", r.chunk_sectors * 512}, {"chunks", r.chunks}, {"events", r.events},
                    {"metadata_writes", r.metadata_writes}, {"daemon_runs", r.daemon_runs}, {"crash_time", r.crash_time},
                    {"dirty_in_memory", r.dirty_in_memory}, {"dirty_on_disk", r.dirty_on_disk},
                    {"resync_chunks", r.resync_chunks}, {"resync_bytes", r.resync_bytes}, {"full_bytes", r.full_bytes},
                    {"sectors_reserved", base.sectors_reserved}, {"room_fit", llbmp::room_fit_name(r.fit)},
                    {"sectors_reserved_needed", r.sectors_needed}, {"kernel_choice", r.kernel_choice},
                    {"kernel", llbmp::kernel_series_name(base.kernel)}});
  return json_text(rows) + "\n";
}

std::string simulate_text(const std::vector<llbmp::SimulateReport>& reports, const llbmp::SimulateConfig& base) {
  std::string out = fmt::format("{} events, crash at {:.3f} s\n", reports.front().events, reports.front().crash_time);
  out += kernel_choice_text(base);
  out += fmt::format("modelled on Linux {} (discards clear {})\n", llbmp::kernel_series_name(base.kernel),
                     llbmp::discard_covers_partial_last_chunk(base.kernel) ? "whole chunks and a partly covered last one"
                                                                          : "whole chunks only");
  out += fmt::format("{:>10} {:>9} {:>12} {:>12} {:>12} {:>14} {:>8}  {}\n", "chunk", "chunks", "meta writes", "dirty (mem)",
                     "dirty (disk)", "resync", "share", "room");
  for (const auto& r : reports)
    out += fmt::format("{:>10} {:>9} {:>12} {:>12} {:>12} {:>14} {:>7.2f}%  {}\n", human(r.chunk_sectors * 512), r.chunks,
                       r.metadata_writes, r.dirty_in_memory, r.dirty_on_disk, human(r.resync_bytes),
                       r.full_bytes ? 100.0 * static_cast<double>(r.resync_bytes) / static_cast<double>(r.full_bytes) : 0.0,
                       room_text(r));
  return out;
}

}  // namespace llbitmap::cli
