#include "drfm/dist/eigh.hpp"

#include "drfm/core/log.hpp"
#include "drfm/dist/linalg.hpp"
#include "drfm/dist/scalapack_fwd.hpp"
#include "scalapack_checks.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <string>

namespace drfm::dist {
namespace {

constexpr int one = 1;
constexpr int query = -1;
constexpr double eps = std::numeric_limits<double>::epsilon();

// Column j of x ← factor · values[global j] · column j.
void scale_columns(DistMatrix& x, const std::vector<double>& values, double factor) {
    const Distribution& d = x.distribution();
    HostMatrix local = x.local();
    for (std::int64_t j = 0; j < d.local_cols(); ++j) {
        double s = factor * values[static_cast<size_t>(d.global_col(LocalIndex{j}).value)];
        for (std::int64_t i = 0; i < d.local_rows(); ++i) local(i, j) *= s;
    }
}

// G ← G − I for my local diagonal entries.
void subtract_identity(DistMatrix& g) {
    const Distribution& d = g.distribution();
    HostMatrix local = g.local();
    for (std::int64_t j = 0; j < d.local_cols(); ++j) {
        GlobalIndex gj = d.global_col(LocalIndex{j});
        if (d.owner_row(gj) == d.coord().row) local(d.local_row(gj).value, j) -= 1.0;
    }
}

void require_symmetric_input(const DistMatrix& a, const char* routine) {
    detail::require_square(a, routine);
    DRFM_CHECK(a.rows() >= 1, Error, routine, ": the matrix is empty");
}

// The eigenvector matrix the solvers write: n × n with A's blocks (their alignment rule).
DistMatrix eigenvector_matrix(const DistMatrix& a) {
    return DistMatrix(a.grid(), a.size(), BlockSize{a.desc().mb(), a.desc().nb()});
}

// Query buffers: pdsyevx writes WORK(1..3) even for a query (it broadcasts ABSTOL, VL, VU there).
struct QueryBuffers {
    std::array<double, 4> work{};
    std::array<int, 4> iwork{};
};

// LWORK for pdsyevd/pdsyevx: the queried value, but at least `offset` (the solver's own arrays in
// front of the workspace it hands on) plus what PDORMTR needs for the back-transformation,
// max(nb(nb−1)/2, (NqC0 + MpC0)·nb) + nb², with NqC0, MpC0 <= local size + nb. ScaLAPACK 2.2.1's
// pdsyevd LWMIN lacks this term when nb is large against n/P (n = 37, nb = 32 on one rank):
// PDORMTR then rejects LWORK and pdsyevd returns INFO = 0 with vectors never transformed.
double eigen_workspace(const DistMatrix& a, double queried, std::int64_t offset) {
    const Distribution& d = a.distribution();
    auto nb = static_cast<double>(a.desc().nb());
    double local = static_cast<double>(d.local_rows() + d.local_cols()) + 2.0 * nb;
    double pdormtr = std::max(nb * (nb - 1.0) / 2.0, local * nb) + nb * nb;
    return std::max(queried, static_cast<double>(offset) + pdormtr);
}

// W is documented as global output, but with ScaLAPACK 2.2.1 pdsyevd leaves it unset on processes
// other than (0, 0) when one block holds the whole matrix (n = 37, nb = 64 on 2×1). Process (0, 0)
// always takes part and is rank 0 of the grid's communicator (column-major), so it speaks for all.
void share_eigenvalues(const BlacsGrid& grid, std::vector<double>& w) {
    grid.comm().bcast(w.data(), static_cast<std::int64_t>(w.size()), 0);
}

std::string pdsyevx_failure(int info) {
    std::string text;
    if (info % 2 != 0) text += " some eigenvectors did not converge (IFAIL);";
    if ((info / 2) % 2 != 0)
        text += " vectors of a cluster of close eigenvalues could not be reorthogonalised;";
    if ((info / 4) % 2 != 0) text += " not all requested eigenvectors fitted the space given;";
    if ((info / 8) % 2 != 0) text += " bisection (pdstebz) failed to compute the eigenvalues;";
    return text;
}

}  // namespace

double eigen_error_threshold(std::int64_t n) noexcept {
    return 100.0 * static_cast<double>(std::max<std::int64_t>(n, 1)) * eps;
}

EigenChecks check_eigenpairs(const DistMatrix& a, const std::vector<double>& values,
                             const DistMatrix& vectors, const char* solver) {
    detail::require_square(a, solver);
    detail::require_same_grid(a, vectors, solver);
    DRFM_CHECK(vectors.rows() == a.rows() &&
                   static_cast<std::int64_t>(values.size()) == vectors.cols(),
               Error, solver, ": ", values.size(), " eigenvalues and ", vectors.rows(), "x",
               vectors.cols(), " eigenvectors do not fit a ", a.rows(), "x", a.cols(), " matrix");
    const double n = static_cast<double>(a.rows());
    EigenChecks checks;
    {
        DistMatrix r = vectors.clone();  // R = A·Z − Z·Λ
        scale_columns(r, values, -1.0);
        gemm(Trans::none, Trans::none, 1.0, a, vectors, 1.0, r);
        double scale = std::max(norm(Norm::fro, a) * n, std::numeric_limits<double>::min());
        checks.residual = norm(Norm::fro, r) / scale;
    }
    {
        int nb = vectors.desc().nb();
        DistMatrix g(a.grid(), GlobalSize{vectors.cols(), vectors.cols()}, BlockSize{nb, nb});
        gemm(Trans::transpose, Trans::none, 1.0, vectors, vectors, 0.0, g);  // G = ZᵀZ − I
        subtract_identity(g);
        checks.orthogonality = norm(Norm::fro, g) / n;
    }
    // pdlange broadcasts its result, so every rank compares the same numbers. `!(x <= t)` also
    // rejects NaN.
    double limit = eigen_error_threshold(a.rows());
    if (!(checks.residual <= limit && checks.orthogonality <= limit)) {
        throw collective(NumericalError(
            drfm::detail::concat(solver, ": eigenpairs rejected: residual ‖AZ−ZΛ‖_F/(‖A‖_F·n) = ",
                                 checks.residual, ", orthogonality ‖I−ZᵀZ‖_F/n = ",
                                 checks.orthogonality, ", threshold 100·n·eps = ", limit,
                                 " (n = ", a.rows(), "); the eigensolver returned inaccurate "
                                 "vectors: try another block size (parallel.block_size)"),
            __FILE__, __LINE__));
    }
    if (std::max(checks.residual, checks.orthogonality) > limit / 100.0) {
        log::warn() << solver << ": eigenpair residual " << checks.residual << ", orthogonality "
                    << checks.orthogonality << " exceed n·eps = " << limit / 100.0
                    << " (accepted up to " << limit << ")";
    }
    return checks;
}

EigenResult eigh_all(const DistMatrix& a) {
    require_symmetric_input(a, "eigh_all");
    const BlacsGrid& grid = a.grid();
    int n = to_blas_int(a.rows(), "eigh_all n");
    char jobz = to_char(Job::vectors);
    char uplo = to_char(Uplo::lower);
    std::vector<double> w(static_cast<size_t>(n));
    DistMatrix z = eigenvector_matrix(a);
    {
        DistMatrix work = a.clone();  // pdsyevd destroys its input; the check needs A
        int info = 0;
        QueryBuffers q;
        pdsyevd_(&jobz, &uplo, &n, work.data(), &one, &one, work.desc().data(), w.data(),
                 z.data(), &one, &one, z.desc().data(), q.work.data(), &query, q.iwork.data(),
                 &query, &info, 1, 1);
        detail::agreed_info(grid, "pdsyevd (workspace query)", info);
        // pdsyevd hands PDORMTR its workspace after 2n entries of its own.
        int lwork = detail::agreed_workspace(grid, eigen_workspace(a, q.work[0], 2 * a.rows()),
                                             "pdsyevd lwork");
        // Documented minimum LIWORK = 7n + 8·npcol + 2, in case the query reports less.
        double liwork_min = 7.0 * n + 8.0 * grid.npcol() + 2.0;
        int liwork = detail::agreed_workspace(
            grid, std::max(static_cast<double>(q.iwork[0]), liwork_min), "pdsyevd liwork");
        std::vector<double> work_d(static_cast<size_t>(lwork));
        std::vector<int> work_i(static_cast<size_t>(liwork));
        pdsyevd_(&jobz, &uplo, &n, work.data(), &one, &one, work.desc().data(), w.data(),
                 z.data(), &one, &one, z.desc().data(), work_d.data(), &lwork, work_i.data(),
                 &liwork, &info, 1, 1);
        info = detail::agreed_info(grid, "pdsyevd", info);
        if (info > 0) {
            throw collective(ScalapackError(
                drfm::detail::concat("pdsyevd returned info = ", info,
                                     ": divide and conquer failed to compute eigenvalue ",
                                     info / (n + 1), " on the submatrix at rows/columns ",
                                     info % (n + 1), " (n = ", n,
                                     "); check the matrix for NaN/Inf entries"),
                __FILE__, __LINE__));
        }
    }
    share_eigenvalues(grid, w);
    EigenChecks checks = check_eigenpairs(a, w, z, "pdsyevd");
    return EigenResult{std::move(w), std::move(z), checks};
}

EigenResult eigh_top(const DistMatrix& a, std::int64_t k) {
    require_symmetric_input(a, "eigh_top");
    DRFM_CHECK(k >= 1 && k <= a.rows(), Error, "eigh_top: k = ", k, " eigenpairs requested of a ",
               a.rows(), "x", a.rows(), " matrix (need 1 <= k <= n)");
    const BlacsGrid& grid = a.grid();
    int n = to_blas_int(a.rows(), "eigh_top n");
    int il = n - static_cast<int>(k) + 1;
    char jobz = to_char(Job::vectors);
    char range = to_char(Range::index);
    char uplo = to_char(Uplo::lower);
    const double unused = 0.0;                                        // vl, vu (RANGE = 'I')
    const double abstol = 2.0 * std::numeric_limits<double>::min();  // most accurate bisection
    const double orfac = 1e-3;                                        // pdsyevx's default
    int nprocs = grid.nprow() * grid.npcol();
    std::vector<double> w(static_cast<size_t>(n));
    std::vector<double> gap(static_cast<size_t>(nprocs));
    std::vector<int> ifail(static_cast<size_t>(n));
    std::vector<int> iclustr(static_cast<size_t>(2 * nprocs));
    int found = 0;
    int computed = 0;
    DistMatrix z = eigenvector_matrix(a);
    {
        DistMatrix work = a.clone();  // pdsyevx destroys its input; the check needs A
        auto call = [&](double* work_d, const int* lwork, int* work_i, const int* liwork) {
            int info = 0;
            pdsyevx_(&jobz, &range, &uplo, &n, work.data(), &one, &one, work.desc().data(),
                     &unused, &unused, &il, &n, &abstol, &found, &computed, w.data(), &orfac,
                     z.data(), &one, &one, z.desc().data(), work_d, lwork, work_i, liwork,
                     ifail.data(), iclustr.data(), gap.data(), &info, 1, 1, 1);
            return info;
        };
        QueryBuffers q;
        detail::agreed_info(grid, "pdsyevx (workspace query)",
                            call(q.work.data(), &query, q.iwork.data(), &query));
        // pdsyevx hands PDORMTR its workspace after 5n entries of its own; (CLUSTERSIZE − 1)·n
        // more guarantees orthogonal vectors for clusters of up to k eigenvalues.
        double lwork_needed = eigen_workspace(a, q.work[0], 5 * a.rows());
        int lwork = detail::agreed_workspace(
            grid, lwork_needed + static_cast<double>(k - 1) * n, "pdsyevx lwork");
        int liwork = detail::agreed_workspace(grid, q.iwork[0], "pdsyevx liwork");
        std::vector<double> work_d(static_cast<size_t>(lwork));
        std::vector<int> work_i(static_cast<size_t>(liwork));
        int info = detail::agreed_info(grid, "pdsyevx",
                                       call(work_d.data(), &lwork, work_i.data(), &liwork));
        if (info > 0) {
            throw collective(ScalapackError(
                drfm::detail::concat("pdsyevx returned info = ", info, ":",
                                     pdsyevx_failure(info), " (n = ", n, ", k = ", k,
                                     "); check the matrix for NaN/Inf entries"),
                __FILE__, __LINE__));
        }
    }
    // M and NZ are global outputs, equal on every rank.
    if (found != k || computed != k) {
        throw collective(ScalapackError(
            drfm::detail::concat("pdsyevx returned ", found, " eigenvalues and ", computed,
                                 " eigenvectors, ", k, " were requested (n = ", n, ")"),
            __FILE__, __LINE__));
    }
    // Z and the n×k result share blocks and process columns, so global columns 0..k−1 are my
    // first local_cols(k) local columns in both: a local copy, no communication.
    DistMatrix vectors(grid, GlobalSize{a.rows(), k}, BlockSize{a.desc().mb(), a.desc().nb()});
    HostMatrix dst = vectors.local();
    Kokkos::deep_copy(dst, Kokkos::subview(z.local(), Kokkos::ALL,
                                           std::make_pair(size_t{0}, dst.extent(1))));
    w.resize(static_cast<size_t>(k));
    share_eigenvalues(grid, w);
    EigenChecks checks = check_eigenpairs(a, w, vectors, "pdsyevx");
    return EigenResult{std::move(w), std::move(vectors), checks};
}

}  // namespace drfm::dist
