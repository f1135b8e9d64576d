#pragma once
/// @file
/// Symmetric eigensolvers on DistMatrix with checked results. Every solve computes, as SLATE's heev
/// tester does (Frobenius norms here),
///     residual      = ‖A·Z − Z·Λ‖_F / (‖A‖_F · n)
///     orthogonality = ‖I − ZᵀZ‖_F / n
/// and never trusts INFO alone (ScaLAPACK 2.2.1's pdsyevr returns wrong vectors with INFO = 0).
/// A check above n·eps logs a warning; above eigen_error_threshold(n) = 100·n·eps the eigenpairs
/// are rejected with a NumericalError on every rank. (Correct solvers give ~eps/√n; wrong vectors
/// give ~1/n and more.) The checks cost 2n²k + 2nk² flops and one n×k and one k×k temporary.
///
/// Eigenvalues come in ascending order (the LAPACK/ScaLAPACK/Eigen convention), also for
/// eigh_top, whose largest eigenvalue is therefore the last; column j of `vectors` belongs to
/// values[j].
#include "drfm/dist/dist_matrix.hpp"

#include <cstdint>
#include <vector>

namespace drfm::dist {

/// The two accuracy measures above.
struct EigenChecks {
    double residual = 0.0;
    double orthogonality = 0.0;
};

/// Eigenpairs of a symmetric matrix: values ascending, vectors n × values.size() with the blocks
/// of A, checks as computed by check_eigenpairs.
struct EigenResult {
    std::vector<double> values;
    DistMatrix vectors;
    EigenChecks checks;
};

/// 100·n·eps: beyond it, either check rejects the eigenpairs.
double eigen_error_threshold(std::int64_t n) noexcept;

/// Computes the checks of (values, vectors) for symmetric A (collective), logs a warning when one
/// exceeds n·eps and throws when one exceeds eigen_error_threshold(n) or is not finite.
/// @throws NumericalError (collective) naming `solver` and both values.
EigenChecks check_eigenpairs(const DistMatrix& a, const std::vector<double>& values,
                             const DistMatrix& vectors, const char* solver);

/// All n eigenpairs of symmetric A (pdsyevd, divide and conquer, workspace query). A is not
/// modified: the solver works on a copy (memory: 3 n×n matrices at the peak).
/// @pre A symmetric with both triangles stored (the solver reads the lower one, the check all).
/// @throws Error for a non-square A or non-square blocks; ScalapackError (collective) when
///         pdsyevd fails; NumericalError (collective) from the checks.
EigenResult eigh_all(const DistMatrix& a);

/// The k largest eigenpairs of symmetric A (pdsyevx, RANGE = 'I', il = n−k+1 … iu = n), values
/// ascending. pdsyevx needs an n×n eigenvector matrix (3 n×n matrices at the peak, as eigh_all)
/// but back-transforms only k vectors; its workspace gets (k−1)·n extra entries so that clusters of
/// close eigenvalues are reorthogonalised (pdsyevx's documented guarantee).
/// @pre A symmetric with both triangles stored; 1 <= k <= n.
/// @throws as eigh_all (ScalapackError naming pdsyevx's failure bits).
EigenResult eigh_top(const DistMatrix& a, std::int64_t k);

}  // namespace drfm::dist
