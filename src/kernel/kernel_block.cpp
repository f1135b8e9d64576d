#include "drfm/kernel/kernel_block.hpp"

#include "drfm/core/blas.hpp"

namespace drfm::kernel {

HostVector squared_row_norms(const HostMatrix& points) {
    const std::int64_t n = points.extent(0), d = points.extent(1);
    auto x = to_device(points);
    DeviceVector norms(Kokkos::view_alloc("drfm::kernel::row_norms", Kokkos::WithoutInitializing), n);
    Kokkos::parallel_for(
        "drfm::kernel::squared_row_norms", Kokkos::RangePolicy<ExecSpace>(0, n),
        KOKKOS_LAMBDA(const std::int64_t i) {
            double s = 0.0;
            for (std::int64_t j = 0; j < d; ++j) s += x(i, j) * x(i, j);
            norms(i) = s;
        });
    return to_host(norms);
}

void kernel_block(const KernelFunction& kf, BlockValue what, const HostMatrix& a_rows,
                  const HostVector& a_norms, const GlobalIds& a_ids, const HostMatrix& b_rows,
                  const HostVector& b_norms, const GlobalIds& b_ids, const HostMatrix& out) {
    const std::int64_t na = a_rows.extent(0), nb = b_rows.extent(0);
    DRFM_CHECK(a_rows.extent(1) == b_rows.extent(1) && static_cast<std::int64_t>(out.extent(0)) == na &&
                   static_cast<std::int64_t>(out.extent(1)) == nb &&
                   static_cast<std::int64_t>(a_ids.size()) == na &&
                   static_cast<std::int64_t>(b_ids.size()) == nb,
               Error, "kernel_block: inconsistent shapes");
    if (na == 0 || nb == 0) return;
    blas::gemm(blas::Op::none, blas::Op::transpose, -2.0, a_rows, b_rows, 0.0, out);

    // Global ids travel to the device with the block; equal ids mark the same sample.
    Kokkos::View<const std::int64_t*, Kokkos::HostSpace, Kokkos::MemoryUnmanaged> ha(a_ids.data(), na),
        hb(b_ids.data(), nb);
    auto ia = to_device(ha);
    auto ib = to_device(hb);
    auto an = to_device(a_norms);
    auto bn = to_device(b_norms);
    auto k = to_device(out);
    const KernelFunction f = kf;
    const bool weights = what == BlockValue::gradient_weight;
    Kokkos::parallel_for(
        "drfm::kernel::kernel_block",
        ColumnMajorPolicy<2>({0, 0}, {na, nb}),
        KOKKOS_LAMBDA(const std::int64_t i, const std::int64_t j) {
            double d2 = an(i) + bn(j) + k(i, j);
            const bool self = ia(i) == ib(j);
            d2 = (self || d2 < 0.0) ? 0.0 : d2;
            k(i, j) = weights ? (self ? 0.0 : f.gradient_weight(d2)) : f.value(d2);
        });
    Kokkos::deep_copy(out, k);
}

}  // namespace drfm::kernel
