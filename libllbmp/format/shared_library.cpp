#include "format/shared_library.hpp"

#include <dlfcn.h>

#include <utility>

#include "llbmp/error.hpp"

namespace llbmp {

namespace {
std::string last_dl_error() {
  const char* text = ::dlerror();
  return text != nullptr ? text : "unknown error";
}
}  // namespace

SharedLibrary::SharedLibrary(std::string soname, std::string needed_for)
    : soname_(std::move(soname)), needed_for_(std::move(needed_for)) {
  handle_ = ::dlopen(soname_.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle_ == nullptr)
    throw Error(soname_, "", "", "cannot be loaded (" + needed_for_ + " needs it): " + last_dl_error());
}

SharedLibrary::~SharedLibrary() { ::dlclose(handle_); }

void* SharedLibrary::address(const char* name) const {
  ::dlerror();  // clear, so that a failure below is this lookup's
  void* found = ::dlsym(handle_, name);
  if (found == nullptr)
    throw Error(soname_, "symbol", name, "not in the library (" + needed_for_ + " needs it): " + last_dl_error());
  return found;
}

}  // namespace llbmp
