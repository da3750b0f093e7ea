// The one I/O layer: every byte the library reads from or writes to a member
// device or an image file goes through Device.
//
// - Block devices are read with O_DIRECT (aligned buffers, aligned offsets), so a
//   read sees what is on the disk rather than a stale page cache.
// - Writing requires Device::open_for_write: block devices are opened O_EXCL
//   (the kernel refuses that while an array or a mount holds the device), a
//   device with holders in /sys/class/block/NAME/holders is refused too, and so
//   is a read-only block device (the kernel lets O_RDWR open one, then fails
//   every write with EPERM).
// - A writer first declares the byte ranges it may touch (allow_writes); a write
//   outside them is refused before anything reaches the device.
// - flush() makes the writes durable (fsync).
// - A FaultInjector shared by the devices of one operation can stop the
//   operation after the k-th write or flush, for crash-safety tests.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "llbmp/error.hpp"

namespace llbmp {

// Counts writes and flushes across every device of one operation and throws
// llbmp::Error ("injected fault") when the operation reaches the chosen step,
// or sends the process a real signal at another step (interruption tests).
class FaultInjector {
public:
  // fail_at: 1-based index of the write/flush step that fails; 0 never fails.
  // signal_at: 1-based step before which `signal` is raised; 0 never.
  explicit FaultInjector(std::uint64_t fail_at, std::uint64_t signal_at = 0, int signal = 0)
      : fail_at_(fail_at), signal_at_(signal_at), signal_(signal) {}
  void step(const std::string& device, const char* what);
  std::uint64_t steps() const noexcept { return steps_; }

private:
  std::uint64_t fail_at_;
  std::uint64_t signal_at_;
  int signal_;
  std::uint64_t steps_ = 0;
};

// What FaultInjector throws: the step fails before any byte of it reaches the device.
class InjectedFault : public Error {
public:
  using Error::Error;
};

// While one is alive, SIGINT and SIGTERM are recorded instead of ending the
// process, so that a write can finish its phase and report what each member
// holds; the previous handlers come back when it dies.
class SignalDeferral {
public:
  SignalDeferral();
  ~SignalDeferral();
  SignalDeferral(const SignalDeferral&) = delete;
  SignalDeferral& operator=(const SignalDeferral&) = delete;

  // The signal received since construction, 0 for none.
  int pending() const noexcept;

private:
  struct Saved;
  std::unique_ptr<Saved> saved_;
};
// "SIGINT", "SIGTERM", "signal N".
std::string signal_name(int signal);

struct ByteRange {
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
  std::uint64_t end() const noexcept { return offset + length; }
  bool contains(std::uint64_t off, std::uint64_t len) const noexcept {
    return off >= offset && len <= length && off - offset <= length - len;
  }
};

class Device {
public:
  static Device open_for_read(const std::string& path);
  static Device open_for_write(const std::string& path,
                               std::shared_ptr<FaultInjector> faults = nullptr);
  // Creates (or truncates to) a sparse regular file of the given size for writing.
  static Device create_image(const std::string& path, std::uint64_t size_bytes,
                             std::shared_ptr<FaultInjector> faults = nullptr);

  Device(Device&&) noexcept;
  Device& operator=(Device&&) noexcept;
  Device(const Device&) = delete;
  Device& operator=(const Device&) = delete;
  ~Device();

  const std::string& path() const noexcept { return path_; }
  std::uint64_t size_bytes() const noexcept { return size_bytes_; }
  std::uint32_t logical_block_size() const noexcept { return logical_block_size_; }
  bool is_block_device() const noexcept { return block_device_; }
  bool writable() const noexcept { return writable_; }

  // Reads exactly length bytes at offset; throws Error when the range is not
  // inside the device or the read is short.
  std::vector<std::uint8_t> read(std::uint64_t offset, std::size_t length) const;

  // Declares a range writes may touch. Without any, every write is refused.
  void allow_writes(ByteRange range);
  void write(std::uint64_t offset, std::span<const std::uint8_t> data);
  void flush();

private:
  Device() = default;
  void open_common(const std::string& path, int flags);
  void pread_exact(std::uint64_t offset, std::span<std::uint8_t> out) const;
  void pwrite_exact(std::uint64_t offset, std::span<const std::uint8_t> data);

  std::string path_;
  int fd_ = -1;
  std::uint64_t size_bytes_ = 0;
  std::uint32_t logical_block_size_ = 512;
  bool block_device_ = false;
  bool direct_ = false;
  bool writable_ = false;
  std::vector<ByteRange> writable_ranges_;
  std::shared_ptr<FaultInjector> faults_;
};

// The kernel's holders of a block device (md arrays, dm targets), by name; empty
// for regular files.
std::vector<std::string> block_device_holders(const std::string& path);

}  // namespace llbmp
