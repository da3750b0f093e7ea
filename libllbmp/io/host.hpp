// Facts of the machine the tool runs on.
#pragma once

#include "format/kernel_series.hpp"

namespace llbmp {

// The series of the running kernel (uname -r) when it is a modelled one,
// else kDefaultKernelSeries: what --kernel means when it is not given.
KernelSeries running_kernel_series() noexcept;

}  // namespace llbmp
