#pragma once
/// @file
/// The kernel picture of a feature map (methods.md §5, Method B): diagonalise the empirical
/// operator (T g)(x) = (1/n) Σ_j Φ(x)·Φ(x_j) g(x_j) of the features F (n×p, rows = samples,
/// row-distributed) and measure how the targets f* and a learned function f project on its
/// eigenfunctions. All choices below are [RECON] (methods.md §8.17–8.23) and named here:
/// - inner product ⟨g, h⟩ = (1/n) Σ_i g(x_i) h(x_i); kernel Φ·Φ' without a 1/p factor (§8.17;
///   every metric except ρ itself is scale-free);
/// - eigenfunctions normalised to ⟨e_k, e_l⟩ = δ_kl: e_k(x) = Φ(x)·v_k / √ρ_k (p×p route) or
///   e_k(x_i) = √n U_ik (n×n route);
/// - quality and utility are normalised by Σ_c ‖f*_c‖² and Σ_c ‖f_c‖² (§8.20); targets are used
///   as given (±1 one-hot in drfm, §8.19).
#include "drfm/core/views.hpp"
#include "drfm/dist/blacs_grid.hpp"
#include "drfm/mpi/comm.hpp"

#include <Eigen/Dense>

#include <cstdint>
#include <vector>

namespace drfm::analysis {

/// Eigenvalues ρ_k ≤ this × ρ_1 are treated as numerically zero and dropped. The float64 Gram FᵀF
/// carries eigenvalue errors up to about p·ε·ρ_1 (≈ 7e-13 ρ_1 at p = 3072), the n×n matrix
/// (1/n)FFᵀ up to about n·ε·ρ_1 (≈ 1.3e-11 ρ_1 at n = 60000); 1e-10 stays above both, so a kept
/// e_k is never dominated by rounding.
constexpr double kernel_rank_cutoff = 1e-10;

/// How the operator is diagonalised. Both routes give the same kept ρ_k and projections (to
/// rounding); they differ in cost.
enum class KernelRoute {
    automatic,   ///< covariance when p < n, gram otherwise (the cheaper of the two)
    covariance,  ///< p×p: Σ = (1/n)FᵀF by one Allreduce, local dsyevd; O(np² + p³)
    gram,        ///< n×n: G = (1/n)FFᵀ block-cyclic, ScaLAPACK pdsyevd; O(n²p + n³)
};

/// "automatic", "covariance" or "gram" (for logs and benchmarks).
const char* to_string(KernelRoute route) noexcept;

/// The route `requested` resolves to for n samples of p features: itself unless automatic.
KernelRoute resolve_route(KernelRoute requested, std::int64_t n, std::int64_t p) noexcept;

/// Choices of one kernel-picture computation.
struct KernelPictureOptions {
    /// Subtract the column means of F (and of f*, f) first (§8.18), see kernel_picture.
    bool centred = false;
    KernelRoute route = KernelRoute::automatic;
    /// nb of the block-cyclic n×n, n×p and n×C matrices of the gram route.
    int block_size = 64;
};

/// What every route must deliver: the kept spectrum and the projections of the targets and of the
/// learned function on its eigenfunctions.
struct KernelProjections {
    std::vector<double> rho;   ///< kept eigenvalues ρ_1 ≥ … ≥ ρ_r > 0
    Eigen::MatrixXd target;    ///< r×C: ⟨e_k, f*_c⟩
    Eigen::MatrixXd function;  ///< r×C: ⟨e_k, f_c⟩
    double target_norm2 = 0;   ///< Σ_c ‖f*_c‖² = Σ_c ⟨f*_c, f*_c⟩
    double function_norm2 = 0; ///< Σ_c ‖f_c‖²
};

/// Kernel-picture metrics of one feature map (methods.md §5.3–5.5). Index k = 1..r is stored at
/// [k − 1]; C = number of target columns (classes). Scalars are NaN when r = 0 (all-zero
/// features); quality/utility are NaN when the corresponding norm is zero.
struct Spectrum {
    std::vector<double> rho;       ///< ρ_k, descending, kept (> kernel_rank_cutoff · ρ_1)
    std::vector<double> quality;   ///< Q*_k = Σ_c ⟨e_k, f*_c⟩² / Σ_c ‖f*_c‖²
    std::vector<double> utility;   ///< Q_k = Σ_c ⟨e_k, f_c⟩² / Σ_c ‖f_c‖²
    std::vector<double> pi_star;   ///< Π*(k) = Σ_{j≤k} Q*_j
    std::vector<double> pi;        ///< Π(k) = Σ_{j≤k} Q_j
    double d_eff = 0;              ///< exp(−Σ_k p_k ln p_k), p_k = ρ_k / Σ_j ρ_j (kept ρ)
    double tail_c = 0;             ///< 1 − Σ_{k≤C} ρ_k / Σ_k ρ_k
    double one_minus_pi_star_c = 0;///< 1 − Π*(C): target mass outside the top-C eigenfunctions
    double dlr_function = 0;       ///< D_LR candidate 1 − Π(C) (§5.5, unconfirmed)
    double dlr_spectral = 0;       ///< D_LR candidate tail_C (§5.5, unconfirmed)
    int k_90 = -1;                 ///< min{k : Π(k) ≥ 0.9}; −1 when never reached
    int k_99 = -1;                 ///< min{k : Π(k) ≥ 0.99}; −1 when never reached
    /// Covariance route: max_k ‖Σ v_k − ρ_k v_k‖ / ρ_1 over the kept pairs. Gram route:
    /// ‖G U − U Λ‖_F / ρ_1 over all n pairs, an upper bound of the same maximum (it comes from
    /// the check dist::eigh_all makes anyway). 0 when nothing was kept.
    double eig_residual = 0;
    KernelRoute route = KernelRoute::covariance;  ///< the route that computed it (never automatic)
};

/// The metrics from a route's projections; Π(C), Π*(C) and tail_C use min(C, r) terms.
/// @pre `rho` descending and positive; `target` and `function` have rho.size() rows and C columns.
Spectrum spectrum_metrics(const KernelProjections& projections);

/// Kernel picture of the features F (n×p, rows split over the ranks) by the route of `options`
/// (collective over grid.comm(), which holds the rows):
/// - covariance (p×p; memory O(p² + p·C) per rank): Σ = (1/n) FᵀF (one Allreduce of
///   p² + 2pC + 2C numbers with Fᵀf*, Fᵀf and the norms), float64 eigensolve, then
///   ⟨e_k, y_c⟩ = v_kᵀ(Fᵀ y_c) / (n √ρ_k). Cost 2np²/ranks + O(p³).
/// - gram (n×n): F and [f* f] moved to the block-cyclic layout (dist::block_cyclic_from_rows),
///   G = (1/n) F Fᵀ by pdgemm, all eigenpairs by dist::eigh_all (pdsyevd, residual and
///   orthogonality checked there), then ⟨e_k, y_c⟩ = (Uᵀ y_c)_k / √n by pdgemm, since
///   e_k(x_i) = √n U_ik (§5.2). Cost 2n²p/ranks + O(n³/ranks); memory about 5 n×n matrices over the
///   grid at the eigensolve's peak. Requires the rows in RowPartition's balanced contiguous blocks
///   (rank r holds RowPartition(n, ranks).count(r) rows), as the data module distributes samples.
///
/// `centred` (§8.18): subtract the column means of F before everything, i.e. the operator of a
/// last layer with a bias, whose constant mode the bias learns. The column means of f* and f are
/// then subtracted as well, so quality/utility measure the mean-free parts (the projections are
/// unchanged since centred e_k have zero mean; only the norms change) and Π(r) = 1 for any
/// f = F Aᵀ + b. Uncentred (`false`) is the §7.3 reference convention.
/// @param features    this rank's rows of F (n_local × p); float rows are widened block by block
///                    (the n×n route: in one copy, as it moves them to the block-cyclic layout)
/// @param targets     this rank's rows of f* (n_local × C), ±1 labels
/// @param predictions this rank's rows of the learned function f (n_local × C)
/// Covariance route: eig_residual above 10·p·ε warns, above 1000·p·ε throws; gram route: the
/// checks and thresholds of dist::eigh_all (100·n·ε).
/// @throws InputDataError (collective) on inconsistent shapes, no samples, or (gram route) rows not
///         in balanced blocks; NumericalError or ScalapackError (collective) when the eigensolve
///         fails or its residual is too large; Error for block_size < 1.
template <class T>
Spectrum kernel_picture(const HostMatrixOf<T>& features, const HostMatrix& targets,
                        const HostMatrix& predictions, const KernelPictureOptions& options,
                        const dist::BlacsGrid& grid);

/// As above over `comm`; when the gram route is taken it runs on BlacsGrid::near_square(comm),
/// built for this call only.
Spectrum kernel_picture(const HostMatrix& features, const HostMatrix& targets,
                        const HostMatrix& predictions, const KernelPictureOptions& options,
                        const mpi::Comm& comm);

/// Automatic route with default options; `centred` as above.
Spectrum kernel_picture(const HostMatrix& features, const HostMatrix& targets,
                        const HostMatrix& predictions, bool centred, const mpi::Comm& comm);

/// All eigenvalues of a symmetric matrix (lower triangle read), descending, by LAPACK dsyevd;
/// for the AGOP spectrum. Rank-local.
/// @throws NumericalError on NaN/Inf input, ScalapackError when dsyevd fails.
std::vector<double> symmetric_spectrum(const Eigen::MatrixXd& matrix);

}  // namespace drfm::analysis
