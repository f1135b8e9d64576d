#pragma once
/// @file
/// From a raw AGOP to the feature matrix M and its square root S = M^{1/2} (methods.md §2.3, §2.6).
#include "drfm/core/views.hpp"

#include <vector>

namespace drfm::agop {

struct FeatureMatrix {
    HostMatrix m;                     ///< M = AGOP / max entry (d×d, or d×1 for a diagonal AGOP)
    HostMatrix sqrt_m;                ///< S = M^{1/2} (same shape), eigenvalues clamped at 0
    std::vector<double> eigenvalues;  ///< of M, descending (the diagonal, sorted, when diagonal)
    double max_entry = 0.0;           ///< max AGOP entry used for the normalisation
};

/// M = agop / max_{jk} agop_{jk}; S from a float64 symmetric eigendecomposition, negative
/// eigenvalues set to 0 (Deep RFM's matrix_sqrt; xRFM's +1e-8 jitter is not applied, §8.11).
/// Computed redundantly on every rank from identical input, so S is identical everywhere.
/// `cutoff` > 0 also sets the eigenvalues below cutoff · (largest eigenvalue) to 0 in S (not in
/// `eigenvalues`): the null space of a rank-deficient AGOP (a trained network's layer whose input
/// is wider than its output) then has no square roots of rounding noise, ~sqrt(eps) of the top,
/// which would differ with the summation order (network mode uses 1e-10).
/// @pre agop is symmetric (d×d) or a column (d×1); its max entry is positive
FeatureMatrix normalise_and_sqrt(const HostMatrix& agop, double cutoff = 0.0);

/// Identity M and S (the isotropic start of an RFM, M_0 = I), as full d×d or diagonal d×1.
FeatureMatrix identity_feature_matrix(std::int64_t d, bool diagonal);

/// out = points · S (n×d), or points ⊙ s row-wise for a diagonal S; float or double.
template <class T>
HostMatrixOf<T> transform(const HostMatrixOf<T>& points, const HostMatrixOf<T>& sqrt_m);

}  // namespace drfm::agop
