#include "drfm/solve/krr.hpp"

#include "drfm/core/blas.hpp"
#include "drfm/core/device_blas.hpp"
#include "drfm/core/host_window.hpp"
#include "drfm/dist/linalg.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace drfm::solve {
namespace {

/// The n×classes targets Y in the kernel matrix's row blocks.
template <class T, class KernelMatrix>
dist::BasicDistMatrix<T> targets(const KernelMatrix& k, const std::vector<int>& labels,
                                 int classes) {
    const dist::BlockSize block = k.distribution().block();
    dist::BasicDistMatrix<T> y(k.grid(), {static_cast<std::int64_t>(labels.size()), classes},
                               {block.rows, block.cols});
    y.fill([&](std::int64_t i, std::int64_t c) { return signed_target(labels[i], static_cast<int>(c)); });
    return y;
}

/// A solver failure with what to do about it.
NumericalError solver_failure(const std::string& what, double ridge, bool single) {
    return collective(NumericalError(
        detail::concat(what, ". The kernel matrix", ridge > 0.0 ? " plus ridge" : "",
                       " is numerically ", ridge > 0.0 ? "not positive definite" : "singular",
                       single ? " in float32" : "",
                       " (duplicate samples or a bandwidth far too large?): set model.ridge to a "
                       "larger positive value (e.g. 1e-3 or 1e-2)",
                       single ? " or model.precision = \"float64\"" : ""),
        __FILE__, __LINE__));
}

/// α must be finite: a float32 solve can overflow where float64's does not. α is replicated, so
/// every rank throws together.
void require_finite(const HostMatrix& alpha, double ridge, bool single) {
    if (!all_finite(alpha))
        throw solver_failure("the solve gave a non-finite coefficient", ridge, single);
}

template <class T>
void check_shape(const dist::BasicDistMatrix<T>& k, std::int64_t n) {
    DRFM_CHECK(k.rows() == n && k.cols() == n, Error, "fit: kernel matrix is ", k.rows(), "x",
               k.cols(), " for ", n, " labels");
}

double max_abs(const double* v, std::int64_t count) {
    double m = 0.0;
    for (std::int64_t i = 0; i < count; ++i) m = std::max(m, std::abs(v[i]));
    return m;
}

/// Whether entry (row, col) lies strictly inside `triangle`.
bool in_strict_triangle(dist::Uplo triangle, std::int64_t row, std::int64_t col) {
    return triangle == dist::Uplo::lower ? row > col : row < col;
}

/// (K + λI)·x in float64, replicated, for the K of `k` whose strict triangle `kept` holds K's
/// entries (the other one is the factor) and whose diagonal is `diagonal`. Each process widens its
/// part of the kept triangle panel by panel and adds it and its transpose (two DGEMMs with the
/// rows of x it needs); one Allreduce of n×c sums them. Collective over k's grid.
HostMatrix kernel_product(const dist::DistMatrixF& k, dist::Uplo kept, double diagonal,
                          const HostMatrix& x) {
    const dist::Distribution& dist = k.distribution();
    const std::vector<std::int64_t> rows = dist.my_global_rows(), cols = dist.my_global_cols();
    const std::int64_t nr = rows.size(), nc = cols.size(), c = x.extent(1);
    const HostMatrix x_rows = rows_at<double>(x, rows, "drfm::solve::rows");
    const HostMatrix x_cols = rows_at<double>(x, cols, "drfm::solve::rows");
    HostMatrix part_rows("drfm::solve::product_rows", nr, c);
    HostMatrix part_cols("drfm::solve::product_cols", nc, c);
    const std::int64_t width = std::min(refinement_panel, nc);
    HostMatrix panel = make_host_matrix("drfm::solve::widened_panel", nr, width);
    const auto local = k.local();
    const blas::MatRef row_sums(part_rows), col_sums(part_cols), col_x(x_cols);
    for (std::int64_t c0 = 0; c0 < nc && nr > 0; c0 += width) {
        const std::int64_t w = std::min(width, nc - c0);
        const HostMatrix p = leading_block(panel, nr, w);
        for (std::int64_t j = 0; j < w; ++j) {
            const std::int64_t gj = cols[c0 + j];
            for (std::int64_t i = 0; i < nr; ++i) {
                p(i, j) = in_strict_triangle(kept, rows[i], gj) ? static_cast<double>(local(i, c0 + j)) : 0.0;
            }
        }
        blas::gemm(blas::Op::none, blas::Op::none, 1.0, p, col_x.block(c0, w, 0, c), 1.0, row_sums);
        blas::gemm(blas::Op::transpose, blas::Op::none, 1.0, p, x_rows, 0.0,
                   col_sums.block(c0, w, 0, c));
    }
    HostMatrix product("drfm::solve::kernel_product", x.extent(0), c);
    for (std::int64_t q = 0; q < c; ++q) {
        for (std::int64_t i = 0; i < nr; ++i) product(rows[i], q) += part_rows(i, q);
        for (std::int64_t j = 0; j < nc; ++j) product(cols[j], q) += part_cols(j, q);
    }
    k.grid().comm().allreduce_sum(product.data(), static_cast<std::int64_t>(product.size()));
    for (size_t i = 0; i < product.size(); ++i) product.data()[i] += diagonal * x.data()[i];
    return product;
}

/// The float64 solve of the float kernel of `k` (kept triangle and diagonal, widened).
HostMatrix float64_solve(const dist::DistMatrixF& k, dist::Uplo kept, float diagonal,
                         const std::vector<int>& labels, int classes, double ridge) {
    const dist::Distribution& dist = k.distribution();
    const dist::BlockSize block = dist.block();
    dist::DistMatrix wide(k.grid(), k.size(), block, dist::Fill::none);
    const std::vector<std::int64_t> rows = dist.my_global_rows(), cols = dist.my_global_cols();
    const auto from = k.local();
    const HostMatrix to = wide.local();
    for (size_t j = 0; j < cols.size(); ++j)
        for (size_t i = 0; i < rows.size(); ++i) {
            if (in_strict_triangle(kept, rows[i], cols[j])) to(i, j) = from(i, j);
            else if (rows[i] == cols[j]) to(i, j) = diagonal;
        }
    dist::DistMatrix y = targets<double>(k, labels, classes);
    try {
        dist::cholesky_solve(wide, y, kept);
    } catch (const NumericalError& e) {
        throw solver_failure(e.what(), ridge, false);
    }
    return y.replicate();
}

}  // namespace

