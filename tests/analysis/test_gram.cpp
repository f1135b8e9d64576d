#include "drfm/analysis/gram.hpp"

#include "analysis/analysis_test_utils.hpp"

#include <cmath>

namespace drfm {
namespace {

Eigen::MatrixXd sample_rows(int n, int p) {
    Eigen::MatrixXd x(n, p);
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < p; ++j)
            x(i, j) = std::sin(0.8 * i + 2.1 * j + 0.3 * i * j) + 0.4 * (i % 3 == j);
    return x;
}

/// The explicit n×n Gram of the centred, row-normalised rows, averaged over tile blocks.
Eigen::MatrixXd brute_force(const Eigen::MatrixXd& x, int tiles) {
    const int n = static_cast<int>(x.rows()), t_count = std::min(tiles, n);
    Eigen::MatrixXd z = x.rowwise() - x.colwise().mean();
    z.rowwise().normalize();
    Eigen::MatrixXd g = z * z.transpose();
    Eigen::MatrixXd sums = Eigen::MatrixXd::Zero(t_count, t_count), counts = sums;
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) {
            int a = i * t_count / n, b = j * t_count / n;
            sums(a, b) += g(i, j);
            counts(a, b) += 1;
        }
    return sums.cwiseQuotient(counts);
}

Eigen::MatrixXd distributed(const Eigen::MatrixXd& x, int tiles, const mpi::Comm& comm) {
    RowPartition part(x.rows(), comm.size());
    return test::to_eigen(analysis::gram_tiles(test::local_rows(x, comm), x.rows(),
                                               part.begin(comm.rank()), tiles, comm));
}

TEST(GramTilesTest, BlockAveragesMatchExplicitGramWithUnevenTiles) {
    auto comm = test::world();
    Eigen::MatrixXd x = sample_rows(23, 4);  // 23 rows in 5 tiles of 4 or 5

    Eigen::MatrixXd got = distributed(x, 5, comm);

    Eigen::MatrixXd expected = brute_force(x, 5);
    ASSERT_EQ(got.rows(), 5);
    ASSERT_EQ(got.cols(), 5);
    EXPECT_LE((got - expected).cwiseAbs().maxCoeff(), 1e-12);
}

TEST(GramTilesTest, MoreTilesThanSamplesGiveTheGramItself) {
    auto comm = test::world();
    Eigen::MatrixXd x = sample_rows(9, 3);

    Eigen::MatrixXd got = distributed(x, 40, comm);

    Eigen::MatrixXd expected = brute_force(x, 9);
    ASSERT_EQ(got.rows(), 9);
    EXPECT_LE((got - expected).cwiseAbs().maxCoeff(), 1e-12);
    EXPECT_LE((got.diagonal().array() - 1.0).abs().maxCoeff(), 1e-14);  // unit rows
}

TEST(GramTilesTest, FewerSamplesThanRanksLeaveRanksEmpty) {
    auto comm = test::world();
    Eigen::MatrixXd x = sample_rows(3, 4);  // at 4 ranks, rank 3 holds no rows

    Eigen::MatrixXd got = distributed(x, 2, comm);

    EXPECT_LE((got - brute_force(x, 2)).cwiseAbs().maxCoeff(), 1e-12);
}

TEST(GramTilesTest, FloatRowsMatchExplicitGramOfTheirValues) {
    auto comm = test::world();
    Eigen::MatrixXd x = sample_rows(23, 4);
    RowPartition part(x.rows(), comm.size());

    Eigen::MatrixXd got = test::to_eigen(analysis::gram_tiles(
        test::local_rows<float>(x, comm), x.rows(), part.begin(comm.rank()), 5, comm));

    // In double on the float values: float64 rounding, not float's.
    EXPECT_LE((got - brute_force(test::rounded_to_float(x), 5)).cwiseAbs().maxCoeff(), 1e-12);
}

TEST(GramTilesTest, AllRankCountsMatchSerialComputation) {
    auto comm = test::world();
    Eigen::MatrixXd x = sample_rows(23, 4);

    Eigen::MatrixXd parallel = distributed(x, 5, comm);
    Eigen::MatrixXd serial = distributed(x, 5, test::self_comm(comm));

    EXPECT_LE((parallel - serial).cwiseAbs().maxCoeff(), 1e-12);
}

TEST(GramTilesTest, WrongSampleCountThrowsOnEveryRank) {
    auto comm = test::world();
    Eigen::MatrixXd x = sample_rows(23, 4);
    RowPartition part(23, comm.size());

    EXPECT_THROW(analysis::gram_tiles(test::local_rows(x, comm), 24, part.begin(comm.rank()), 5,
                                      comm),
                 InputDataError);
}

}  // namespace
}  // namespace drfm
