#pragma once
/// @file
/// Checked, typed wrappers over the few host BLAS routines the engine calls on local blocks. A
/// `MatRef` is a column-major window (data, rows, cols, leading dimension) of any host view whose
/// first index is contiguous — whole LayoutLeft views and their row/column sub-ranges alike.
#include "drfm/core/error.hpp"

#include <Kokkos_Core.hpp>

#include <cstdint>
#include <limits>

namespace drfm::blas {

enum class Op { none, transpose };

struct MatRef {
    double* data = nullptr;
    std::int64_t rows = 0, cols = 0, ld = 1;

    MatRef() = default;
    MatRef(double* d, std::int64_t r, std::int64_t c, std::int64_t l) : data(d), rows(r), cols(c), ld(l) {}
    /// Any rank-2 host view with unit stride in its first index (LayoutLeft or a column-major subview).
    template <class View, class = std::enable_if_t<Kokkos::is_view<View>::value>>
    MatRef(const View& v)
        : data(const_cast<double*>(v.data())), rows(static_cast<std::int64_t>(v.extent(0))),
          cols(static_cast<std::int64_t>(v.extent(1))),
          ld(v.extent(1) > 1 ? static_cast<std::int64_t>(v.stride(1)) : std::max<std::int64_t>(1, v.extent(0))) {
        static_assert(View::rank == 2, "MatRef wraps rank-2 views");
        DRFM_CHECK(v.extent(0) <= 1 || v.stride(0) == 1, Error, "MatRef needs a column-major view");
        if (ld < std::max<std::int64_t>(1, rows)) ld = std::max<std::int64_t>(1, rows);
    }
    /// Rows [r0, r0 + nr) and columns [c0, c0 + nc) of this window.
    MatRef block(std::int64_t r0, std::int64_t nr, std::int64_t c0, std::int64_t nc) const {
        return MatRef(data + r0 + c0 * ld, nr, nc, ld);
    }
};

/// C ← alpha·op(A)·op(B) + beta·C (dgemm). Shapes are checked.
void gemm(Op op_a, Op op_b, double alpha, const MatRef& a, const MatRef& b, double beta,
          const MatRef& c);

/// C ← alpha·AᵀA + beta·C on the upper triangle of the square C (dsyrk with trans = 'T'), A is k×n.
void syrk_upper_t(double alpha, const MatRef& a, double beta, const MatRef& c);

/// Copies the upper triangle of a square matrix into its lower triangle.
void symmetrize_from_upper(const MatRef& c);

/// Narrows a size, index or workspace length to the 32-bit `int` of BLAS, LAPACK and ScaLAPACK.
/// Always checked: with n = 60,000, n² exceeds 2³¹, so local sizes and workspace lengths can
/// overflow on few ranks although n fits.
/// @throws ResourceError naming `what` when the value is negative or above INT_MAX.
inline int to_blas_int(std::int64_t v, const char* what) {
    DRFM_CHECK(v >= 0 && v <= std::numeric_limits<int>::max(), ResourceError, what, " = ", v,
               " does not fit the 32-bit integers of BLAS/ScaLAPACK (max ",
               std::numeric_limits<int>::max(),
               "); use more ranks, a smaller block size or fewer samples");
    return static_cast<int>(v);
}

}  // namespace drfm::blas
