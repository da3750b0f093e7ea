// llbitmap replay-resync DEV...: what md will resync at the next assembly.
#include <fmt/core.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <string_view>
#include <utility>

#include "command.hpp"
#include "format/personality.hpp"
#include "inspect/replay_members.hpp"
#include "inspect/resize_view.hpp"
#include "write/replay_commit.hpp"
#include "write/write_common.hpp"
#include "parse.hpp"
#include "render/picture.hpp"
#include "render/png.hpp"
#include "render/replay.hpp"
#include "write_support.hpp"

namespace llbitmap::cli {

namespace {

struct ReplayArgs {
  std::vector<std::string> devices;
  bool degraded = false, not_degraded = false, stale = false;
  bool requested = false, recover = false, readd = false, lazy = false, resync = false;
  std::optional<std::string> level;
  std::string interrupt_at, speed;
  std::optional<std::string> kernel;
  std::optional<std::string> reshape;
  std::optional<std::string> checkpoints;  // --checkpoints LIST|@FILE: the kernel's, for the reshape preview
  std::optional<std::string> size;  // --size SIZE|max: a resize previewed after the assembly
  std::string svg, png;  // pictures of the bitmap after the previewed reshape
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

// mdadm's layout names: raid4/5/6 parity placement, raid10 nN/fN/oN copies.
constexpr std::pair<std::string_view, std::uint32_t> kLayoutNames[] = {
    {"left-asymmetric", 0}, {"right-asymmetric", 1}, {"left-symmetric", 2}, {"right-symmetric", 3},
    {"parity-first", 4},    {"parity-last", 5}};

std::uint32_t layout_from(const std::string& text) {
  for (const auto& [name, value] : kLayoutNames)
    if (text == name) return value;
  if (text.size() == 2 && (text[0] == 'n' || text[0] == 'f' || text[0] == 'o') && text[1] >= '1' && text[1] <= '9') {
    const std::uint32_t copies = static_cast<std::uint32_t>(text[1] - '0');
    if (text[0] == 'n') return 0x100 | copies;          // near: far 1
    if (text[0] == 'f') return (copies << 8) | 1;        // far: near 1
    return 0x10000 | (copies << 8) | 1;                  // offset
  }
  if (text.empty() || text[0] < '0' || text[0] > '9')
    throw UsageError(fmt::format("--reshape layout={}: not a layout (left-symmetric, right-asymmetric, ..., parity-last; "
                                 "n2, f2, o2; or a number)", text));
  return parse_number_as<std::uint32_t>(text, "--reshape layout");
}

std::uint32_t md_chunk_from(const std::string& text) {
  const std::uint64_t sectors = parse_size_sectors(text, "--reshape chunk", PlainNumber::refused);
  if (sectors < 8 || sectors > 0x80000000u || (sectors & (sectors - 1)) != 0)
    throw UsageError(fmt::format("--reshape chunk={}: an md chunk is a power of two from 4K to 1T", text));
  return static_cast<std::uint32_t>(sectors);
}

std::int32_t level_from(const std::string& given, const char* option) {
  const auto text = given.rfind("raid", 0) == 0 ? given : "raid" + given;
  const auto level = llbmp::parse_level(text);
  if (!level || !llbmp::is_modelled(*level))
    throw UsageError(fmt::format("{} {}: unknown level (1, 4, 5, 6 or 10)", option, given));
  return *level;
}

// --reshape raid-disks=N[,chunk=SIZE][,layout=NAME][,level=N]
llbmp::ReshapeTarget reshape_from(const std::string& text) {
  llbmp::ReshapeTarget t;
  std::set<std::string> seen;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find(',', start), text.size());
    const std::string item = text.substr(start, end - start);
    start = end + 1;
    const std::size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0)
      throw UsageError(fmt::format("--reshape {}: '{}' is not KEY=VALUE (raid-disks, chunk, layout, level)", text, item));
    const std::string key = item.substr(0, eq), value = item.substr(eq + 1);
    if (!seen.insert(key).second) throw UsageError(fmt::format("--reshape {}: {} given twice", text, key));
    if (key == "raid-disks")
      t.raid_disks = parse_number_as<std::uint32_t>(value, "--reshape raid-disks", 1, llbmp::kMdMaxDevices);
    else if (key == "chunk")
      t.chunk_sectors = md_chunk_from(value);
    else if (key == "layout")
      t.layout = layout_from(value);
    else if (key == "level")
      t.level = level_from(value, "--reshape level");
    else
      throw UsageError(fmt::format("--reshape {}: unknown key {} (raid-disks, chunk, layout, level)", text, key));
  }
  if (t.raid_disks == 0) throw UsageError(fmt::format("--reshape {}: raid-disks=N is required", text));
  return t;
}

