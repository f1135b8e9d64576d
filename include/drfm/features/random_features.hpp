#pragma once
/// @file
/// The random feature map of a Deep RFM layer (methods.md §2.7), applied to R = X S row by row:
///   relu    Φ(R) = ReLU(R Wᵀ),                 W ∈ R^{k×d} i.i.d. U(−1/√d, +1/√d)  (torch Linear init)
///   cosine  Φ(R) = √(2/D) cos(R wᵀ + u),        w ∈ R^{D×d} i.i.d. Cauchy(0, γ), u ∈ U[0, 2π)^D, D = d
/// Entries of W, w and u come from the counter-based generator keyed by (seed, layer, row, column)
/// (core/random.hpp), so every rank builds the same weights and features are rank-count independent.
#include "drfm/config/config.hpp"
#include "drfm/core/views.hpp"

#include <cstdint>

namespace drfm::features {

struct FeatureWeights {
    config::FeatureMap map = config::FeatureMap::relu;
    HostMatrix w;      ///< width×d
    HostVector phase;  ///< cosine only: width phases
};

/// Weights of layer `layer` (1-based) for inputs of dimension d.
FeatureWeights make_weights(const config::ModelConfig& model, int layer, std::int64_t d);

/// Φ(R) for my rows R (n_local×d) → n_local×width. Cost 2·n_local·d·width flops (one GEMM, in T:
/// float or double; the weights are rounded to T).
template <class T>
HostMatrixOf<T> apply(const FeatureWeights& weights, const HostMatrixOf<T>& rows);

/// x_i ← x_i / ‖x_i‖ in place (rows of norm 0 stay 0), methods.md §1 step 6; the norm is summed
/// in double whatever T.
template <class T>
void normalise_rows(const HostMatrixOf<T>& rows);

}  // namespace drfm::features
