#include "drfm/solve/krr.hpp"

#include "drfm/core/blas.hpp"
#include "drfm/dist/linalg.hpp"

namespace drfm::solve {

HostMatrix fit(dist::DistMatrix& k, double ridge, const std::vector<int>& labels, int classes) {
    const std::int64_t n = static_cast<std::int64_t>(labels.size());
    DRFM_CHECK(k.rows() == n && k.cols() == n, Error, "fit: kernel matrix is ", k.rows(), "x",
               k.cols(), " for ", n, " labels");
    const dist::BlockSize block = k.distribution().block();
    dist::DistMatrix y(k.grid(), {n, classes}, {block.rows, block.cols});
    y.fill([&](std::int64_t i, std::int64_t c) { return signed_target(labels[i], static_cast<int>(c)); });
    try {
        if (ridge > 0.0) dist::cholesky_solve(k, y);
        else dist::lu_solve(k, y);
    } catch (const NumericalError& e) {
        throw collective(NumericalError(
            detail::concat(e.what(), ". The kernel matrix",
                           ridge > 0.0 ? " plus ridge" : "", " is numerically ",
                           ridge > 0.0 ? "not positive definite" : "singular",
                           " (duplicate samples or a bandwidth far too large?): set model.ridge to a "
                           "larger positive value (e.g. 1e-3 or 1e-2)"),
            __FILE__, __LINE__));
    }
    return y.replicate();
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

Score predict_and_score(const kernel::KernelFunction& kf, const kernel::GridPoints& points,
                        const HostMatrix& alpha, const std::vector<int>& labels,
                        const dist::BlacsGrid& grid) {
    const std::int64_t rows = points.rows.extent(0), centres = points.cols.extent(0);
    const std::int64_t classes = alpha.extent(1);
    HostMatrix f("drfm::solve::predictions", rows, classes);
    if (rows > 0 && centres > 0) {
        HostMatrix k = make_host_matrix("drfm::solve::cross_kernel", rows, centres);
        kernel::kernel_block(kf, kernel::BlockValue::kernel, points.rows,
                             kernel::squared_row_norms(points.rows), points.row_ids, points.cols,
                             kernel::squared_row_norms(points.cols), points.col_ids, k);
        HostMatrix alpha_c = make_host_matrix("drfm::solve::alpha_cols", centres, classes);
        for (std::int64_t c = 0; c < classes; ++c)
            for (std::int64_t p = 0; p < centres; ++p) alpha_c(p, c) = alpha(points.col_ids[p], c);
        blas::gemm(blas::Op::none, blas::Op::none, 1.0, k, alpha_c, 0.0, f);
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

}  // namespace drfm::solve
