#pragma once
/// @file
/// Checked, typed wrappers over the few host BLAS routines (single and double) the engine calls on local blocks. A
/// `MatRef` is a column-major window (data, rows, cols, leading dimension) of any host view whose
/// first index is contiguous — whole LayoutLeft views and their row/column sub-ranges alike.
#include "drfm/core/error.hpp"

#include <Kokkos_Core.hpp>

#include <cstdint>
#include <limits>
#include <type_traits>

namespace drfm::blas {

enum class Op { none, transpose };

/// A column-major window of T (float or double).
template <class T>
struct BasicMatRef {
    T* data = nullptr;
    std::int64_t rows = 0, cols = 0, ld = 1;

    BasicMatRef() = default;
    BasicMatRef(T* d, std::int64_t r, std::int64_t c, std::int64_t l) : data(d), rows(r), cols(c), ld(l) {}
    /// Any rank-2 host view of T with unit stride in its first index (LayoutLeft or a column-major
    /// subview). Views of another scalar do not convert: a precision change is explicit
    /// (in_precision in views.hpp).
    template <class View,
              class = std::enable_if_t<Kokkos::is_view<View>::value &&
                                       std::is_same_v<typename View::non_const_value_type, T>>>
    BasicMatRef(const View& v)
        : data(const_cast<T*>(v.data())), rows(static_cast<std::int64_t>(v.extent(0))),
          cols(static_cast<std::int64_t>(v.extent(1))),
          ld(v.extent(1) > 1 ? static_cast<std::int64_t>(v.stride(1)) : std::max<std::int64_t>(1, v.extent(0))) {
        static_assert(View::rank == 2, "MatRef wraps rank-2 views");
        DRFM_CHECK(v.extent(0) <= 1 || v.stride(0) == 1, Error, "MatRef needs a column-major view");
        if (ld < std::max<std::int64_t>(1, rows)) ld = std::max<std::int64_t>(1, rows);
    }
    /// Rows [r0, r0 + nr) and columns [c0, c0 + nc) of this window.
    BasicMatRef block(std::int64_t r0, std::int64_t nr, std::int64_t c0, std::int64_t nc) const {
        return BasicMatRef(data + r0 + c0 * ld, nr, nc, ld);
    }
};
using MatRef = BasicMatRef<double>;
using MatRefF = BasicMatRef<float>;

template <class T>
struct Identity {
    using type = T;
};
/// BasicMatRef<T> as the parameter of a function template whose T is deduced from another
/// parameter (a view of T), so that views still convert to it.
template <class T>
using MatRefOf = BasicMatRef<typename Identity<T>::type>;

/// C ← alpha·op(A)·op(B) + beta·C (sgemm/dgemm). Shapes are checked. One overload per scalar, so
/// views convert to the window of their own scalar.
void gemm(Op op_a, Op op_b, double alpha, const MatRef& a, const MatRef& b, double beta,
          const MatRef& c);
void gemm(Op op_a, Op op_b, float alpha, const MatRefF& a, const MatRefF& b, float beta,
          const MatRefF& c);

/// C ← alpha·AᵀA + beta·C on the upper triangle of the square C (ssyrk/dsyrk with trans = 'T'),
/// A is k×n.
void syrk_upper_t(double alpha, const MatRef& a, double beta, const MatRef& c);
void syrk_upper_t(float alpha, const MatRefF& a, float beta, const MatRefF& c);

/// Copies the upper triangle of a square host matrix into its lower triangle.
template <class View>
void symmetrize_from_upper(const View& c) {
    for (size_t j = 0; j < c.extent(1); ++j)
        for (size_t i = j + 1; i < c.extent(0); ++i) c(i, j) = c(j, i);
}

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
