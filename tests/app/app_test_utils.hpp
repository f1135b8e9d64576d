#pragma once
// Helpers of the Deep RFM engine tests: Data built by hand from global (test-sized) matrices, the
// deterministic weights of methods.md §7.1, the layer loop of app::run_deep_rfm, and gathering
// distributed rows back for comparison with a serial computation.
#include "drfm/app/deep_rfm.hpp"
#include "support/test_utils.hpp"

#include <vector>

namespace drfm::test {

/// A split holding `x` (global, any order) and its labels, rows distributed over comm by
/// contiguous blocks as data::load_data leaves them. No preprocessing is applied.
data::Dataset make_split(const Eigen::MatrixXd& x, const std::vector<int>& labels, int classes,
                         const mpi::Comm& comm);

/// Train and test splits (test may have 0 rows).
data::Data make_data(const Eigen::MatrixXd& x, const std::vector<int>& labels,
                     const Eigen::MatrixXd& x_test, const std::vector<int>& test_labels, int classes,
                     const mpi::Comm& comm);

/// x̂_ij = (x_ij − mean_j) / std_j with the unbiased std (methods.md §1 step 5).
Eigen::MatrixXd standardised(const Eigen::MatrixXd& x);

/// methods.md §7.1: W[a, b] = sin(0.37 a + 1.1 b + 0.5 a b)/√d, a < width, b < d.
Eigen::MatrixXd sin_weights(std::int64_t width, std::int64_t d);

/// The hook that makes run_layer use sin_weights (ReLU features).
app::WeightsFactory sin_weights_factory(std::int64_t width);

/// Runs layers 1..cfg.model.depth exactly as app::run_deep_rfm chains them (Φ and Φ_test feed the
/// next layer). The data's own X is not touched (run_layer normalises its input in place).
std::vector<app::LayerResult> run_layers(const data::Data& data, const config::Config& cfg,
                                         const dist::BlacsGrid& grid,
                                         const app::WeightsFactory& weights);

/// All rows of a row-block-distributed matrix, in rank order, on every rank.
Eigen::MatrixXd gather_rows(const HostMatrix& mine, const mpi::Comm& comm);
/// gather_rows of `mine` widened to float64.
Eigen::MatrixXd gather_rows(const FloatOrDoubleMatrix& mine, const mpi::Comm& comm);

/// A copy of `m` as a layer's input, in the features' scalar of cfg.model (run_layer and
/// final_predictor normalise their input in place).
FloatOrDoubleMatrix layer_input_copy(const config::Config& cfg, const FloatOrDoubleMatrix& m);

/// This rank's labels of a split.
std::vector<int> my_labels(const data::Dataset& split, int rank);

}  // namespace drfm::test
