#include "drfm/analysis/readout.hpp"

#include "common.hpp"
#include "linalg.hpp"
#include "drfm/analysis/kernel_picture.hpp"
#include "drfm/core/symmetric_eigen.hpp"

#include "drfm/core/error.hpp"

namespace drfm::analysis {

HostMatrix linear_readout(const HostMatrix& features, const HostMatrix& targets,
                          const mpi::Comm& comm) {
    const Eigen::Index p = detail::agreed_columns(features, "the feature matrix", comm);
    const Eigen::Index c = detail::agreed_columns(targets, "the target matrix", comm);
    auto f = detail::eigen_view(features);
    auto y = detail::eigen_view(targets);
    mpi::collective(comm, [&] {
        DRFM_CHECK(y.rows() == f.rows(), InputDataError, "linear readout: this rank holds ",
                   f.rows(), " feature rows and ", y.rows(), " target rows; they must match");
    });
    if (comm.sum(static_cast<std::int64_t>(f.rows())) == 0)  // reduced: all ranks throw together
        throw collective(InputDataError("linear readout: no samples on any rank", __FILE__,
                                        __LINE__));

    // FᵀF (upper triangle) and FᵀY in one buffer, one Allreduce.
    Eigen::VectorXd buffer = Eigen::VectorXd::Zero(p * p + p * c);
    Eigen::Map<Eigen::MatrixXd> gram(buffer.data(), p, p), cross(buffer.data() + p * p, p, c);
    if (f.rows() > 0) {  // BLAS wants a leading dimension >= 1
        detail::add_gram_upper(f, gram);
        detail::add_cross(f, y, cross);
    }
    comm.allreduce_sum(buffer.data(), buffer.size());
    const Eigen::MatrixXd full = gram.selfadjointView<Eigen::Upper>();
    SymmetricEigen eig;
    mpi::collective(comm, [&] { eig = symmetric_eigen(full, true); });

    Eigen::Index r = 0;
    while (r < p && eig.values(r) > kernel_rank_cutoff * eig.values(0)) ++r;
    const Eigen::MatrixXd v = eig.vectors.leftCols(r);
    const Eigen::MatrixXd a =
        v * (eig.values.head(r).cwiseInverse().asDiagonal() * (v.transpose() * cross));

    HostMatrix out = make_host_matrix("drfm::analysis::linear_readout", f.rows(), c);
    if (f.rows() > 0) {
        Eigen::Map<Eigen::MatrixXd, 0, Eigen::OuterStride<>> result(
            out.data(), f.rows(), c,
            Eigen::OuterStride<>(std::max<Eigen::Index>(f.rows(), out.stride(1))));
        result = detail::product(f, a);
    }
    return out;
}

}  // namespace drfm::analysis
