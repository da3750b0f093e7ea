// Errors and findings.
//
// The library never prints and never exits. A failure that stops an operation
// is thrown as llbmp::Error, carrying the device, the field and the value; a
// validator instead returns every Finding it sees. The CLI turns both into one
// line each and an exit status, in one place.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace llbmp {

class Error : public std::runtime_error {
public:
  Error(std::string device, std::string field, std::string value, std::string message);

  const std::string& device() const noexcept { return device_; }
  const std::string& field() const noexcept { return field_; }
  const std::string& value() const noexcept { return value_; }
  const std::string& message() const noexcept { return message_; }

private:
  std::string device_;
  std::string field_;
  std::string value_;
  std::string message_;
};

enum class Severity {
  info,     // worth knowing, nothing wrong (e.g. FIRST_USE: the kernel will initialise it)
  warning,  // the kernel accepts it, but it is risky or unusual
  error,    // the kernel refuses it or data safety is at stake: exit status 1
};

const char* severity_name(Severity severity) noexcept;

struct Finding {
  Severity severity = Severity::error;
  std::string field;    // e.g. "bitmap.chunksize"
  std::string value;    // the value as read
  std::string message;  // what it means

  std::string to_string() const;  // "field=value: message"
};

using Findings = std::vector<Finding>;

bool has_errors(const Findings& findings) noexcept;

}  // namespace llbmp
