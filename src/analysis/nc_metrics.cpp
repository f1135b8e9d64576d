#include "drfm/analysis/nc_metrics.hpp"

#include "common.hpp"
#include "linalg.hpp"

#include "drfm/core/error.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace drfm::analysis {
namespace {

using detail::ConstHostMapOf;

/// Class sizes and means after the Allreduce (identical on every rank).
struct ClassMeans {
    std::int64_t samples = 0;
    Eigen::VectorXd counts;  ///< K, exact integers
    Eigen::MatrixXd means;   ///< K×p, row c = μ_c
};

/// Throws InputDataError unless `values` has one entry in [0, classes) per row.
void check_class_indices(const std::vector<int>& values, Eigen::Index rows, int classes,
                         const char* what) {
    DRFM_CHECK(static_cast<Eigen::Index>(values.size()) == rows, InputDataError, "analysis: ",
               values.size(), " ", what, " for ", rows, " local rows");
    for (size_t i = 0; i < values.size(); ++i)
        DRFM_CHECK(values[i] >= 0 && values[i] < classes, InputDataError, "analysis: ", what,
                   " of local row ", i, " is ", values[i], ", outside [0, ", classes, ")");
}

/// Pass 1: per-class counts and sums, one Allreduce of K·p + K numbers.
template <class T>
ClassMeans class_means(const ConstHostMapOf<T>& h, const std::vector<int>& labels, int classes,
                       const mpi::Comm& comm) {
    const Eigen::Index p = h.cols(), k = classes;
    Eigen::MatrixXd sums = Eigen::MatrixXd::Zero(k, p + 1);  // last column: counts
    for (Eigen::Index j = 0; j < p; ++j)
        for (Eigen::Index i = 0; i < h.rows(); ++i) sums(labels[i], j) += h(i, j);
    for (int label : labels) sums(label, p) += 1.0;
    comm.allreduce_sum(sums.data(), sums.size());

    ClassMeans out;
    out.counts = sums.col(p);
    out.samples = static_cast<std::int64_t>(out.counts.sum());
    for (Eigen::Index c = 0; c < k; ++c) {
        if (out.counts(c) == 0.0) {  // reduced counts agree on every rank: a collective throw
            auto message = ::drfm::detail::concat("analysis: class ", c, " of ", k,
                                                  " has no samples; NC metrics need every class");
            throw collective(InputDataError(message, __FILE__, __LINE__));
        }
    }
    out.means = sums.leftCols(p).array().colwise() / out.counts.array();
    return out;
}

/// Validates the inputs on every rank together and returns pass 1.
template <class T>
ClassMeans checked_class_means(const HostMatrixOf<T>& rows, const std::vector<int>& labels, int classes,
                               const mpi::Comm& comm) {
    if (classes < 2) {
        auto message = ::drfm::detail::concat("analysis: NC metrics need at least 2 classes, got ",
                                              classes);
        throw collective(InputDataError(message, __FILE__, __LINE__));
    }
    detail::agreed_columns(rows, "the representation", comm);
    auto h = detail::eigen_view(rows);
    mpi::collective(comm, [&] { check_class_indices(labels, h.rows(), classes, "labels"); });
    return class_means(h, labels, classes, comm);
}

/// Rows [begin, begin + m) minus their class means, formed exactly (in double).
template <class T>
Eigen::MatrixXd centred_block(const ConstHostMapOf<T>& h, const std::vector<int>& labels,
                              const Eigen::MatrixXd& means, Eigen::Index begin, Eigen::Index m) {
    Eigen::MatrixXd d(m, h.cols());
    for (Eigen::Index j = 0; j < h.cols(); ++j)
        for (Eigen::Index i = 0; i < m; ++i)
            d(i, j) = h(begin + i, j) - means(labels[begin + i], j);
    return d;
}

/// ‖G − E‖_F for the normalised centred class means (rows of `centred`), methods.md §3.3.
double etf_distance(const Eigen::MatrixXd& centred) {
    const Eigen::Index k = centred.rows();
    Eigen::MatrixXd unit = centred.array().colwise() / centred.rowwise().norm().array();
    Eigen::MatrixXd etf = Eigen::MatrixXd::Identity(k, k);
    etf.array() -= 1.0 / k;
    etf *= static_cast<double>(k) / (k - 1);
    return (unit * unit.transpose() - etf).norm();
}

}  // namespace

