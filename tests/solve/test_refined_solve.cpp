// solve::fit_refined (model.precision = "mixed") against Eigen's float64 Cholesky of the very same
// float kernel matrix (its float entries widened): the refinement recovers float64 accuracy that
// the plain float solve (solve::fit<float>) does not have, and falls back to a float64
// factorisation where float cannot converge. Every grid shape and block size at 1, 2 and 4 ranks.
#include "drfm/kernel/kernel_matrix.hpp"
#include "drfm/solve/krr.hpp"
#include "dist/dist_test_utils.hpp"

#include <Eigen/Cholesky>

#include <cmath>

namespace drfm::solve {
namespace {

constexpr std::int64_t n = 90, d = 4;
constexpr int classes = 3;

HostMatrixOf<float> my_points(const RowPartition& rows, int rank) {
    HostMatrixOf<float> x("drfm::test::points", rows.count(rank), d);
    for (std::int64_t i = 0; i < rows.count(rank); ++i)
        for (std::int64_t c = 0; c < d; ++c) {
            const std::int64_t g = rows.begin(rank) + i;
            x(i, c) = static_cast<float>(std::sin(0.37 * g + 1.3 * c) + 0.5 * (c == g % classes));
        }
    return x;
}

std::vector<int> labels() {
    std::vector<int> y(n);
    for (std::int64_t i = 0; i < n; ++i) y[i] = static_cast<int>(i % classes);
    return y;
}

/// K + λI in float on the grid (both triangles), as fit_refined needs it.
dist::DistMatrixF float_kernel(const dist::BlacsGrid& grid, int nb, double ridge) {
    const auto comm = test::world();
    const RowPartition rows(n, comm.size());
    dist::DistMatrixF k(grid, {n, n}, {nb, nb});
    const auto points = kernel::gather_grid_points(comm, rows, my_points(rows, comm.rank()),
                                                   k.distribution());
    kernel::assemble(kernel::KernelFunction{1.0, 2.0}, points, ridge, k);
    return k;
}

/// The float64 solution for the float kernel's entries, widened (the independent reference).
Eigen::MatrixXd reference_alpha(const dist::DistMatrixF& k) {
    const HostMatrixOf<float> whole = k.replicate();
    Eigen::MatrixXd a(n, n), y(n, classes);
    for (std::int64_t j = 0; j < n; ++j)
        for (std::int64_t i = 0; i < n; ++i) a(i, j) = whole(i, j);
    const std::vector<int> l = labels();
    for (std::int64_t i = 0; i < n; ++i)
        for (int c = 0; c < classes; ++c) y(i, c) = signed_target(l[i], c);
    return a.llt().solve(y);
}

double relative_error(const HostMatrix& got, const Eigen::MatrixXd& want) {
    return (test::to_eigen(got) - want).cwiseAbs().maxCoeff() / want.cwiseAbs().maxCoeff();
}

/// fn(float kernel with ridge λ, its reference α) on every grid shape and block size.
template <class Fn>
void for_each_layout(double ridge, Fn&& fn) {
    test::for_each_grid([&](const dist::BlacsGrid& grid) {
        for (int nb : test::block_sizes) {
            SCOPED_TRACE("grid " + std::to_string(grid.nprow()) + "x" + std::to_string(grid.npcol()) +
                         ", nb " + std::to_string(nb));
            dist::DistMatrixF k = float_kernel(grid, nb, ridge);
            const Eigen::MatrixXd want = reference_alpha(k);
            fn(k, want);
        }
    });
}

TEST(RefinedSolveTest, MixedReachesTheFloat64SolutionOfTheSameFloatKernel) {
    // Arrange: λ = 1e-4. Measured on every grid and block size at 1, 2 and 4 ranks: the float
    // solve's α is off by 6.6e-6-2.0e-5 (relative, max entry), mixed's by ≤ 2.7e-14 after 2
    // refinement steps (the issue asks ≤ 1e-6).
    const double ridge = 1e-4;
    for_each_layout(ridge, [&](dist::DistMatrixF& k, const Eigen::MatrixXd& want) {
        dist::DistMatrixF k32 = k.clone();

        // Act
        const RefinedFit mixed = fit_refined(k, ridge, labels(), classes);
        const HostMatrix plain = fit(k32, ridge, labels(), classes);

        // Assert
        EXPECT_FALSE(mixed.fell_back);
        EXPECT_GE(mixed.steps, 1);
        EXPECT_LE(relative_error(mixed.alpha, want), 1e-12);
        EXPECT_LE(mixed.backward_error, 1e-15);
        EXPECT_GT(relative_error(plain, want), 1e3 * relative_error(mixed.alpha, want));
    });
}

TEST(RefinedSolveTest, FallsBackToFloat64WhenRefinementDoesNotConverge) {
    // Arrange: with no refinement steps allowed the float solution never passes the test, as
    // where κ·ε_float ≳ 1 (an exactly representable, hence clean, such matrix was not found: float
    // Cholesky of the ones tried, κ up to 1e9, converged in 1-2 steps). Measured error ≤ 1e-12 (the
    // float64 Cholesky of the widened kernel against Eigen's).
    const double ridge = 1e-4;
    for_each_layout(ridge, [&](dist::DistMatrixF& k, const Eigen::MatrixXd& want) {
        // Act
        const RefinedFit mixed = fit_refined(k, ridge, labels(), classes, 0);

        // Assert
        EXPECT_TRUE(mixed.fell_back);
        EXPECT_EQ(mixed.steps, 0);
        EXPECT_LE(relative_error(mixed.alpha, want), 1e-10);
    });
}

}  // namespace
}  // namespace drfm::solve
