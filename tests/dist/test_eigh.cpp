// Symmetric eigensolvers: eigenvalues against serial Eigen (or closed form), eigenvectors only
// through residual and orthogonality (never compared entrywise: signs and bases of repeated
// eigenvalues are arbitrary).
#include "drfm/dist/eigh.hpp"
#include "dist/dist_test_utils.hpp"

#include <Eigen/Eigenvalues>

namespace drfm::dist {
namespace {

using test::eps;

// Independent of the library's own check: ‖AZ − ZΛ‖_F/(‖A‖_F·n) and ‖I − ZᵀZ‖_F/n in Eigen.
void expect_accurate_pairs(const Eigen::MatrixXd& a, const EigenResult& result) {
    const double n = static_cast<double>(a.rows());
    Eigen::MatrixXd z = test::to_eigen(result.vectors.replicate());
    auto k = static_cast<Eigen::Index>(result.values.size());
    Eigen::VectorXd w = Eigen::Map<const Eigen::VectorXd>(result.values.data(), k);
    double residual = (a * z - z * w.asDiagonal()).norm() / (a.norm() * n);
    double orthogonality =
        (Eigen::MatrixXd::Identity(z.cols(), z.cols()) - z.transpose() * z).norm() / n;
    // n·eps: the warning level of eigh.hpp; correct solvers stay far below it.
    EXPECT_LE(residual, n * eps);
    EXPECT_LE(orthogonality, n * eps);
    EXPECT_LE(result.checks.residual, n * eps);
    EXPECT_LE(result.checks.orthogonality, n * eps);
}

// Max |λ − λ_ref| over the pairs, relative to norm2 = ‖A‖₂.
double eigenvalue_error(const std::vector<double>& got, const Eigen::VectorXd& expected,
                        double norm2) {
    EXPECT_EQ(got.size(), static_cast<size_t>(expected.size()));
    double err = 0.0;
    for (size_t i = 0; i < got.size(); ++i)
        err = std::max(err, std::abs(got[i] - expected(static_cast<Eigen::Index>(i))));
    return err / norm2;
}

Eigen::VectorXd reference_eigenvalues(const Eigen::MatrixXd& a) {
    return Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(a, Eigen::EigenvaluesOnly)
        .eigenvalues();  // ascending
}

}  // namespace

TEST(EighTest, AllEigenpairsMatchEigen) {
    test::for_each_grid([](const BlacsGrid& grid) {
        for (int nb : test::block_sizes) {
            for (std::int64_t n : test::matrix_sizes) {
                SCOPED_TRACE("nb " + std::to_string(nb) + " n " + std::to_string(n));
                auto a = test::dist_matrix(grid, n, n, nb, test::symmetric_entry);
                Eigen::MatrixXd ea = test::eigen_matrix(n, n, test::symmetric_entry);

                EigenResult result = eigh_all(a);

                ASSERT_EQ(static_cast<std::int64_t>(result.values.size()), n);
                ASSERT_EQ(result.vectors.cols(), n);
                // Both backward stable: 10·n·eps·‖A‖₂ absolute.
                Eigen::VectorXd expected = reference_eigenvalues(ea);
                EXPECT_LE(eigenvalue_error(result.values, expected, expected.cwiseAbs().maxCoeff()),
                          10.0 * n * eps);
                expect_accurate_pairs(ea, result);
                // A itself is left as it was.
                EXPECT_EQ(test::to_eigen(a.replicate()), ea);
            }
        }
    });
}

TEST(EighTest, TopEigenpairsAreTheLargestInAscendingOrder) {
    const std::int64_t k = 5;
    test::for_each_grid([&](const BlacsGrid& grid) {
        for (int nb : test::block_sizes) {
            for (std::int64_t n : test::matrix_sizes) {
                SCOPED_TRACE("nb " + std::to_string(nb) + " n " + std::to_string(n));
                auto a = test::dist_matrix(grid, n, n, nb, test::symmetric_entry);
                Eigen::MatrixXd ea = test::eigen_matrix(n, n, test::symmetric_entry);

                EigenResult result = eigh_top(a, k);

                ASSERT_EQ(static_cast<std::int64_t>(result.values.size()), k);
                ASSERT_EQ(result.vectors.rows(), n);
                ASSERT_EQ(result.vectors.cols(), k);
                Eigen::VectorXd all = reference_eigenvalues(ea);
                EXPECT_LE(eigenvalue_error(result.values, all.tail(k), all.cwiseAbs().maxCoeff()),
                          10.0 * n * eps);
                expect_accurate_pairs(ea, result);
            }
        }
    });
}

// A = H·D·H with the Householder reflector H = I − 2vvᵀ/(vᵀv): eigenvalues D exactly, the top
// one three-fold (2, 2, 2), the rest i/n. Entry (i,j) = d_i·δ_ij − (2/s)·v_i·v_j·(d_i + d_j)
// + (4c/s²)·v_i·v_j with s = vᵀv, c = vᵀDv.
TEST(EighTest, TopEigenpairsResolveAThreefoldEigenvalue) {
    const std::int64_t n = 37, k = 4;
    auto d = [&](std::int64_t i) { return i >= n - 3 ? 2.0 : static_cast<double>(i) / n; };
    auto v = [](std::int64_t i) { return 1.0 + 0.1 * i; };
    double s = 0.0, c = 0.0;
    for (std::int64_t i = 0; i < n; ++i) {
        s += v(i) * v(i);
        c += v(i) * d(i) * v(i);
    }
    auto entry = [&](std::int64_t i, std::int64_t j) {
        return (i == j ? d(i) : 0.0) - 2.0 / s * v(i) * v(j) * (d(i) + d(j)) +
               4.0 * c / (s * s) * v(i) * v(j);
    };
    test::for_each_grid([&](const BlacsGrid& grid) {
        for (int nb : test::block_sizes) {
            SCOPED_TRACE("nb " + std::to_string(nb));
            auto a = test::dist_matrix(grid, n, n, nb, entry);

            EigenResult result = eigh_top(a, k);

            Eigen::VectorXd expected(k);
            expected << d(n - 4), 2.0, 2.0, 2.0;
            EXPECT_LE(eigenvalue_error(result.values, expected, 2.0), 10.0 * n * eps);
            expect_accurate_pairs(test::eigen_matrix(n, n, entry), result);
        }
    });
}

TEST(EighTest, WrongEigenvectorsAreRejectedOnEveryRank) {
    // Unit vectors e_0..e_2 with the diagonal as "eigenvalues": A e_j − a_jj e_j is column j off
    // the diagonal, so the residual is O(1/n), far above 100·n·eps.
    const std::int64_t n = 37, k = 3;
    auto grid = BlacsGrid::near_square(test::world());
    auto a = test::dist_matrix(grid, n, n, 7, test::symmetric_entry);
    DistMatrix z(grid, GlobalSize{n, k}, BlockSize{7, 7});
    z.fill([](std::int64_t i, std::int64_t j) { return i == j ? 1.0 : 0.0; });
    std::vector<double> values = {test::symmetric_entry(0, 0), test::symmetric_entry(1, 1),
                                  test::symmetric_entry(2, 2)};

    try {
        check_eigenpairs(a, values, z, "test");
        FAIL() << "expected a NumericalError";
    } catch (const NumericalError& e) {
        EXPECT_TRUE(e.is_collective());
        EXPECT_NE(std::string(e.what()).find("eigenpairs rejected"), std::string::npos)
            << e.what();
    }
}

TEST(EighTest, ThresholdIsHundredTimesNEps) {
    EXPECT_DOUBLE_EQ(eigen_error_threshold(1000), 100.0 * 1000 * eps);
}

TEST(EighTest, TopRejectsKOutOfRange) {
    auto grid = BlacsGrid::near_square(test::world());
    auto a = test::dist_matrix(grid, 10, 10, 4, test::symmetric_entry);

    EXPECT_THROW(eigh_top(a, 0), Error);
    EXPECT_THROW(eigh_top(a, 11), Error);
}

}  // namespace drfm::dist
