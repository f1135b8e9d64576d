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

#include <cmath>
#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace drfm {

using ExecSpace = Kokkos::DefaultExecutionSpace;
using MemSpace = ExecSpace::memory_space;

/// The matrix types of every scalar the numeric core computes in (model.precision: float64 or
/// float32, methods.md "Precision"); the plain names are the float64 ones the rest of the program
/// (results, checkpoints, analysis) exchanges.
template <class T>
using HostMatrixOf = Kokkos::View<T**, Kokkos::LayoutLeft, Kokkos::HostSpace>;
template <class T>
using HostVectorOf = Kokkos::View<T*, Kokkos::HostSpace>;
template <class T>
using DeviceMatrixOf = Kokkos::View<T**, Kokkos::LayoutLeft, MemSpace>;
template <class T>
using DeviceVectorOf = Kokkos::View<T*, MemSpace>;

using HostMatrix = HostMatrixOf<double>;
using HostVector = HostVectorOf<double>;
using DeviceMatrix = DeviceMatrixOf<double>;
using DeviceVector = DeviceVectorOf<double>;

/// The iteration over every index of a column-major (LayoutLeft) array: first index fastest, across
/// and within tiles. Rank<N, Left> alone leaves the order inside a tile to the backend, and the host
/// backends' default (Right) walks LayoutLeft memory with a stride of the leading dimension.
template <unsigned N>
using ColumnMajorPolicy =
    Kokkos::MDRangePolicy<ExecSpace, Kokkos::Rank<N, Kokkos::Iterate::Left, Kokkos::Iterate::Left>>;

/// Maps all of `m`'s memory for writing ahead of its first write (system_memory.hpp).
template <class T>
void populate_for_writing(const HostMatrixOf<T>& m) {
    system_memory::populate_for_writing(m.data(), m.span() * sizeof(T));
}

/// A host matrix of the given shape, not zero-initialised, its memory mapped for writing (callers
/// overwrite every entry).
template <class T = double>
HostMatrixOf<T> make_host_matrix(const std::string& label, std::int64_t rows, std::int64_t cols) {
    HostMatrixOf<T> m(Kokkos::view_alloc(label, Kokkos::WithoutInitializing),
                      static_cast<size_t>(rows), static_cast<size_t>(cols));
    populate_for_writing(m);
    return m;
}

/// The first rows·cols elements of `buffer` (a view of any memory space) as a contiguous rows×cols
/// matrix of the same type (leading dimension rows), not owning them: scratch allocated once for
/// the largest block and re-viewed for each one.
/// @pre rows·cols ≤ buffer.size()
template <class View>
View leading_block(const View& buffer, std::int64_t rows, std::int64_t cols) {
    return View(buffer.data(), static_cast<size_t>(rows), static_cast<size_t>(cols));
}

/// A deep copy of `m` (Views share memory on assignment).
template <class T>
HostMatrixOf<T> copy_of(const HostMatrixOf<T>& m, const std::string& label) {
    HostMatrixOf<T> out = make_host_matrix<T>(label, m.extent(0), m.extent(1));
    Kokkos::deep_copy(out, m);
    return out;
}

/// `m` in scalar To: `m` itself when it already is (no copy), else an element-wise rounded copy
/// (labelled `label`). The one place values change precision at the numeric core's boundary.
template <class To, class From>
HostMatrixOf<To> in_precision(const HostMatrixOf<From>& m, const std::string& label) {
    if constexpr (std::is_same_v<To, From>) {
        return m;
    } else {
        HostMatrixOf<To> out = make_host_matrix<To>(label, m.extent(0), m.extent(1));
        for (size_t j = 0; j < m.extent(1); ++j)
            for (size_t i = 0; i < m.extent(0); ++i) out(i, j) = static_cast<To>(m(i, j));
        return out;
    }
}

/// A host matrix in float or double, the scalar chosen at run time: a layer's features X_l, X_l S_l
/// and Φ are kept in the features' scalar of model.precision (float32: half the memory of
/// float64). The analysis reads either (`visit`) and computes in double; checkpoints take them
/// widened (`in<double>`).
class FloatOrDoubleMatrix {
public:
    FloatOrDoubleMatrix() = default;
    FloatOrDoubleMatrix(HostMatrixOf<double> m) : double_(std::move(m)) {}
    FloatOrDoubleMatrix(HostMatrixOf<float> m) : float_(std::move(m)), is_float_(true) {}

    bool is_float() const noexcept { return is_float_; }
    /// fn(the matrix as it is: a HostMatrixOf<float> or HostMatrixOf<double>).
    template <class Fn>
    decltype(auto) visit(Fn&& fn) const {
        return is_float_ ? fn(float_) : fn(double_);
    }
    std::int64_t rows() const {
        return visit([](const auto& m) { return static_cast<std::int64_t>(m.extent(0)); });
    }
    std::int64_t cols() const {
        return visit([](const auto& m) { return static_cast<std::int64_t>(m.extent(1)); });
    }
    /// The matrix in scalar T: itself (shared memory) when it is in T, else a rounded copy.
    template <class T>
    HostMatrixOf<T> in(const std::string& label) const {
        return visit([&](const auto& m) { return in_precision<T>(m, label); });
    }

private:
    HostMatrixOf<double> double_;
    HostMatrixOf<float> float_;
    bool is_float_ = false;
};

/// Rows `ids` of `m` (any order, repeats allowed), copied into scalar To.
template <class To, class From>
HostMatrixOf<To> rows_at(const HostMatrixOf<From>& m, const std::vector<std::int64_t>& ids,
                         const std::string& label) {
    HostMatrixOf<To> out = make_host_matrix<To>(label, static_cast<std::int64_t>(ids.size()),
                                                static_cast<std::int64_t>(m.extent(1)));
    for (size_t c = 0; c < m.extent(1); ++c)
        for (size_t t = 0; t < ids.size(); ++t) out(t, c) = static_cast<To>(m(ids[t], c));
    return out;
}

/// Whether every entry of `m` is finite (no NaN, no ±Inf).
template <class T>
bool all_finite(const HostMatrixOf<T>& m) {
    for (size_t i = 0; i < m.size(); ++i)
        if (!std::isfinite(m.data()[i])) return false;
    return true;
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
