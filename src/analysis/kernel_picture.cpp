#include "drfm/analysis/kernel_picture.hpp"

#include "common.hpp"
#include "linalg.hpp"
#include "drfm/core/symmetric_eigen.hpp"

#include "drfm/core/error.hpp"
#include "drfm/core/log.hpp"

#include <cmath>
#include <limits>

namespace drfm::analysis {
namespace {

using detail::ConstHostMap;
constexpr double nan = std::numeric_limits<double>::quiet_NaN();

/// Sufficient statistics of the p×p route after the Allreduce, with Y = [f* f] (n×2C), both F and
/// Y column-centred when requested: FᵀF, FᵀY and the column sums of squares of Y.
struct Moments {
    double samples = 0;
    Eigen::MatrixXd gram;   ///< p×p, symmetric
    Eigen::MatrixXd cross;  ///< p×2C
    Eigen::VectorXd norms;  ///< 2C
};

/// Column means of [F Y] (zero when not centring): one Allreduce of p + 2C numbers.
Eigen::RowVectorXd column_means(const ConstHostMap& f, const Eigen::MatrixXd& y, double samples,
                                bool centred, const mpi::Comm& comm) {
    Eigen::RowVectorXd means = Eigen::RowVectorXd::Zero(f.cols() + y.cols());
    if (!centred) return means;
    means << f.colwise().sum(), y.colwise().sum();
    comm.allreduce_sum(means.data(), means.size());
    return means / samples;
}

/// Streams the local rows in blocks (centred exactly) into FᵀF, FᵀY, ‖Y_c‖²; one Allreduce.
Moments reduce_moments(const ConstHostMap& f, const Eigen::MatrixXd& y, bool centred,
                       const mpi::Comm& comm) {
    const Eigen::Index p = f.cols(), q = y.cols();
    Moments out;
    out.samples = static_cast<double>(comm.sum(static_cast<std::int64_t>(f.rows())));
    if (out.samples == 0)  // a reduced value: every rank throws together
        throw collective(InputDataError("kernel picture: no samples on any rank", __FILE__,
                                        __LINE__));
    Eigen::RowVectorXd means = column_means(f, y, out.samples, centred, comm);

    Eigen::VectorXd buffer = Eigen::VectorXd::Zero(p * p + p * q + q);
    Eigen::Map<Eigen::MatrixXd> gram(buffer.data(), p, p), cross(buffer.data() + p * p, p, q);
    Eigen::Map<Eigen::RowVectorXd> norms(buffer.data() + p * p + p * q, q);
    for (Eigen::Index begin = 0; begin < f.rows(); begin += detail::row_block) {
        Eigen::Index m = std::min(detail::row_block, f.rows() - begin);
        Eigen::MatrixXd fb = f.middleRows(begin, m).rowwise() - means.head(p);
        Eigen::MatrixXd yb = y.middleRows(begin, m).rowwise() - means.tail(q);
        detail::add_gram_upper(fb, gram);
        detail::add_cross(fb, yb, cross);
        norms += yb.colwise().squaredNorm();
    }
    comm.allreduce_sum(buffer.data(), buffer.size());
    out.gram = gram.selfadjointView<Eigen::Upper>();
    out.cross = cross;
    out.norms = norms.transpose();
    return out;
}

/// Checks shapes on every rank together; returns Y = [f* f] of the local rows.
Eigen::MatrixXd checked_outputs(const HostMatrix& features, const HostMatrix& targets,
                                const HostMatrix& predictions, const mpi::Comm& comm) {
    detail::agreed_columns(features, "the feature matrix", comm);
    Eigen::Index c = detail::agreed_columns(targets, "the target matrix", comm);
    Eigen::Index c_pred = detail::agreed_columns(predictions, "the prediction matrix", comm);
    if (c != c_pred || c == 0) {
        auto message = ::drfm::detail::concat("kernel picture: targets have ", c,
                                              " columns, predictions ", c_pred,
                                              "; both need the same number >= 1");
        throw collective(InputDataError(message, __FILE__, __LINE__));
    }
    auto f = detail::eigen_view(features);
    auto t = detail::eigen_view(targets), y = detail::eigen_view(predictions);
    mpi::collective(comm, [&] {
        DRFM_CHECK(t.rows() == f.rows() && y.rows() == f.rows(), InputDataError,
                   "kernel picture: this rank holds ", f.rows(), " feature rows, ", t.rows(),
                   " target rows and ", y.rows(), " prediction rows; they must match");
    });
    Eigen::MatrixXd outputs(f.rows(), 2 * c);
    outputs << t, y;
    return outputs;
}

/// max_k ‖Σ v_k − ρ_k v_k‖ / ρ_1 over the kept pairs, agreed over the ranks (collective).
double eigen_residual(const Eigen::MatrixXd& sigma, const Eigen::MatrixXd& vectors,
                      const Eigen::VectorXd& rho, const mpi::Comm& comm) {
    double local = 0.0;
    if (rho.size() > 0) {
        Eigen::MatrixXd r = detail::product(sigma, vectors) - vectors * rho.asDiagonal();
        local = r.colwise().norm().maxCoeff() / rho(0);
    }
    return comm.max(local);
}

/// Warns above 10·p·ε, fails collectively above 100× that (style guide point 18).
void check_residual(double residual, Eigen::Index p) {
    const double warn = 10.0 * static_cast<double>(p) * std::numeric_limits<double>::epsilon();
    if (!(residual <= 100.0 * warn)) {
        auto message = ::drfm::detail::concat(
            "kernel picture: eigensolve residual max‖Σv − ρv‖/ρ_1 = ", residual, " exceeds ",
            100.0 * warn, " for the ", p, "x", p, " feature covariance; check the features");
        throw collective(NumericalError(message, __FILE__, __LINE__));
    }
    if (residual > warn)
        log::warn() << "kernel picture: eigensolve residual " << residual << " above " << warn;
}

}  // namespace

Spectrum spectrum_metrics(const KernelProjections& in) {
    const auto r = static_cast<Eigen::Index>(in.rho.size());
    const Eigen::Index c = in.target.cols();
    DRFM_CHECK(in.target.rows() == r && in.function.rows() == r && in.function.cols() == c, Error,
               "spectrum_metrics: projections must be ", r, " x C");
    Spectrum out;
    out.rho = in.rho;
    double total = 0.0, pi_star = 0.0, pi = 0.0;
    for (Eigen::Index k = 0; k < r; ++k) {
        DRFM_CHECK(in.rho[k] > 0 && (k == 0 || in.rho[k] <= in.rho[k - 1]), Error,
                   "spectrum_metrics: rho must be positive and descending (rho[", k,
                   "] = ", in.rho[k], ")");
        total += in.rho[k];
        out.quality.push_back(in.target.row(k).squaredNorm() / in.target_norm2);
        out.utility.push_back(in.function.row(k).squaredNorm() / in.function_norm2);
        out.pi_star.push_back(pi_star += out.quality.back());
        out.pi.push_back(pi += out.utility.back());
        if (out.k_90 < 0 && pi >= 0.9) out.k_90 = static_cast<int>(k + 1);
        if (out.k_99 < 0 && pi >= 0.99) out.k_99 = static_cast<int>(k + 1);
    }
    if (r == 0) {
        out.d_eff = out.tail_c = out.one_minus_pi_star_c = nan;
        out.dlr_function = out.dlr_spectral = nan;
        return out;
    }
    double entropy = 0.0, tail = 0.0;
    for (Eigen::Index k = 0; k < r; ++k) {
        double share = in.rho[k] / total;
        entropy -= share * std::log(share);
        if (k >= c) tail += in.rho[k];
    }
    const Eigen::Index top = std::min(c, r);
    out.d_eff = std::exp(entropy);
    out.tail_c = tail / total;
    out.one_minus_pi_star_c = 1.0 - out.pi_star[top - 1];
    out.dlr_function = 1.0 - out.pi[top - 1];
    out.dlr_spectral = out.tail_c;
    return out;
}

Spectrum kernel_picture(const HostMatrix& features, const HostMatrix& targets,
                        const HostMatrix& predictions, bool centred, const mpi::Comm& comm) {
    Eigen::MatrixXd outputs = checked_outputs(features, targets, predictions, comm);
    auto f = detail::eigen_view(features);
    Moments moments = reduce_moments(f, outputs, centred, comm);
    const double n = moments.samples;
    const Eigen::Index p = f.cols(), c = outputs.cols() / 2;

    Eigen::MatrixXd sigma = moments.gram / n;
    SymmetricEigen eig;
    mpi::collective(comm, [&] { eig = symmetric_eigen(sigma, true); });
    Eigen::Index r = 0;
    while (r < p && eig.values(r) > kernel_rank_cutoff * eig.values(0)) ++r;
    Eigen::VectorXd rho = eig.values.head(r);
    Eigen::MatrixXd v = eig.vectors.leftCols(r);

    // ⟨e_k, y⟩ = (1/n) Σ_i (F_i·v_k/√ρ_k) y_i = v_kᵀ(Fᵀy) / (n √ρ_k).
    Eigen::MatrixXd coeff = v.transpose() * moments.cross;
    coeff = (rho.array().sqrt() * n).inverse().matrix().asDiagonal() * coeff;
    KernelProjections projections;
    projections.rho.assign(rho.data(), rho.data() + r);
    projections.target = coeff.leftCols(c);
    projections.function = coeff.rightCols(c);
    projections.target_norm2 = moments.norms.head(c).sum() / n;
    projections.function_norm2 = moments.norms.tail(c).sum() / n;

    Spectrum out = spectrum_metrics(projections);
    out.eig_residual = eigen_residual(sigma, v, rho, comm);
    check_residual(out.eig_residual, p);
    return out;
}

std::vector<double> symmetric_spectrum(const Eigen::MatrixXd& matrix) {
    Eigen::VectorXd values = symmetric_eigen(matrix, false).values;
    return std::vector<double>(values.data(), values.data() + values.size());
}

}  // namespace drfm::analysis
