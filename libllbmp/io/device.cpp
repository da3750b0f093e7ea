#include "io/device.hpp"

#include <fcntl.h>
#include <signal.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <utility>
#include <fmt/format.h>

#include "llbmp/error.hpp"

namespace llbmp {

namespace {

constexpr std::size_t kDirectAlignment = 4096;

struct FreeDeleter {
  void operator()(void* p) const noexcept { std::free(p); }
};
using AlignedBuffer = std::unique_ptr<std::uint8_t, FreeDeleter>;

AlignedBuffer make_aligned(std::size_t length, const std::string& device) {
  void* memory = nullptr;
  if (posix_memalign(&memory, kDirectAlignment, std::max<std::size_t>(length, kDirectAlignment)) != 0)
    throw Error(device, "", "", "out of memory for an aligned buffer");
  return AlignedBuffer(static_cast<std::uint8_t*>(memory));
}

std::string errno_text(int error) { return std::strerror(error); }

}  // namespace

// The one piece of global mutable state in the library, an exception to the
// rule: a signal handler can reach nothing else. Only SignalDeferral sets it
// up and reads it.
namespace {
volatile std::sig_atomic_t g_deferred_signal = 0;
void record_signal(int signal) { g_deferred_signal = signal; }
}  // namespace

struct SignalDeferral::Saved {
  struct sigaction interrupt {};
  struct sigaction terminate {};
};

SignalDeferral::SignalDeferral() : saved_(std::make_unique<Saved>()) {
  g_deferred_signal = 0;
  struct sigaction action {};
  action.sa_handler = record_signal;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGINT, &action, &saved_->interrupt);
  ::sigaction(SIGTERM, &action, &saved_->terminate);
}

SignalDeferral::~SignalDeferral() {
  ::sigaction(SIGINT, &saved_->interrupt, nullptr);
  ::sigaction(SIGTERM, &saved_->terminate, nullptr);
}

int SignalDeferral::pending() const noexcept { return g_deferred_signal; }

std::string signal_name(int signal) {
  if (signal == SIGINT) return "SIGINT";
  if (signal == SIGTERM) return "SIGTERM";
  return fmt::format("signal {}", signal);
}

void FaultInjector::step(const std::string& device, const char* what) {
  ++steps_;
  if (signal_at_ != 0 && steps_ == signal_at_) std::raise(signal_);
  if (fail_at_ != 0 && steps_ == fail_at_)
    throw InjectedFault(device, "", "", fmt::format("injected fault at {} {}", what, steps_));
}

Device::Device(Device&& other) noexcept { *this = std::move(other); }

Device& Device::operator=(Device&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    path_ = std::move(other.path_);
    fd_ = std::exchange(other.fd_, -1);
    size_bytes_ = other.size_bytes_;
    logical_block_size_ = other.logical_block_size_;
    block_device_ = other.block_device_;
    direct_ = other.direct_;
    writable_ = other.writable_;
    writable_ranges_ = std::move(other.writable_ranges_);
    faults_ = std::move(other.faults_);
  }
  return *this;
}

Device::~Device() {
  if (fd_ >= 0) ::close(fd_);
}

void Device::open_common(const std::string& path, int flags) {
  path_ = path;
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) throw Error(path, "", "", errno_text(errno));
  block_device_ = S_ISBLK(st.st_mode);
  if (!block_device_ && !S_ISREG(st.st_mode))
    throw Error(path, "", "", "not a block device or a regular file");
  if (block_device_) {
    flags |= O_DIRECT;
    direct_ = true;
  }
  fd_ = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd_ < 0) {
    const int error = errno;
    if (error == EBUSY)
      throw Error(path, "", "", "device is in use (held by a running array, a mount or another program)");
    throw Error(path, "", "", errno_text(error));
  }
  if (block_device_) {
    std::uint64_t bytes = 0;
    if (::ioctl(fd_, BLKGETSIZE64, &bytes) != 0) throw Error(path, "", "", "BLKGETSIZE64: " + errno_text(errno));
    size_bytes_ = bytes;
    int sector = 512;
    if (::ioctl(fd_, BLKSSZGET, &sector) == 0 && sector > 0) logical_block_size_ = static_cast<std::uint32_t>(sector);
  } else {
    size_bytes_ = static_cast<std::uint64_t>(st.st_size);
  }
}

Device Device::open_for_read(const std::string& path) {
  Device device;
  device.open_common(path, O_RDONLY);
  return device;
}

Device Device::open_for_write(const std::string& path, std::shared_ptr<FaultInjector> faults) {
  Device device;
  struct stat st{};
  if (::stat(path.c_str(), &st) == 0 && S_ISBLK(st.st_mode)) {
    const auto holders = block_device_holders(path);
    if (!holders.empty())
      throw Error(path, "holders", holders.front(), "device is in use; stop the array first");
    device.open_common(path, O_RDWR | O_EXCL);
    int read_only = 0;
    if (::ioctl(device.fd_, BLKROGET, &read_only) != 0) throw Error(path, "", "", "BLKROGET: " + errno_text(errno));
    if (read_only != 0) throw Error(path, "", "", "read-only block device: it cannot be written");
  } else {
    device.open_common(path, O_RDWR);
  }
  device.writable_ = true;
  device.faults_ = std::move(faults);
  return device;
}

