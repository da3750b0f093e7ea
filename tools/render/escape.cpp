#include "render/escape.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace llbitmap::cli {

namespace {

// Bytes of the well-formed UTF-8 sequence at raw[at] (Unicode table 3-7: no
// overlong forms, no surrogates, nothing above U+10FFFF), 0 when there is none.
std::size_t utf8_sequence_length(std::string_view raw, std::size_t at) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(raw[i]); };
  const unsigned char lead = byte(at);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  unsigned char low = 0x80, high = 0xbf;  // range of the second byte
  if (lead >= 0xc2 && lead <= 0xdf) length = 2;
  else if (lead == 0xe0) length = 3, low = 0xa0;
  else if (lead >= 0xe1 && lead <= 0xec) length = 3;
  else if (lead == 0xed) length = 3, high = 0x9f;
  else if (lead >= 0xee && lead <= 0xef) length = 3;
  else if (lead == 0xf0) length = 4, low = 0x90;
  else if (lead >= 0xf1 && lead <= 0xf3) length = 4;
  else if (lead == 0xf4) length = 4, high = 0x8f;
  else return 0;
  if (at + length > raw.size()) return 0;
  if (byte(at + 1) < low || byte(at + 1) > high) return 0;
  for (std::size_t i = 2; i < length; ++i)
    if (byte(at + i) < 0x80 || byte(at + i) > 0xbf) return 0;
  return length;
}

// A C1 control (U+0080..U+009F) is C2 80..C2 9F in UTF-8.
bool is_c1_control(std::string_view raw, std::size_t at, std::size_t length) {
  return length == 2 && static_cast<unsigned char>(raw[at]) == 0xc2 && static_cast<unsigned char>(raw[at + 1]) < 0xa0;
}

bool is_control(unsigned char c) { return c < 0x20 || c == 0x7f; }

bool is_shell_safe(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("@%+=:,./_-").find(static_cast<char>(c)) != std::string_view::npos;
}

void append_number(std::string& out, const nlohmann::json& value) {
  const bool exact = value.is_number_unsigned() ? value.get<std::uint64_t>() <= kJsonExactMax
                                                : value.get<std::int64_t>() >= -static_cast<std::int64_t>(kJsonExactMax) &&
                                                      value.get<std::int64_t>() <= static_cast<std::int64_t>(kJsonExactMax);
  out += exact ? value.dump() : "\"" + value.dump() + "\"";
}

void append_json(std::string& out, const nlohmann::json& value, std::size_t depth) {
  const std::string indent(2 * (depth + 1), ' ');
  const std::string closing(2 * depth, ' ');
  if (value.is_object()) {
    if (value.empty()) {
      out += "{}";
      return;
    }
    out += "{\n";
    bool first = true;
    auto member = [&](const std::string& key, const nlohmann::json& item) {
      out += first ? "" : ",\n";
      first = false;
      out += indent + json_string(key) + ": ";
      append_json(out, item, depth + 1);
    };
    if (const auto id = value.find("id"); id != value.end()) member("id", *id);
    for (const auto& [key, item] : value.items())
      if (key != "id") member(key, item);
    out += "\n" + closing + "}";
  } else if (value.is_array()) {
    if (value.empty()) {
      out += "[]";
      return;
    }
    out += "[\n";
    for (std::size_t i = 0; i < value.size(); ++i) {
      out += i ? ",\n" : "";
      out += indent;
      append_json(out, value[i], depth + 1);
    }
    out += "\n" + closing + "]";
  } else if (value.is_string()) {
    out += json_string(value.get_ref<const std::string&>());
  } else if (value.is_number_integer()) {
    append_number(out, value);
  } else {
    out += value.dump();  // null, booleans, doubles (NaN and infinities as null)
  }
}

}  // namespace

std::string printable(std::string_view raw) {
  std::string out;
  for (std::size_t at = 0; at < raw.size();) {
    const std::size_t length = utf8_sequence_length(raw, at);
    const auto c = static_cast<unsigned char>(raw[at]);
    if (length == 0 || is_control(c) || c == '\\' || is_c1_control(raw, at, length)) {
      const std::size_t bytes = length == 0 ? 1 : length;
      for (std::size_t i = 0; i < bytes; ++i) out += fmt::format("\\x{:02x}", static_cast<unsigned char>(raw[at + i]));
      at += bytes;
    } else {
      out.append(raw.substr(at, length));
      at += length;
    }
  }
  return out;
}

std::string json_string(std::string_view raw) {
  std::string out = "\"";
  for (std::size_t at = 0; at < raw.size();) {
    const std::size_t length = utf8_sequence_length(raw, at);
    const auto c = static_cast<unsigned char>(raw[at]);
    if (length == 0) {
      out += fmt::format("\\udc{:02x}", c);
      ++at;
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20)
          out += fmt::format("\\u{:04x}", c);
        else
          out.append(raw.substr(at, length));
    }
    at += length;
  }
  return out + "\"";
}

std::string json_text(const nlohmann::json& document) {
  std::string out;
  append_json(out, document, 0);
  return out;
}

std::string shell_quote(std::string_view value) {
  bool safe = true, control = false;
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    safe = safe && is_shell_safe(c);
    control = control || is_control(c);
  }
  if (safe) return std::string(value);
  std::string out;
  if (control) {
    out = "$'";
    for (const char ch : value) {
      const auto c = static_cast<unsigned char>(ch);
      if (is_control(c) || c == '\'' || c == '\\')
        out += fmt::format("\\x{:02x}", c);
      else
        out += ch;
    }
    return out + "'";
  }
  out = "'";
  for (const char ch : value) out += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return out + "'";
}

void ExportLines::put(std::string_view key, std::string_view value) {
  const std::string full = prefix_ + std::string(key);
  for (const char c : full)
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
      throw std::logic_error("export key " + full + " is not [A-Z0-9_]");
  if (full.empty() || (full.front() >= '0' && full.front() <= '9'))
    throw std::logic_error("export key '" + full + "' is not a shell variable name");
  text_ += full + "=" + shell_quote(value) + "\n";
}

}  // namespace llbitmap::cli
