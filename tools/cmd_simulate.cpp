// llbitmap simulate [TRACE]: a write workload through the state engine with
// the kernel's timing; what the bitmap costs and what a crash would resync.
#include <fmt/core.h>

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "command.hpp"
#include "output.hpp"
#include "progress.hpp"
#include "llbmp/simulate.hpp"
#include "write_support.hpp"

namespace llbitmap::cli {

namespace {

struct SimulateArgs {
  std::string trace, input_format = "auto", synthetic, size, chunk_size = "64K", compare, io_size = "4K", raid_chunk = "512K";
  std::uint64_t seed = 1, count = 1000000;
  double rate = 10000;
  std::uint32_t daemon_sleep = 30, barrier_idle = 5, logical_block_size = 512, raid_disks = 2;
  std::string level = "1";
  bool degraded = false, unwritten = false, quiet = false;
  std::optional<double> crash_at;
  std::string format = "text";
};

std::uint64_t sectors_of(const std::string& text, const char* option) { return parse_size_sectors(text, option, PlainNumber::bytes); }

std::vector<std::uint64_t> chunk_sizes(const SimulateArgs& a) {
  std::vector<std::uint64_t> out;
  std::string list = a.compare.empty() ? a.chunk_size : a.compare;
  std::stringstream ss(list);
  for (std::string item; std::getline(ss, item, ',');) {
    const std::uint64_t s = sectors_of(item, a.compare.empty() ? "--chunk-size" : "--compare-chunks");
    if ((s & (s - 1)) != 0) throw UsageError(fmt::format("chunk size {}: not a power of two", item));
    out.push_back(s);
  }
  if (out.empty()) throw UsageError("--compare-chunks: give sizes such as 64K,1M,8M");
  return out;
}

llbmp::SimulateConfig base_config(const SimulateArgs& a) {
  if (a.size.empty()) throw UsageError("--size (sectors the bitmap covers: the member size for raid1/4/5/6, the array size for raid10) is required");
  llbmp::SimulateConfig c;
  c.size_sectors = sectors_of(a.size, "--size");
  auto level_text = a.level.rfind("raid", 0) == 0 ? a.level : "raid" + a.level;
  const auto level = llbmp::parse_level(level_text);
  if (!level || (*level != 1 && *level != 4 && *level != 5 && *level != 6 && *level != 10))
    throw UsageError(fmt::format("--level {}: unknown level (1, 4, 5, 6 or 10)", a.level));
  c.level = *level;
  c.raid_disks = a.raid_disks;
  c.raid_chunk_sectors = sectors_of(a.raid_chunk, "--raid-chunk");
  c.daemon_sleep = a.daemon_sleep;
  c.barrier_idle = a.barrier_idle;
  c.io_size = a.logical_block_size;
  c.degraded = a.degraded;
  c.start_unwritten = a.unwritten;
  c.crash_at = a.crash_at;
  if (a.daemon_sleep == 0) throw UsageError("--daemon-sleep 0: at least 1 second");
  return c;
}

llbmp::TraceFormat detect_format(const SimulateArgs& a, std::istream& in) {
  if (a.input_format == "blkparse") return llbmp::TraceFormat::blkparse;
  if (a.input_format == "fio") return llbmp::TraceFormat::fio;
  const int first = in.peek();
  return first == 'f' ? llbmp::TraceFormat::fio : llbmp::TraceFormat::blkparse;
}

// `where` names the event for an error (the trace line).
template <typename Source, typename Where>
void drive(Source& source, std::vector<llbmp::Simulator>& sims, Where where, Progress& progress) {
  std::size_t events = 0;
  while (auto e = source.next()) {
    if ((++events & 0xfff) == 0) progress.update_count(events, "events");
    bool any = false;
    try {
      for (auto& s : sims) any = s.feed(*e) || any;
    } catch (const llbmp::Error& err) {
      throw llbmp::Error(where(), err.field(), err.value(), err.message());
    }
    if (!any) break;  // past the crash point
  }
}

std::string human(std::uint64_t b) {
  if (b >= (1ULL << 30)) return fmt::format("{:.2f} GiB", static_cast<double>(b) / (1ULL << 30));
  if (b >= (1ULL << 20)) return fmt::format("{:.2f} MiB", static_cast<double>(b) / (1ULL << 20));
  return fmt::format("{:.1f} KiB", static_cast<double>(b) / 1024);
}

int run_simulate(const SimulateArgs& a) {
  if (a.synthetic.empty() == a.trace.empty()) throw UsageError("give a trace file (- for stdin) or --synthetic random|sequential");
  const auto base = base_config(a);
  Progress progress("simulate", a.quiet);
  std::vector<llbmp::Simulator> sims;
  for (const auto cs : chunk_sizes(a)) {
    auto c = base;
    c.chunk_sectors = cs;
    sims.emplace_back(c);
  }
  if (!a.synthetic.empty()) {
    const std::uint64_t array = llbmp::level_is_raid456(base.level)
                                    ? base.size_sectors * (base.raid_disks - (base.level == 6 ? 2 : 1))
                                    : base.size_sectors;
    llbmp::SyntheticWorkload w(a.synthetic == "random", a.seed, a.count, array, sectors_of(a.io_size, "--io-size"), a.rate);
    drive(w, sims, [] { return std::string("--synthetic"); }, progress);
  } else {
    std::ifstream file;
    if (a.trace != "-") {
      file.open(a.trace);
      if (!file) throw llbmp::Error(a.trace, "trace", a.trace, "cannot open");
    }
    std::istream& in = a.trace == "-" ? std::cin : file;
    const std::string source = a.trace == "-" ? "stdin" : a.trace;
    llbmp::TraceReader reader(in, detect_format(a, in), source);
    drive(reader, sims, [&] { return fmt::format("{} line {}", source, reader.line()); }, progress);
  }
  progress.clear();
  std::vector<llbmp::SimulateReport> reports;
  for (auto& s : sims) reports.push_back(s.finish());
  if (a.format == "json") {
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& r : reports)
      rows.push_back({{"chunk_bytes", r.chunk_sectors * 512}, {"chunks", r.chunks}, {"events", r.events},
                      {"metadata_writes", r.metadata_writes}, {"daemon_runs", r.daemon_runs}, {"crash_time", r.crash_time},
                      {"dirty_in_memory", r.dirty_in_memory}, {"dirty_on_disk", r.dirty_on_disk},
                      {"resync_chunks", r.resync_chunks}, {"resync_bytes", r.resync_bytes}, {"full_bytes", r.full_bytes}});
    fmt::print("{}\n", json_text(rows));
    return kExitOk;
  }
  fmt::print("{} events, crash at {:.3f} s\n", reports.front().events, reports.front().crash_time);
  fmt::print("{:>10} {:>8} {:>12} {:>12} {:>12} {:>14} {:>8}\n", "chunk", "chunks", "meta writes", "dirty (mem)", "dirty (disk)",
             "resync", "share");
  for (const auto& r : reports)
    fmt::print("{:>10} {:>8} {:>12} {:>12} {:>12} {:>14} {:>7.2f}%\n", human(r.chunk_sectors * 512), r.chunks, r.metadata_writes,
               r.dirty_in_memory, r.dirty_on_disk, human(r.resync_bytes),
               r.full_bytes ? 100.0 * static_cast<double>(r.resync_bytes) / static_cast<double>(r.full_bytes) : 0.0);
  return kExitOk;
}

}  // namespace

