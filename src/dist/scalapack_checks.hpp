#pragma once
// Private to src/dist: the checks every ScaLAPACK wrapper makes before and after its call.
#include "drfm/dist/dist_matrix.hpp"

namespace drfm::dist::detail {

/// Agrees on `info` over the grid, as SLATE's reduce_info: MPI_MIN with 0 mapped to INT_MAX, so
/// the result is 0 only when every rank got 0, an illegal argument (< 0) wins over a numerical
/// failure and the first failing index over later ones. Throws a collective ScalapackError naming
/// the routine and the argument for info < 0; returns the agreed info (>= 0) otherwise.
int agreed_info(const BlacsGrid& grid, const char* routine, int info);

/// Narrows a workspace length from a ScaLAPACK query (+1 slack) to int on every rank together:
/// lengths differ by rank, so one rank's overflow must not leave the others waiting.
int agreed_workspace(const BlacsGrid& grid, double queried, const char* what);

/// Same BLACS context (the matrices live on one grid). Throws Error naming the routine.
template <class A, class B>
void require_same_grid(const A& a, const B& b, const char* routine) {
    DRFM_CHECK(a.desc().ctxt() == b.desc().ctxt(), Error, routine,
               ": the matrices live on different BLACS grids (contexts ", a.desc().ctxt(), " and ",
               b.desc().ctxt(), ")");
}

/// Square n × n matrix with square blocks (mb = nb), as the factorisations require.
template <class A>
void require_square(const A& a, const char* routine) {
    DRFM_CHECK(a.rows() == a.cols() && a.desc().mb() == a.desc().nb(), Error, routine,
               " needs a square matrix in square blocks, got ", a.rows(), "x", a.cols(), " in ",
               a.desc().mb(), "x", a.desc().nb(), " blocks");
}

/// Same row blocking, as a right-hand side must have: rows and mb equal to a's.
template <class A, class B>
void require_rhs(const A& a, const B& b, const char* routine) {
    require_same_grid(a, b, routine);
    DRFM_CHECK(b.rows() == a.rows() && b.desc().mb() == a.desc().mb(), Error, routine,
               ": right-hand side is ", b.rows(), "x", b.cols(), " in ", b.desc().mb(),
               "-row blocks, the matrix ", a.rows(), "x", a.cols(), " in ", a.desc().mb(),
               "-row blocks (rows and row blocks must match)");
}

}  // namespace drfm::dist::detail
