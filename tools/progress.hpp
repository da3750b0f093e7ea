// A progress line on stderr for long operations: shown only on a terminal and
// not with --quiet; rewritten in place and erased when the operation ends.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace llbitmap::cli {

class Progress {
public:
  // command: the subcommand name shown at the start of the line.
  Progress(std::string command, bool quiet);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  bool shown() const noexcept { return enabled_; }
  // "llbitmap examine: 12/40 /dev/sdc1"; throttled to a few updates a second.
  void update(std::size_t done, std::size_t total, const std::string& what);
  // "llbitmap simulate: 1200000 events (trace line 1200001)" when the total is unknown.
  void update_count(std::size_t done, const std::string& what);
  void clear();

private:
  std::string command_;
  bool enabled_;
  bool dirty_ = false;
  std::chrono::steady_clock::time_point last_{};
};

}  // namespace llbitmap::cli