template <class T>
NcMetrics nc_metrics(const HostMatrixOf<T>& rows, const std::vector<int>& labels_local, int classes,
                     const mpi::Comm& comm) {
    ClassMeans stats = checked_class_means(rows, labels_local, classes, comm);
    auto h = detail::eigen_view(rows);
    const double k = classes, n = static_cast<double>(stats.samples);
    Eigen::RowVectorXd global_mean = stats.means.colwise().mean();  // mean of class means
    Eigen::MatrixXd centred = stats.means.rowwise() - global_mean;

    // Σ_B = centredᵀ centred / K: its eigenvectors are the right singular vectors of `centred`.
    Eigen::JacobiSVD<Eigen::MatrixXd> svd(centred, Eigen::ComputeThinV);
    const Eigen::VectorXd& s = svd.singularValues();
    Eigen::Index rank = 0;
    while (rank < s.size() && s(rank) * s(rank) > 1e-10 * s(0) * s(0)) ++rank;
    Eigen::MatrixXd basis = svd.matrixV().leftCols(rank);

    // Pass 2: tr S_W and Σ_i ((h_i − μ_c)·u_k)², one Allreduce of 1 + rank numbers.
    Eigen::VectorXd reduced = Eigen::VectorXd::Zero(1 + rank);
    for (Eigen::Index begin = 0; begin < h.rows(); begin += detail::row_block) {
        Eigen::Index m = std::min(detail::row_block, h.rows() - begin);
        Eigen::MatrixXd d = centred_block(h, labels_local, stats.means, begin, m);
        reduced(0) += d.squaredNorm();
        if (rank > 0) reduced.tail(rank) += detail::product(d, basis).colwise().squaredNorm();
    }
    comm.allreduce_sum(reduced.data(), reduced.size());

    NcMetrics out;
    out.samples = stats.samples;
    out.tr_sw = reduced(0);
    out.tr_sb = centred.squaredNorm();
    out.nc1_code = out.tr_sw / (n * out.tr_sb);
    out.nc1 = k * out.nc1_code;
    // (1/K) Σ_k (a_k/N) / (s_k²/K) with a_k = Σ_i ((h_i − μ_c)·u_k)².
    out.nc1_papyan = rank > 0 ? 0.0 : std::numeric_limits<double>::quiet_NaN();
    for (Eigen::Index r = 0; r < rank; ++r) out.nc1_papyan += reduced(1 + r) / (n * s(r) * s(r));
    out.nc2_fro = etf_distance(centred);
    out.nc2 = out.nc2_fro * out.nc2_fro / (k * k);
    return out;
}

template <class T>
double nc4(const HostMatrixOf<T>& rows, const std::vector<int>& labels_local,
           const std::vector<int>& predicted_local, int classes, const mpi::Comm& comm) {
    ClassMeans stats = checked_class_means(rows, labels_local, classes, comm);
    auto h = detail::eigen_view(rows);
    mpi::collective(comm, [&] {
        check_class_indices(predicted_local, h.rows(), classes, "predicted classes");
    });

    // argmin_c ‖h − μ_c‖² = argmin_c (‖μ_c‖² − 2 h·μ_c).
    Eigen::MatrixXd means_t = stats.means.transpose();
    Eigen::VectorXd mean_norms = stats.means.rowwise().squaredNorm();
    std::int64_t mismatches = 0;
    for (Eigen::Index begin = 0; begin < h.rows(); begin += detail::row_block) {
        Eigen::Index m = std::min(detail::row_block, h.rows() - begin);
        Eigen::MatrixXd scores = detail::product(detail::in_double(h.middleRows(begin, m)), means_t);
        for (Eigen::Index i = 0; i < m; ++i) {
            Eigen::Index nearest = 0;
            (mean_norms.transpose() - 2.0 * scores.row(i)).minCoeff(&nearest);
            if (nearest != predicted_local[begin + i]) ++mismatches;
        }
    }
    return static_cast<double>(comm.sum(mismatches)) / static_cast<double>(stats.samples);
}

#define DRFM_INSTANTIATE(T)                                                                  \
    template NcMetrics nc_metrics(const HostMatrixOf<T>&, const std::vector<int>&, int,       \
                                  const mpi::Comm&);                                          \
    template double nc4(const HostMatrixOf<T>&, const std::vector<int>&, const std::vector<int>&, \
                        int, const mpi::Comm&);
DRFM_ANALYSIS_FOR_ROW_SCALARS(DRFM_INSTANTIATE)
#undef DRFM_INSTANTIATE

}  // namespace drfm::analysis
