#pragma once
/// @file
/// Local (replicated) symmetric eigendecomposition by LAPACK dsyevd, in float64: the AGOP's M^{1/2}
/// and the p×p feature covariances of the kernel picture.
#include <Eigen/Dense>

namespace drfm {

/// Eigen-decomposition of a symmetric matrix (lower triangle read) by LAPACK dsyevd.
struct SymmetricEigen {
    Eigen::VectorXd values;   ///< descending
    Eigen::MatrixXd vectors;  ///< column k belongs to values[k]; empty when not requested
};
/// @throws NumericalError on NaN/Inf input; ScalapackError when dsyevd reports info != 0.
///         Rank-local: callers make it collective.
SymmetricEigen symmetric_eigen(const Eigen::MatrixXd& a, bool want_vectors);

}  // namespace drfm
