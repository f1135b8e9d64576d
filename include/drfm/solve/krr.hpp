#pragma once
/// @file
/// Kernel ridge regression on the block-cyclic kernel matrix (methods.md §2.2):
/// α = (K + λI)⁻¹ Y with ScaLAPACK Cholesky (p?potrf/p?potrs); λ ≤ 0 means interpolation,
/// solved with LU (p?getrf/p?getrs) since K alone may be only semi-definite numerically. In float
/// or double (model.precision), or float Cholesky refined to float64 accuracy (fit_refined).
#include "drfm/dist/dist_matrix.hpp"
#include "drfm/kernel/kernel_function.hpp"
#include "drfm/kernel/kernel_block.hpp"

#include <vector>

namespace drfm::solve {

/// Y = 2·onehot − 1 entries (methods.md §1.4) as a function of the label.
inline double signed_target(int label, int c) { return label == c ? 1.0 : -1.0; }

/// Fits α (n×classes) and returns it replicated on every rank, in float64 (float: its float32
/// solution widened). `k` is the assembled kernel matrix with the ridge already on its diagonal
/// (kernel::assemble with shift max(λ, 0)); it is overwritten by its factors. `labels` holds all
/// n labels. Collective over k's grid.
/// @throws NumericalError (collective) when K + λI is not positive definite (or singular for λ ≤ 0),
///         or (float) the solution is not finite, with the suggestion to raise model.ridge (or, in
///         float, to use model.precision = "float64").
template <class T>
HostMatrix fit(dist::BasicDistMatrix<T>& k, double ridge, const std::vector<int>& labels,
               int classes);

/// Local columns per panel of fit_refined's residual: a panel of doubles is local_rows × this.
inline constexpr std::int64_t refinement_panel = 256;

/// What fit_refined did, for the log.
struct RefinedFit {
    HostMatrix alpha;            ///< n×classes, replicated
    int steps = 0;               ///< refinement steps taken
    double backward_error = 0.0; ///< max_c ‖r_c‖∞ / (‖α_c‖∞ ‖K + λI‖∞) of the returned α (refined)
    bool fell_back = false;      ///< the float64 factorisation solved it (see fit_refined)
};

/// model.precision = "mixed" (docs/methods.md, "Precision"): α for the float kernel matrix `k`
/// to float64 accuracy. `k` holds K + λI **whole** (kernel::assemble, both triangles); the float
/// Cholesky factor overwrites dist::cholesky_triangle, and each refinement step computes the
/// residual Y − (K + λI)α in float64 from the other triangle, which the factorisation leaves as
/// it was, and solves for the correction with the float factor. When the float factorisation
/// fails or the corrections stop shrinking (κ·ε_float ≳ 1/2), the same float kernel, widened,
/// is factorised in float64 instead (an extra n²/P doubles per process while it runs). Converged
/// means LAPACK dsposv's test, ‖r_c‖∞ ≤ ‖α_c‖∞ ‖K + λI‖∞ ε √n for every column, within
/// `max_steps` steps (dsposv's 30).
/// @pre ridge > 0 (config::load rejects mixed with interpolation)
/// @throws NumericalError (collective) as fit.
RefinedFit fit_refined(dist::DistMatrixF& k, double ridge, const std::vector<int>& labels,
                       int classes, int max_steps = 30);

/// Accuracy (argmax agreement) and MSE (mean over n·classes entries of (f − y)², torch's MSELoss)
/// of a predictor on one split.
struct Score {
    double accuracy = 0.0;
    double mse = 0.0;
};

/// f(x) = Σ_p k(x, x_p) α_p on the rows of `points` (test points against the training centres,
/// gather_cross_points), scored against `labels` (all labels of the evaluated split).
/// Collective over the grid: partial sums over my centres are added along the process row.
/// Test rows per block of predict_and_score: its cross-kernel block is this × my centres.
inline constexpr std::int64_t predict_rows = 256;

/// The cross kernel and its product with α are computed in T (float or double), block by block of
/// predict_rows test rows.
template <class T>
Score predict_and_score(const kernel::KernelFunction& kf, const kernel::BasicGridPoints<T>& points,
                        const HostMatrix& alpha, const std::vector<int>& labels,
                        const dist::BlacsGrid& grid);

/// Accumulates the score of predictions `f` (rows × classes) against labels into sums
/// (correct count, squared error); shared by the train and test scoring.
void add_to_score(const HostMatrix& f, const std::vector<int>& row_labels, double& correct,
                  double& squared_error);

/// Predicted class of each row (argmax; the first of equal maxima).
std::vector<int> argmax_rows(const HostMatrix& f);

}  // namespace drfm::solve
