// The n×n ScaLAPACK route of the kernel picture (methods.md §5.2): G = (1/n) F Fᵀ block-cyclic,
// all eigenpairs by pdsyevd, projections ⟨e_k, y⟩ = (Uᵀ y)_k / √n by pdgemm.
#include "kernel_routes.hpp"

#include "drfm/core/error.hpp"
#include "drfm/core/row_partition.hpp"
#include "drfm/dist/eigh.hpp"
#include "drfm/dist/gather_rows.hpp"
#include "drfm/dist/linalg.hpp"

#include <cmath>
#include <cstdint>

namespace drfm::analysis::detail {
namespace {

/// m − means as a HostMatrix (the layout block_cyclic_from_rows moves), in double.
template <class Matrix>
HostMatrix centred_copy(const Matrix& m, const Eigen::RowVectorXd& means, const char* label) {
    HostMatrix out = make_host_matrix(label, m.rows(), m.cols());
    for (Eigen::Index j = 0; j < m.cols(); ++j)
        for (Eigen::Index i = 0; i < m.rows(); ++i) out(i, j) = m(i, j) - means(j);
    return out;
}

/// The rows must lie as RowPartition puts them: block_cyclic_from_rows finds rows by it.
RowPartition checked_partition(Eigen::Index local_rows, std::int64_t n, const mpi::Comm& comm) {
    RowPartition rows(n, comm.size());
    mpi::collective(comm, [&] {
        DRFM_CHECK(local_rows == rows.count(comm.rank()), InputDataError,
                   "kernel picture (n×n route): rank ", comm.rank(), " holds ", local_rows,
                   " of the ", n, " sample rows; the route needs them in balanced contiguous "
                   "blocks (", rows.count(comm.rank()), " rows on this rank)");
    });
    return rows;
}

}  // namespace

template <class T>
RouteResult gram_route(const ConstHostMapOf<T>& f, const Eigen::MatrixXd& y, double samples,
                       bool centred, const dist::BlacsGrid& grid, int block_size) {
    const mpi::Comm& comm = grid.comm();
    const auto n = static_cast<std::int64_t>(samples);
    const Eigen::Index p = f.cols(), q = y.cols(), c = q / 2;
    const RowPartition rows = checked_partition(f.rows(), n, comm);
    const dist::BlockSize block{block_size, block_size};

    const Eigen::RowVectorXd means = column_means(f, y, samples, centred, comm);
    const HostMatrix y_rows = centred_copy(y, means.tail(q), "drfm::analysis::gram_outputs");
    Eigen::RowVectorXd norms = eigen_view(y_rows).colwise().squaredNorm();
    comm.allreduce_sum(norms.data(), norms.size());

    dist::DistMatrix g(grid, dist::GlobalSize{n, n}, block);
    {
        const HostMatrix f_rows = centred_copy(f, means.head(p), "drfm::analysis::gram_features");
        const dist::DistMatrix fd = dist::block_cyclic_from_rows(grid, rows, f_rows, block);
        dist::gemm(dist::Trans::none, dist::Trans::transpose, 1.0 / samples, fd, fd, 0.0, g);
    }
    // Values ascending, shared by every rank; residual and orthogonality checked inside.
    const dist::EigenResult eig = dist::eigh_all(g);

    // ⟨e_k, y⟩ = (1/n) Σ_i √n U_ik y_i = (Uᵀ y)_k / √n for all n pairs: 4n²C flops, small next
    // to the eigensolve, and n × 2C doubles replicated.
    HostMatrix coeff;
    {
        const dist::DistMatrix yd = dist::block_cyclic_from_rows(grid, rows, y_rows, block);
        dist::DistMatrix proj(grid, dist::GlobalSize{n, q}, block);
        dist::gemm(dist::Trans::transpose, dist::Trans::none, 1.0 / std::sqrt(samples),
                   eig.vectors, yd, 0.0, proj);
        coeff = proj.replicate();
    }

    // Descending order: ρ_k is values[n − 1 − k]; same cutoff as the covariance route.
    const auto& values = eig.values;
    std::int64_t r = 0;
    while (r < n && values[n - 1 - r] > kernel_rank_cutoff * values[n - 1]) ++r;
    RouteResult out;
    KernelProjections& pr = out.projections;
    pr.target.resize(r, c);
    pr.function.resize(r, c);
    for (std::int64_t k = 0; k < r; ++k) {
        const std::int64_t row = n - 1 - k;
        pr.rho.push_back(values[row]);
        for (Eigen::Index j = 0; j < c; ++j) {
            pr.target(k, j) = coeff(row, j);
            pr.function(k, j) = coeff(row, c + j);
        }
    }
    pr.target_norm2 = norms.head(c).sum() / samples;
    pr.function_norm2 = norms.tail(c).sum() / samples;

    // eigh_all's residual is ‖GU − UΛ‖_F / (‖G‖_F·n); rescaled to ρ_1 as Spectrum documents.
    const double g_norm = dist::norm(dist::Norm::fro, g);  // collective: called on every rank
    if (r > 0) out.eig_residual = eig.checks.residual * g_norm * samples / values[n - 1];
    return out;
}

#define DRFM_INSTANTIATE(T)                                                                  \
    template RouteResult gram_route(const ConstHostMapOf<T>&, const Eigen::MatrixXd&, double, \
                                    bool, const dist::BlacsGrid&, int);
DRFM_ANALYSIS_FOR_ROW_SCALARS(DRFM_INSTANTIATE)
#undef DRFM_INSTANTIATE

}  // namespace drfm::analysis::detail