// --checkpoints 1536,9216 or @FILE (numbers separated by commas, blanks or
// lines): array sectors, as md/reshape_position showed them.
std::vector<std::uint64_t> checkpoints_from(const std::string& text) {
  std::string list = text;
  if (!text.empty() && text.front() == '@') {
    std::ifstream in(text.substr(1));
    if (!in) throw UsageError(fmt::format("--checkpoints {}: cannot read the file", text));
    std::ostringstream all;
    all << in.rdbuf();
    list = all.str();
  }
  std::replace(list.begin(), list.end(), ',', ' ');
  std::istringstream words(list);
  std::vector<std::uint64_t> out;
  for (std::string word; words >> word;) out.push_back(parse_number(word, "--checkpoints"));
  if (out.empty()) throw UsageError(fmt::format("--checkpoints {}: no sector given", text));
  return out;
}

// The bitmap after the previewed reshape, as dump --svg/--png draws a member's.
void write_reshape_pictures(const llbmp::ReshapeMembersPreview& rp, const ReplayArgs& a) {
  if (a.svg.empty() && a.png.empty()) return;
  const auto& p = rp.preview;
  ChunkStates states;
  states.device = rp.device + (rp.resumed_from ? " after the resumed reshape" : " after the reshape");
  states.version = llbmp::kBitmapVersionLockless;
  states.chunk_sectors = p.chunk_sectors;
  const auto chunks = std::min<std::size_t>(p.bytes.size(), p.chunks);
  states.states.assign(p.bytes.begin(), p.bytes.begin() + static_cast<std::ptrdiff_t>(chunks));
  const Scene scene = picture_scene(states, utc_now());
  if (!a.svg.empty()) write_svg(a.svg, scene);
  if (!a.png.empty()) write_png(a.png, scene);
}

llbmp::ReplayOptions options_from(const ReplayArgs& a) {
  if (a.devices.empty()) throw UsageError("give the member devices or image files of one array");
  if (a.degraded && a.not_degraded) throw UsageError("--degraded and --not-degraded exclude each other");
  if (a.commit && !a.force) throw UsageError("--commit writes the end state to every member: add --force");
  if (a.force && !a.commit) throw UsageError("--force only goes with --commit");
  llbmp::ReplayOptions o;
  if (a.level) o.level = level_from(*a.level, "--level");
  if (a.degraded) o.degraded = true;
  if (a.not_degraded) o.degraded = false;
  o.stale = a.stale;
  o.kind = sync_kind(a);
  if (!a.interrupt_at.empty()) o.interrupt_at = parse_number(a.interrupt_at, "--interrupt-at");
  if (!a.speed.empty()) o.speed_kib = parse_number_as<std::uint32_t>(a.speed, "--speed", 1);
  o.trace = a.trace;
  o.kernel = parse_kernel(a.kernel, "--kernel");
  if (a.reshape) {
    if (a.commit) throw UsageError("--reshape previews a reshape and never writes: no --commit");
  }
  if (a.reshape) {
    // ONDISK 9.1: before 7.3 md does not remap an llbitmap on a reshape.
    if (a.kernel && o.kernel != llbmp::KernelSeries::linux_7_3)
      throw UsageError(fmt::format("--reshape with --kernel {}: Linux {} does not remap an llbitmap on a reshape (its "
                                   "Unwritten chunks are skipped even by the reshape); the preview models 7.3",
                                   *a.kernel, llbmp::kernel_series_name(o.kernel)));
    o.kernel = llbmp::KernelSeries::linux_7_3;
  }
  if (a.size) {
    if (a.commit) throw UsageError("--size previews a resize and never writes: no --commit");
    if (a.reshape) throw UsageError("--size and --reshape preview one change each: give one of them");
  }
  o.source = copy_source_from(a.copy, a.devices);
  return o;
}

// --size SIZE (with a unit) or max: the member size asked for; nullopt for max.
std::optional<std::uint64_t> resize_from(const std::string& text) {
  if (text == "max") return std::nullopt;
  return parse_size_sectors(text, "--size", PlainNumber::refused);
}

std::vector<std::uint32_t> speeds(const ReplayArgs& a) {
  if (!a.speed.empty()) return {parse_number_as<std::uint32_t>(a.speed, "--speed", 1)};
  return {llbmp::kMdSpeedMinKiB, llbmp::kMdSpeedMaxKiB};
}

