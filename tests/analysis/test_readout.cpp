// The least-squares linear readout (analysis/readout.hpp) against a serial Eigen reference:
// full rank (ordinary least squares), rank deficient (minimum norm, the span projection), more
// features than samples (interpolation), and ranks holding no rows.
#include "drfm/analysis/readout.hpp"

#include "analysis/analysis_test_utils.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace drfm {
namespace {

/// n samples, p features of rank `rank` (columns beyond it are combinations), ±1 targets of 3
/// classes in blocks.
void problem(int n, int p, int rank, Eigen::MatrixXd& f, Eigen::MatrixXd& y) {
    Eigen::MatrixXd basis(n, rank);
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < rank; ++j) basis(i, j) = std::sin(0.7 * i + 1.3 * j + 0.1 * i * j) + (j == i % 3);
    Eigen::MatrixXd mix(rank, p);
    for (int j = 0; j < rank; ++j)
        for (int k = 0; k < p; ++k) mix(j, k) = std::cos(0.9 * j + 0.4 * k) + (j == k);
    f = basis * mix;
    y = Eigen::MatrixXd::Constant(n, 3, -1.0);
    for (int i = 0; i < n; ++i) y(i, i * 3 / n) = 1.0;
}

/// Serial reference: the orthogonal projection of Y on the column span of F (complete orthogonal
/// decomposition, rank from the singular values), which the minimum-norm solution attains.
Eigen::MatrixXd reference(const Eigen::MatrixXd& f, const Eigen::MatrixXd& y) {
    Eigen::JacobiSVD<Eigen::MatrixXd> svd(f, Eigen::ComputeThinU);
    const auto& s = svd.singularValues();
    Eigen::Index r = 0;
    while (r < s.size() && s(r) * s(r) > 1e-10 * s(0) * s(0)) ++r;
    const Eigen::MatrixXd u = svd.matrixU().leftCols(r);
    return u * (u.transpose() * y);
}

void expect_readout(int n, int p, int rank) {
    const mpi::Comm comm = test::world();
    Eigen::MatrixXd f, y;
    problem(n, p, rank, f, y);

    const HostMatrix mine = analysis::linear_readout(test::local_rows(f, comm),
                                                     test::local_rows(y, comm), comm);

    const Eigen::MatrixXd want = test::to_eigen(test::local_rows(reference(f, y), comm));
    ASSERT_EQ(static_cast<Eigen::Index>(mine.extent(0)), want.rows());
    // c = 1e4: the normal equations square the condition number of F (about 1e2 here).
    const double tol = 1e4 * n * std::numeric_limits<double>::epsilon();
    if (want.rows() > 0) {
        EXPECT_LE((test::to_eigen(mine) - want).norm(), tol * std::max(1.0, y.norm()))
            << "n = " << n << ", p = " << p << ", rank = " << rank;
    }
}

TEST(ReadoutTest, FullRankIsOrdinaryLeastSquares) { expect_readout(40, 6, 6); }

TEST(ReadoutTest, RankDeficientIsTheProjectionOnTheSpan) { expect_readout(40, 8, 3); }

TEST(ReadoutTest, MoreFeaturesThanSamplesInterpolates) {
    expect_readout(10, 16, 10);
    Eigen::MatrixXd f, y;
    problem(10, 16, 10, f, y);
    EXPECT_LE((reference(f, y) - y).norm(), 1e-10 * y.norm());  // f = Y: the targets themselves
}

TEST(ReadoutTest, RanksWithoutRowsTakePart) { expect_readout(3, 2, 2); }

TEST(ReadoutTest, InconsistentShapesFailTogether) {
    const mpi::Comm comm = test::world();
    HostMatrix f("drfm::test::f", 2, 3), y("drfm::test::y", comm.rank() == 0 ? 1 : 2, 2);
    try {
        analysis::linear_readout(f, y, comm);
        ADD_FAILURE() << "expected a collective input error";
    } catch (const Error& e) {
        EXPECT_TRUE(e.is_collective());
        EXPECT_EQ(e.exit_code(), ExitCode::input);
        EXPECT_NE(std::string(e.what()).find("feature rows"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace drfm
