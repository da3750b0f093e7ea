#include "render/simulate.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "render/escape.hpp"
#include "render/resize.hpp"
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

// One row's resize in a line: what llbitmap_resize does with this chunk size.
std::string resize_row_text(const llbmp::ResizeOutcome& o) {
  if (o.refusal == llbmp::ResizeRefusal::eopnotsupp)
    return fmt::format("refused (EOPNOTSUPP): past {} chunks, {}", o.limit.max_chunks, human(o.limit.max_sync_sectors * 512));
  if (o.refusal != llbmp::ResizeRefusal::none) return "refused (EBUSY)";
  std::string out = fmt::format("{} -> {} chunks", o.old_chunks, o.new_chunks);
  if (o.chunk_doubled) out += fmt::format(", the chunk doubled to {} in memory", human(o.chunk_sectors * 512));
  if (o.set_unwritten) out += fmt::format(", {}-{} set to Unwritten", o.set_unwritten->first, o.set_unwritten->last);
  if (o.zeroed) out += fmt::format(", {}-{} set to 0", o.zeroed->first, o.zeroed->last);
  out += o.in_memory_only ? ", in memory only" : fmt::format(", header sync_size {}", o.header_sync_sectors);
  return out + fmt::format("; {} Dirty left Clean by the daemon pass", o.daemon_cleaned);
}

}  // namespace

std::string simulate_json(const std::vector<llbmp::SimulateReport>& reports, const llbmp::SimulateConfig& base,
                          const std::optional<SimulateResize>& resize) {
  nlohmann::json rows = nlohmann::json::array();
  for (std::size_t i = 0; i < reports.size(); ++i) {
    const auto& r = reports[i];
    rows.push_back({{"chunk_bytes", r.chunk_sectors * 512}, {"chunks", r.chunks}, {"events", r.events},
                    {"metadata_writes", r.metadata_writes}, {"daemon_runs", r.daemon_runs}, {"crash_time", r.crash_time},
                    {"dirty_in_memory", r.dirty_in_memory}, {"dirty_on_disk", r.dirty_on_disk},
                    {"resync_chunks", r.resync_chunks}, {"resync_bytes", r.resync_bytes}, {"full_bytes", r.full_bytes},
                    {"sectors_reserved", base.sectors_reserved}, {"room_fit", llbmp::room_fit_name(r.fit)},
                    {"sectors_reserved_needed", r.sectors_needed}, {"kernel_choice", r.kernel_choice},
                    {"kernel", llbmp::kernel_series_name(base.kernel)}});
    if (resize && i < resize->rows.size()) {
      rows.back()["resize"] = resize_outcome_json(resize->rows[i]);
      rows.back()["resize"]["sync_sectors"] = resize->sectors;
    }
  }
  return json_text(rows) + "\n";
}

std::string simulate_text(const std::vector<llbmp::SimulateReport>& reports, const llbmp::SimulateConfig& base,
                          const std::optional<SimulateResize>& resize) {
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
  if (!resize) return out;
  out += fmt::format("resize to {} at the crash point ({} sectors), Linux {}:\n", human(resize->sectors * 512), resize->sectors,
                     llbmp::kernel_series_name(base.kernel));
  for (std::size_t i = 0; i < reports.size() && i < resize->rows.size(); ++i)
    out += fmt::format("{:>10} {}\n", human(reports[i].chunk_sectors * 512), resize_row_text(resize->rows[i]));
  return out;
}

}  // namespace llbitmap::cli
