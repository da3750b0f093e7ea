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

#include <llbmp/export.hpp>
#include <llbmp/finding_table.hpp>

namespace llbmp {

// What kind of failure an Error is, so that a caller can tell its own mistake
// from the device's: the CLI maps bad_value to a usage error naming the option.
enum class ErrorKind {
  device,     // the device or the metadata on it stops the operation (the default)
  bad_value,  // a value the caller gave is wrong; field names the request field (e.g. "interrupt_at")
  refused,    // a safety check refuses the write; the request's force member overrides it
  format,     // a file the caller gave (trace, image, state spec file) is not in its format
  io,         // reading, writing or flushing failed
};

// Exported whole: a program catches it by type, so its type_info is the library's.
class LLBMP_API Error : public std::runtime_error {
public:
  Error(std::string device, std::string field, std::string value, std::string message, ErrorKind kind = ErrorKind::device);

  const std::string& device() const noexcept { return device_; }
  const std::string& field() const noexcept { return field_; }
  const std::string& value() const noexcept { return value_; }
  const std::string& message() const noexcept { return message_; }
  ErrorKind kind() const noexcept { return kind_; }

private:
  std::string device_;
  std::string field_;
  std::string value_;
  std::string message_;
  ErrorKind kind_;
};

struct Finding {
  LLBMP_API Finding(FindingId id, std::string field, std::string value, std::string message);

  FindingId id;
  Severity severity;    // the table's, for this id
  std::string field;    // e.g. "bitmap.chunksize"
  std::string value;    // the value as read
  std::string message;  // what it means

  std::string_view name() const noexcept { return finding_kind(id).name; }  // the stable id: "md-checksum-mismatch"
  LLBMP_API std::string to_string() const;  // "field=value: message"
};

using Findings = std::vector<Finding>;

LLBMP_API bool has_errors(const Findings& findings) noexcept;

}  // namespace llbmp
