#include "drfm/kernel/kernel_block.hpp"

#include "drfm/core/blas.hpp"
#include "drfm/core/device_blas.hpp"
#include "drfm/core/host_window.hpp"

#include <algorithm>

namespace drfm::kernel {
namespace {
using HostIds = Kokkos::View<const std::int64_t*, Kokkos::HostSpace, Kokkos::MemoryUnmanaged>;

template <class T>
DeviceVectorOf<T> device_row_norms(const DeviceMatrixOf<T>& x) {
    const std::int64_t n = x.extent(0), d = x.extent(1);
    DeviceVectorOf<T> norms(Kokkos::view_alloc("drfm::kernel::row_norms", Kokkos::WithoutInitializing), n);
    Kokkos::parallel_for(
        "drfm::kernel::squared_row_norms", Kokkos::RangePolicy<ExecSpace>(0, n),
        KOKKOS_LAMBDA(const std::int64_t i) {
            T s = 0;
            for (std::int64_t j = 0; j < d; ++j) s += x(i, j) * x(i, j);
            norms(i) = s;
        });
    return norms;
}

DeviceIds device_ids(const GlobalIds& ids) {
    DeviceIds out(Kokkos::view_alloc("drfm::kernel::ids", Kokkos::WithoutInitializing), ids.size());
    Kokkos::deep_copy(out, HostIds(ids.data(), ids.size()));
    return out;
}

}  // namespace

template <class T>
BlockSide<T> BlockSide<T>::rows(std::int64_t first, std::int64_t count) const {
    const auto range = std::make_pair(first, first + count);
    return {Kokkos::subview(points, range, Kokkos::ALL), Kokkos::subview(norms, range),
            Kokkos::subview(ids, range), ascending};
}

template <class T>
BlockSide<T> block_side(const HostMatrixOf<T>& points, const GlobalIds& ids) {
    DRFM_CHECK(points.extent(0) == ids.size(), Error, "block_side: ", points.extent(0),
               " points with ", ids.size(), " ids");
    BlockSide<T> side;
    side.points = to_device(points);
    side.norms = device_row_norms(side.points);
    side.ids = device_ids(ids);
    side.ascending = std::is_sorted(ids.begin(), ids.end());
    return side;
}

template <class T>
HostVectorOf<T> squared_row_norms(const HostMatrixOf<T>& points) {
    return to_host(device_row_norms(DeviceMatrixOf<T>(to_device(points))));
}

namespace {

/// The value of a pair at squared distance d2. The choice is made here, not inside the kernel's
/// lambda: nvcc rejects an extended lambda whose first use of a captured variable is inside an
/// `if constexpr`.
template <KernelFunction::Power P, BlockValue What, class T>
KOKKOS_INLINE_FUNCTION T pair_value(const KernelFunction& f, T d2) {
    if constexpr (What == BlockValue::gradient_weight)
        return f.template gradient_weight<P, T>(d2);
    else
        return f.template value<P, T>(d2);
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
            const T d2 = an(i) + bn(j) + k(i, j);
            k(i, j) = pair_value<P, What>(f, d2 < T(0) ? T(0) : d2);
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

}  // namespace

template <class T>
void kernel_block(const KernelFunction& kf, BlockValue what, const BlockSide<T>& a,
                  const BlockSide<T>& b, const DeviceMatrixOf<T>& out, double self_shift) {
    const std::int64_t na = a.points.extent(0), nb = b.points.extent(0);
    DRFM_CHECK((na == 0 || nb == 0 || a.points.extent(1) == b.points.extent(1)) &&
                   static_cast<std::int64_t>(out.extent(0)) == na &&
                   static_cast<std::int64_t>(out.extent(1)) == nb,
               Error, "kernel_block: inconsistent shapes");
    DRFM_CHECK(b.ascending, Error, "kernel_block: the column ids are not ascending");
    if (na == 0 || nb == 0) return;
    blas::device_gemm(blas::Op::none, blas::Op::transpose, T(-2), a.points, b.points, T(0), out);
    kf.with_power([&](auto p) {
        if (what == BlockValue::gradient_weight)
            element_pass<decltype(p)::value, BlockValue::gradient_weight>(kf, out, a.norms, b.norms);
        else
            element_pass<decltype(p)::value, BlockValue::kernel>(kf, out, a.norms, b.norms);
    });
    // Equal ids mark the same sample, whose distance is exactly 0: k = exp(0) = 1 (plus the
    // ridge), and the gradient's self term is excluded (weight 0).
    set_self_pairs(static_cast<T>(what == BlockValue::kernel ? 1.0 + self_shift : 0.0), out, a.ids,
                   b.ids);
}

template <class T>
void kernel_block(const KernelFunction& kf, BlockValue what, const blas::MatRefOf<T>& a_rows,
                  const HostVectorOf<T>& a_norms, const GlobalIds& a_ids,
                  const blas::MatRefOf<T>& b_rows, const HostVectorOf<T>& b_norms,
                  const GlobalIds& b_ids, const blas::MatRefOf<T>& out, double self_shift) {
    DRFM_CHECK(a_rows.cols == b_rows.cols && out.rows == a_rows.rows && out.cols == b_rows.rows &&
                   static_cast<std::int64_t>(a_ids.size()) == a_rows.rows &&
                   static_cast<std::int64_t>(b_ids.size()) == b_rows.rows,
               Error, "kernel_block: inconsistent shapes");
    const BlockSide<T> a{readable_on_device(a_rows), to_device(a_norms), device_ids(a_ids), true};
    const BlockSide<T> b{readable_on_device(b_rows), to_device(b_norms), device_ids(b_ids),
                         std::is_sorted(b_ids.begin(), b_ids.end())};
    const DeviceTile<T> tile(out);
    kernel_block(kf, what, a, b, tile.view(), self_shift);
    tile.finish();
}

#define DRFM_INSTANTIATE_KERNEL_BLOCK(T)                                                       \
    template struct BlockSide<T>;                                                              \
    template BlockSide<T> block_side(const HostMatrixOf<T>&, const GlobalIds&);                \
    template void kernel_block<T>(const KernelFunction&, BlockValue, const BlockSide<T>&,      \
                                  const BlockSide<T>&, const DeviceMatrixOf<T>&, double);      \
    template HostVectorOf<T> squared_row_norms(const HostMatrixOf<T>&);                        \
    template void kernel_block<T>(const KernelFunction&, BlockValue, const blas::MatRefOf<T>&, \
                                  const HostVectorOf<T>&, const GlobalIds&,                    \
                                  const blas::MatRefOf<T>&, const HostVectorOf<T>&,            \
                                  const GlobalIds&, const blas::MatRefOf<T>&, double);
DRFM_INSTANTIATE_KERNEL_BLOCK(double)
DRFM_INSTANTIATE_KERNEL_BLOCK(float)
#undef DRFM_INSTANTIATE_KERNEL_BLOCK

}  // namespace drfm::kernel
