#include "io/host.hpp"

#include <sys/utsname.h>

namespace llbmp {

KernelSeries running_kernel_series() noexcept {
  utsname names{};
  if (uname(&names) != 0) return kDefaultKernelSeries;
  return kernel_series_of_release(names.release).value_or(kDefaultKernelSeries);
}

}  // namespace llbmp
