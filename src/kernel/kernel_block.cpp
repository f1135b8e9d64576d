#include "drfm/kernel/kernel_block.hpp"

#include "drfm/core/blas.hpp"

#include <algorithm>

namespace drfm::kernel {
namespace {
using HostIds = Kokkos::View<const std::int64_t*, Kokkos::HostSpace, Kokkos::MemoryUnmanaged>;
using DeviceIds = Kokkos::View<const std::int64_t*, MemSpace>;
/// A column-major window (leading dimension ≥ rows) of host memory, as a Kokkos view.
template <class T>
using HostWindow =
    Kokkos::View<T**, Kokkos::LayoutStride, Kokkos::HostSpace, Kokkos::MemoryUnmanaged>;
}  // namespace

template <class T>
HostVectorOf<T> squared_row_norms(const HostMatrixOf<T>& points) {
    const std::int64_t n = points.extent(0), d = points.extent(1);
    auto x = to_device(points);
    DeviceVectorOf<T> norms(Kokkos::view_alloc("drfm::kernel::row_norms", Kokkos::WithoutInitializing), n);
    Kokkos::parallel_for(
        "drfm::kernel::squared_row_norms", Kokkos::RangePolicy<ExecSpace>(0, n),
        KOKKOS_LAMBDA(const std::int64_t i) {
            T s = 0;
            for (std::int64_t j = 0; j < d; ++j) s += x(i, j) * x(i, j);
            norms(i) = s;
        });
    return to_host(norms);
}

namespace {

/// The value of a pair at squared distance d2. The choice is made here, not inside the kernel's
/// lambda: nvcc rejects an extended lambda whose first use of a captured variable is inside an
/// `if constexpr`.
template <KernelFunction::Power P, BlockValue What>
KOKKOS_INLINE_FUNCTION double pair_value(const KernelFunction& f, double d2) {
    if constexpr (What == BlockValue::gradient_weight)
        return f.template gradient_weight<P>(d2);
    else
        return f.template value<P>(d2);
}

/// k(i, j) = the value of the pair from k(i, j) = −2 a_i·b_j. The power and the value are known at
/// compile time and the ids are left to set_self_pairs, so the loop is branch-free and vectorises.
template <KernelFunction::Power P, BlockValue What, class Block, class Norms>
void element_pass(const KernelFunction& f, const Block& k, const Norms& an, const Norms& bn) {
    using T = typename Block::non_const_value_type;
    Kokkos::parallel_for(
        "drfm::kernel::kernel_block",
        ColumnMajorPolicy<2>({0, 0}, {static_cast<std::int64_t>(k.extent(0)),
                                      static_cast<std::int64_t>(k.extent(1))}),
        KOKKOS_LAMBDA(const std::int64_t i, const std::int64_t j) {
            const double d2 = static_cast<double>(an(i) + bn(j) + k(i, j));
            k(i, j) = static_cast<T>(pair_value<P, What>(f, d2 < 0.0 ? 0.0 : d2));
        });
}

/// k(i, j) = self_value where ia(i) == ib(j) (ib ascending: a binary search per row).
template <class Block>
void set_self_pairs(typename Block::non_const_value_type self_value, const Block& k,
                    const DeviceIds& ia, const DeviceIds& ib) {
    const std::int64_t nb = ib.extent(0);
    Kokkos::parallel_for(
        "drfm::kernel::self_pairs", Kokkos::RangePolicy<ExecSpace>(0, ia.extent(0)),
        KOKKOS_LAMBDA(const std::int64_t i) {
            std::int64_t lo = 0, hi = nb;  // the first j with ib(j) ≥ ia(i)
            while (lo < hi) {
                const std::int64_t mid = lo + (hi - lo) / 2;
                if (ib(mid) < ia(i)) lo = mid + 1;
                else hi = mid;
            }
            if (lo < nb && ib(lo) == ia(i)) k(i, lo) = self_value;
        });
}

/// The element-wise passes over the GEMM's result `k` (memory the execution space can access).
template <class Block, class T = typename Block::non_const_value_type>
void pair_values(const KernelFunction& kf, BlockValue what, const Block& k,
                 const HostVectorOf<T>& a_norms, const GlobalIds& a_ids,
                 const HostVectorOf<T>& b_norms, const GlobalIds& b_ids, double self_shift) {
    const DeviceVectorOf<T> an = to_device(a_norms), bn = to_device(b_norms);
    kf.with_power([&](auto p) {
        if (what == BlockValue::gradient_weight)
            element_pass<decltype(p)::value, BlockValue::gradient_weight>(kf, k, an, bn);
        else
            element_pass<decltype(p)::value, BlockValue::kernel>(kf, k, an, bn);
    });
    // Global ids travel to the device with the block; equal ids mark the same sample, whose
    // distance is exactly 0: k = exp(0) = 1 (plus the ridge), and the gradient's self term is
    // excluded (weight 0).
    HostIds ha(a_ids.data(), a_ids.size()), hb(b_ids.data(), b_ids.size());
    set_self_pairs(static_cast<T>(what == BlockValue::kernel ? 1.0 + self_shift : 0.0), k,
                   to_device(ha), to_device(hb));
}

}  // namespace

template <class T>
void kernel_block(const KernelFunction& kf, BlockValue what, const blas::MatRefOf<T>& a_rows,
                  const HostVectorOf<T>& a_norms, const GlobalIds& a_ids,
                  const blas::MatRefOf<T>& b_rows, const HostVectorOf<T>& b_norms,
                  const GlobalIds& b_ids, const blas::MatRefOf<T>& out, double self_shift) {
    const std::int64_t na = a_rows.rows, nb = b_rows.rows;
    DRFM_CHECK(a_rows.cols == b_rows.cols && out.rows == na && out.cols == nb &&
                   static_cast<std::int64_t>(a_ids.size()) == na &&
                   static_cast<std::int64_t>(b_ids.size()) == nb,
               Error, "kernel_block: inconsistent shapes");
    DRFM_CHECK(std::is_sorted(b_ids.begin(), b_ids.end()), Error,
               "kernel_block: the column ids are not ascending");
    if (na == 0 || nb == 0) return;
    blas::gemm(blas::Op::none, blas::Op::transpose, T(-2), a_rows, b_rows, T(0), out);

    const HostWindow<T> window(out.data, Kokkos::LayoutStride(static_cast<size_t>(na), 1,
                                                           static_cast<size_t>(nb),
                                                           static_cast<size_t>(out.ld)));
    if constexpr (!kernel_block_stages_windows) {
        // Host backends finish the block where the GEMM left it: no second pass over memory.
        pair_values(kf, what, window, a_norms, a_ids, b_norms, b_ids, self_shift);
        ExecSpace().fence();
    } else {
        // A device works on a copy in its own memory. Kokkos copies only contiguous views between
        // memory spaces, so a window narrower than its leading dimension is staged through one.
        const bool contiguous = out.ld == na;
        const HostMatrixOf<T> host_block =
            contiguous ? HostMatrixOf<T>(out.data, static_cast<size_t>(na), static_cast<size_t>(nb))
                       : make_host_matrix<T>("drfm::kernel::staged_block", na, nb);
        if (!contiguous) Kokkos::deep_copy(host_block, window);
        const DeviceMatrixOf<T> k = to_device(host_block);
        pair_values(kf, what, k, a_norms, a_ids, b_norms, b_ids, self_shift);
        Kokkos::deep_copy(host_block, k);
        if (!contiguous) Kokkos::deep_copy(window, host_block);
    }
}

#define DRFM_INSTANTIATE_KERNEL_BLOCK(T)                                                       \
    template HostVectorOf<T> squared_row_norms(const HostMatrixOf<T>&);                        \
    template void kernel_block<T>(const KernelFunction&, BlockValue, const blas::MatRefOf<T>&, \
                                  const HostVectorOf<T>&, const GlobalIds&,                    \
                                  const blas::MatRefOf<T>&, const HostVectorOf<T>&,            \
                                  const GlobalIds&, const blas::MatRefOf<T>&, double);
DRFM_INSTANTIATE_KERNEL_BLOCK(double)
DRFM_INSTANTIATE_KERNEL_BLOCK(float)
#undef DRFM_INSTANTIATE_KERNEL_BLOCK

}  // namespace drfm::kernel