// A member mid-reshape whose bitmap 7.3 remaps: the next assembly resumes
// the reshape (ONDISK 9.6). Only a preview: --commit and --reshape are refused.
bool run_resume(const std::vector<llbmp::Member>& members, const llbmp::ReplayOptions& options, const ReplayArgs& a) {
  if (a.commit)  // the writing commands' refusal comes first, whatever the kernel
    for (const auto& m : members) llbmp::refuse_mid_reshape(m);
  if (a.size)  // md's update_size: -EBUSY while MD_RECOVERY_RUNNING, and the next assembly resumes the reshape
    for (const auto& m : members)
      if (m.md.reshape_active())
        throw UsageError(fmt::format("--size: {} is mid-reshape at reshape_position {}: md refuses a resize while the "
                                     "reshape runs (EBUSY); preview the resize once the reshape has finished",
                                     m.device, m.md.reshape_position));
  const auto resumed = llbmp::resume_reshape_members(members, options);
  if (!resumed) return false;
  if (a.reshape)
    throw UsageError(fmt::format("--reshape: {} is mid-reshape at reshape_position {}: the next assembly resumes that reshape "
                                 "(replay-resync without --reshape previews it)",
                                 resumed->device, *resumed->resumed_from));
  write_reshape_pictures(*resumed, a);
  fmt::print("{}", a.format == "json" ? resume_json(*resumed) : resume_text(*resumed));
  return true;
}

int run_replay(const ReplayArgs& a) {
  const auto options = options_from(a);
  if (a.checkpoints && !a.reshape) throw UsageError("--checkpoints are the kernel's checkpoints of a --reshape: give --reshape too");
  auto target = a.reshape ? std::optional(reshape_from(*a.reshape)) : std::nullopt;
  if (a.checkpoints && target) target->checkpoints = checkpoints_from(*a.checkpoints);
  // The outer optional: --size given; the inner one: a size, or max.
  const std::optional<std::optional<std::uint64_t>> new_size =
      a.size ? std::optional<std::optional<std::uint64_t>>(resize_from(*a.size)) : std::nullopt;
  const auto members = llbmp::load_array_members(a.devices);
  if (run_resume(members, options, a)) return kExitOk;
  if (!a.reshape && (!a.svg.empty() || !a.png.empty()))
    throw UsageError("--svg and --png draw the bitmap after a reshape: they go with --reshape or a member mid-reshape");
  const auto result = llbmp::replay_resync(members, options);
  ReplayView view{result, speeds(a), a.trace, a.copy.chosen(), a.commit, {}, {}};
  if (target && !result.first_use) view.reshape = llbmp::preview_reshape_members(members, options, *target);
  if (view.reshape) write_reshape_pictures(*view.reshape, a);
  if (new_size && !result.first_use) view.resize = llbmp::preview_resize_members(members, result, *new_size, options.kernel);
  fmt::print("{}", a.format == "json" ? replay_json(view) : replay_text(view));
  if (result.first_use || !a.commit) return kExitOk;
  const auto plan = llbmp::plan_replay_commit(members, result);
  llbmp::OpenedPlan opened(plan, fault_injector_from_env());
  execute_reporting(opened, {});
  if (a.format != "json") fmt::print("{}", committed_text(members.size()));
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
  add_kernel_option(cmd, a->kernel);
  cmd->add_option("--reshape", a->reshape,
                  "Preview Linux 7.3's reshape into this geometry: raid-disks=N[,chunk=SIZE][,layout=NAME][,level=N]")
      ->type_name("GEOMETRY");
  cmd->add_option("--checkpoints", a->checkpoints,
                  "With --reshape: remap at the kernel's checkpoints (the values md/reshape_position took, in array "
                  "sectors: comma separated, or @FILE) instead of at every common stripe row")
      ->type_name("LIST|@FILE");
  cmd->add_option("--size", a->size,
                  "Preview a resize (mdadm --grow --size) after this assembly: the member size with a unit, or max")
      ->type_name("SIZE");
  cmd->add_option("--svg", a->svg, "With --reshape or a member mid-reshape: write a picture of the bitmap after the reshape to FILE as SVG")
      ->type_name("FILE");
  cmd->add_option("--png", a->png, "With --reshape or a member mid-reshape: write a picture of the bitmap after the reshape to FILE as PNG")
      ->type_name("FILE");
  cmd->add_option("--format,-f", a->format, "Output format")->check(CLI::IsMember({"text", "json"}))->capture_default_str();
  add_copy_source_options(cmd, a->copy);
  cmd->add_flag("--trace", a->trace, "Print each chunk range's transitions");
  cmd->add_flag("--commit", a->commit, "Write the end state to every member (needs --force)");
  cmd->add_flag("--force", a->force, "Allow --commit to write");
  cmd->footer(
      "Example:\n  llbitmap replay-resync /dev/sdb1 /dev/sdc1\n  llbitmap replay-resync --trace --interrupt-at 65536 a.img b.img\n"
      "  llbitmap replay-resync --merge worst /dev/sdb1 /dev/sdc1\n"
      "  llbitmap replay-resync --kernel 7.3 /dev/sdb1 /dev/sdc1\n"
      "  llbitmap replay-resync --reshape raid-disks=4 /dev/sdb1 /dev/sdc1 /dev/sdd1\n"
      "  llbitmap replay-resync --kernel 7.3 --size max /dev/sdb1 /dev/sdc1\n"
      "  llbitmap replay-resync --commit --force a.img b.img");
  return [a] { return run_replay(*a); };
}

}  // namespace llbitmap::cli
