#pragma once
/// @file
/// The Neural Feature Ansatz correlation (methods.md §4.3): the Pearson correlation of the
/// entries of two matrices of the same shape, corr(A, B) = ⟨A − ā, B − b̄⟩_F / (‖A − ā‖_F ‖B − b̄‖_F)
/// with ā, b̄ the means of all entries (`mat_cov` of the reference code). Scale-free, so the 1/n of
/// the AGOP and its max-normalisation do not matter. NaN when either matrix is constant.
#include "drfm/core/views.hpp"

namespace drfm::analysis {

/// @pre a and b have the same shape (else Error).
double matrix_correlation(const HostMatrix& a, const HostMatrix& b);

/// WᵀW (in × in) of a weight W (out × in): the neural feature matrix.
HostMatrix neural_feature_matrix(const HostMatrix& weight);

}  // namespace drfm::analysis
