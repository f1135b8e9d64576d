// Distributed GEMM, Cholesky and LU solves, norms and redistribution against serial Eigen on the
// same deterministic matrices, at block sizes 1, 7, 64 and sizes 37 and 100, on every grid shape.
#include "drfm/dist/linalg.hpp"
#include "dist/dist_test_utils.hpp"

#include <Eigen/SVD>

namespace drfm::dist {
namespace {

using test::eps;

// 2-norm condition number, for the solve tolerances.
double cond2(const Eigen::MatrixXd& a) {
    Eigen::JacobiSVD<Eigen::MatrixXd> svd(a);
    return svd.singularValues()(0) / svd.singularValues()(svd.singularValues().size() - 1);
}

// Symmetric, strictly diagonally dominant (|off-diagonal row sum| <= 2.2(n−1) < 3n − 2.2): SPD.
auto spd_entry(std::int64_t n) {
    return [n](std::int64_t i, std::int64_t j) {
        return test::symmetric_entry(i, j) + (i == j ? 3.0 * n : 0.0);
    };
}

// Not diagonally dominant, so partial pivoting swaps rows.
double unsymmetric_entry(std::int64_t i, std::int64_t j) {
    return test::general_entry(i, j) + (i == j ? 2.0 : 0.0);
}

}  // namespace

TEST(LinalgTest, GemmMatchesEigenForEveryTransposeCombination) {
    const double alpha = 0.7, beta = -0.3;
    test::for_each_grid([&](const BlacsGrid& grid) {
        for (int nb : test::block_sizes) {
            for (std::int64_t m : test::matrix_sizes) {
                const std::int64_t k = 137 - m, n = 23;  // (37, 100) and (100, 37)
                for (Trans ta : {Trans::none, Trans::transpose}) {
                    for (Trans tb : {Trans::none, Trans::transpose}) {
                        SCOPED_TRACE("nb " + std::to_string(nb) + " m " + std::to_string(m) +
                                     " ta " + to_string(ta) + " tb " + to_string(tb));
                        bool ta_t = ta == Trans::transpose, tb_t = tb == Trans::transpose;
                        auto a_rows = ta_t ? k : m, a_cols = ta_t ? m : k;
                        auto b_rows = tb_t ? n : k, b_cols = tb_t ? k : n;
                        auto a = test::dist_matrix(grid, a_rows, a_cols, nb, test::general_entry);
                        auto b = test::dist_matrix(grid, b_rows, b_cols, nb, unsymmetric_entry);
                        auto c = test::dist_matrix(grid, m, n, nb, test::symmetric_entry);

                        gemm(ta, tb, alpha, a, b, beta, c);

                        auto ea = test::eigen_matrix(a_rows, a_cols, test::general_entry);
                        Eigen::MatrixXd eb = test::eigen_matrix(b_rows, b_cols, unsymmetric_entry);
                        Eigen::MatrixXd opa = ta_t ? Eigen::MatrixXd(ea.transpose()) : ea;
                        Eigen::MatrixXd opb = tb_t ? Eigen::MatrixXd(eb.transpose()) : eb;
                        Eigen::MatrixXd c0 = test::eigen_matrix(m, n, test::symmetric_entry);
                        Eigen::MatrixXd expected = alpha * opa * opb + beta * c0;
                        // Summation-order differences only: 10·k·eps relative.
                        EXPECT_LE(test::rel_fro(test::to_eigen(c.replicate()), expected),
                                  10.0 * k * eps);
                    }
                }
            }
        }
    });
}

TEST(LinalgTest, GemmRejectsNonConformingShapes) {
    auto grid = BlacsGrid::near_square(test::world());
    DistMatrix a(grid, GlobalSize{5, 4}, BlockSize{2, 2});
    DistMatrix b(grid, GlobalSize{5, 3}, BlockSize{2, 2});
    DistMatrix c(grid, GlobalSize{5, 3}, BlockSize{2, 2});

    EXPECT_THROW(gemm(Trans::none, Trans::none, 1.0, a, b, 0.0, c), Error);
}

TEST(LinalgTest, CholeskySolveMatchesEigen) {
    test::for_each_grid([](const BlacsGrid& grid) {
        for (int nb : test::block_sizes) {
            for (std::int64_t n : test::matrix_sizes) {
                SCOPED_TRACE("nb " + std::to_string(nb) + " n " + std::to_string(n));
                auto a = test::dist_matrix(grid, n, n, nb, spd_entry(n));
                auto b = test::dist_matrix(grid, n, 3, nb, test::general_entry);

                cholesky_solve(a, b);

                Eigen::MatrixXd ea = test::eigen_matrix(n, n, spd_entry(n));
                Eigen::MatrixXd expected =
                    ea.llt().solve(test::eigen_matrix(n, 3, test::general_entry));
                // Backward-stable solves: forward error <= 10·n·eps·cond₂(A) (cond₂ < 7 here).
                EXPECT_LE(test::rel_fro(test::to_eigen(b.replicate()), expected),
                          10.0 * n * eps * cond2(ea));
            }
        }
    });
}

TEST(LinalgTest, NonSpdMatrixIsNumericalErrorNamingTheMinorOnEveryRank) {
    // SPD except a_kk = −10n at k = 19: the Schur complement a_kk − a_kᵀA₁₉⁻¹a_k < 0, so minors
    // 1..19 are positive definite and the leading minor of order 20 is not.
    const std::int64_t n = 37;
    auto entry = [&](std::int64_t i, std::int64_t j) {
        return i == 19 && j == 19 ? -10.0 * n : spd_entry(n)(i, j);
    };
    test::for_each_grid([&](const BlacsGrid& grid) {
        auto a = test::dist_matrix(grid, n, n, 7, entry);
        auto b = test::dist_matrix(grid, n, 2, 7, test::general_entry);

        try {
            cholesky_solve(a, b);
            FAIL() << "expected a NumericalError";
        } catch (const NumericalError& e) {
            EXPECT_TRUE(e.is_collective());
            EXPECT_NE(std::string(e.what()).find("leading minor of order 20 "), std::string::npos)
                << e.what();
        }
    });
}

TEST(LinalgTest, LuSolveMatchesEigen) {
    test::for_each_grid([](const BlacsGrid& grid) {
        for (int nb : test::block_sizes) {
            for (std::int64_t n : test::matrix_sizes) {
                SCOPED_TRACE("nb " + std::to_string(nb) + " n " + std::to_string(n));
                auto a = test::dist_matrix(grid, n, n, nb, unsymmetric_entry);
                auto b = test::dist_matrix(grid, n, 3, nb, test::general_entry);

                lu_solve(a, b);

                Eigen::MatrixXd ea = test::eigen_matrix(n, n, unsymmetric_entry);
                Eigen::MatrixXd expected =
                    ea.partialPivLu().solve(test::eigen_matrix(n, 3, test::general_entry));
                EXPECT_LE(test::rel_fro(test::to_eigen(b.replicate()), expected),
                          10.0 * n * eps * cond2(ea));
            }
        }
    });
}

TEST(LinalgTest, SingularMatrixIsNumericalErrorOnEveryRank) {
    // Column 10 is zero and stays zero under elimination, so U(11,11) (1-based) is exactly 0.
    const std::int64_t n = 37;
    auto entry = [](std::int64_t i, std::int64_t j) {
        return j == 10 ? 0.0 : unsymmetric_entry(i, j);
    };
    test::for_each_grid([&](const BlacsGrid& grid) {
        auto a = test::dist_matrix(grid, n, n, 7, entry);
        auto b = test::dist_matrix(grid, n, 1, 7, test::general_entry);

        try {
            lu_solve(a, b);
            FAIL() << "expected a NumericalError";
        } catch (const NumericalError& e) {
            EXPECT_TRUE(e.is_collective());
            EXPECT_NE(std::string(e.what()).find("U(11,11) is exactly zero"), std::string::npos)
                << e.what();
        }
    });
}

TEST(LinalgTest, NormsMatchEigen) {
    test::for_each_grid([](const BlacsGrid& grid) {
        for (int nb : test::block_sizes) {
            SCOPED_TRACE("nb " + std::to_string(nb));
            auto a = test::dist_matrix(grid, 37, 100, nb, test::general_entry);
            Eigen::MatrixXd e = test::eigen_matrix(37, 100, test::general_entry);

            // Sums in another order: 100·eps relative.
            EXPECT_TRUE(test::near_rel(norm(Norm::fro, a), e.norm(), 100 * eps));
            EXPECT_TRUE(test::near_rel(norm(Norm::one, a), e.cwiseAbs().colwise().sum().maxCoeff(),
                                       100 * eps));
            EXPECT_TRUE(test::near_rel(norm(Norm::inf, a), e.cwiseAbs().rowwise().sum().maxCoeff(),
                                       100 * eps));
            EXPECT_EQ(norm(Norm::max, a), e.cwiseAbs().maxCoeff());
        }
    });
}

TEST(LinalgTest, RedistributeMovesEntriesToOtherBlocksAndGrids) {
    auto comm = test::world();
    auto square = BlacsGrid::near_square(comm);
    BlacsGrid wide(comm, 1, comm.size());
    auto source = test::dist_matrix(square, 37, 23, 7, test::general_entry);
    DistMatrix target(wide, GlobalSize{37, 23}, BlockSize{3, 5});

    redistribute(source, target);

    // Copies only: exact.
    EXPECT_EQ(test::to_eigen(target.replicate()), test::eigen_matrix(37, 23, test::general_entry));
}

}  // namespace drfm::dist
