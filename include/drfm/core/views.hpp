#pragma once
/// @file
/// The matrix types every module exchanges. All local matrices are column-major (LayoutLeft) so that
/// BLAS, LAPACK and ScaLAPACK use them in place; samples are rows (methods.md conventions).
///
/// `HostMatrix` lives where BLAS/ScaLAPACK/MPI/HDF5 can read it. Kernels run on `ExecSpace` over
/// `DeviceMatrix`; on a host-only Kokkos both are the same memory and `to_device`/`to_host` are
/// free (create_mirror_view_and_copy returns the same view). On a CUDA build they are copies made at
/// exactly those library boundaries.
#include "drfm/core/system_memory.hpp"

#include <Kokkos_Core.hpp>

#include <cstdint>
#include <string>

namespace drfm {

using ExecSpace = Kokkos::DefaultExecutionSpace;
using MemSpace = ExecSpace::memory_space;

using HostMatrix = Kokkos::View<double**, Kokkos::LayoutLeft, Kokkos::HostSpace>;
using HostVector = Kokkos::View<double*, Kokkos::HostSpace>;
using DeviceMatrix = Kokkos::View<double**, Kokkos::LayoutLeft, MemSpace>;
using DeviceVector = Kokkos::View<double*, MemSpace>;

/// The iteration over every index of a column-major (LayoutLeft) array: first index fastest, across
/// and within tiles. Rank<N, Left> alone leaves the order inside a tile to the backend, and the host
/// backends' default (Right) walks LayoutLeft memory with a stride of the leading dimension.
template <unsigned N>
using ColumnMajorPolicy =
    Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<N, Kokkos::Iterate::Left, Kokkos::Iterate::Left>>;

/// Maps all of `m`'s memory for writing ahead of its first write (system_memory.hpp).
inline void populate_for_writing(const HostMatrix& m) {
    system_memory::populate_for_writing(m.data(), m.span() * sizeof(double));
}

/// A host matrix of the given shape, not zero-initialised, its memory mapped for writing (callers
/// overwrite every entry).
inline HostMatrix make_host_matrix(const std::string& label, std::int64_t rows, std::int64_t cols) {
    HostMatrix m(Kokkos::view_alloc(label, Kokkos::WithoutInitializing), static_cast<size_t>(rows),
                 static_cast<size_t>(cols));
    populate_for_writing(m);
    return m;
}

/// The first rows·cols elements of `buffer` as a contiguous rows×cols matrix (leading dimension
/// rows), not owning them: scratch allocated once for the largest block and re-viewed for each one.
/// @pre rows·cols ≤ buffer.size()
inline HostMatrix leading_block(const HostMatrix& buffer, std::int64_t rows, std::int64_t cols) {
    return HostMatrix(buffer.data(), static_cast<size_t>(rows), static_cast<size_t>(cols));
}

/// A deep copy of `m` (Views share memory on assignment).
inline HostMatrix copy_of(const HostMatrix& m, const std::string& label) {
    HostMatrix out = make_host_matrix(label, m.extent(0), m.extent(1));
    Kokkos::deep_copy(out, m);
    return out;
}

/// The label of a copy of `v`: its own, or "drfm::mirror" for an unmanaged view (which has none),
/// so that the copies a GPU build allocates keep the "drfm::" label rule.
template <class View>
std::string mirror_label(const View& v) {
    std::string label = v.label();
    return label.empty() ? std::string("drfm::mirror") : label;
}

/// Copy to the execution space's memory (no copy when it is the same memory space; both calls fence,
/// so host code may read the result right after a kernel).
template <class View>
auto to_device(const View& v) {
    return Kokkos::create_mirror_view_and_copy(MemSpace(), v, mirror_label(v));
}

/// Copy to host memory (no copy when the view already lives on the host).
template <class View>
auto to_host(const View& v) {
    return Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), v, mirror_label(v));
}

}  // namespace drfm