template <class T>
HostMatrix fit(dist::BasicDistMatrix<T>& k, double ridge, const std::vector<int>& labels,
               int classes) {
    check_shape(k, static_cast<std::int64_t>(labels.size()));
    constexpr bool single = std::is_same_v<T, float>;
    dist::BasicDistMatrix<T> y = targets<T>(k, labels, classes);
    try {
        if (ridge > 0.0) dist::cholesky_solve(k, y);
        else dist::lu_solve(k, y);
    } catch (const NumericalError& e) {
        throw solver_failure(e.what(), ridge, single);
    }
    HostMatrix alpha = in_precision<double>(y.replicate(), "drfm::solve::alpha");
    require_finite(alpha, ridge, single);
    return alpha;
}

template HostMatrix fit(dist::DistMatrix&, double, const std::vector<int>&, int);
template HostMatrix fit(dist::DistMatrixF&, double, const std::vector<int>&, int);

RefinedFit fit_refined(dist::DistMatrixF& k, double ridge, const std::vector<int>& labels,
                       int classes, int max_steps) {
    const std::int64_t n = static_cast<std::int64_t>(labels.size());
    check_shape(k, n);
    DRFM_CHECK(ridge > 0.0, Error, "fit_refined needs a positive ridge, got ", ridge);
    const dist::Uplo factor = dist::cholesky_triangle(k.grid());
    const dist::Uplo kept = factor == dist::Uplo::lower ? dist::Uplo::upper : dist::Uplo::lower;
    // The diagonal kernel::assemble wrote: exactly k(x, x) + λ = 1 + λ, rounded to float.
    const float diagonal = static_cast<float>(1.0 + ridge);
    HostMatrix y("drfm::solve::targets", n, classes);
    for (std::int64_t c = 0; c < classes; ++c)
        for (std::int64_t i = 0; i < n; ++i) y(i, c) = signed_target(labels[i], static_cast<int>(c));

    RefinedFit out;
    dist::DistMatrixF rhs = targets<float>(k, labels, classes);
    bool converged = false;
    try {
        dist::cholesky_solve(k, rhs, factor);
        out.alpha = in_precision<double>(rhs.replicate(), "drfm::solve::alpha");
        // LAPACK's dsposv test: ‖r_c‖∞ ≤ ‖α_c‖∞ ‖A‖∞ ε √n for every column c.
        // ‖A‖∞ is A's largest row sum: its entries are positive.
        HostMatrix ones("drfm::solve::ones", n, 1);
        Kokkos::deep_copy(ones, 1.0);
        const double a_norm = max_abs(kernel_product(k, kept, diagonal, ones).data(), n);
        const double bound = std::numeric_limits<double>::epsilon() * std::sqrt(double(n));
        double previous = std::numeric_limits<double>::infinity();
        for (int step = 0; step <= max_steps; ++step) {
            const HostMatrix ax = kernel_product(k, kept, diagonal, out.alpha);
            double worst = 0.0;  // max over columns of ‖r_c‖∞ / (‖α_c‖∞ ‖A‖∞)
            for (std::int64_t c = 0; c < classes; ++c) {
                double r = 0.0;
                for (std::int64_t i = 0; i < n; ++i) r = std::max(r, std::abs(y(i, c) - ax(i, c)));
                const double x = max_abs(&out.alpha(0, c), n);
                worst = std::max(worst, r / (x * a_norm));
            }
            out.backward_error = worst;
            if (worst <= bound) {
                converged = true;
                break;
            }
            // Corrections that stop shrinking will not converge (κ ε_float ≳ 1/2): stop early.
            if (!std::isfinite(worst) || step == max_steps || (step > 1 && worst > 0.5 * previous))
                break;
            previous = worst;
            rhs.fill([&](std::int64_t i, std::int64_t c) { return y(i, c) - ax(i, c); });
            dist::solve_with_cholesky(k, rhs, factor);
            const HostMatrixOf<float> delta = rhs.replicate();
            for (size_t i = 0; i < delta.size(); ++i) out.alpha.data()[i] += delta.data()[i];
            out.steps = step + 1;
        }
    } catch (const NumericalError&) {
        // The float factorisation failed (on every rank: its info is agreed); the kept triangle
        // is untouched, so the float64 one below still sees the kernel.
    }
    if (!converged) {
        out.alpha = float64_solve(k, kept, diagonal, labels, classes, ridge);
        out.fell_back = true;
    }
    require_finite(out.alpha, ridge, false);
    return out;
}

