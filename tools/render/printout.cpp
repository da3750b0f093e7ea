#include "render/printout.hpp"

#include <fmt/core.h>

#include <cstdio>

namespace llbitmap::cli {

void Printout::add(bool to_stderr, std::string text) {
  if (text.empty()) return;
  if (!pieces_.empty() && pieces_.back().first == to_stderr)
    pieces_.back().second += text;
  else
    pieces_.emplace_back(to_stderr, std::move(text));
}

std::string Printout::text(bool to_stderr) const {
  std::string all;
  for (const auto& [err, text] : pieces_)
    if (err == to_stderr) all += text;
  return all;
}

void Printout::print() const {
  for (const auto& [err, text] : pieces_) fmt::print(err ? stderr : stdout, "{}", text);
}

}  // namespace llbitmap::cli
