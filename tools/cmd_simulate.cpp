// llbitmap simulate [TRACE]: a write workload through the state engine with
// the kernel's timing; what the bitmap costs and what a crash would resync.
#include <fmt/core.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>

#include "command.hpp"
#include "progress.hpp"
#include "format/md_super.hpp"
#include "format/personality.hpp"
#include "engine/resize.hpp"
#include "engine/simulate.hpp"
#include "parse.hpp"
#include "render/simulate.hpp"

namespace llbitmap::cli {

namespace {

struct SimulateArgs {
  std::string trace, input_format = "auto", synthetic, size, resize, chunk_size, compare, reserved = "256", io_size = "4K", raid_chunk = "512K";
  std::string seed = "1", count = "1000000", rate = "10000", daemon_sleep = "30", barrier_idle = "5", logical_block_size = "512",
              raid_disks = "2", crash_at;
  std::string level = "1";
  bool degraded = false, unwritten = false, quiet = false;
  std::string format = "text";
  std::optional<std::string> kernel;
  const CLI::App* command = nullptr;  // for options given on the command line, defaults or not
  bool given(const char* option) const { return command->count(option) != 0; }
};

// --count: enough for a day of writes at 100000 per second, not a run without end.
constexpr std::uint64_t kMaxCount = 10'000'000'000ULL;
constexpr double kMaxRate = 1e9;            // writes per second
constexpr double kMaxSeconds = 1e9;         // --crash-at: about 31 years
constexpr std::uint32_t kMaxSeconds32 = 86400 * 365;  // --daemon-sleep, --barrier-idle

std::uint64_t sectors_of(const std::string& text, const char* option) { return parse_size_sectors(text, option, PlainNumber::bytes); }
std::uint64_t chunk_sectors_of(const std::string& text, const char* option) {
  return parse_size_sectors(text, option, PlainNumber::refused);
}

// The chunk sizes asked for, then the kernel's choice for the size and room
// (llbitmap_init) unless it is among them; only the kernel's without either option.
std::vector<std::uint64_t> chunk_sizes(const SimulateArgs& a, const llbmp::SimulateConfig& base) {
  if (!a.chunk_size.empty() && !a.compare.empty()) throw UsageError("--chunk-size and --compare-chunks: give one of them");
  std::vector<std::uint64_t> out;
  const std::uint64_t kernel = llbmp::kernel_chunksize(base.size_sectors, base.sectors_reserved);
  std::string list = a.compare.empty() ? a.chunk_size : a.compare;
  if (list.empty()) return {kernel};
  std::stringstream ss(list);
  for (std::string item; std::getline(ss, item, ',');) {
    const char* option = a.compare.empty() ? "--chunk-size" : "--compare-chunks";
    const std::uint64_t s = chunk_sectors_of(item, option);
    if ((s & (s - 1)) != 0) throw UsageError(fmt::format("{} {}: not a power of two", option, item));
    out.push_back(s);
  }
  if (out.empty()) throw UsageError("--compare-chunks: give sizes such as 16M,64M,256M");
  if (std::find(out.begin(), out.end(), kernel) == out.end()) out.push_back(kernel);
  return out;
}

llbmp::SimulateConfig base_config(const SimulateArgs& a) {
  if (a.size.empty()) throw UsageError("--size (what the bitmap covers: the member size for raid1/4/5/6, the array size for raid10) is required");
  llbmp::SimulateConfig c;
  c.size_sectors = sectors_of(a.size, "--size");
  c.sectors_reserved = parse_number_as<std::uint32_t>(a.reserved, "--reserved", 1);
  auto level_text = a.level.rfind("raid", 0) == 0 ? a.level : "raid" + a.level;
  const auto level = llbmp::parse_level(level_text);
  if (!level || !llbmp::is_modelled(*level))
    throw UsageError(fmt::format("--level {}: unknown level (1, 4, 5, 6 or 10)", a.level));
  c.level = *level;
  c.raid_disks = parse_number_as<std::uint32_t>(a.raid_disks, "--raid-disks", 1, llbmp::kMdMaxDevices);
  c.raid_chunk_sectors = sectors_of(a.raid_chunk, "--raid-chunk");
  c.daemon_sleep = parse_number_as<std::uint32_t>(a.daemon_sleep, "--daemon-sleep", 1, kMaxSeconds32);
  c.barrier_idle = parse_number_as<std::uint32_t>(a.barrier_idle, "--barrier-idle", 0, kMaxSeconds32);
  c.io_size = parse_number_as<std::uint32_t>(a.logical_block_size, "--logical-block-size", 512, 4096);
  c.degraded = a.degraded;
  c.start_unwritten = a.unwritten;
  c.kernel = parse_kernel(a.kernel, "--kernel");
  if (!a.crash_at.empty()) c.crash_at = parse_decimal(a.crash_at, "--crash-at", {0, kMaxSeconds, false});
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
      throw llbmp::Error(where(), err.field(), err.value(), err.message(), err.kind());
    }
    if (!any) break;  // past the crash point
  }
}

