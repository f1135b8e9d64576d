#pragma once
/// @file
/// Private to drfm::analysis: core BLAS wrappers applied to Eigen blocks, and the LAPACK
/// symmetric eigensolver for local (p×p) matrices.
#include "drfm/core/blas.hpp"

#include <Eigen/Dense>

namespace drfm::analysis::detail {

/// Any column-major block with unit inner stride (a matrix, a Map, a block of either).
using ConstRef = Eigen::Ref<const Eigen::MatrixXd>;

/// A BLAS window on an Eigen block (read-only use is up to the caller, as for blas::MatRef).
blas::MatRef mat_ref(const ConstRef& m);

/// C += Aᵀ A on the upper triangle (dsyrk). A is m×p, C is p×p.
void add_gram_upper(const ConstRef& a, Eigen::Ref<Eigen::MatrixXd> c);

/// C += Aᵀ B (dgemm). A is m×k, B is m×q, C is k×q.
void add_cross(const ConstRef& a, const ConstRef& b, Eigen::Ref<Eigen::MatrixXd> c);

/// A B (dgemm). A is m×k, B is k×q.
Eigen::MatrixXd product(const ConstRef& a, const ConstRef& b);

/// Eigen-decomposition of a symmetric matrix (lower triangle read) by LAPACK dsyevd.
struct SymmetricEigen {
    Eigen::VectorXd values;   ///< descending
    Eigen::MatrixXd vectors;  ///< column k belongs to values[k]; empty when not requested
};
/// @throws NumericalError on NaN/Inf input; ScalapackError when dsyevd reports info != 0.
///         Rank-local: callers make it collective.
SymmetricEigen symmetric_eigen(const Eigen::MatrixXd& a, bool want_vectors);

}  // namespace drfm::analysis::detail
