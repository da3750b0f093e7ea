// The command registry: each subcommand lives in its own file and registers
// its options on the CLI11 app; main() runs the chosen one and is the only
// place that turns errors into messages and exit statuses.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace llbitmap::cli {

// Exit statuses (documented in llbitmap(8)).
inline constexpr int kExitOk = 0;
inline constexpr int kExitProblems = 1;
inline constexpr int kExitUsage = 2;

// A command's work, run after parsing; returns the exit status.
using Runner = std::function<int()>;
// Adds the subcommand and its options to the app.
using AddCommand = Runner (*)(CLI::App& app);

Runner add_examine(CLI::App& app);
Runner add_dump(CLI::App& app);
Runner add_create(CLI::App& app);
Runner add_replay_resync(CLI::App& app);
Runner add_convert(CLI::App& app);
Runner add_restore(CLI::App& app);
Runner add_check(CLI::App& app);
Runner add_edit(CLI::App& app);
Runner add_simulate(CLI::App& app);

// A usage error found after parsing (e.g. a bad --chunks range): exit 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace llbitmap::cli
