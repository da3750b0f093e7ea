// The three rules for text that leaves llbitmap, one implementation each
// (documented in llbitmap(8), OUTPUT FORMATS):
//  - terminal text: printable();
//  - JSON: json_text() (strings: valid UTF-8 as is, each invalid byte as the
//    lone surrogate \udcXX; integers above 2^53 - 1 as decimal strings);
//  - export: ExportLines (KEY=value lines a POSIX shell can eval).
#pragma once

#include <nlohmann/json.hpp>
#include <concepts>
#include <cstdint>
#include <string>
#include <string_view>

namespace llbitmap::cli {

// Bytes from a device or the user, safe for a terminal: valid UTF-8 except
// control characters is kept; a backslash, a control character and each byte
// of invalid UTF-8 is shown as \xNN.
std::string printable(std::string_view raw);

// The largest integer jq and JavaScript (IEEE doubles) read exactly.
inline constexpr std::uint64_t kJsonExactMax = (std::uint64_t{1} << 53) - 1;

// A JSON string literal (with its quotes) of arbitrary bytes: valid UTF-8 is
// kept as is (controls, '"' and '\\' escaped as JSON requires), each byte
// 0x80-0xff that is not part of valid UTF-8 becomes \udc80-\udcff, the
// "surrogateescape" of Python: bytes(s, 'utf-8', 'surrogateescape') gives the
// original bytes back, and no valid UTF-8 text can produce such an escape.
std::string json_string(std::string_view raw);

// The document with two spaces of indentation (the layout of
// nlohmann::json::dump(2)), its strings by json_string() and every integer
// outside +-(2^53 - 1) as a string of decimal digits. An object's members
// are in key order, except that an "id" (which names the object, as in
// check's findings) comes first. Every JSON output of every command goes
// through here.
std::string json_text(const nlohmann::json& document);

// One word a POSIX shell reads back as exactly `value`: bare when it is empty
// or only [A-Za-z0-9@%+=:,./_-], otherwise in single quotes (' as '\''); a
// value holding a control character (which would break the one-line-per-key
// layout) is written as $'...' with every control byte, quote and backslash as
// \xNN (bash, zsh, ksh, busybox sh, POSIX.1-2024 sh; dash reads such a value
// wrongly but still as inert text).
std::string shell_quote(std::string_view value);

// KEY=value lines for `eval`: keys are [A-Z0-9_] (anything else is a bug and
// throws std::logic_error), values quoted by shell_quote().
class ExportLines {
 public:
  explicit ExportLines(std::string prefix) : prefix_(std::move(prefix)) {}
  void put(std::string_view key, std::string_view value);
  void put(std::string_view key, const char* value) { put(key, std::string_view(value)); }
  void put(std::string_view key, const std::string& value) { put(key, std::string_view(value)); }
  template <std::integral T>
  void put(std::string_view key, T value) {
    if constexpr (std::same_as<T, bool>)
      put(key, std::string_view(value ? "1" : "0"));
    else
      put(key, std::string_view(std::to_string(value)));
  }
  const std::string& text() const noexcept { return text_; }

 private:
  std::string prefix_;
  std::string text_;
};

}  // namespace llbitmap::cli
