#pragma once
/// @file
/// One Deep RFM layer (methods.md §2.4–2.5) on row-distributed samples:
///   X_l ← rownormalise(X)                     → "X"
///   M_l ← RFM(X_l, Y; T = rfm_iters)          kernel → solve → AGOP → M^{1/2}, T times
///   R_l ← X_l S_l,  S_l = M_l^{1/2}           → "MX"
///   Φ_l ← σ(R_l W_lᵀ) (or cosine features)    → "PhiMX", the next layer's input
/// The test split goes through the same S_l and W_l. The layer's predictor is the last fitted
/// f_{T−1} (kernel with M_{T−1}; with T = 1 the isotropic Laplace/Gaussian predictor whose AGOP
/// defines M_l); the reference's extra refit with M_T, used there only for printing, is not done.
#include "drfm/agop/matrix_sqrt.hpp"
#include "drfm/config/config.hpp"
#include "drfm/core/views.hpp"
#include "drfm/data/dataset.hpp"
#include "drfm/dist/blacs_grid.hpp"
#include "drfm/dist/dist_matrix.hpp"
#include "drfm/features/random_features.hpp"
#include "drfm/solve/krr.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace drfm::app {

/// Phases of a layer, in the order of the results' `phase` dimension.
enum class Phase { kernel, solve, agop, sqrt, features, predict, analysis, count };
std::vector<std::string> phase_names();

/// Seconds per phase of one layer on this rank (made collective with a max when stored).
struct PhaseTimes {
    double seconds[static_cast<int>(Phase::count)] = {};
    double& operator[](Phase p) { return seconds[static_cast<int>(p)]; }
};

/// Source of the random feature weights: counter-based by default; tests substitute the
/// deterministic weights of methods.md §7.1.
using WeightsFactory = std::function<features::FeatureWeights(int layer, std::int64_t d)>;

/// How a kernel ridge predictor does on both splits.
struct PredictorScores {
    HostMatrix train_predictions;  ///< my rows × c: f(x_i)
    solve::Score train, test;      ///< test: zero when there is no test split
};

/// A layer's features (X_l, X_l S_l, Φ) are in the features' scalar of model.precision: float for
/// float32, double for float64 and mixed.
struct LayerResult : PredictorScores {  ///< the scores are those of the layer's predictor
    FloatOrDoubleMatrix x, mx, phi;  ///< my rows of X_l, X_l S_l, Φ(X_l S_l)
    FloatOrDoubleMatrix phi_test;    ///< my test rows of Φ (the next layer's test input)
    agop::FeatureMatrix feature_matrix;   ///< M_l, S_l, eigenvalues of M_l
    HostMatrix raw_agop;         ///< the AGOP of the last iteration before normalisation
    HostMatrix alpha;            ///< n×c coefficients of the layer's predictor (replicated)
    std::vector<double> kernel_eigenvalues;  ///< top-k of K(X_l, X_l), descending, on request
};

/// The n×n kernel matrix of a run's training set, on `grid` in blocks of parallel.block_size, not
/// initialised, in the scalar of model.precision (float for float32 and mixed). One per run: every
/// fit (each RFM iteration of each layer, the final predictor) and analysis.kernel_eigs overwrite
/// it, so its pages are first touched once per run rather than once per fit (first touch costs
/// 0.9-3 s per GiB on the benchmark's VM, bench/RESULTS.md). It stays resident between fits;
/// app::make_plan counts it in every phase.
class KernelStorage {
public:
    KernelStorage(const config::Config& cfg, std::int64_t n, const dist::BlacsGrid& grid);
    /// The matrix in scalar T. @pre T is the scalar of the run's precision
    template <class T>
    dist::BasicDistMatrix<T>& matrix();
    const dist::BlacsGrid& grid() const noexcept { return *grid_; }

private:
    const dist::BlacsGrid* grid_;
    std::optional<dist::DistMatrix> double_;
    std::optional<dist::DistMatrixF> float_;
};
template <>
dist::DistMatrix& KernelStorage::matrix<double>();
template <>
dist::DistMatrixF& KernelStorage::matrix<float>();

/// A copy of `m` (my rows of a layer's input) in the features' scalar of model.precision, labelled
/// `label`: run_layer normalises its input in place.
FloatOrDoubleMatrix feature_copy(const config::ModelConfig& model, const HostMatrix& m,
                                 const std::string& label);

/// Runs layer `layer` (1-based) on my rows `x` (train) and `x_test` (test; may be empty), given in
/// the features' scalar (feature_copy), with the run's `kernel_storage` (its grid is the
/// layer's), in model.precision. The coefficients come back in float64 whatever the precision, the
/// features in their scalar. The inputs are row-normalised **in place** (Views share memory: the
/// caller's matrices change, and LayerResult::x is the same memory), which saves a copy of X per
/// layer; pass a deep copy to keep the input. Collective over the grid.
LayerResult run_layer(int layer, FloatOrDoubleMatrix x, FloatOrDoubleMatrix x_test,
                      const data::Data& data, const config::Config& cfg,
                      KernelStorage& kernel_storage, const WeightsFactory& weights,
                      PhaseTimes& times);

/// The optional final predictor (model.final_predictor = "krr", methods.md §2.5 and §8.14): kernel
/// ridge regression with the model's kernel, bandwidth and ridge and M = I on the row-normalised
/// output X_{L+1} of the last layer (`x`, `x_test`: my rows; normalised in place, as run_layer;
/// `kernel_storage` as run_layer). Collective over the grid.
PredictorScores final_predictor(FloatOrDoubleMatrix x, FloatOrDoubleMatrix x_test,
                                const data::Data& data, const config::Config& cfg,
                                KernelStorage& kernel_storage, PhaseTimes& times);

/// Accuracy and MSE (per entry of the ±1 targets) of `f`, my rows × K of predictions for the
/// samples of `split`, against their labels; reduced over comm.
solve::Score score_rows(const HostMatrix& f, const data::Dataset& split, const mpi::Comm& comm);

/// The counter-based weights of config::ModelConfig (features::make_weights).
WeightsFactory default_weights(const config::ModelConfig& model);

}  // namespace drfm::app
