#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <exception>
#include <map>
#include <vector>
#include <string>

#include "command.hpp"
#include "output.hpp"
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

}  // namespace

int main(int argc, char** argv) {
  using namespace llbitmap::cli;
  CLI::App app{"llbitmap: examine, dump, create, convert and replay the Linux md lockless bitmap (llbitmap) offline"};
  app.set_version_flag("--version", std::string("llbitmap ") + llbmp::kVersion);
  app.require_subcommand(1);
  app.footer("Example:\n  llbitmap examine /dev/sdb1\n  llbitmap COMMAND --help\nManual: llbitmap(8), llbitmap-COMMAND(8)");
  // The old name of convert, as issue trackers and scripts know it; kept out of
  // --help so that the command list stays one name per line.
  std::vector<std::string> args(argv, argv + argc);
  if (args.size() > 1 && args[1] == "convert-from-classic") args[1] = "convert";
  std::map<std::string, Runner> runners;
  for (const auto& entry : kCommands) runners.emplace(entry.name, entry.add(app));

  if (args.size() > 1 && !args[1].empty() && args[1].front() != '-' && runners.count(args[1]) == 0) {
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
    const bool known = args.size() > 1 && runners.count(args[1]) != 0;
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
    fmt::print(stderr, "llbitmap {}: {}\n", name, printable(e.what()));
    return kExitProblems;
  } catch (const std::exception& e) {
    fmt::print(stderr, "llbitmap {}: {}\n", name, printable(e.what()));
    return kExitProblems;
  }
}
