// A C library loaded by its soname (dlopen) when a command first needs it,
// rather than by the dynamic loader at every start of the program: a short
// command (examine, check) then maps and relocates the C library alone
// (bench/README.md). libpng (PNG pictures), zlib (the metadata image) and
// libblkid (the device scan) are loaded so; a package lists them as
// dependencies by hand, since the program's ELF header does not name them.
// It sits in the lowest layer because the metadata-image codec needs zlib.
#pragma once

#include <string>

namespace llbmp {

class SharedLibrary {
public:
  // Loads `soname` ("libz.so.1"). `needed_for` says what needs it, for the
  // Error thrown when it cannot be loaded ("the metadata image").
  SharedLibrary(std::string soname, std::string needed_for);
  ~SharedLibrary();
  SharedLibrary(const SharedLibrary&) = delete;
  SharedLibrary& operator=(const SharedLibrary&) = delete;

  // The function `name` as a pointer of type F, decltype(&::crc32) for
  // crc32; throws Error when the library has no such function.
  template <typename F>
  F function(const char* name) const {
    return reinterpret_cast<F>(address(name));
  }

  const std::string& soname() const noexcept { return soname_; }

private:
  void* address(const char* name) const;

  std::string soname_;
  std::string needed_for_;
  void* handle_ = nullptr;
};

// The one instance of a struct holding a SharedLibrary and the functions
// looked up in it, made at the first call (a failed load is tried again at
// the next call).
template <typename Functions>
const Functions& loaded() {
  static const Functions functions;
  return functions;
}

}  // namespace llbmp
