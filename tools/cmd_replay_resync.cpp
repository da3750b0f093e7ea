// llbitmap replay-resync DEV...: what md will resync at the next assembly.
#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "format/personality.hpp"
#include "inspect/replay_members.hpp"
#include "write/replay_commit.hpp"
#include "write/write_common.hpp"
#include "output.hpp"
#include "parse.hpp"
#include "write_support.hpp"

namespace llbitmap::cli {

namespace {

struct ReplayArgs {
  std::vector<std::string> devices;
  bool degraded = false, not_degraded = false, stale = false;
  bool requested = false, recover = false, readd = false, lazy = false, resync = false;
  std::optional<std::string> level;
  std::string interrupt_at, speed;
  std::string format = "text";
  bool trace = false, commit = false, force = false;
  CopySourceArgs copy;
};

llbmp::SyncKind sync_kind(const ReplayArgs& a) {
  const int chosen = a.requested + a.recover + a.readd + a.lazy + a.resync;
  if (chosen > 1) throw UsageError("--resync, --requested, --recover, --re-add and --lazy exclude each other");
  if (a.requested) return llbmp::SyncKind::requested;
  if (a.recover) return llbmp::SyncKind::recover;
  if (a.readd) return llbmp::SyncKind::readd;
  if (a.lazy) return llbmp::SyncKind::lazy;
  if (a.resync) return llbmp::SyncKind::resync;
  return llbmp::SyncKind::automatic;
}

llbmp::ReplayOptions options_from(const ReplayArgs& a) {
  if (a.devices.empty()) throw UsageError("give the member devices or image files of one array");
  if (a.degraded && a.not_degraded) throw UsageError("--degraded and --not-degraded exclude each other");
  if (a.commit && !a.force) throw UsageError("--commit writes the end state to every member: add --force");
  if (a.force && !a.commit) throw UsageError("--force only goes with --commit");
  llbmp::ReplayOptions o;
  if (a.level) {
    auto text = *a.level;
    if (text.rfind("raid", 0) != 0) text = "raid" + text;
    const auto level = llbmp::parse_level(text);
    if (!level || !llbmp::is_modelled(*level))
      throw UsageError(fmt::format("--level {}: unknown level (1, 4, 5, 6 or 10)", *a.level));
    o.level = *level;
  }
  if (a.degraded) o.degraded = true;
  if (a.not_degraded) o.degraded = false;
  o.stale = a.stale;
  o.kind = sync_kind(a);
  if (!a.interrupt_at.empty()) o.interrupt_at = parse_number(a.interrupt_at, "--interrupt-at");
  if (!a.speed.empty()) o.speed_kib = parse_number_as<std::uint32_t>(a.speed, "--speed", 1);
  o.trace = a.trace;
  o.source = copy_source_from(a.copy, a.devices);
  return o;
}

nlohmann::json counts_json(const llbmp::StateCounts& c) {
  nlohmann::json j = nlohmann::json::object();
  for (std::size_t s = 0; s < llbmp::kStateCount; ++s) j[std::string(llbmp::state_key(static_cast<llbmp::State>(s)))] = c.by_state[s];
  j["invalid"] = c.invalid;
  return j;
}

std::string counts_text(const llbmp::StateCounts& c) {
  std::string out;
  for (std::size_t s = 0; s < llbmp::kStateCount; ++s)
    if (c.by_state[s] != 0) out += fmt::format("{}{} {}", out.empty() ? "" : ", ", c.by_state[s], llbmp::state_key(static_cast<llbmp::State>(s)));
  if (c.invalid != 0) out += fmt::format("{}{} invalid", out.empty() ? "" : ", ", c.invalid);
  return out.empty() ? "none" : out;
}

std::vector<std::uint32_t> speeds(const ReplayArgs& a) {
  if (!a.speed.empty()) return {parse_number_as<std::uint32_t>(a.speed, "--speed", 1)};
  return {llbmp::kMdSpeedMinKiB, llbmp::kMdSpeedMaxKiB};
}

nlohmann::json result_json(const llbmp::ReplayResult& r, const ReplayArgs& a) {
  nlohmann::json plan = nlohmann::json::array();
  for (const auto& p : r.plan) {
    nlohmann::json e = {{"first_chunk", p.first_chunk}, {"last_chunk", p.last_chunk}, {"first_sector", p.first_sector}, {"end_sector", p.end_sector}};
    if (p.member_first_byte) {
      e["member_first_byte"] = *p.member_first_byte;
      e["member_end_byte"] = *p.member_end_byte;
    }
    plan.push_back(e);
  }
  nlohmann::json times = nlohmann::json::array();
  for (const auto s : speeds(a)) times.push_back({{"speed_kib", s}, {"seconds", r.seconds_at(s)}});
  nlohmann::json j = {
      {"device", r.device}, {"source", r.source}, {"copies", r.copies}, {"disagreeing_chunks", r.disagreeing_chunks},
      {"level", llbmp::level_name(r.level)}, {"raid_disks", r.raid_disks}, {"working_roles", r.working_roles},
      {"degraded", r.degraded}, {"detected_degraded", r.detected_degraded}, {"stale", r.stale}, {"detected_stale", r.detected_stale},
      {"unclean", r.unclean}, {"sync", llbmp::sync_kind_name(r.kind)}, {"sync_wanted", r.sync_wanted},
      {"degraded_resync", llbmp::degraded_resync_name(r.degraded_resync)}, {"dirty_degraded", r.dirty_degraded},
      {"single_mirror", r.single_mirror},
      {"started_chunks", r.started_chunks},
      {"chunk_sectors", r.chunk_sectors}, {"chunks", r.chunks}, {"sync_sectors", r.sync_sectors}, {"data_offset", r.data_offset},
      {"plan", plan}, {"synced_chunks", r.synced_chunks}, {"synced_bytes", r.synced_bytes()}, {"full_bytes", r.sync_sectors * 512},
      {"share", r.share()}, {"time", times}, {"periodic_flushes", r.periodic_flushes},
      {"counts", {{"before", counts_json(r.before)}, {"after_load", counts_json(r.after_load)},
                  {"after_sync", counts_json(r.after_sync)}, {"end", counts_json(r.end)}}}};
  j["interrupt_chunk"] = r.interrupt_chunk ? nlohmann::json(*r.interrupt_chunk) : nlohmann::json(nullptr);
  if (a.trace) {
    nlohmann::json trace = nlohmann::json::array();
    for (const auto& t : r.trace) trace.push_back({{"first_chunk", t.first_chunk}, {"last_chunk", t.last_chunk}, {"path", t.path}});
    j["trace"] = trace;
  }
  return j;
}

std::string human_bytes(std::uint64_t b) {
  if (b >= (1ULL << 30)) return fmt::format("{:.1f} GiB", static_cast<double>(b) / (1ULL << 30));
  if (b >= (1ULL << 20)) return fmt::format("{:.1f} MiB", static_cast<double>(b) / (1ULL << 20));
  if (b >= (1ULL << 10)) return fmt::format("{:.1f} KiB", static_cast<double>(b) / (1ULL << 10));
  return fmt::format("{} B", b);
}

// What md does with the sync on a degraded array, in words.
std::string degraded_note(const llbmp::ReplayResult& r) {
  using llbmp::DegradedResync;
  const std::string recover = "a re-added or new member is recovered instead (--re-add, --recover)";
  if (r.dirty_degraded)
    return fmt::format("unclean and degraded: the kernel does not start a dirty degraded {} (mdadm --assemble --force marks it "
                       "clean first): no resync; the reloaded states stay; {}",
                       llbmp::level_name(r.level), recover);
  if (r.single_mirror && !r.sync_wanted)
    return "raid1 with one mirror left: md does not resync it, not even after an unclean shutdown (raid1_run forgets it): "
           "nothing is synced; the reloaded states stay; " + recover;
  if (!r.degraded || !r.sync_wanted) {
    if (r.degraded && r.kind != llbmp::SyncKind::recover && r.kind != llbmp::SyncKind::readd)
      return "degraded: the bitmap asks for no sync while the array is degraded, and md's superblock is clean: nothing is "
             "synced; the reloaded states stay (the daemon does nothing while degraded); " + recover;
    return {};
  }
  switch (r.degraded_resync) {
    case DegradedResync::no_write_target:
      return "raid1 with one mirror left: the check starts one chunk, finds no mirror to write and ends: nothing is "
             "synced; " + recover;
    case DegradedResync::not_started:
      return fmt::format("degraded {} missing {} member(s): md's resync gives up before it asks the bitmap: nothing is synced; {}",
                         llbmp::level_name(r.level), r.raid_disks - r.working_roles, recover);
    case DegradedResync::two_copies_only:
      return "degraded raid10: every chunk to sync is started, but only the regions with two working copies are synced; " + recover;
    case DegradedResync::degraded_rules:
      return "degraded: two copies remain, so md resyncs under the degraded rules (Clean and Dirty chunks too); " + recover;
    case DegradedResync::none: break;
  }
  return {};
}

void print_text(const llbmp::ReplayResult& r, const ReplayArgs& a) {
  fmt::print("Replaying {} ({}, {} of {} roles working{}{}, {} chunks of {} sectors)\n", printable(r.device), llbmp::level_name(r.level),
             r.working_roles, r.raid_disks, !r.degraded ? "" : r.detected_degraded ? ", degraded" : ", treated as degraded",
             r.stale ? ", stale bitmap" : "", r.chunks, r.chunk_sectors);
  fmt::print("Copy     : {}\n", copy_source_line(r.source, r.copies, r.disagreeing_chunks, a.copy));
  fmt::print("Load     : {} -> {}\n", r.stale ? "stale" : "reload", counts_text(r.after_load));
  fmt::print("Sync     : {}{}{}\n", llbmp::sync_kind_name(r.kind), r.sync_wanted ? "" : " (not wanted: nothing asks for a sync)",
             r.interrupt_chunk ? fmt::format(", interrupted in chunk {}", *r.interrupt_chunk) : "");
  if (const auto note = degraded_note(r); !note.empty()) fmt::print("Note     : {}\n", note);
  fmt::print("Plan     : {} range{}\n", r.plan.size(), r.plan.size() == 1 ? "" : "s");
  for (const auto& p : r.plan) {
    fmt::print("  chunks {}-{}: sectors {}-{}", p.first_chunk, p.last_chunk, p.first_sector, p.end_sector - 1);
    if (p.member_first_byte) fmt::print(", member bytes {}-{}", *p.member_first_byte, *p.member_end_byte - 1);
    fmt::print("\n");
  }
  fmt::print("Total    : {} chunks, {} bytes ({}), {:.2f}% of a full resync ({})\n", r.synced_chunks, r.synced_bytes(),
             human_bytes(r.synced_bytes()), r.share() * 100.0, human_bytes(r.sync_sectors * 512));
  for (const auto s : speeds(a)) fmt::print("Time     : {:.1f} s at {} KiB/s\n", r.seconds_at(s), s);
  fmt::print("Before   : {}\n", counts_text(r.before));
  fmt::print("After    : {} (when the sync ends)\n", counts_text(r.after_sync));
  fmt::print("End      : {} (after the daemon)\n", counts_text(r.end));
  if (a.trace) {
    fmt::print("Trace    :\n");
    for (const auto& t : r.trace) fmt::print("  {}-{}: {}\n", t.first_chunk, t.last_chunk, t.path);
  }
}

int run_replay(const ReplayArgs& a) {
  const auto options = options_from(a);
  const auto members = llbmp::load_array_members(a.devices);
  const auto result = llbmp::replay_resync(members, options);
  if (result.first_use) {
    if (a.format == "json") fmt::print("{}\n", json_text(nlohmann::json{{"device", result.device}, {"first_use", true}, {"synced_chunks", 0}}));
    else
      fmt::print("{}: FIRST_USE: the kernel initialises this llbitmap at the next assembly (every chunk Unwritten, "
                 "or Clean with the CLEAN flag): nothing is resynced{}\n", result.device, a.commit ? ", nothing written" : "");
    return kExitOk;
  }
  if (a.format == "json") fmt::print("{}\n", json_text(result_json(result, a)));
  else print_text(result, a);
  if (!a.commit) return kExitOk;
  const auto plan = llbmp::plan_replay_commit(members, result);
  llbmp::OpenedPlan opened(plan, fault_injector_from_env());
  execute_reporting(opened, {});
  if (a.format != "json") fmt::print("Committed: the end state written to {} member{}\n", members.size(), members.size() == 1 ? "" : "s");
  return kExitOk;
}

}  // namespace

Runner add_replay_resync(CLI::App& app) {
  auto a = std::make_shared<ReplayArgs>();
  auto* cmd = app.add_subcommand("replay-resync", "Replay what md will resync at the next assembly, offline");
  cmd->add_option("devices", a->devices, "Member devices or image files of one array");
  cmd->add_option("--level", a->level, "Override the raid level (1, 4, 5, 6, 10)");
  cmd->add_flag("--degraded", a->degraded, "Treat the array as degraded");
  cmd->add_flag("--not-degraded", a->not_degraded, "Treat the array as not degraded");
  cmd->add_flag("--stale", a->stale, "Treat the bitmap as stale (Stale instead of Reload)");
  cmd->add_flag("--resync", a->resync, "A resync (the default; raid4/5/6 default to a lazy recovery)");
  cmd->add_flag("--requested", a->requested, "A user-requested check/repair: Clean and Dirty are not skipped");
  cmd->add_flag("--recover", a->recover, "A full recovery onto a new disk");
  cmd->add_flag("--re-add", a->readd, "A bitmap-based recovery of a re-added member");
  cmd->add_flag("--lazy", a->lazy, "A raid4/5/6 lazy recovery");
  cmd->add_option("--interrupt-at", a->interrupt_at, "Stop the sync at this resync-space sector (Abortsync from there)")
      ->type_name("SECTOR");
  cmd->add_option("--speed", a->speed, "Sync speed in KiB/s for the time estimate (default: md's 1000 and 200000)")
      ->type_name("KIB/S");
  cmd->add_option("--format,-f", a->format, "Output format")->check(CLI::IsMember({"text", "json"}))->capture_default_str();
  add_copy_source_options(cmd, a->copy);
  cmd->add_flag("--trace", a->trace, "Print each chunk range's transitions");
  cmd->add_flag("--commit", a->commit, "Write the end state to every member (needs --force)");
  cmd->add_flag("--force", a->force, "Allow --commit to write");
  cmd->footer(
      "Example:\n  llbitmap replay-resync /dev/sdb1 /dev/sdc1\n  llbitmap replay-resync --trace --interrupt-at 65536 a.img b.img\n"
      "  llbitmap replay-resync --merge worst /dev/sdb1 /dev/sdc1\n"
      "  llbitmap replay-resync --commit --force a.img b.img");
  return [a] { return run_replay(*a); };
}

}  // namespace llbitmap::cli
