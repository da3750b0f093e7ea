#include "llbmp/error.hpp"

#include <algorithm>

namespace llbmp {

namespace {
std::string compose(const std::string& device, const std::string& field, const std::string& value,
                    const std::string& message) {
  std::string text = device;
  if (!field.empty()) {
    text += text.empty() ? "" : ": ";
    text += field;
    if (!value.empty()) text += "=" + value;
  }
  text += text.empty() ? "" : ": ";
  text += message;
  return text;
}
}  // namespace

Error::Error(std::string device, std::string field, std::string value, std::string message, ErrorKind kind)
    : std::runtime_error(compose(device, field, value, message)),
      device_(std::move(device)),
      field_(std::move(field)),
      value_(std::move(value)),
      message_(std::move(message)),
      kind_(kind) {}

Finding::Finding(FindingId kind, std::string field_name, std::string value_read, std::string text)
    : id(kind),
      severity(finding_kind(kind).severity),
      field(std::move(field_name)),
      value(std::move(value_read)),
      message(std::move(text)) {}

std::string Finding::to_string() const {
  std::string text = field;
  if (!value.empty()) text += "=" + value;
  if (!text.empty()) text += ": ";
  return text + message;
}

bool has_errors(const Findings& findings) noexcept {
  return std::any_of(findings.begin(), findings.end(),
                     [](const Finding& f) { return f.severity == Severity::error; });
}

}  // namespace llbmp