Device Device::create_image(const std::string& path, std::uint64_t size_bytes,
                            std::shared_ptr<FaultInjector> faults) {
  // O_EXCL: a file that appeared since the caller looked (or the same file named
  // twice) is never truncated; O_NOFOLLOW: nor a symbolic link followed.
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) throw Error(path, "", "", errno_text(errno));
  const int rc = ::ftruncate(fd, static_cast<off_t>(size_bytes));
  const int error = errno;
  ::close(fd);
  if (rc != 0) throw Error(path, "size", std::to_string(size_bytes), errno_text(error));
  return open_for_write(path, std::move(faults));
}

void Device::pread_exact(std::uint64_t offset, std::span<std::uint8_t> out) const {
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::pread(fd_, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error(path_, "offset", std::to_string(offset + done), "read failed: " + errno_text(errno));
    }
    if (n == 0) throw Error(path_, "offset", std::to_string(offset + done), "short read: device ends here");
    done += static_cast<std::size_t>(n);
  }
}

std::vector<std::uint8_t> Device::read(std::uint64_t offset, std::size_t length) const {
  if (offset > size_bytes_ || length > size_bytes_ - offset)
    throw Error(path_, "offset", std::to_string(offset),
                fmt::format("{} bytes from there run past the end of the device ({} bytes)", length, size_bytes_));
  if (length == 0) return {};
  if (!direct_) {
    std::vector<std::uint8_t> result(length);
    pread_exact(offset, result);
    return result;
  }
  const std::uint64_t start = offset / kDirectAlignment * kDirectAlignment;
  const std::uint64_t end = std::min<std::uint64_t>(
      (offset + length + kDirectAlignment - 1) / kDirectAlignment * kDirectAlignment, size_bytes_);
  const std::size_t span_length = static_cast<std::size_t>(end - start);
  // O_DIRECT reads into an aligned place inside the result itself, and the
  // bytes asked for are moved to its front: no second buffer's pages are
  // touched (a fresh page costs a fault, which is most of a short command's time).
  std::vector<std::uint8_t> result(span_length + kDirectAlignment);
  const auto misalignment = reinterpret_cast<std::uintptr_t>(result.data()) % kDirectAlignment;
  const std::size_t aligned = misalignment == 0 ? 0 : kDirectAlignment - misalignment;
  pread_exact(start, {result.data() + aligned, span_length});
  std::memmove(result.data(), result.data() + aligned + (offset - start), length);
  result.resize(length);
  return result;
}

void Device::allow_writes(ByteRange range) { writable_ranges_.push_back(range); }

void Device::pwrite_exact(std::uint64_t offset, std::span<const std::uint8_t> data) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::pwrite(fd_, data.data() + done, data.size() - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error(path_, "offset", std::to_string(offset + done), "write failed: " + errno_text(errno));
    }
    if (n == 0) throw Error(path_, "offset", std::to_string(offset + done), "write made no progress");
    done += static_cast<std::size_t>(n);
  }
}

void Device::write(std::uint64_t offset, std::span<const std::uint8_t> data) {
  if (!writable_) throw Error(path_, "", "", "device was opened read-only");
  if (offset > size_bytes_ || data.size() > size_bytes_ - offset)
    throw Error(path_, "offset", std::to_string(offset), "write would run past the end of the device");
  const bool allowed = std::any_of(writable_ranges_.begin(), writable_ranges_.end(),
                                   [&](const ByteRange& r) { return r.contains(offset, data.size()); });
  if (!allowed)
    throw Error(path_, "offset", std::to_string(offset),
                fmt::format("refusing a write of {} bytes outside the metadata room", data.size()));
  if (faults_) faults_->step(path_, "write");
  if (!direct_) {
    pwrite_exact(offset, data);
    return;
  }
  // O_DIRECT: read-modify-write of the aligned blocks that cover the range.
  const std::uint64_t start = offset / kDirectAlignment * kDirectAlignment;
  const std::uint64_t end = std::min<std::uint64_t>(
      (offset + data.size() + kDirectAlignment - 1) / kDirectAlignment * kDirectAlignment, size_bytes_);
  const std::size_t span_length = static_cast<std::size_t>(end - start);
  auto buffer = make_aligned(span_length, path_);
  pread_exact(start, {buffer.get(), span_length});
  std::memcpy(buffer.get() + (offset - start), data.data(), data.size());
  pwrite_exact(start, {buffer.get(), span_length});
}

void Device::flush() {
  if (!writable_) return;
  if (faults_) faults_->step(path_, "flush");
  if (::fsync(fd_) != 0) throw Error(path_, "", "", "flush failed: " + errno_text(errno));
}

std::vector<std::string> block_device_holders(const std::string& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0 || !S_ISBLK(st.st_mode)) return {};
  const auto sys = std::filesystem::path("/sys/dev/block") /
                   fmt::format("{}:{}", major(st.st_rdev), minor(st.st_rdev)) / "holders";
  std::vector<std::string> holders;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(sys, ec)) holders.push_back(entry.path().filename());
  std::sort(holders.begin(), holders.end());
  return holders;
}

}  // namespace llbmp
