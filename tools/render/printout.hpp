// What a command prints, stdout and stderr pieces in the order they are
// written: a renderer fills it, the command prints it (tests read it).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace llbitmap::cli {

class Printout {
 public:
  void out(std::string text) { add(false, std::move(text)); }
  void err(std::string text) { add(true, std::move(text)); }
  // Everything written to one stream, in order.
  std::string text(bool to_stderr) const;
  void print() const;

 private:
  void add(bool to_stderr, std::string text);
  std::vector<std::pair<bool, std::string>> pieces_;  // (stderr, text)
};

}  // namespace llbitmap::cli
