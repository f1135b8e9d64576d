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
void require_same_grid(const DistMatrix& a, const DistMatrix& b, const char* routine);
/// Square n × n matrix with square blocks (mb = nb), as the factorisations require.
void require_square(const DistMatrix& a, const char* routine);
/// Same row blocking, as a right-hand side must have: rows and mb equal to a's.
void require_rhs(const DistMatrix& a, const DistMatrix& b, const char* routine);

}  // namespace drfm::dist::detail
