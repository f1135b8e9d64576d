#include "drfm/analysis/kernel_picture.hpp"

#include "common.hpp"
#include "kernel_routes.hpp"
#include "linalg.hpp"
#include "drfm/core/symmetric_eigen.hpp"

#include "drfm/core/error.hpp"
#include "drfm/core/log.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

namespace drfm::analysis {
namespace detail {

template <class T>
Eigen::RowVectorXd column_means(const ConstHostMapOf<T>& f, const Eigen::MatrixXd& y, double samples,
                                bool centred, const mpi::Comm& comm) {
    Eigen::RowVectorXd means = Eigen::RowVectorXd::Zero(f.cols() + y.cols());
    if (!centred) return means;
    means << in_double(f).colwise().sum(), y.colwise().sum();
    comm.allreduce_sum(means.data(), means.size());
    return means / samples;
}

#define DRFM_INSTANTIATE(T)                                                                    \
    template Eigen::RowVectorXd column_means(const ConstHostMapOf<T>&, const Eigen::MatrixXd&, \
                                             double, bool, const mpi::Comm&);
DRFM_ANALYSIS_FOR_ROW_SCALARS(DRFM_INSTANTIATE)
#undef DRFM_INSTANTIATE

}  // namespace detail
namespace {

using detail::ConstHostMapOf;
constexpr double nan = std::numeric_limits<double>::quiet_NaN();

/// Sufficient statistics of the p×p route after the Allreduce, with Y = [f* f] (n×2C), both F and
/// Y column-centred when requested: FᵀF, FᵀY and the column sums of squares of Y.
struct Moments {
    Eigen::MatrixXd gram;   ///< p×p, symmetric
    Eigen::MatrixXd cross;  ///< p×2C
    Eigen::VectorXd norms;  ///< 2C
};

/// Streams the local rows in blocks (centred exactly) into FᵀF, FᵀY, ‖Y_c‖²; one Allreduce.
template <class T>
Moments reduce_moments(const ConstHostMapOf<T>& f, const Eigen::MatrixXd& y, double samples,
                       bool centred, const mpi::Comm& comm) {
    const Eigen::Index p = f.cols(), q = y.cols();
    Moments out;
    Eigen::RowVectorXd means = detail::column_means(f, y, samples, centred, comm);

    Eigen::VectorXd buffer = Eigen::VectorXd::Zero(p * p + p * q + q);
    Eigen::Map<Eigen::MatrixXd> gram(buffer.data(), p, p), cross(buffer.data() + p * p, p, q);
    Eigen::Map<Eigen::RowVectorXd> norms(buffer.data() + p * p + p * q, q);
    for (Eigen::Index begin = 0; begin < f.rows(); begin += detail::row_block) {
        Eigen::Index m = std::min(detail::row_block, f.rows() - begin);
        Eigen::MatrixXd fb = detail::in_double(f.middleRows(begin, m)).rowwise() - means.head(p);
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

/// The checked inputs of a route: my rows of F and of Y = [f* f], and n.
template <class T>
struct Problem {
    ConstHostMapOf<T> features;
    Eigen::MatrixXd outputs;  ///< n_local × 2C
    double samples;           ///< n, the same on every rank, > 0
};

/// Checks shapes and counts the samples on every rank together.
template <class T>
Problem<T> checked_problem(const HostMatrixOf<T>& features, const HostMatrix& targets,
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
    const auto samples = static_cast<double>(comm.sum(static_cast<std::int64_t>(f.rows())));
    if (samples == 0)  // a reduced value: every rank throws together
        throw collective(InputDataError("kernel picture: no samples on any rank", __FILE__,
                                        __LINE__));
    Problem<T> out{f, Eigen::MatrixXd(f.rows(), 2 * c), samples};
    out.outputs << t, y;
    return out;
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

/// The p×p route (see kernel_picture).
template <class T>
detail::RouteResult covariance_route(const Problem<T>& in, bool centred, const mpi::Comm& comm) {
    const ConstHostMapOf<T>& f = in.features;
    const Moments moments = reduce_moments(f, in.outputs, in.samples, centred, comm);
    const double n = in.samples;
    const Eigen::Index p = f.cols(), c = in.outputs.cols() / 2;

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
    detail::RouteResult out;
    KernelProjections& projections = out.projections;
    projections.rho.assign(rho.data(), rho.data() + r);
    projections.target = coeff.leftCols(c);
    projections.function = coeff.rightCols(c);
    projections.target_norm2 = moments.norms.head(c).sum() / n;
    projections.function_norm2 = moments.norms.tail(c).sum() / n;

    out.eig_residual = eigen_residual(sigma, v, rho, comm);
    check_residual(out.eig_residual, p);
    return out;
}

/// The metrics by `route` (resolved); `grid` is needed by the gram route only.
template <class T>
Spectrum computed(const Problem<T>& in, const KernelPictureOptions& options, KernelRoute route,
                  const dist::BlacsGrid* grid, const mpi::Comm& comm) {
    DRFM_CHECK(options.block_size >= 1, Error, "kernel picture: block size ", options.block_size,
               " (need >= 1)");
    detail::RouteResult result =
        route == KernelRoute::gram
            ? detail::gram_route(in.features, in.outputs, in.samples, options.centred, *grid,
                                 options.block_size)
            : covariance_route(in, options.centred, comm);
    Spectrum out = spectrum_metrics(result.projections);
    out.eig_residual = result.eig_residual;
    out.route = route;
    return out;
}

template <class T>
KernelRoute resolved(const KernelPictureOptions& options, const Problem<T>& in) {
    return resolve_route(options.route, static_cast<std::int64_t>(in.samples),
                         in.features.cols());
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

const char* to_string(KernelRoute route) noexcept {
    switch (route) {
        case KernelRoute::covariance: return "covariance";
        case KernelRoute::gram: return "gram";
        case KernelRoute::automatic: break;
    }
    return "automatic";
}

KernelRoute resolve_route(KernelRoute requested, std::int64_t n, std::int64_t p) noexcept {
    if (requested != KernelRoute::automatic) return requested;
    return p < n ? KernelRoute::covariance : KernelRoute::gram;
}

template <class T>
Spectrum kernel_picture(const HostMatrixOf<T>& features, const HostMatrix& targets,
                        const HostMatrix& predictions, const KernelPictureOptions& options,
                        const dist::BlacsGrid& grid) {
    const Problem<T> in = checked_problem(features, targets, predictions, grid.comm());
    return computed(in, options, resolved(options, in), &grid, grid.comm());
}

#define DRFM_INSTANTIATE(T)                                                                  \
    template Spectrum kernel_picture(const HostMatrixOf<T>&, const HostMatrix&,               \
                                     const HostMatrix&, const KernelPictureOptions&,          \
                                     const dist::BlacsGrid&);
DRFM_ANALYSIS_FOR_ROW_SCALARS(DRFM_INSTANTIATE)
#undef DRFM_INSTANTIATE

Spectrum kernel_picture(const HostMatrix& features, const HostMatrix& targets,
                        const HostMatrix& predictions, const KernelPictureOptions& options,
                        const mpi::Comm& comm) {
    const Problem<double> in = checked_problem(features, targets, predictions, comm);
    const KernelRoute route = resolved(options, in);
    if (route != KernelRoute::gram) return computed(in, options, route, nullptr, comm);
    const dist::BlacsGrid grid = dist::BlacsGrid::near_square(comm);
    return computed(in, options, route, &grid, comm);
}

Spectrum kernel_picture(const HostMatrix& features, const HostMatrix& targets,
                        const HostMatrix& predictions, bool centred, const mpi::Comm& comm) {
    KernelPictureOptions options;
    options.centred = centred;
    return kernel_picture(features, targets, predictions, options, comm);
}

std::vector<double> symmetric_spectrum(const Eigen::MatrixXd& matrix) {
    Eigen::VectorXd values = symmetric_eigen(matrix, false).values;
    return std::vector<double>(values.data(), values.data() + values.size());
}

}  // namespace drfm::analysis
