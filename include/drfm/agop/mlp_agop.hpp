#pragma once
/// @file
/// A trained bias-free ReLU MLP (methods.md §4.1) on row-distributed data: its forward pass and,
/// for every hidden layer l, the AGOP of the sub-network layers[l:] with respect to that layer's
/// input Φ(X) (methods.md §4.3), in closed form.
///
/// The network: h_0 = x, h_k = σ(h_{k−1} W_kᵀ) for k = 1..L (W_k is out_k × in_k, as PyTorch
/// stores Linear.weight), f = h_L W_outᵀ (c outputs). σ is ReLU (σ'(t) = 1[t > 0], PyTorch's
/// derivative at 0) or the identity (a linear network, for checks).
///
/// The Jacobian (c × in_l) of the sub-network g_l(h) = W_out σ(W_L … σ(W_l h)) at a sample is
///   J_L = (W_out ⊙ m_L) W_L,   J_k = (J_{k+1} ⊙ m_k) W_k  (k = L−1..1),
/// m_k = σ'(h_{k−1} W_kᵀ) = 1[h_k > 0] broadcast over the c rows: one backward product per layer
/// gives every layer's Jacobian.
/// For a block of b rows the c×width Jacobians are stacked into one (b·c)×width matrix, so each
/// layer costs one GEMM (2·b·c·out_k·in_k) and one SYRK (b·c·in_k²); AGOP_l = (1/n) Σ_i J_lᵀJ_l
/// (the project's 1/n convention; the NFA correlation is scale-free). Never an n×c×d tensor:
/// memory 2·b·c·max width per rank, plus the in_l² results, each Allreduced once.
#include "drfm/core/views.hpp"
#include "drfm/mpi/comm.hpp"

#include <cstdint>
#include <vector>

namespace drfm::agop {

enum class Activation { relu, identity };

/// The weights of one checkpoint, replicated on every rank.
struct MlpWeights {
    std::vector<HostMatrix> hidden;  ///< W_1..W_L, each out_k × in_k, in_{k+1} = out_k
    HostMatrix readout;              ///< W_out, c × out_L
};

/// Throws InputDataError unless the shapes chain (in_{k+1} = out_k, readout c × out_L) and the
/// first layer takes `input_dim` features.
void check_shapes(const MlpWeights& weights, std::int64_t input_dim);

/// My rows through the network: activations[0] = x (the same View), activations[k] = h_k
/// (rows × out_k), outputs = f (rows × c). Local work only.
struct ForwardPass {
    std::vector<HostMatrix> activations;
    HostMatrix outputs;
    std::vector<double> seconds;  ///< per hidden layer (index k−1), wall-clock of its GEMM + σ
};
ForwardPass forward(const MlpWeights& weights, const HostMatrix& x,
                    Activation activation = Activation::relu);

/// AGOP_l = (1/n) Σ_i J_l(x_i)ᵀ J_l(x_i) for l = 1..L (index l−1), in_l × in_l, replicated;
/// `n` is the global number of rows. `seconds` (optional) receives each layer's local time.
/// Collective over comm (one Allreduce of in_l² numbers per layer).
std::vector<HostMatrix> subnetwork_agops(const MlpWeights& weights, const ForwardPass& pass,
                                         std::int64_t n, const mpi::Comm& comm,
                                         Activation activation = Activation::relu,
                                         std::int64_t block_rows = 128,
                                         std::vector<double>* seconds = nullptr);

/// Work of forward() plus subnetwork_agops() on n rows (GEMM/SYRK multiply-adds counted as 2).
double mlp_flops(const MlpWeights& weights, std::int64_t n);

}  // namespace drfm::agop