Runner add_simulate(CLI::App& app) {
  auto a = std::make_shared<SimulateArgs>();
  auto* cmd = app.add_subcommand("simulate", "Replay a write trace through the bitmap: metadata writes and resync cost at a crash");
  cmd->add_option("trace", a->trace, "blkparse text or fio iolog v2/v3 (- for stdin)");
  cmd->add_option("--input-format", a->input_format, "Trace format")->check(CLI::IsMember({"auto", "blkparse", "fio"}))->capture_default_str();
  cmd->add_option("--synthetic", a->synthetic, "Generate writes instead of a trace")->check(CLI::IsMember({"random", "sequential"}));
  cmd->add_option("--seed", a->seed, "Seed of --synthetic random")->capture_default_str();
  cmd->add_option("--count", a->count, "Writes of --synthetic")->capture_default_str();
  cmd->add_option("--io-size", a->io_size, "Write size of --synthetic")->capture_default_str();
  cmd->add_option("--rate", a->rate, "Writes per second of --synthetic")->capture_default_str();
  cmd->add_option("--size", a->size, "Sectors the bitmap covers, with a unit (e.g. 1T): member size, array size for raid10");
  cmd->add_option("--chunk-size", a->chunk_size, "Bitmap chunk size (bytes with a unit)")->capture_default_str();
  cmd->add_option("--compare-chunks", a->compare, "One row per chunk size, e.g. 64K,1M,8M");
  cmd->add_option("--daemon-sleep", a->daemon_sleep, "Seconds")->capture_default_str();
  cmd->add_option("--barrier-idle", a->barrier_idle, "Seconds a page stays busy after a write")->capture_default_str();
  cmd->add_option("--logical-block-size", a->logical_block_size, "Bitmap write unit in bytes")->capture_default_str();
  cmd->add_option("--level", a->level, "raid level (1, 4, 5, 6, 10)")->capture_default_str();
  cmd->add_option("--raid-disks,--raid-devices", a->raid_disks, "Members (raid4/5/6 stripe width)")->capture_default_str();
  cmd->add_option("--raid-chunk", a->raid_chunk, "raid4/5/6 chunk size")->capture_default_str();
  cmd->add_flag("--degraded", a->degraded, "A degraded array (NeedSync, no coalescing, no daemon)");
  cmd->add_flag("--unwritten", a->unwritten, "Start all Unwritten instead of Clean");
  cmd->add_option("--crash-at", a->crash_at, "Crash at this many seconds (default: after the last event)");
  cmd->add_option("--format,-f", a->format, "Output format")->check(CLI::IsMember({"text", "json"}))->capture_default_str();
  cmd->add_flag("--quiet,-q", a->quiet, "No progress line on a terminal");
  cmd->footer(
      "Example:\n  blkparse -i sdb | llbitmap simulate --size 1T --compare-chunks 64K,1M,8M -\n"
      "  llbitmap simulate --synthetic random --count 10000000 --size 256G --crash-at 60");
  return [a] { return run_simulate(*a); };
}

}  // namespace llbitmap::cli
