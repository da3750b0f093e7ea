// llbitmap edit DEV...: chunk states, header fields and flags, for test
// harnesses and repair by hand, under the writing commands' safety rules.
#include <fmt/core.h>

#include "command.hpp"
#include "llbmp/edit.hpp"
#include "llbmp/write_common.hpp"
#include "write_support.hpp"

namespace llbitmap::cli {

namespace {

struct EditArgs {
  std::vector<std::string> devices;
  std::string set_state;
  std::optional<std::uint64_t> events, events_cleared, sync_size;
  std::optional<std::uint32_t> daemon_sleep;
  std::vector<std::string> set_flags, clear_flags, raw_bytes;
  bool force = false, dry_run = false;
};

std::vector<llbmp::BitmapFlag> flags_from(const std::vector<std::string>& names, const char* option) {
  std::vector<llbmp::BitmapFlag> out;
  for (const auto& n : names) {
    const auto f = llbmp::parse_bitmap_flag(n);
    if (!f) throw UsageError(fmt::format("{} {}: one of stale, write_error, first_use, clean, daemon_busy, shutdown, hostendian", option, n));
    out.push_back(*f);
  }
  return out;
}

std::string flags_text(std::uint32_t state) {
  std::string out;
  for (const auto& n : llbmp::bitmap_flag_names(state)) out += (out.empty() ? "" : ",") + n;
  return out.empty() ? "none" : out;
}

int run_edit(const EditArgs& a) {
  if (a.devices.empty()) throw UsageError("give the member devices or images to edit");
  llbmp::EditSpec s;
  if (!a.set_state.empty()) s.states = llbmp::load_state_spec(a.set_state);
  s.events = a.events;
  s.events_cleared = a.events_cleared;
  s.sync_size = a.sync_size;
  s.daemon_sleep = a.daemon_sleep;
  s.set_flags = flags_from(a.set_flags, "--set-flag");
  s.clear_flags = flags_from(a.clear_flags, "--clear-flag");
  s.force = a.force;
  for (const auto& rb : a.raw_bytes) {
    const auto eq = rb.find('=');
    try {
      if (eq == std::string::npos) throw std::invalid_argument(rb);
      const auto chunk = std::stoull(rb.substr(0, eq));
      const auto value = std::stoul(rb.substr(eq + 1), nullptr, 0);
      if (value > 0xff) throw std::out_of_range(rb);
      s.raw_bytes.emplace_back(chunk, static_cast<std::uint8_t>(value));
    } catch (const std::logic_error&) {
      throw UsageError(fmt::format("--raw-byte {}: CHUNK=VALUE with a byte value 0..255 (0xff)", rb));
    }
  }
  if (!s.changes_states() && !s.changes_header())
    throw UsageError("nothing to edit: give --set-state, --raw-byte, a header field or a flag");
  const auto members = llbmp::load_array_members(a.devices);
  const auto plan = llbmp::plan_edit(members, s);
  for (const auto& e : plan.members) {
    fmt::print("{}: {}", e.device, a.dry_run ? "would edit" : "edited");
    if (s.changes_states())
      fmt::print(" states ({} not in sync before, {} after)", e.counts_before.not_in_sync(), e.counts_after.not_in_sync());
    if (e.before.events != e.after.events) fmt::print(" events {} -> {}", e.before.events, e.after.events);
    if (e.before.state != e.after.state) fmt::print(" flags {} -> {}", flags_text(e.before.state), flags_text(e.after.state));
    fmt::print("\n");
  }
  if (a.dry_run) {
    print_plan(plan.writes);
    fmt::print("dry run: nothing written\n");
    return kExitOk;
  }
  llbmp::execute_plan(plan.writes, fault_injector_from_env());
  return kExitOk;
}

}  // namespace

Runner add_edit(CLI::App& app) {
  auto a = std::make_shared<EditArgs>();
  auto* cmd = app.add_subcommand("edit", "Set chunk states, header fields and flags on members (for test harnesses)");
  cmd->add_option("devices", a->devices, "Member devices or image files (one member alone makes a torn array)");
  cmd->add_option("--set-state", a->set_state, "Chunk states: RANGE:STATE[,...] or @FILE (e.g. 0-99:dirty,500:need_sync)");
  cmd->add_option("--events", a->events, "Set the bitmap events");
  cmd->add_option("--events-cleared", a->events_cleared, "Set the bitmap events_cleared");
  cmd->add_option("--sync-size", a->sync_size, "Set the bitmap sync_size (sectors)");
  cmd->add_option("--daemon-sleep", a->daemon_sleep, "Set the bitmap daemon_sleep (seconds)");
  cmd->add_option("--set-flag", a->set_flags, "Set a flag: stale, write_error, first_use, clean, daemon_busy, shutdown (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--clear-flag", a->clear_flags, "Clear a flag (repeatable)")->allow_extra_args(false);
  cmd->add_option("--raw-byte", a->raw_bytes, "Plant any byte at a chunk: CHUNK=VALUE, e.g. 3100=0xff (repeatable)")
      ->allow_extra_args(false);
  cmd->add_flag("--force", a->force, "Write values the kernel refuses (daemon_sleep 0, first_use, write_error)");
  cmd->add_flag("--dry-run,-n", a->dry_run, "Print what would be written; write nothing");
  cmd->footer(
      "Example:\n  llbitmap edit --set-state 0-99:dirty /dev/sdb1 /dev/sdc1\n"
      "  llbitmap edit --set-state 600:need_sync /dev/sdc1\n  llbitmap edit --set-flag stale /dev/sdb1 /dev/sdc1");
  return [a] { return run_edit(*a); };
}

}  // namespace llbitmap::cli
