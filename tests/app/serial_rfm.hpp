#pragma once
// A plain serial re-implementation of one Deep RFM layer, written from methods.md §2.1–2.5 with
// explicit loops and Eigen (no drfm engine code): the independent reference of the engine tests.
#include <Eigen/Dense>

#include <vector>

namespace drfm::test::serial {

using Eigen::MatrixXd;

enum class Kernel { laplace, gaussian, gen_laplace };

struct Model {
    Kernel kernel = Kernel::laplace;
    double bandwidth = 2.0;   ///< L
    double exponent = 1.0;    ///< p of gen_laplace
    double ridge = 1e-3;      ///< λ; ≤ 0: plain LU solve of K α = Y
    int iters = 1;            ///< T of §2.4
    bool diag = false;        ///< diagonal AGOP
    bool centering = false;   ///< per-output centering of the gradients over all n points
};

/// The outcome of fit(iters = T) (§2.4) without the final refit.
struct Rfm {
    MatrixXd alpha;       ///< α_{T−1}, n×c, of the kernel with kernel_m
    MatrixXd kernel_m;    ///< M_{T−1} (d×d; a diagonal matrix when diag)
    MatrixXd raw_agop;    ///< AGOP(f_{T−1}) with the 1/n, before normalisation (d×d, diagonal when diag)
    MatrixXd m;           ///< M_T = raw_agop / max entry
};

/// x_i ← x_i/‖x_i‖ (§1 step 6).
MatrixXd row_normalised(MatrixXd x);

/// Y = 2·onehot − 1 (§1 step 4).
MatrixXd signed_one_hot(const std::vector<int>& labels, int classes);

/// k_M(a_i, b_j) with explicit differences (a pair at zero distance has k = 1 exactly).
MatrixXd kernel_matrix(const Model& model, const MatrixXd& a, const MatrixXd& b, const MatrixXd& m);

/// α = (K_M + λI)⁻¹ Y by Cholesky (LLT), or K_M α = Y by LU when λ ≤ 0.
MatrixXd fit(const Model& model, const MatrixXd& x, const MatrixXd& y, const MatrixXd& m);

/// (1/n) Σ_i Σ_c ∇f_c(x_i) ∇f_c(x_i)ᵀ of f = Σ_p k_M(·, x_p) α_p at the centres, closed-form
/// gradients of §2.3 with the self pair and pairs closer than 1e-10 excluded; the diagonal only
/// when model.diag; gradients centred per output over the n points when model.centering.
MatrixXd agop(const Model& model, const MatrixXd& x, const MatrixXd& alpha, const MatrixXd& m);

/// fit(iters = T) of §2.4 from M_0 = I.
Rfm rfm(const Model& model, const MatrixXd& x, const MatrixXd& y);

/// M^{1/2} from the symmetric eigendecomposition, negative eigenvalues set to 0 (§2.6).
MatrixXd sqrt_psd(const MatrixXd& m);

/// ReLU(R Wᵀ) (§2.7).
MatrixXd relu_features(const MatrixXd& r, const MatrixXd& w);

/// Accuracy (argmax, first of equal maxima) and MSE (mean over n·c entries) of predictions f.
struct Score {
    double accuracy = 0.0;
    double mse = 0.0;
};
Score score(const MatrixXd& f, const std::vector<int>& labels);

}  // namespace drfm::test::serial
