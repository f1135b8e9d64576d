#include "drfm/dist/linalg.hpp"

#include "drfm/dist/scalapack_fwd.hpp"
#include "scalapack_checks.hpp"

#include <algorithm>
#include <string>
#include <vector>

namespace drfm::dist {
namespace {

constexpr int one = 1;  // ScaLAPACK's 1-based (ia, ja) of a whole matrix

/// The LAPACK and ScaLAPACK factorisations of each scalar, for code written once over both.
template <class T>
struct Factorisations;
template <>
struct Factorisations<double> {
    static constexpr char letter = 'd';
    static constexpr auto potrf = dpotrf_;
    static constexpr auto potrs = dpotrs_;
    static constexpr auto getrf = dgetrf_;
    static constexpr auto getrs = dgetrs_;
    static constexpr auto ppotrf = pdpotrf_;
    static constexpr auto ppotrs = pdpotrs_;
    static constexpr auto pgetrf = pdgetrf_;
    static constexpr auto pgetrs = pdgetrs_;
};
template <>
struct Factorisations<float> {
    static constexpr char letter = 's';
    static constexpr auto potrf = spotrf_;
    static constexpr auto potrs = spotrs_;
    static constexpr auto getrf = sgetrf_;
    static constexpr auto getrs = sgetrs_;
    static constexpr auto ppotrf = pspotrf_;
    static constexpr auto ppotrs = pspotrs_;
    static constexpr auto pgetrf = psgetrf_;
    static constexpr auto pgetrs = psgetrs_;
};

/// The routine's name as the user would look it up: "pdpotrf", "spotrf", ...
template <class T>
std::string routine(bool lapack, const char* name) {
    return drfm::detail::concat(lapack ? "" : "p", Factorisations<T>::letter, name);
}

// On a 1x1 grid the local block is the whole matrix, and ScaLAPACK's factorisations only add their
// PBLAS layers to every panel: LAPACK's (OpenBLAS's) dpotrf is about 1.5x faster at n = 10000
// (bench/RESULTS.md). Same algorithm, same checks; results differ from a larger grid's by rounding.
template <class T>
bool one_process(const BasicDistMatrix<T>& a) { return a.grid().nprow() * a.grid().npcol() == 1; }

// Rows × columns of op(X).
GlobalSize op_size(Trans trans, const DistMatrix& x) {
    return trans == Trans::none ? x.size() : GlobalSize{x.cols(), x.rows()};
}

}  // namespace

void gemm(Trans trans_a, Trans trans_b, double alpha, const DistMatrix& a, const DistMatrix& b,
          double beta, DistMatrix& c) {
    detail::require_same_grid(a, b, "gemm");
    detail::require_same_grid(a, c, "gemm");
    GlobalSize op_a = op_size(trans_a, a);
    GlobalSize op_b = op_size(trans_b, b);
    DRFM_CHECK(op_a.cols == op_b.rows && c.rows() == op_a.rows && c.cols() == op_b.cols, Error,
               "gemm: op(A) is ", op_a.rows, "x", op_a.cols, ", op(B) ", op_b.rows, "x",
               op_b.cols, ", C ", c.rows(), "x", c.cols(), ": shapes do not conform");
    int m = to_blas_int(op_a.rows, "gemm m");
    int n = to_blas_int(op_b.cols, "gemm n");
    int k = to_blas_int(op_a.cols, "gemm k");
    char ta = to_char(trans_a);
    char tb = to_char(trans_b);
    // pdgemm has no info: PBLAS only prints argument errors, hence the checks above.
    pdgemm_(&ta, &tb, &m, &n, &k, &alpha, a.data(), &one, &one, a.desc().data(), b.data(), &one,
            &one, b.desc().data(), &beta, c.data(), &one, &one, c.desc().data(), 1, 1);
}

Uplo cholesky_triangle(const BlacsGrid& grid) {
    // pdpotrf factorises one block column (lower) or block row (upper) at a time, a panel spread
    // over the processes of a grid column or row. On a tall grid a block row spans fewer of them,
    // so its panels take fewer messages (2x1 grid, n = 8000: 4.0-4.2 -> 3.1-3.5 s).
    return grid.nprow() > grid.npcol() ? Uplo::upper : Uplo::lower;
}

template <class T>
void cholesky_solve(BasicDistMatrix<T>& a, BasicDistMatrix<T>& b, Uplo triangle) {
    using F = Factorisations<T>;
    detail::require_square(a, "cholesky_solve");
    detail::require_rhs(a, b, "cholesky_solve");
    int n = to_blas_int(a.rows(), "cholesky_solve n");
    char uplo = to_char(triangle);
    int info = 0;
    const bool lapack = one_process(a);
    const int lda = a.desc().lld();
    const std::string factor = routine<T>(lapack, "potrf");
    if (lapack) F::potrf(&uplo, &n, a.data(), &lda, &info, 1);
    else F::ppotrf(&uplo, &n, a.data(), &one, &one, a.desc().data(), &info, 1);
    info = detail::agreed_info(a.grid(), factor.c_str(), info);
    if (info > 0) {
        throw collective(NumericalError(
            drfm::detail::concat(factor, ": the leading minor of order ", info, " of the ", n, "x",
                                 n, " matrix is not positive definite, so neither is the matrix"),
            __FILE__, __LINE__));
    }
    solve_with_cholesky(a, b, triangle);
}

template <class T>
void solve_with_cholesky(const BasicDistMatrix<T>& factor, BasicDistMatrix<T>& b, Uplo triangle) {
    using F = Factorisations<T>;
    detail::require_rhs(factor, b, "solve_with_cholesky");
    int n = to_blas_int(factor.rows(), "cholesky_solve n");
    int nrhs = to_blas_int(b.cols(), "cholesky_solve nrhs");
    char uplo = to_char(triangle);
    int info = 0;
    const bool lapack = one_process(factor);
    const int lda = factor.desc().lld(), ldb = b.desc().lld();
    if (lapack) {
        F::potrs(&uplo, &n, &nrhs, factor.data(), &lda, b.data(), &ldb, &info, 1);
    } else {
        F::ppotrs(&uplo, &n, &nrhs, factor.data(), &one, &one, factor.desc().data(), b.data(),
                  &one, &one, b.desc().data(), &info, 1);
    }
    // Fails on arguments only.
    detail::agreed_info(factor.grid(), routine<T>(lapack, "potrs").c_str(), info);
}

template <class T>
void cholesky_solve(BasicDistMatrix<T>& a, BasicDistMatrix<T>& b) {
    cholesky_solve(a, b, cholesky_triangle(a.grid()));
}

template <class T>
void lu_solve(BasicDistMatrix<T>& a, BasicDistMatrix<T>& b) {
    using F = Factorisations<T>;
    detail::require_square(a, "lu_solve");
    detail::require_rhs(a, b, "lu_solve");
    int n = to_blas_int(a.rows(), "lu_solve n");
    int nrhs = to_blas_int(b.cols(), "lu_solve nrhs");
    // p?getrf: LOCr(M_A) + MB_A pivot entries (?getrf: n).
    std::vector<int> ipiv(static_cast<size_t>(a.distribution().local_rows() + a.desc().mb()));
    int info = 0;
    const bool lapack = one_process(a);
    const int lda = a.desc().lld(), ldb = b.desc().lld();
    const std::string factor = routine<T>(lapack, "getrf");
    if (lapack) F::getrf(&n, &n, a.data(), &lda, ipiv.data(), &info);
    else F::pgetrf(&n, &n, a.data(), &one, &one, a.desc().data(), ipiv.data(), &info);
    info = detail::agreed_info(a.grid(), factor.c_str(), info);
    if (info > 0) {
        throw collective(NumericalError(
            drfm::detail::concat(factor, ": U(", info, ",", info, ") is exactly zero, the ", n,
                                 "x", n, " matrix is singular and the system has no unique "
                                 "solution"),
            __FILE__, __LINE__));
    }
    char trans = to_char(Trans::none);
    if (lapack) {
        F::getrs(&trans, &n, &nrhs, a.data(), &lda, ipiv.data(), b.data(), &ldb, &info, 1);
    } else {
        F::pgetrs(&trans, &n, &nrhs, a.data(), &one, &one, a.desc().data(), ipiv.data(), b.data(),
                  &one, &one, b.desc().data(), &info, 1);
    }
    // Fails on arguments only.
    detail::agreed_info(a.grid(), routine<T>(lapack, "getrs").c_str(), info);
}

#define DRFM_INSTANTIATE_SOLVERS(T)                                                        \
    template void cholesky_solve(BasicDistMatrix<T>&, BasicDistMatrix<T>&);                \
    template void cholesky_solve(BasicDistMatrix<T>&, BasicDistMatrix<T>&, Uplo);          \
    template void solve_with_cholesky(const BasicDistMatrix<T>&, BasicDistMatrix<T>&, Uplo); \
    template void lu_solve(BasicDistMatrix<T>&, BasicDistMatrix<T>&);
DRFM_INSTANTIATE_SOLVERS(double)
DRFM_INSTANTIATE_SOLVERS(float)
#undef DRFM_INSTANTIATE_SOLVERS

double norm(Norm kind, const DistMatrix& a) {
    int m = to_blas_int(a.rows(), "norm m");
    int n = to_blas_int(a.cols(), "norm n");
    // Work: LOCc(n) for the one-norm, LOCr(m) for the inf-norm, unused otherwise.
    const Distribution& d = a.distribution();
    std::vector<double> work(static_cast<size_t>(std::max<std::int64_t>(
        {d.local_rows(), d.local_cols(), std::int64_t{1}})));
    char c = to_char(kind);
    return pdlange_(&c, &m, &n, a.data(), &one, &one, a.desc().data(), work.data(), 1);
}

void redistribute(const DistMatrix& source, DistMatrix& target) {
    DRFM_CHECK(source.rows() == target.rows() && source.cols() == target.cols(), Error,
               "redistribute: source is ", source.rows(), "x", source.cols(), ", target ",
               target.rows(), "x", target.cols());
    int relation = MPI_UNEQUAL;
    DRFM_MPI(MPI_Comm_compare(source.grid().comm().get(), target.grid().comm().get(), &relation));
    // pdgemr2d needs a context spanning both grids: the source grid's, when both have its ranks.
    DRFM_CHECK(relation == MPI_IDENT || relation == MPI_CONGRUENT, Error,
               "redistribute: the two grids are not over the same ranks in the same order");
    int m = to_blas_int(source.rows(), "redistribute m");
    int n = to_blas_int(source.cols(), "redistribute n");
    int context = source.grid().context();
    pdgemr2d_(&m, &n, source.data(), &one, &one, source.desc().data(), target.data(), &one, &one,
              target.desc().data(), &context);
}

}  // namespace drfm::dist
