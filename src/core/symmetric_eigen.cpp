#include "drfm/core/symmetric_eigen.hpp"

#include "drfm/core/blas.hpp"
#include "drfm/core/error.hpp"

#include <algorithm>
#include <cstddef>
#include <vector>

// LAPACK (LP64), with gfortran's hidden CHARACTER lengths appended.
extern "C" void dsyevd_(const char* jobz, const char* uplo, const int* n, double* a, const int* lda,
                        double* w, double* work, const int* lwork, int* iwork, const int* liwork,
                        int* info, std::size_t jobz_len, std::size_t uplo_len);

namespace drfm {

SymmetricEigen symmetric_eigen(const Eigen::MatrixXd& a, bool want_vectors) {
    DRFM_CHECK(a.rows() == a.cols(), Error, "symmetric_eigen: matrix is ", a.rows(), "x", a.cols(),
               ", not square");
    DRFM_CHECK(a.allFinite(), NumericalError, "symmetric eigensolve: the ", a.rows(), "x",
               a.cols(), " matrix has NaN/Inf entries; check the features (or AGOP) for overflow");
    SymmetricEigen out;
    const int n = blas::to_blas_int(a.rows(), "dsyevd order");
    if (n == 0) return out;
    Eigen::MatrixXd work_matrix = a;
    Eigen::VectorXd ascending(n);
    const char* jobz = want_vectors ? "V" : "N";
    int info = 0, lwork = -1, liwork = -1, iwork_query = 0;
    double work_query = 0.0;
    dsyevd_(jobz, "L", &n, work_matrix.data(), &n, ascending.data(), &work_query, &lwork,
            &iwork_query, &liwork, &info, 1, 1);
    if (info == 0) {  // workspace query done: the real call
        lwork = static_cast<int>(work_query);
        liwork = iwork_query;
        std::vector<double> work(static_cast<std::size_t>(std::max(1, lwork)));
        std::vector<int> iwork(static_cast<std::size_t>(std::max(1, liwork)));
        dsyevd_(jobz, "L", &n, work_matrix.data(), &n, ascending.data(), work.data(), &lwork,
                iwork.data(), &liwork, &info, 1, 1);
    }
    DRFM_CHECK(info == 0, ScalapackError, "LAPACK dsyevd on a ", n, "x", n,
               " symmetric matrix returned info = ", info,
               info < 0 ? " (illegal argument: a drfm bug, please report it)"
                        : " (did not converge: the matrix is too badly scaled; check the input)");
    out.values = ascending.reverse();
    if (want_vectors) out.vectors = work_matrix.rowwise().reverse();  // columns in descending order
    return out;
}

}  // namespace drfm
