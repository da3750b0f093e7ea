// llbitmap replay-resync DEV...: what md will resync at the next assembly,
// replayed offline through the state engine; --commit --force writes the end
// state.
#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "llbmp/replay.hpp"
#include "llbmp/write_common.hpp"
#include "write_support.hpp"

namespace llbitmap::cli {

namespace {

constexpr std::uint64_t kMdSpeedMinKib = 1000;    // /proc/sys/dev/raid/speed_limit_min default
constexpr std::uint64_t kMdSpeedMaxKib = 200000;  // speed_limit_max default

struct ReplayArgs {
  std::vector<std::string> devices;
  bool degraded = false, not_degraded = false, stale = false, not_stale = false;
  bool requested = false, recover = false, new_disk = false;
  std::string level, format = "text", interrupt_at;
  std::optional<std::uint64_t> speed;
  bool trace = false, commit = false, force = false, dry_run = false;
};

// A plain number is sectors; with a unit (1G, 512K) it is bytes.
std::uint64_t sectors_from(const std::string& text, const char* option) {
  const bool plain = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
  return plain ? parse_size_bytes(text, option) : parse_size_bytes(text, option) / 512;
}

llbmp::ReplayOptions replay_options(const ReplayArgs& a) {
  llbmp::ReplayOptions o;
  if (a.degraded && a.not_degraded) throw UsageError("--degraded and --not-degraded exclude each other");
  if (a.stale && a.not_stale) throw UsageError("--stale and --not-stale exclude each other");
  if (a.requested + a.recover + a.new_disk > 1) throw UsageError("choose one of --requested, --recover, --new-disk");
  if (a.degraded) o.degraded = true;
  if (a.not_degraded) o.degraded = false;
  if (a.stale) o.stale = true;
  if (a.not_stale) o.stale = false;
  if (!a.level.empty()) {
    const auto level = llbmp::parse_level(a.level);
    if (!level || !(*level == 1 || *level == 10 || llbmp::level_is_raid456(*level)))
      throw UsageError(fmt::format("--level {}: raid1, raid10, raid4, raid5 or raid6", a.level));
    o.level = *level;
  }
  o.kind = a.requested ? llbmp::SyncKind::requested
           : a.recover ? llbmp::SyncKind::recover
           : a.new_disk ? llbmp::SyncKind::new_disk
                        : llbmp::SyncKind::resync;
  if (!a.interrupt_at.empty()) o.interrupt_at = sectors_from(a.interrupt_at, "--interrupt-at");
  if (a.speed && *a.speed == 0) throw UsageError("--speed 0: give KiB/s, at least 1");
  return o;
}

std::string state_name(std::uint8_t byte) {
  return llbmp::is_valid_state(byte) ? std::string(llbmp::state_key(static_cast<llbmp::State>(byte))) : fmt::format("invalid({})", byte);
}

std::string duration_text(double seconds) {
  if (seconds < 60) return fmt::format("{:.1f} s", seconds);
  if (seconds < 3600) return fmt::format("{:.1f} min", seconds / 60);
  return fmt::format("{:.1f} h", seconds / 3600);
}

struct Estimate {
  std::uint64_t kib_per_s;
  const char* label;
};

std::vector<Estimate> estimates(const ReplayArgs& a) {
  if (a.speed) return {{*a.speed, "--speed"}};
  return {{kMdSpeedMinKib, "md minimum speed_limit_min"}, {kMdSpeedMaxKib, "md maximum speed_limit_max"}};
}

const char* stage_action(const llbmp::ReplayResult& r, llbmp::Stage stage) {
  switch (stage) {
    case llbmp::Stage::loaded: return r.first_use ? "init" : r.stale ? "stale" : "reload";
    case llbmp::Stage::walked: return "startsync";
    case llbmp::Stage::ended: return r.interrupted ? "abortsync+endsync" : "endsync";
    case llbmp::Stage::settled: return "daemon";
    default: return "";
  }
}

std::string trace_text(const llbmp::ReplayResult& r, const llbmp::TraceRun& run) {
  std::string out = state_name(run.states[0]);
  for (std::size_t s = 1; s < llbmp::kStageCount; ++s)
    if (run.states[s] != run.states[s - 1])
      out += fmt::format(" -{}-> {}", stage_action(r, static_cast<llbmp::Stage>(s)), state_name(run.states[s]));
  return out;
}

std::string range_text(std::uint64_t first, std::uint64_t last) {
  return first == last ? fmt::format("{}", first) : fmt::format("{}-{}", first, last);
}

void print_text(const llbmp::ReplayResult& r, const ReplayArgs& a) {
  fmt::print("Array      : {}, {}{}\n", llbmp::level_name(r.level), r.degraded ? "degraded" : "not degraded",
             r.first_use ? ", FIRST_USE bitmap initialised at assembly" : "");
  fmt::print("Loaded from: {}\n", r.source);
  fmt::print("Bitmap     : {} chunks of {} sectors, sync size {} sectors\n", r.chunks, r.chunk_sectors, r.sync_sectors);
  fmt::print("Assembly   : {}\n", r.first_use ? "init (FIRST_USE)" : r.stale ? "stale (bitmap events behind the array: every chunk is resynced)" : "reload");
  if (!r.sync_runs) {
    fmt::print("Sync       : none: {}\n", r.why_no_sync);
  } else {
    fmt::print("Sync       : {}{}{}\n", llbmp::sync_kind_name(r.kind), r.lazy_recovery ? " (lazy recovery, raid4/5/6)" : "",
               r.interrupted ? fmt::format(", interrupted at chunk {}", r.interrupt_chunk) : std::string());
    fmt::print("Plan       : {} range(s), {} chunks, {} bytes ({:.1f}% of a full resync)\n", r.synced.size(), r.synced_chunks,
               r.synced_sectors * 512, 100.0 * r.share_of_full());
    for (const auto& range : r.synced) {
      fmt::print("  chunks {:<13} sectors {}-{}", range_text(range.first_chunk, range.last_chunk), range.first_sector, range.end_sector - 1);
      if (r.member_offsets)
        fmt::print("  member bytes {}-{}", (r.data_offset + range.first_sector) * 512, (r.data_offset + range.end_sector) * 512 - 1);
      fmt::print("\n");
    }
    for (const auto& e : estimates(a))
      fmt::print("Time       : {} at {} KiB/s ({})\n", duration_text(static_cast<double>(r.synced_sectors) * 512 / 1024 / static_cast<double>(e.kib_per_s)),
                 e.kib_per_s, e.label);
  }
  fmt::print("{:<20} {:>9} {:>9} {:>9} {:>9} {:>9}\n", "States", "before", "assembled", "synced", "ended", "settled");
  for (std::size_t s = 0; s <= llbmp::kStateCount; ++s) {
    const std::string name = s < llbmp::kStateCount ? std::string(llbmp::state_key(static_cast<llbmp::State>(s))) : "invalid";
    fmt::print("  {:<18}", name);
    for (const auto& c : r.counts) fmt::print(" {:>9}", s < llbmp::kStateCount ? c.by_state[s] : c.invalid);
    fmt::print("\n");
  }
  if (a.trace) {
    fmt::print("Trace:\n");
    for (const auto& run : llbmp::trace_runs(r)) fmt::print("  chunks {:<13} {}\n", range_text(run.first, run.last), trace_text(r, run));
  }
}

nlohmann::json counts_json(const llbmp::StateCounts& c) {
  nlohmann::json j;
  for (std::size_t s = 0; s < llbmp::kStateCount; ++s) j[std::string(llbmp::state_key(static_cast<llbmp::State>(s)))] = c.by_state[s];
  j["invalid"] = c.invalid;
  return j;
}

void print_json(const llbmp::ReplayResult& r, const ReplayArgs& a) {
  nlohmann::json j;
  j["source"] = r.source;
  j["level"] = llbmp::level_name(r.level);
  j["degraded"] = r.degraded;
  j["stale"] = r.stale;
  j["first_use"] = r.first_use;
  j["assembly_action"] = stage_action(r, llbmp::Stage::loaded);
  j["sync_runs"] = r.sync_runs;
  if (!r.sync_runs) j["why_no_sync"] = r.why_no_sync;
  j["sync_kind"] = llbmp::sync_kind_name(r.kind);
  j["lazy_recovery"] = r.lazy_recovery;
  j["interrupted"] = r.interrupted;
  if (r.interrupted) j["interrupt_chunk"] = r.interrupt_chunk;
  j["chunks"] = r.chunks;
  j["chunksize_sectors"] = r.chunk_sectors;
  j["sync_size_sectors"] = r.sync_sectors;
  j["synced_chunks"] = r.synced_chunks;
  j["synced_bytes"] = r.synced_sectors * 512;
  j["share_of_full_resync"] = r.share_of_full();
  nlohmann::json ranges = nlohmann::json::array();
  for (const auto& range : r.synced) {
    nlohmann::json x{{"first_chunk", range.first_chunk}, {"last_chunk", range.last_chunk},
                     {"first_sector", range.first_sector}, {"end_sector", range.end_sector}};
    if (r.member_offsets) {
      x["member_first_byte"] = (r.data_offset + range.first_sector) * 512;
      x["member_end_byte"] = (r.data_offset + range.end_sector) * 512;
    }
    ranges.push_back(x);
  }
  j["ranges"] = ranges;
  nlohmann::json est = nlohmann::json::array();
  for (const auto& e : estimates(a))
    est.push_back({{"kib_per_s", e.kib_per_s}, {"seconds", static_cast<double>(r.synced_sectors) * 512 / 1024 / static_cast<double>(e.kib_per_s)}});
  j["time_estimates"] = est;
  const char* stage_names[] = {"before", "assembled", "synced", "ended", "settled"};
  for (std::size_t s = 0; s < llbmp::kStageCount; ++s) j["states"][stage_names[s]] = counts_json(r.counts[s]);
  if (a.trace) {
    nlohmann::json t = nlohmann::json::array();
    for (const auto& run : llbmp::trace_runs(r))
      t.push_back({{"first_chunk", run.first}, {"last_chunk", run.last}, {"transitions", trace_text(r, run)}});
    j["trace"] = t;
  }
  fmt::print("{}\n", j.dump(2));
}

int run_replay(const ReplayArgs& a) {
  if (a.devices.empty()) throw UsageError("give the member devices or images of one array");
  if (a.format != "text" && a.format != "json") throw UsageError(fmt::format("--format {}: text or json", a.format));
  if (a.force && !a.commit) throw UsageError("--force only goes with --commit");
  const auto options = replay_options(a);
  const auto members = llbmp::load_array_members(a.devices);
  const auto result = llbmp::replay_resync(members, options);
  if (a.commit && a.format == "json") throw UsageError("--commit prints text: no --format json");
  if (a.format == "json") print_json(result, a);
  else print_text(result, a);
  if (!a.commit) return kExitOk;
  const auto plan = llbmp::plan_replay_commit(members, result);
  if (a.dry_run) {
    fmt::print("Commit (dry run): the settled states would be written to every member\n");
    print_plan(plan);
    return kExitOk;
  }
  if (!a.force)
    throw llbmp::Error(a.devices.front(), "commit", "refused",
                       "writing the replayed end state tells the kernel these chunks are in sync: add --force to do it");
  llbmp::execute_plan(plan, fault_injector_from_env());
  fmt::print("Committed: the settled states written to {} member(s)\n", members.size());
  return kExitOk;
}

}  // namespace

Runner add_replay_resync(CLI::App& app) {
  auto a = std::make_shared<ReplayArgs>();
  auto* cmd = app.add_subcommand("replay-resync", "Replay the next assembly and sync offline: what md will resync");
  cmd->add_option("devices", a->devices, "Member devices or image files of one array");
  cmd->add_flag("--degraded", a->degraded, "Replay as if the array were degraded");
  cmd->add_flag("--not-degraded", a->not_degraded, "Replay as if no member were missing");
  cmd->add_flag("--stale", a->stale, "Replay as if the bitmap were stale (Stale instead of Reload)");
  cmd->add_flag("--not-stale", a->not_stale, "Replay with Reload even when the bitmap events are behind");
  cmd->add_option("--level", a->level, "Replay as this raid level (raid1, raid10, raid4, raid5, raid6)");
  cmd->add_flag("--requested", a->requested, "A user check/repair: Clean and Dirty chunks are not skipped");
  cmd->add_flag("--recover", a->recover, "A recovery onto a re-added member");
  cmd->add_flag("--new-disk", a->new_disk, "A full recovery onto a brand-new member");
  cmd->add_option("--interrupt-at", a->interrupt_at, "Stop the sync at this resync sector (or bytes with a unit: 1G)");
  cmd->add_option("--speed", a->speed, "Sync speed in KiB/s for the time estimate (default: md's minimum and maximum)");
  cmd->add_option("--format", a->format, "Output: text or json")->capture_default_str();
  cmd->add_flag("--trace", a->trace, "Print each chunk range's transitions");
  cmd->add_flag("--commit", a->commit, "Write the settled end state to every member (needs --force)");
  cmd->add_flag("--force", a->force, "Allow --commit to write");
  cmd->add_flag("--dry-run,-n", a->dry_run, "With --commit: print the writes; write nothing");
  cmd->footer(
      "Example:\n  llbitmap replay-resync /dev/sdb1 /dev/sdc1\n  llbitmap replay-resync --trace --interrupt-at 1G /dev/sdb1 /dev/sdc1\n"
      "  llbitmap replay-resync --commit --force /dev/sdb1 /dev/sdc1");
  return [a] { return run_replay(*a); };
}

}  // namespace llbitmap::cli
