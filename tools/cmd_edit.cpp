// llbitmap edit DEV...: chunk states, header fields and flags, for test
// harnesses and repair by hand, under the writing commands' safety rules.
#include <fmt/core.h>

#include <algorithm>

#include "command.hpp"
#include "write/edit.hpp"
#include "engine/state_spec.hpp"
#include "write/write_common.hpp"
#include "write_support.hpp"

namespace llbitmap::cli {

namespace {

// Every flag the library knows, so that --help and the errors cannot miss one.
std::string flag_names() {
  std::string names;
  for (const auto& f : llbmp::kBitmapFlagNames) names += (names.empty() ? "" : ", ") + std::string(f.name);
  return names;
}

struct EditArgs {
  std::vector<std::string> devices, fields;
  std::string set_state, member, backup_file;
  std::optional<std::string> events, events_cleared, sync_size, daemon_sleep;
  std::vector<std::string> set_flags, clear_flags, raw_bytes;
  bool force = false, dry_run = false;
};

std::vector<llbmp::FieldAssignment> fields_from(const EditArgs& a) {
  std::vector<llbmp::FieldAssignment> out;
  for (const auto& f : a.fields) {
    const auto eq = f.find('=');
    if (eq == std::string::npos || eq == 0) throw UsageError(fmt::format("--set {}: FIELD=VALUE, e.g. chunksize=256", f));
    const std::string name = f.substr(0, eq);
    if (!llbmp::is_bitmap_field(name))
      throw UsageError(fmt::format("--set {}: no header field '{}' ({})", f, name, llbmp::bitmap_field_list()));
    out.push_back({name, f.substr(eq + 1)});
  }
  const std::pair<const char*, const std::optional<std::string>*> shorthands[] = {
      {"events", &a.events}, {"events_cleared", &a.events_cleared}, {"sync_size", &a.sync_size}, {"daemon_sleep", &a.daemon_sleep}};
  for (const auto& [name, value] : shorthands)
    if (*value) out.push_back({name, **value});
  for (auto f = out.begin(); f != out.end(); ++f)
    if (std::any_of(f + 1, out.end(), [&](const llbmp::FieldAssignment& g) { return g.field == f->field; }))
      throw UsageError(fmt::format("{} is given twice (--set {}= or its shorthand): give one value", f->field, f->field));
  return out;
}

std::vector<llbmp::BitmapFlag> flags_from(const std::vector<std::string>& names, const char* option) {
  std::vector<llbmp::BitmapFlag> out;
  for (const auto& n : names) {
    const auto f = llbmp::parse_bitmap_flag(n);
    if (!f) throw UsageError(fmt::format("{} {}: one of {}", option, n, flag_names()));
    out.push_back(*f);
  }
  return out;
}

// A flag both set and cleared would leave the header as it is.
void refuse_contradicting_flags(const EditArgs& a) {
  for (const auto& name : a.set_flags)
    for (const auto& other : a.clear_flags)
      if (llbmp::parse_bitmap_flag(name) == llbmp::parse_bitmap_flag(other))
        throw UsageError(fmt::format("--set-flag {} and --clear-flag {} contradict each other", name, other));
}

int run_edit(const EditArgs& a) {
  if (a.devices.empty()) throw UsageError("give the member devices or images to edit");
  llbmp::EditSpec s;
  if (!a.set_state.empty()) s.states = llbmp::load_state_spec(a.set_state);
  s.fields = fields_from(a);
  if (!a.member.empty()) s.only_member = a.member;
  s.set_flags = flags_from(a.set_flags, "--set-flag");
  s.clear_flags = flags_from(a.clear_flags, "--clear-flag");
  refuse_contradicting_flags(a);
  s.force = a.force;
  for (const auto& rb : a.raw_bytes) {
    const auto eq = rb.find('=');
    const auto chunk = eq == std::string::npos ? std::nullopt : llbmp::parse_unsigned(std::string_view(rb).substr(0, eq));
    const auto value = eq == std::string::npos ? std::nullopt : llbmp::parse_unsigned(std::string_view(rb).substr(eq + 1));
    if (!chunk || !value || *value > 0xff)
      throw UsageError(fmt::format("--raw-byte {}: CHUNK=VALUE with a byte value 0..255 (decimal, or hex as 0xff)", rb));
    s.raw_bytes.emplace_back(*chunk, static_cast<std::uint8_t>(*value));
  }
  if (!s.changes_states() && !s.changes_header())
    throw UsageError("nothing to edit: give --set-state, --raw-byte, --set FIELD=VALUE or a flag");
  if (!a.member.empty() && std::find(a.devices.begin(), a.devices.end(), a.member) == a.devices.end())
    throw UsageError(fmt::format("--member {}: give it among the devices too (the others are checked, not written)", a.member));
  const auto members = llbmp::load_array_members(a.devices);
  const auto plan = llbmp::plan_edit(members, s);
  if (a.dry_run) {
    fmt::print("{}{}{}", edit_text(plan, s, true), plan_text(plan.writes), dry_run_end_text(a.backup_file));
    return kExitOk;
  }
  // Every member opened and checked before the backup is taken from it and before any write.
  llbmp::OpenedPlan opened(plan.writes, fault_injector_from_env());
  const std::string undo = a.backup_file.empty() ? std::string() : save_backup(a.backup_file, opened, members);
  execute_reporting(opened, undo);
  fmt::print("{}", edit_text(plan, s, false));  // only once written: a refusal at open leaves no success line
  return kExitOk;
}

}  // namespace

Runner add_edit(CLI::App& app) {
  auto a = std::make_shared<EditArgs>();
  auto* cmd = app.add_subcommand("edit", "Set chunk states, header fields and flags on members (for test harnesses)");
  cmd->add_option("devices", a->devices, "Member devices or image files (one member alone makes a torn array)");
  cmd->add_option("--set-state", a->set_state, "Chunk states: RANGE:STATE[,...] or @FILE (e.g. 0-99:dirty,500:need_sync)");
  cmd->add_option("--set", a->fields,
                  "Set a header field: FIELD=VALUE, FIELD one of magic, version, uuid, events, events_cleared, sync_size, "
                  "state, chunksize (sectors on an llbitmap), daemon_sleep, write_behind, sectors_reserved, nodes, "
                  "cluster_name (repeatable)")
      ->type_name("FIELD=VALUE")
      ->allow_extra_args(false);
  cmd->add_option("--events", a->events, "Same as --set events=N");
  cmd->add_option("--events-cleared", a->events_cleared, "Same as --set events_cleared=N");
  cmd->add_option("--sync-size", a->sync_size, "Same as --set sync_size=SECTORS");
  cmd->add_option("--daemon-sleep", a->daemon_sleep, "Same as --set daemon_sleep=SECONDS");
  cmd->add_option("--member", a->member, "Write this one of the devices only (the others are checked): makes a torn array")
      ->type_name("DEV");
  cmd->add_option("--backup-file", a->backup_file, "Save what the edit rewrites to this new FILE first (undo with restore)")
      ->type_name("FILE");
  cmd->add_option("--set-flag", a->set_flags, fmt::format("Set a flag: {} (repeatable)", flag_names()))
      ->type_name("FLAG")
      ->allow_extra_args(false);
  cmd->add_option("--clear-flag", a->clear_flags, "Clear a flag, one of --set-flag's (repeatable)")->type_name("FLAG")->allow_extra_args(false);
  cmd->add_option("--raw-byte", a->raw_bytes, "Plant any byte at a chunk: CHUNK=VALUE, e.g. 3100=0xff (repeatable)")
      ->allow_extra_args(false);
  cmd->add_flag("--force", a->force, "Write a header the kernel refuses to load, first_use / write_error, or a member mid-reshape");
  cmd->add_flag("--dry-run,-n", a->dry_run, "Print what would be written; write nothing");
  cmd->footer(
      "Example:\n  llbitmap edit --set-state 0-99:dirty /dev/sdb1 /dev/sdc1\n"
      "  llbitmap edit --set-state 600:need_sync --member /dev/sdc1 /dev/sdb1 /dev/sdc1\n"
      "  llbitmap edit --set events=1200 --set daemon_sleep=10 --backup-file md0.llbmp /dev/sdb1 /dev/sdc1\n"
      "  llbitmap edit --set-flag stale /dev/sdb1 /dev/sdc1");
  return [a] { return run_edit(*a); };
}

}  // namespace llbitmap::cli
