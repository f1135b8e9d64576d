#pragma once
/// @file
/// analysis.mode = "network": the singular structure of every hidden layer of a trained bias-free
/// ReLU MLP, per checkpoint (methods.md §4), on the data of any data source and its preprocessing.
///
/// For each checkpoint (data/checkpoints.hpp) the rows of X stay in contiguous blocks, one per
/// rank, and the weights are replicated: the forward pass is local; the sub-network AGOPs of all
/// layers come from one backward product per block of rows (agop/mlp_agop.hpp), one Allreduce
/// each. Per hidden layer l with input Φ = h_{l−1} and W_l = U S Vᵀ (full SVD, S zero-padded):
///   base  Φ,   right  Φ V Sᵀ,   left  ReLU(Φ W_lᵀ) = h_l,   agop  Φ M_l^{1/2}
/// with M_l = AGOP_l / its largest entry (the last equals Φ V_a S_a of M_l up to the orthogonal
/// factor V_aᵀ, which no NC metric or kernel eigenvalue sees; the NC metrics do not see the scale
/// either; eigenvalues below 1e-10 of the largest count as 0 in the square root).
/// Each is analysed by analyse_representations with the network's outputs as f (the base of
/// layer l ≥ 2 is the left of layer l − 1: its records are those computed there); the NFA
/// correlations corr(W_lᵀW_l, AGOP_l) and corr(W_lᵀW_l, AGOP_l^{1/2}) and the network's
/// train/test loss and accuracy are written too. Results: the features-mode datasets with a
/// leading `checkpoint` dimension (docs/results.md, "Network mode"); each checkpoint's status is
/// set after its data, so a re-run resumes at the first checkpoint not done.
#include "drfm/agop/mlp_agop.hpp"
#include "drfm/app/plan.hpp"
#include "drfm/app/scan.hpp"
#include "drfm/app/scan_run.hpp"
#include "drfm/app/layer_report.hpp"
#include "drfm/mpi/comm.hpp"

#include <string>
#include <vector>

namespace drfm::app {

/// The `phase` dimension of /timings in network mode (per layer: its forward GEMM + ReLU, its
/// share of the backward pass, its analysis).
std::vector<std::string> network_phase_names();

/// The four representations of hidden layer `layer` (1-based) as network_run.hpp lists them,
/// with the layer's NFA correlations and the normalised AGOP's spectrum.
struct NetworkLayer {
    HostMatrix right, agop_projected;  ///< my rows of Φ V Sᵀ and Φ M^{1/2}
    double nfa = 0.0, nfa_sqrt = 0.0;
    std::vector<double> agop_eigenvalues;  ///< of AGOP_l / max entry, descending
};
/// @pre `agop` is the layer's sub-network AGOP (subnetwork_agops). Local work only.
NetworkLayer network_layer(const agop::MlpWeights& weights, const agop::ForwardPass& pass,
                           const HostMatrix& agop, int layer);

/// Work and per-rank peak memory of one checkpoint on n rows (n_test test rows) of d features.
Plan make_network_plan(std::int64_t n, std::int64_t n_test, std::int64_t d, int classes,
                       const std::vector<std::int64_t>& widths, int gram_tile, int ranks);

/// --dry-run: reads the data's shape and checks the checkpoint file; logs the plan.
void plan_network(const Scan& scan, const mpi::Comm& world);

/// Analyses every checkpoint not yet done and writes the results file (created, resumed or
/// refused as app/scan_file.hpp describes). Collective over world.
ScanOutcome run_network(const Scan& scan, const mpi::Comm& world, const ScanOptions& options);

}  // namespace drfm::app
