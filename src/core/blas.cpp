#include "drfm/core/blas.hpp"

extern "C" {
void sgemm_(const char* ta, const char* tb, const int* m, const int* n, const int* k,
            const float* alpha, const float* a, const int* lda, const float* b, const int* ldb,
            const float* beta, float* c, const int* ldc, size_t, size_t);
void dgemm_(const char* ta, const char* tb, const int* m, const int* n, const int* k,
            const double* alpha, const double* a, const int* lda, const double* b, const int* ldb,
            const double* beta, double* c, const int* ldc, size_t, size_t);
void ssyrk_(const char* uplo, const char* trans, const int* n, const int* k, const float* alpha,
            const float* a, const int* lda, const float* beta, float* c, const int* ldc, size_t,
            size_t);
void dsyrk_(const char* uplo, const char* trans, const int* n, const int* k, const double* alpha,
            const double* a, const int* lda, const double* beta, double* c, const int* ldc, size_t,
            size_t);
}

namespace drfm::blas {
namespace {

// The Fortran routine of each scalar.
void xgemm(const char* ta, const char* tb, const int* m, const int* n, const int* k, const float* alpha,
           const float* a, const int* lda, const float* b, const int* ldb, const float* beta,
           float* c, const int* ldc) {
    sgemm_(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, 1, 1);
}
void xgemm(const char* ta, const char* tb, const int* m, const int* n, const int* k,
           const double* alpha, const double* a, const int* lda, const double* b, const int* ldb,
           const double* beta, double* c, const int* ldc) {
    dgemm_(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, 1, 1);
}
void xsyrk(const char* uplo, const char* trans, const int* n, const int* k, const float* alpha,
           const float* a, const int* lda, const float* beta, float* c, const int* ldc) {
    ssyrk_(uplo, trans, n, k, alpha, a, lda, beta, c, ldc, 1, 1);
}
void xsyrk(const char* uplo, const char* trans, const int* n, const int* k, const double* alpha,
           const double* a, const int* lda, const double* beta, double* c, const int* ldc) {
    dsyrk_(uplo, trans, n, k, alpha, a, lda, beta, c, ldc, 1, 1);
}

template <class T>
void checked_gemm(Op op_a, Op op_b, T alpha, const BasicMatRef<T>& a, const BasicMatRef<T>& b,
                  T beta, const BasicMatRef<T>& c) {
    const bool ta = op_a == Op::transpose, tb = op_b == Op::transpose;
    const std::int64_t m = ta ? a.cols : a.rows, k = ta ? a.rows : a.cols;
    const std::int64_t kb = tb ? b.cols : b.rows, n = tb ? b.rows : b.cols;
    DRFM_CHECK(k == kb && c.rows == m && c.cols == n, Error, "gemm shape mismatch: op(A) ", m, "x",
               k, ", op(B) ", kb, "x", n, ", C ", c.rows, "x", c.cols);
    if (m == 0 || n == 0) return;
    const int im = to_blas_int(m, "gemm m"), in = to_blas_int(n, "gemm n"),
              ik = to_blas_int(k, "gemm k");
    const int lda = to_blas_int(a.ld, "gemm lda"), ldb = to_blas_int(b.ld, "gemm ldb"),
              ldc = to_blas_int(c.ld, "gemm ldc");
    const char cta = ta ? 'T' : 'N', ctb = tb ? 'T' : 'N';
    xgemm(&cta, &ctb, &im, &in, &ik, &alpha, a.data, &lda, b.data, &ldb, &beta, c.data, &ldc);
}

template <class T>
void checked_syrk(T alpha, const BasicMatRef<T>& a, T beta, const BasicMatRef<T>& c) {
    DRFM_CHECK(c.rows == c.cols && c.rows == a.cols, Error, "syrk shape mismatch: A ", a.rows, "x",
               a.cols, ", C ", c.rows, "x", c.cols);
    if (c.rows == 0) return;
    const int n = to_blas_int(a.cols, "syrk n"), k = to_blas_int(a.rows, "syrk k");
    const int lda = to_blas_int(a.ld, "syrk lda"), ldc = to_blas_int(c.ld, "syrk ldc");
    const char uplo = 'U', trans = 'T';
    xsyrk(&uplo, &trans, &n, &k, &alpha, a.data, &lda, &beta, c.data, &ldc);
}

}  // namespace

void gemm(Op op_a, Op op_b, double alpha, const MatRef& a, const MatRef& b, double beta,
          const MatRef& c) {
    checked_gemm(op_a, op_b, alpha, a, b, beta, c);
}
void gemm(Op op_a, Op op_b, float alpha, const MatRefF& a, const MatRefF& b, float beta,
          const MatRefF& c) {
    checked_gemm(op_a, op_b, alpha, a, b, beta, c);
}
void syrk_upper_t(double alpha, const MatRef& a, double beta, const MatRef& c) {
    checked_syrk(alpha, a, beta, c);
}
void syrk_upper_t(float alpha, const MatRefF& a, float beta, const MatRefF& c) {
    checked_syrk(alpha, a, beta, c);
}

}  // namespace drfm::blas
