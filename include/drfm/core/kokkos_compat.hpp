#pragma once
/// @file
/// The one place that knows the differences between Kokkos 3.4 (Debian 12) and Kokkos 4.x.
///
/// Math usable inside kernels on every backend: Kokkos 3.4 has it only as Kokkos::Experimental::f;
/// 3.7 promoted it to Kokkos::f, and 4.x dropped the Experimental names (4.0-4.2 keep them only with
/// Kokkos_ENABLE_DEPRECATED_CODE_3, 4.3 removed them). std:: math is host-only on CUDA/HIP.
#include <Kokkos_Core.hpp>

namespace drfm::math {

#if KOKKOS_VERSION >= 30700
using Kokkos::cos;
using Kokkos::exp;
using Kokkos::log;
using Kokkos::pow;
using Kokkos::sqrt;
using Kokkos::tan;
#else
using Kokkos::Experimental::cos;
using Kokkos::Experimental::exp;
using Kokkos::Experimental::log;
using Kokkos::Experimental::pow;
using Kokkos::Experimental::sqrt;
using Kokkos::Experimental::tan;
#endif

}  // namespace drfm::math