void add_to_score(const HostMatrix& f, const std::vector<int>& row_labels, double& correct,
                  double& squared_error) {
    const std::vector<int> predicted = argmax_rows(f);
    for (size_t i = 0; i < f.extent(0); ++i) {
        correct += predicted[i] == row_labels[i] ? 1.0 : 0.0;
        for (size_t c = 0; c < f.extent(1); ++c) {
            const double e = f(i, c) - signed_target(row_labels[i], static_cast<int>(c));
            squared_error += e * e;
        }
    }
}

std::vector<int> argmax_rows(const HostMatrix& f) {
    std::vector<int> out(f.extent(0), 0);
    for (size_t i = 0; i < f.extent(0); ++i)
        for (size_t c = 1; c < f.extent(1); ++c)
            if (f(i, c) > f(i, out[i])) out[i] = static_cast<int>(c);
    return out;
}

template <class T>
Score predict_and_score(const kernel::KernelFunction& kf, const kernel::BasicGridPoints<T>& points,
                        const HostMatrix& alpha, const std::vector<int>& labels,
                        const dist::BlacsGrid& grid) {
    const std::int64_t rows = points.rows.extent(0), centres = points.cols.extent(0);
    const std::int64_t classes = alpha.extent(1);
    HostMatrix f("drfm::solve::predictions", rows, classes);
    if (rows > 0 && centres > 0) {
        // On the execution space: the centres and their coefficients once, then the cross kernel
        // and its product with α block by block of test rows (memory b·|C|, not |R|·|C|).
        const kernel::BlockSide<T> test = kernel::block_side(points.rows, points.row_ids);
        const kernel::BlockSide<T> centre = kernel::block_side(points.cols, points.col_ids);
        const DeviceMatrixOf<T> alpha_d =
            to_device(rows_at<T>(alpha, points.col_ids, "drfm::solve::alpha_cols"));
        const std::int64_t b = std::min(predict_rows, rows);
        const DeviceMatrixOf<T> k_buffer(
            Kokkos::view_alloc(std::string("drfm::solve::cross_kernel"), Kokkos::WithoutInitializing),
            b, centres);
        const DeviceMatrixOf<T> f_d(
            Kokkos::view_alloc(std::string("drfm::solve::predictions"), Kokkos::WithoutInitializing),
            rows, classes);
        for (std::int64_t r0 = 0; r0 < rows; r0 += b) {
            const std::int64_t nb = std::min(b, rows - r0);
            const DeviceMatrixOf<T> k = leading_block(k_buffer, nb, centres);
            kernel::kernel_block(kf, kernel::BlockValue::kernel, test.rows(r0, nb), centre, k);
            blas::device_gemm(blas::Op::none, blas::Op::none, T(1), k, alpha_d, T(0),
                              Kokkos::subview(f_d, std::make_pair(r0, r0 + nb), Kokkos::ALL));
        }
        Kokkos::deep_copy(f, in_precision<double>(HostMatrixOf<T>(to_host(f_d)),
                                                  "drfm::solve::predictions"));
    }
    grid.row_comm().allreduce_sum(f.data(), static_cast<std::int64_t>(f.size()));

    // Every process of a row now holds the same predictions; the first column scores them.
    double sums[2] = {0.0, 0.0};
    if (grid.mycol() == 0) {
        std::vector<int> row_labels(rows);
        for (std::int64_t i = 0; i < rows; ++i) row_labels[i] = labels[-1 - points.row_ids[i]];
        add_to_score(f, row_labels, sums[0], sums[1]);
    }
    grid.comm().allreduce_sum(sums, 2);
    const double n = static_cast<double>(labels.size());
    return {sums[0] / n, sums[1] / (n * static_cast<double>(classes))};
}

template Score predict_and_score(const kernel::KernelFunction&, const kernel::BasicGridPoints<double>&,
                                 const HostMatrix&, const std::vector<int>&, const dist::BlacsGrid&);
template Score predict_and_score(const kernel::KernelFunction&, const kernel::BasicGridPoints<float>&,
                                 const HostMatrix&, const std::vector<int>&, const dist::BlacsGrid&);

}  // namespace drfm::solve
