#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <exception>
#include <map>
#include <vector>
#include <string>

#include "command.hpp"
#include "render/escape.hpp"
#include "llbmp/error.hpp"
#include "llbmp/version.hpp"

namespace {

struct CommandEntry {
  const char* name;
  llbitmap::cli::AddCommand add;
};

constexpr CommandEntry kCommands[] = {
    {"examine", llbitmap::cli::add_examine},
    {"dump", llbitmap::cli::add_dump},
    {"create", llbitmap::cli::add_create},
    {"convert", llbitmap::cli::add_convert},
    {"restore", llbitmap::cli::add_restore},
    {"replay-resync", llbitmap::cli::add_replay_resync},
    {"check", llbitmap::cli::add_check},
    {"edit", llbitmap::cli::add_edit},
    {"simulate", llbitmap::cli::add_simulate},
};

const CommandEntry* find_command(const std::string& name) {
  for (const auto& entry : kCommands)
    if (name == entry.name) return &entry;
  return nullptr;
}

// The option behind a library request field, for a bad_value error: the
// library names what is wrong in its own terms, the CLI names the option.
struct OptionOfField {
  const char* command;
  const char* field;
  const char* option;
};

constexpr OptionOfField kOptionOfField[] = {
    {"create", "chunk_sectors", "--chunk-size"},    {"create", "reserved", "--reserved"},
    {"create", "daemon_sleep", "--daemon-sleep"},   {"create", "states", "--states"},
    {"create", "devices", "devices"},               {"convert", "chunk_bytes", "--chunk-size"},
    {"convert", "chunk_sectors", "--chunk-size"},   {"convert", "member", "--member"},
    {"edit", "states", "--set-state"},              {"edit", "raw_bytes", "--raw-byte"},
    {"edit", "only_member", "--member"},            {"replay-resync", "interrupt_at", "--interrupt-at"},
    {"replay-resync", "member", "--member"},        {"simulate", "chunk_sectors", "--chunk-size"},
    {"simulate", "size_sectors", "--size"},         {"simulate", "crash_at", "--crash-at"},
    {"simulate", "io_size", "--logical-block-size"}, {"simulate", "io_sectors", "--io-size"},
    {"simulate", "count", "--count"},               {"simulate", "rate", "--rate"},
    {"simulate", "raid_chunk_sectors", "--raid-chunk"},
    {"replay-resync", "new_shape.raid_disks", "--reshape raid-disks"},
    {"replay-resync", "new_shape.chunk_sectors", "--reshape chunk (sectors)"},
    {"replay-resync", "reshape.level", "--reshape level"},
};

// What --force does, added to a refusal that force overrides.
struct ForceHint {
  const char* command;
  const char* hint;
};

constexpr ForceHint kForceHints[] = {
    {"create", "--force replaces it"},
    {"edit", "--force writes it anyway"},
    {"restore", "--force restores anyway, across devices"},
};

// "DEVICE: --option VALUE: message" for a value the user gave on the command line.
std::string bad_value_text(const std::string& command, const llbmp::Error& e) {
  const char* option = nullptr;
  for (const auto& entry : kOptionOfField)
    if (command == entry.command && e.field() == entry.field) option = entry.option;
  if (option == nullptr) return e.what();
  std::string text = e.device().empty() ? "" : e.device() + ": ";
  text += option;
  if (!e.value().empty()) text += " " + e.value();
  return text + ": " + e.message();
}

std::string refusal_text(const std::string& command, const llbmp::Error& e) {
  // A member mid-reshape: only edit's --force overrides it (write/write_common.hpp refuse_mid_reshape).
  if (e.field() == "md.reshape_position" && command != "edit") return e.what();
  for (const auto& entry : kForceHints)
    if (command == entry.command) return fmt::format("{} ({})", e.what(), entry.hint);
  return e.what();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace llbitmap::cli;
  CLI::App app{"llbitmap: examine, dump, create, convert and replay the Linux md lockless bitmap (llbitmap) offline"};
  app.set_version_flag("--version", std::string("llbitmap ") + llbmp::kVersion);
  app.require_subcommand(1);
  app.footer(
      "Example:\n  llbitmap examine /dev/sdb1\n  llbitmap COMMAND --help\n"
      "Exit status:\n  0  success, nothing wrong found\n  1  problems found, or the operation failed\n"
      "  2  usage error: an unknown or missing option, a bad value, options that exclude each other\n"
      "Manual: llbitmap(8), llbitmap-COMMAND(8)");
  // The old name of convert, as issue trackers and scripts know it; kept out of
  // --help so that the command list stays one name per line.
  std::vector<std::string> args(argv, argv + argc);
  if (args.size() > 1 && args[1] == "convert-from-classic") args[1] = "convert";
  // Only the chosen command's options are built (most of start-up otherwise);
  // none for a lone --version; every command's, for the list in --help and
  // the messages, when none is named.
  const CommandEntry* named = args.size() > 1 ? find_command(args[1]) : nullptr;
  const bool version_only = args.size() == 2 && args[1] == "--version";
  std::map<std::string, Runner> runners;
  for (const auto& entry : kCommands)
    if (!version_only && (named == nullptr || named == &entry)) runners.emplace(entry.name, entry.add(app));

  if (args.size() > 1 && !args[1].empty() && args[1].front() != '-' && named == nullptr) {
    std::string names;
    for (const auto& entry : kCommands) names += names.empty() ? entry.name : std::string(", ") + entry.name;
    fmt::print(stderr, "llbitmap: unknown command '{}' (commands: {})\n", args[1], names);
    return kExitUsage;
  }
  try {
    app.name(args.front());
    std::vector<std::string> reversed(args.rbegin(), args.rend() - 1);
    app.parse(std::move(reversed));
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    const bool known = named != nullptr;
    const std::string prefix = known ? "llbitmap " + args[1] : std::string("llbitmap");
    fmt::print(stderr, "{}: {} (see {} --help)\n", prefix, e.what(), prefix);
    return kExitUsage;
  }
  const auto chosen = app.get_subcommands();
  const std::string name = chosen.empty() ? std::string("llbitmap") : chosen.front()->get_name();
  try {
    return runners.at(name)();
  } catch (const UsageError& e) {
    fmt::print(stderr, "llbitmap {}: {}\n", name, printable(e.what()));
    return kExitUsage;
  } catch (const llbmp::Error& e) {
    if (e.kind() == llbmp::ErrorKind::bad_value) {
      fmt::print(stderr, "llbitmap {}: {}\n", name, printable(bad_value_text(name, e)));
      return kExitUsage;
    }
    const std::string text = e.kind() == llbmp::ErrorKind::refused ? refusal_text(name, e) : e.what();
    fmt::print(stderr, "llbitmap {}: {}\n", name, printable(text));
    return kExitProblems;
  } catch (const std::exception& e) {
    fmt::print(stderr, "llbitmap {}: {}\n", name, printable(e.what()));
    return kExitProblems;
  }
}
