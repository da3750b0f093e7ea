#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <exception>
#include <map>
#include <string>

#include "command.hpp"
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
    {"replay-resync", llbitmap::cli::add_replay_resync},
    {"simulate", llbitmap::cli::add_simulate},
};

}  // namespace

int main(int argc, char** argv) {
  using namespace llbitmap::cli;
  CLI::App app{"llbitmap: examine, dump, create, convert and replay the Linux md lockless bitmap (llbitmap) offline"};
  app.set_version_flag("--version", std::string("llbitmap ") + llbmp::kVersion);
  app.require_subcommand(1);
  app.footer("Example:\n  llbitmap examine /dev/sdb1\n  llbitmap COMMAND --help\nManual: llbitmap(8), llbitmap-COMMAND(8)");
  std::map<std::string, Runner> runners;
  for (const auto& entry : kCommands) runners.emplace(entry.name, entry.add(app));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  const auto chosen = app.get_subcommands();
  const std::string name = chosen.empty() ? std::string("llbitmap") : chosen.front()->get_name();
  try {
    return runners.at(name)();
  } catch (const UsageError& e) {
    fmt::print(stderr, "llbitmap {}: {}\n", name, e.what());
    return kExitUsage;
  } catch (const llbmp::Error& e) {
    fmt::print(stderr, "llbitmap {}: {}\n", name, e.what());
    return kExitProblems;
  } catch (const std::exception& e) {
    fmt::print(stderr, "llbitmap {}: {}\n", name, e.what());
    return kExitProblems;
  }
}
