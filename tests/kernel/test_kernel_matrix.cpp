// gather_grid_points + assemble against the Laplace kernel evaluated serially on the points, then
// assemble_triangle against assemble, on every grid shape and block size at 1, 2 and 4 ranks: the
// same value on every entry of the triangle, and with one-column panels not one entry written
// outside it.
#include "drfm/kernel/kernel_matrix.hpp"
#include "dist/dist_test_utils.hpp"

#include <cmath>

namespace drfm::kernel {
namespace {

constexpr std::int64_t n = 37, d = 3;
constexpr double shift = 0.25, sentinel = -7.0;

double point(std::int64_t i, std::int64_t c) { return std::sin(0.7 * static_cast<double>(i) + 1.3 * c); }

// My contiguous block of the points.
HostMatrix my_points(const RowPartition& rows, int rank) {
    HostMatrix x("drfm::test::points", rows.count(rank), d);
    for (std::int64_t i = 0; i < rows.count(rank); ++i)
        for (std::int64_t c = 0; c < d; ++c) x(i, c) = point(rows.begin(rank) + i, c);
    return x;
}

// exp(−‖x_i − x_j‖ / L) + shift·δ_ij, computed directly.
double laplace_entry(std::int64_t i, std::int64_t j, double length) {
    double d2 = 0.0;
    for (std::int64_t c = 0; c < d; ++c) d2 += std::pow(point(i, c) - point(j, c), 2);
    return std::exp(-std::sqrt(d2) / length) + (i == j ? shift : 0.0);
}

}  // namespace

TEST(KernelMatrixTest, TriangleMatchesTheWholeMatrixAndWritesNothingElseWithUnitPanels) {
    const auto comm = test::world();
    const RowPartition rows(n, comm.size());
    const HostMatrix mine = my_points(rows, comm.rank());
    const KernelFunction laplace{1.0, 2.0};
    test::for_each_grid([&](const dist::BlacsGrid& grid) {
        for (int nb : test::block_sizes) {
            dist::DistMatrix whole(grid, {n, n}, {nb, nb});
            const GridPoints points = gather_grid_points(comm, rows, mine, whole.distribution());
            assemble(laplace, points, shift, whole);
            const HostMatrix expected = whole.replicate();
            for (std::int64_t j = 0; j < n; ++j)
                for (std::int64_t i = 0; i < n; ++i) {
                    // The GEMM form ‖a‖² + ‖b‖² − 2a·b loses digits for close pairs.
                    EXPECT_NEAR(expected(i, j), laplace_entry(i, j, laplace.length), 1e-7)
                        << "nb " << nb << " (" << i << ", " << j << ")";
                }
            for (dist::Uplo triangle : {dist::Uplo::upper, dist::Uplo::lower}) {
                for (std::int64_t panel : {1, 5, 512}) {
                    SCOPED_TRACE("nb " + std::to_string(nb) + ", " + dist::to_string(triangle) +
                                 ", panel " + std::to_string(panel));
                    dist::DistMatrix part(grid, {n, n}, {nb, nb});
                    part.fill([](std::int64_t, std::int64_t) { return sentinel; });
                    assemble_triangle(laplace, points, shift, triangle, part, panel);
                    const HostMatrix got = part.replicate();
                    for (std::int64_t j = 0; j < n; ++j)
                        for (std::int64_t i = 0; i < n; ++i) {
                            const bool inside = triangle == dist::Uplo::upper ? i <= j : i >= j;
                            // Another block shape may round the GEMM's dot products differently.
                            if (inside || got(i, j) != sentinel) {
                                EXPECT_NEAR(got(i, j), expected(i, j), 4 * test::eps)
                                    << "(" << i << ", " << j << ")";
                            }
                            if (!inside && panel == 1) {
                                EXPECT_EQ(got(i, j), sentinel) << "(" << i << ", " << j << ")";
                            }
                        }
                }
            }
        }
    });
}

}  // namespace drfm::kernel