// --resize SIZE: llbitmap_resize of each row's bitmap, as the run leaves it
// in memory, to SIZE (what --size means: per member, raid10 the array).
std::optional<SimulateResize> resize_rows(const SimulateArgs& a, const llbmp::SimulateConfig& base,
                                          const std::vector<llbmp::SimulateReport>& reports) {
  if (a.resize.empty()) return std::nullopt;
  SimulateResize out;
  out.sectors = llbmp::personality_resize_sectors(base.level, parse_size_sectors(a.resize, "--resize", PlainNumber::refused),
                                                  base.raid_chunk_sectors);
  if (out.sectors == 0) throw UsageError(fmt::format("--resize {}: less than one raid chunk", a.resize));
  for (const auto& r : reports) {
    llbmp::ResizeRequest rq;
    rq.kernel = base.kernel;
    rq.level = base.level;
    rq.degraded = base.degraded;
    rq.chunk_sectors = r.chunk_sectors;
    rq.old_sync_sectors = base.size_sectors;
    rq.new_sync_sectors = out.sectors;
    rq.room_sectors = base.sectors_reserved;
    rq.area_states = r.memory;
    out.rows.push_back(llbmp::preview_resize(rq));
  }
  return out;
}

int run_simulate(const SimulateArgs& a) {
  if (a.synthetic.empty() == a.trace.empty()) throw UsageError("give a trace file (- for stdin) or --synthetic random|sequential");
  if (!a.trace.empty())
    for (const char* option : {"--seed", "--count", "--io-size", "--rate"})
      if (a.given(option)) throw UsageError(fmt::format("{} shapes --synthetic writes: not with a trace file", option));
  const auto base = base_config(a);
  if (!a.resize.empty()) parse_size_sectors(a.resize, "--resize", PlainNumber::refused);  // a usage error before the run
  Progress progress("simulate", a.quiet);
  std::vector<llbmp::Simulator> sims;
  for (const auto cs : chunk_sizes(a, base)) {
    auto c = base;
    c.chunk_sectors = cs;
    sims.emplace_back(c);
  }
  if (!a.synthetic.empty()) {
    // The simulators have checked that the array's sectors fit in 64 bits.
    const std::uint64_t array = llbmp::maps_stripe_rows(base.level)
                                    ? base.size_sectors * llbmp::data_disks(*llbmp::personality_of(base.level), base.raid_disks, 0)
                                    : base.size_sectors;
    llbmp::SyntheticWorkload w(a.synthetic == "random", parse_number(a.seed, "--seed"), parse_number(a.count, "--count", 1, kMaxCount),
                               array, sectors_of(a.io_size, "--io-size"), parse_decimal(a.rate, "--rate", {0, kMaxRate, true}));
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
  const auto resize = resize_rows(a, base, reports);
  fmt::print("{}", a.format == "json" ? simulate_json(reports, base, resize) : simulate_text(reports, base, resize));
  return kExitOk;
}

}  // namespace

