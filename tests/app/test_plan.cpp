// The plan's memory for the run's kernel matrix (app::make_plan). With a ridge only the triangle
// the Cholesky solve reads, plus the staircase of kernel::assemble_triangle's panels, is ever
// touched: counted here entry by entry on the block-cyclic layout. Where transparent huge pages
// are "always", the untouched entries share 2 MiB pages with touched ones and the whole local
// matrix is resident, as it is for LU. And how the plan follows model.precision.
#include "drfm/app/plan.hpp"
#include "drfm/config/load.hpp"
#include "drfm/dist/distribution.hpp"
#include "drfm/kernel/kernel_matrix.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace drfm::app {
namespace {

constexpr std::int64_t n = 6000;

config::Config config_with_ridge(const std::string& ridge,
                                 const std::string& precision = "float64") {
    return config::parse_config("[data]\nsource = \"synthetic\"\nn_train = 6000\nn_test = 100\n"
                                "[model]\ndepth = 1\n",
                                "test_plan.toml",
                                {"model.ridge=" + ridge, "model.precision=" + precision});
}

ProblemShape shape_on(int nprow, bool huge_pages_always) {
    ProblemShape s;
    s.n = n;
    s.n_test = 100;
    s.d = 30;
    s.classes = 3;
    s.ranks = s.nprow = nprow;
    s.npcol = 1;
    s.huge_pages_always = huge_pages_always;
    return s;
}

double solve_peak(const Plan& plan) {
    return std::find_if(plan.phases.begin(), plan.phases.end(),
                        [](const PhaseCost& p) { return p.name == "solve"; })
        ->peak_bytes;
}

/// The entries process row `me` of a P×1 grid writes: in each panel of triangle_panel local
/// columns, its rows whose global index is at most the panel's last column (upper triangle).
std::int64_t assembled_entries(int nb, int nprow, int me) {
    const dist::Distribution d({n, n}, {nb, nb}, {nprow, 1}, {me, 0});
    std::int64_t entries = 0;
    for (std::int64_t c0 = 0; c0 < d.local_cols(); c0 += kernel::triangle_panel) {
        const std::int64_t nc = std::min(kernel::triangle_panel, d.local_cols() - c0);
        const std::int64_t last = d.global_col(dist::LocalIndex{c0 + nc - 1}).value;
        std::int64_t rows = 0;
        for (std::int64_t i = 0; i < d.local_rows(); ++i)
            rows += d.global_row(dist::LocalIndex{i}).value <= last ? 1 : 0;
        entries += rows * nc;
    }
    return entries;
}

TEST(PlanTest, KernelMatrixMemoryIsTheAssembledTriangleOrTheWholeMatrix) {
    const config::Config cholesky = config_with_ridge("1e-3"), lu = config_with_ridge("0");
    const int nb = cholesky.parallel.block_size;
    for (int nprow : {2, 4}) {
        SCOPED_TRACE("grid " + std::to_string(nprow) + "x1");
        const double local = 8.0 * max_local_extent(n, nb, nprow) * n;
        std::int64_t assembled = 0;
        for (int me = 0; me < nprow; ++me)
            assembled = std::max(assembled, assembled_entries(nb, nprow, me));
        const double whole = solve_peak(make_plan(lu, shape_on(nprow, false)));
        // The plan's share is a closed form of the staircase: within 2 % of K of the count.
        EXPECT_NEAR(whole - solve_peak(make_plan(cholesky, shape_on(nprow, false))),
                    local - 8.0 * assembled, 0.02 * local);
        EXPECT_DOUBLE_EQ(solve_peak(make_plan(cholesky, shape_on(nprow, true))), whole);
        EXPECT_DOUBLE_EQ(solve_peak(make_plan(lu, shape_on(nprow, true))), whole);
    }
}

TEST(PlanTest, MemoryFollowsThePrecision) {
    // Arrange: n = 6000 and d = 30, so the kernel matrix is nearly all of every peak (the features
    // are 1 % of it). float32 holds it, and the features, in half of float64's bytes.
    for (int nprow : {2, 4}) {
        SCOPED_TRACE("grid " + std::to_string(nprow) + "x1");
        auto peak = [&](const std::string& ridge, const std::string& precision) {
            return make_plan(config_with_ridge(ridge, precision), shape_on(nprow, false)).peak_bytes();
        };

        // Act
        const double f64 = peak("1e-3", "float64"), f32 = peak("1e-3", "float32");
        const double lu64 = peak("0", "float64"), lu32 = peak("0", "float32");
        const double mixed = peak("1e-3", "mixed");

        // Assert
        EXPECT_NEAR(f32 / f64, 0.5, 0.01);
        EXPECT_NEAR(lu32 / lu64, 0.5, 0.01);
        // The whole float32 matrix (as LU's), not the Cholesky triangle, plus the refinement's
        // float64 panel of 256 local columns (solve::refinement_panel: 8 % of K on 2×1).
        EXPECT_GT(mixed, lu32);
        EXPECT_LT(mixed / lu32, 1.1);
        EXPECT_GT(mixed, f32);
    }
}

}  // namespace
}  // namespace drfm::app
