#include "progress.hpp"

#include <fmt/core.h>
#include <unistd.h>

#include <cstdio>
#include <utility>

namespace llbitmap::cli {

namespace {
constexpr auto kMinInterval = std::chrono::milliseconds(100);
}

Progress::Progress(std::string command, bool quiet)
    : command_(std::move(command)), enabled_(!quiet && ::isatty(STDERR_FILENO) == 1) {}

Progress::~Progress() { clear(); }

void Progress::update_count(std::size_t done, const std::string& what) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (dirty_ && now - last_ < kMinInterval) return;
  last_ = now;
  fmt::print(stderr, "\r\x1b[Kllbitmap {}: {} {}", command_, done, what);
  std::fflush(stderr);
  dirty_ = true;
}

void Progress::update(std::size_t done, std::size_t total, const std::string& what) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (dirty_ && done < total && now - last_ < kMinInterval) return;
  last_ = now;
  const unsigned percent = total ? static_cast<unsigned>(done * 100 / total) : 100u;
  fmt::print(stderr, "\r\x1b[Kllbitmap {}: {}/{} ({}%) {}", command_, done, total, percent, what);
  std::fflush(stderr);
  dirty_ = true;
}

void Progress::clear() {
  if (!dirty_) return;
  fmt::print(stderr, "\r\x1b[K");
  std::fflush(stderr);
  dirty_ = false;
}

}  // namespace llbitmap::cli
