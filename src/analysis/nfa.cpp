#include "drfm/analysis/nfa.hpp"

#include "common.hpp"
#include "linalg.hpp"

#include "drfm/core/error.hpp"

#include <cmath>
#include <limits>

namespace drfm::analysis {

double matrix_correlation(const HostMatrix& a, const HostMatrix& b) {
    DRFM_CHECK(a.extent(0) == b.extent(0) && a.extent(1) == b.extent(1), Error,
               "matrix_correlation: shapes ", a.extent(0), "x", a.extent(1), " and ", b.extent(0),
               "x", b.extent(1));
    const auto x = detail::eigen_view(a), y = detail::eigen_view(b);
    const Eigen::ArrayXXd dx = x.array() - x.mean(), dy = y.array() - y.mean();
    const double denominator = std::sqrt((dx * dx).sum() * (dy * dy).sum());
    if (!(denominator > 0.0)) return std::numeric_limits<double>::quiet_NaN();
    return (dx * dy).sum() / denominator;
}

HostMatrix neural_feature_matrix(const HostMatrix& weight) {
    const auto w = detail::eigen_view(weight);
    const Eigen::Index in = w.cols();
    HostMatrix out = make_host_matrix("drfm::analysis::nfm", in, in);
    Eigen::Map<Eigen::MatrixXd> nfm(out.data(), in, in);
    nfm.setZero();
    detail::add_gram_upper(w, nfm);
    nfm.triangularView<Eigen::StrictlyLower>() = nfm.transpose();
    return out;
}

}  // namespace drfm::analysis