Runner add_simulate(CLI::App& app) {
  auto a = std::make_shared<SimulateArgs>();
  auto* cmd = app.add_subcommand("simulate", "Replay a write trace through the bitmap: metadata writes and resync cost at a crash");
  cmd->add_option("trace", a->trace, "blkparse text or fio iolog v2/v3 (- for stdin)");
  cmd->add_option("--input-format", a->input_format, "Trace format")->check(CLI::IsMember({"auto", "blkparse", "fio"}))->capture_default_str();
  cmd->add_option("--synthetic", a->synthetic, "Generate writes instead of a trace")->check(CLI::IsMember({"random", "sequential"}));
  cmd->add_option("--seed", a->seed, "Seed of --synthetic random")->type_name("N")->capture_default_str();
  cmd->add_option("--count", a->count, "Writes of --synthetic (at most 10000000000)")->type_name("N")->capture_default_str();
  cmd->add_option("--io-size", a->io_size, "Write size of --synthetic")->type_name("SIZE")->capture_default_str();
  cmd->add_option("--rate", a->rate, "Writes per second of --synthetic (above 0)")->type_name("RATE")->capture_default_str();
  cmd->add_option("--size", a->size, "What the bitmap covers (e.g. 1T): the member size, the array size for raid10")
      ->type_name("SIZE");
  cmd->add_option("--resize", a->resize,
                  "Preview a resize to SIZE (with a unit; what --size means) of each row's bitmap as the run leaves it")
      ->type_name("SIZE");
  cmd->add_option("--chunk-size", a->chunk_size,
                  "Bitmap chunk size, with a unit (64K, or 128s in sectors); the kernel's choice is added as a row (default: only it)")
      ->type_name("SIZE");
  cmd->add_option("--compare-chunks", a->compare, "One row per chunk size, e.g. 16M,64M,256M, and the kernel's choice")
      ->type_name("SIZE,...");
  cmd->add_option("--reserved", a->reserved, "Sectors reserved for the bitmap area: the room each row must fit")
      ->type_name("SECTORS")
      ->capture_default_str();
  cmd->add_option("--daemon-sleep", a->daemon_sleep, "Seconds (at least 1)")->type_name("SECONDS")->capture_default_str();
  cmd->add_option("--barrier-idle", a->barrier_idle, "Seconds a page stays busy after a write")->type_name("SECONDS")->capture_default_str();
  cmd->add_option("--logical-block-size", a->logical_block_size, "Bitmap write unit in bytes (512, 1024, 2048 or 4096)")
      ->type_name("BYTES")
      ->capture_default_str();
  cmd->add_option("--level", a->level, "raid level (1, 4, 5, 6, 10)")->capture_default_str();
  cmd->add_option("--raid-disks,--raid-devices", a->raid_disks, "Members (raid4/5/6 stripe width)")->type_name("N")->capture_default_str();
  cmd->add_option("--raid-chunk", a->raid_chunk, "raid4/5/6 chunk size")->type_name("SIZE")->capture_default_str();
  cmd->add_flag("--degraded", a->degraded, "A degraded array (NeedSync, no coalescing, no daemon)");
  cmd->add_flag("--unwritten", a->unwritten, "Start all Unwritten instead of Clean");
  cmd->add_option("--crash-at", a->crash_at, "Crash at this many seconds (default: after the last event)")->type_name("SECONDS");
  add_kernel_option(cmd, a->kernel);
  cmd->add_option("--format,-f", a->format, "Output format")->check(CLI::IsMember({"text", "json"}))->capture_default_str();
  cmd->add_flag("--quiet,-q", a->quiet, "No progress line on a terminal");
  cmd->footer(
      "Example:\n  blkparse -i sdb | llbitmap simulate --size 1T --compare-chunks 16M,64M,256M -\n"
      "  llbitmap simulate --synthetic random --count 10000000 --size 256G --crash-at 60");
  a->command = cmd;
  return [a] { return run_simulate(*a); };
}

}  // namespace llbitmap::cli
