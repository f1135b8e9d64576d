#pragma once
/// @file
/// Private to drfm::analysis: core BLAS wrappers applied to Eigen blocks.
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

}  // namespace drfm::analysis::detail
