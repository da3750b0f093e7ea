// Fuzz target: a whole member from an in-memory image (memfd): find the md
// superblock, validate it, decode the bitmap (classic or lockless) it points
// to, count states, and render the model as examine does (text, JSON, export).
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_input.hpp"
#include "llbmp/error.hpp"
#include "inspect/member.hpp"
#include "render/escape.hpp"
#include "render/member.hpp"

namespace {

class MemFile {
public:
  MemFile() : fd_(::memfd_create("llbitmap-fuzz", MFD_CLOEXEC)) {
    if (fd_ < 0) __builtin_trap();
  }
  MemFile(const MemFile&) = delete;
  MemFile& operator=(const MemFile&) = delete;
  ~MemFile() { ::close(fd_); }

  // A zeroed device of `bytes` with `payload` at `offset`.
  void fill(std::uint64_t bytes, std::uint64_t offset, std::span<const std::uint8_t> payload) const {
    if (::ftruncate(fd_, 0) != 0 || ::ftruncate(fd_, static_cast<off_t>(bytes)) != 0) __builtin_trap();
    if (!payload.empty() &&
        ::pwrite(fd_, payload.data(), payload.size(), static_cast<off_t>(offset)) != static_cast<ssize_t>(payload.size()))
      __builtin_trap();
  }
  std::string path() const { return "/proc/self/fd/" + std::to_string(fd_); }

private:
  int fd_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto input = llbitmap::fuzz::parse_member_input({data, size});
  if (!input) return 0;
  static const MemFile file;
  file.fill(input->device_bytes, input->placement, input->payload);
  try {
    const auto member = llbmp::load_member(file.path());
    (void)llbitmap::cli::member_text(member, false);
    (void)llbitmap::cli::json_text(llbitmap::cli::member_json(member));
    (void)llbitmap::cli::member_export(member);
    const auto again = llbmp::load_member(file.path());
    (void)llbmp::compare_members({member, again});
    if (member.bitmap && member.bitmap->lockless) {
      const auto& view = *member.bitmap->lockless;
      (void)llbmp::state_runs(view.states);
      if (llbmp::count_states(view.states).total() != view.chunks) __builtin_trap();
    }
  } catch (const llbmp::Error& e) {
    (void)e.message();
  }
  return 0;
}
