#pragma once
/// @file
/// GEMM on Kokkos views wherever they live, through KokkosBlas::gemm: cuBLAS for views in CUDA
/// memory, the host BLAS (OpenBLAS's sgemm/dgemm on Debian) for host views, in float and double.
///
/// Which views reach the vendor BLAS: KokkosKernels calls it only when A, B and C are all LayoutLeft
/// (or all LayoutRight) views of one scalar type and one device type, and the memory space has a BLAS
/// (HostSpace; CudaSpace and CudaUVMSpace where KokkosKernels was built with cuBLAS; in KokkosKernels
/// 3.4 not HIP or SYCL). Anything else (a LayoutStride view, mixed layouts) silently runs
/// KokkosKernels' own team-policy kernel, many times slower on a CPU. So device_gemm takes only
/// LayoutLeft views of float or double in one memory space, and gives A and B the device type of C.
///
/// A Kokkos::subview of a rank-2 LayoutLeft view by a row range, a column range or both stays
/// LayoutLeft (stride(1) stays the parent's leading dimension) and reaches the BLAS, as does a rank-2
/// subview of a rank-3 LayoutLeft view that keeps its first index whole. One whose first index is
/// not unit-stride (subview(t, i, ALL, ALL) of a rank-3 t) is LayoutStride and does not compile here.
///
/// Asynchronous like any Kokkos kernel on a device backend: fence before reading C on the host.
#include "drfm/core/blas.hpp"
#include "drfm/core/error.hpp"

#include <KokkosBlas3_gemm.hpp>
#include <Kokkos_Core.hpp>

#include <algorithm>
#include <cstdint>
#include <type_traits>

namespace drfm::blas {

/// C ← alpha·op(A)·op(B) + beta·C. As in BLAS, beta = 0 overwrites C without reading it, and k = 0
/// gives C ← beta·C.
/// @throws Error naming the shapes when op(A), op(B) and C do not fit; ResourceError when a size or
///         leading dimension exceeds the 32-bit int of BLAS.
template <class AV, class BV, class CV>
void device_gemm(Op op_a, Op op_b, typename CV::non_const_value_type alpha, const AV& a, const BV& b,
                 typename CV::non_const_value_type beta, const CV& c) {
    using T = typename CV::non_const_value_type;
    static_assert(AV::rank == 2 && BV::rank == 2 && CV::rank == 2, "device_gemm takes rank-2 views");
    static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>, "device_gemm: float or double");
    static_assert(std::is_same_v<typename AV::non_const_value_type, T> &&
                      std::is_same_v<typename BV::non_const_value_type, T>,
                  "device_gemm: A, B and C of one scalar type");
    static_assert(std::is_same_v<typename AV::array_layout, Kokkos::LayoutLeft> &&
                      std::is_same_v<typename BV::array_layout, Kokkos::LayoutLeft> &&
                      std::is_same_v<typename CV::array_layout, Kokkos::LayoutLeft>,
                  "device_gemm: LayoutLeft views only (others miss the vendor BLAS)");
    static_assert(std::is_same_v<typename AV::memory_space, typename CV::memory_space> &&
                      std::is_same_v<typename BV::memory_space, typename CV::memory_space>,
                  "device_gemm: A, B and C in one memory space");

    const bool ta = op_a == Op::transpose, tb = op_b == Op::transpose;
    const std::int64_t m = ta ? a.extent(1) : a.extent(0), k = ta ? a.extent(0) : a.extent(1);
    const std::int64_t kb = tb ? b.extent(1) : b.extent(0), n = tb ? b.extent(0) : b.extent(1);
    DRFM_CHECK(k == kb && std::int64_t(c.extent(0)) == m && std::int64_t(c.extent(1)) == n, Error,
               "device_gemm shape mismatch: op(A) ", m, "x", k, ", op(B) ", kb, "x", n, ", C ",
               c.extent(0), "x", c.extent(1));
    if (m == 0 || n == 0) return;
    // KokkosKernels 3.4 returns without touching C when k = 0.
    if (k == 0) {
        using Policy = Kokkos::MDRangePolicy<typename CV::execution_space,
                                             Kokkos::Rank<2, Kokkos::Iterate::Left, Kokkos::Iterate::Left>>;
        Kokkos::parallel_for(
            "drfm::blas::device_gemm_scale", Policy({0, 0}, {m, n}),
            KOKKOS_LAMBDA(const std::int64_t i, const std::int64_t j) {
                c(i, j) = beta == T(0) ? T(0) : beta * c(i, j);
            });
        return;
    }
    // KokkosKernels narrows to int without a check.
    to_blas_int(std::max({m, n, k}), "device_gemm size");
    to_blas_int(std::max({std::int64_t(a.stride(1)), std::int64_t(b.stride(1)), std::int64_t(c.stride(1))}),
                "device_gemm leading dimension");
    using Device = typename CV::device_type;
    using Unmanaged = Kokkos::MemoryTraits<Kokkos::Unmanaged>;
    // One device type for all three: KokkosKernels' BLAS specialisations require it, and a host view
    // can carry another host execution space than C (HostSpace views on an OpenMP build).
    const Kokkos::View<const T**, Kokkos::LayoutLeft, Device, Unmanaged> a_c(a), b_c(b);
    KokkosBlas::gemm(ta ? "T" : "N", tb ? "T" : "N", alpha, a_c, b_c, beta, c);
}

}  // namespace drfm::blas
