#pragma once
/// @file
/// Kernel ridge regression on the block-cyclic kernel matrix (methods.md §2.2):
/// α = (K + λI)⁻¹ Y with ScaLAPACK Cholesky (pdpotrf/pdpotrs); λ ≤ 0 means interpolation,
/// solved with LU (pdgetrf/pdgetrs) since K alone may be only semi-definite numerically.
#include "drfm/dist/dist_matrix.hpp"
#include "drfm/kernel/kernel_function.hpp"
#include "drfm/kernel/kernel_block.hpp"

#include <vector>

namespace drfm::solve {

/// Y = 2·onehot − 1 entries (methods.md §1.4) as a function of the label.
inline double signed_target(int label, int c) { return label == c ? 1.0 : -1.0; }

/// Fits α (n×classes) and returns it replicated on every rank. `k` is the assembled kernel
/// matrix with the ridge already on its diagonal (kernel::assemble with shift max(λ, 0)); it is
/// overwritten by its factors. `labels` holds all n labels. Collective over k's grid.
/// @throws NumericalError (collective) when K + λI is not positive definite (or singular for λ ≤ 0),
///         with the suggestion to raise model.ridge.
HostMatrix fit(dist::DistMatrix& k, double ridge, const std::vector<int>& labels, int classes);

/// Accuracy (argmax agreement) and MSE (mean over n·classes entries of (f − y)², torch's MSELoss)
/// of a predictor on one split.
struct Score {
    double accuracy = 0.0;
    double mse = 0.0;
};

/// f(x) = Σ_p k(x, x_p) α_p on the rows of `points` (test points against the training centres,
/// gather_cross_points), scored against `labels` (all labels of the evaluated split).
/// Collective over the grid: partial sums over my centres are added along the process row.
Score predict_and_score(const kernel::KernelFunction& kf, const kernel::GridPoints& points,
                        const HostMatrix& alpha, const std::vector<int>& labels,
                        const dist::BlacsGrid& grid);

/// Accumulates the score of predictions `f` (rows × classes) against labels into sums
/// (correct count, squared error); shared by the train and test scoring.
void add_to_score(const HostMatrix& f, const std::vector<int>& row_labels, double& correct,
                  double& squared_error);

/// Predicted class of each row (argmax; the first of equal maxima).
std::vector<int> argmax_rows(const HostMatrix& f);

}  // namespace drfm::solve
