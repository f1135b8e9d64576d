#include "drfm/analysis/nc_metrics.hpp"

#include "analysis/analysis_test_utils.hpp"

#include <cmath>

namespace drfm {
namespace {

using test::near_rel;

/// Labelled data set held whole by every rank (tests only).
struct Labelled {
    Eigen::MatrixXd h;
    std::vector<int> labels;
    int classes = 0;
};

/// NC quantities written plainly from methods.md §3.1–3.3 with dense p×p matrices.
analysis::NcMetrics brute_force(const Labelled& data) {
    const int k = data.classes;
    const auto n = data.h.rows(), p = data.h.cols();
    Eigen::MatrixXd means = Eigen::MatrixXd::Zero(k, p);
    Eigen::VectorXd counts = Eigen::VectorXd::Zero(k);
    for (Eigen::Index i = 0; i < n; ++i) {
        means.row(data.labels[i]) += data.h.row(i);
        counts(data.labels[i]) += 1;
    }
    for (int c = 0; c < k; ++c) means.row(c) /= counts(c);
    Eigen::VectorXd mu_g = means.colwise().mean().transpose();
    Eigen::MatrixXd s_w = Eigen::MatrixXd::Zero(p, p), s_b = Eigen::MatrixXd::Zero(p, p);
    for (Eigen::Index i = 0; i < n; ++i) {
        Eigen::VectorXd d = data.h.row(i).transpose() - means.row(data.labels[i]).transpose();
        s_w += d * d.transpose();
    }
    for (int c = 0; c < k; ++c) {
        Eigen::VectorXd d = means.row(c).transpose() - mu_g;
        s_b += d * d.transpose();
    }
    Eigen::MatrixXd sigma_w = s_w / n, sigma_b = s_b / k;
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(sigma_b);
    double top = eig.eigenvalues().maxCoeff();
    Eigen::MatrixXd pinv = Eigen::MatrixXd::Zero(p, p);
    for (Eigen::Index j = 0; j < p; ++j) {
        double lambda = eig.eigenvalues()(j);
        if (lambda > 1e-10 * top)
            pinv += eig.eigenvectors().col(j) * eig.eigenvectors().col(j).transpose() / lambda;
    }
    Eigen::MatrixXd g(k, k), e(k, k);
    for (int a = 0; a < k; ++a)
        for (int b = 0; b < k; ++b) {
            Eigen::VectorXd ua = means.row(a).transpose() - mu_g;
            Eigen::VectorXd ub = means.row(b).transpose() - mu_g;
            g(a, b) = ua.dot(ub) / (ua.norm() * ub.norm());
            e(a, b) = a == b ? 1.0 : -1.0 / (k - 1);
        }
    analysis::NcMetrics out;
    out.samples = n;
    out.tr_sw = s_w.trace();
    out.tr_sb = s_b.trace();
    out.nc1 = sigma_w.trace() / sigma_b.trace();
    out.nc1_code = (s_w / (k * n)).trace() / (s_b / k).trace();
    out.nc1_papyan = (sigma_w * pinv).trace() / k;
    out.nc2 = (g - e).array().square().mean();
    out.nc2_fro = (g - e).norm();
    return out;
}

analysis::NcMetrics distributed(const Labelled& data, const mpi::Comm& comm) {
    return analysis::nc_metrics(test::local_rows(data.h, comm),
                                test::local_entries(data.labels, comm), data.classes, comm);
}

/// 45 samples, p = 6, K = 4 with class sizes 7, 13, 5, 20, labels scattered (not class-ordered).
Labelled unbalanced() {
    const int n = 45, p = 6;
    const int sizes[] = {7, 13, 5, 20};
    Labelled data{Eigen::MatrixXd(n, p), std::vector<int>(n), 4};
    int sorted = 0;
    for (int c = 0; c < 4; ++c)
        for (int s = 0; s < sizes[c]; ++s) data.labels[(17 * sorted++) % n] = c;
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < p; ++j)
            data.h(i, j) = std::sin(0.37 * i + 1.3 * j + 0.11 * i * j) +
                           1.5 * (j == data.labels[i]) + 0.25 * data.labels[i];
    return data;
}

/// S1 of methods.md §7.2 at layer 1: X0 standardised per column (unbiased std), rows normalised.
Labelled s1_layer1() {
    const int n = 60, d = 8;
    Labelled data{Eigen::MatrixXd(n, d), std::vector<int>(n), 3};
    for (int i = 0; i < n; ++i) {
        data.labels[i] = i / 20;
        for (int j = 0; j < d; ++j)
            data.h(i, j) = std::sin(1.3 * i + 0.7 * j) + 2.0 * (j == data.labels[i]);
    }
    for (int j = 0; j < d; ++j) {
        double mean = data.h.col(j).mean();
        double sd = std::sqrt((data.h.col(j).array() - mean).square().sum() / (n - 1));
        data.h.col(j) = (data.h.col(j).array() - mean) / sd;
    }
    for (int i = 0; i < n; ++i) data.h.row(i).normalize();
    return data;
}

void expect_same(const analysis::NcMetrics& a, const analysis::NcMetrics& b, double tol) {
    EXPECT_EQ(a.samples, b.samples);
    EXPECT_TRUE(near_rel(a.tr_sw, b.tr_sw, tol));
    EXPECT_TRUE(near_rel(a.tr_sb, b.tr_sb, tol));
    EXPECT_TRUE(near_rel(a.nc1, b.nc1, tol));
    EXPECT_TRUE(near_rel(a.nc1_code, b.nc1_code, tol));
    EXPECT_TRUE(near_rel(a.nc1_papyan, b.nc1_papyan, tol));
    EXPECT_TRUE(near_rel(a.nc2, b.nc2, tol));
    EXPECT_TRUE(near_rel(a.nc2_fro, b.nc2_fro, tol));
}

TEST(NcMetricsTest, UnbalancedClassesMatchBruteForce) {
    auto comm = test::world();
    Labelled data = unbalanced();

    auto got = distributed(data, comm);

    expect_same(got, brute_force(data), 1e-12);
    EXPECT_TRUE(near_rel(got.nc1, data.classes * got.nc1_code, 1e-14));
    EXPECT_TRUE(near_rel(got.nc2_fro, data.classes * std::sqrt(got.nc2), 1e-14));
}

TEST(NcMetricsTest, ExactlyCollapsedDataGivesZeroNc1) {
    auto comm = test::world();
    // Dyadic class means and sizes 3, 5, 8: sums and means are exact, so NC1 must be exactly 0.
    const int sizes[] = {3, 5, 8};
    Labelled data{Eigen::MatrixXd(16, 4), std::vector<int>(16), 3};
    for (int i = 0, c = 0, left = sizes[0]; i < 16; ++i, --left) {
        if (left == 0) left = sizes[++c];
        data.labels[i] = c;
        for (int j = 0; j < 4; ++j) data.h(i, j) = 0.5 * (c + 1) + 0.25 * j - (c == j ? 1.0 : 0.0);
    }

    auto got = distributed(data, comm);

    EXPECT_EQ(got.tr_sw, 0.0);
    EXPECT_EQ(got.nc1, 0.0);
    EXPECT_EQ(got.nc1_code, 0.0);
    EXPECT_EQ(got.nc1_papyan, 0.0);
    EXPECT_TRUE(near_rel(got.tr_sb, brute_force(data).tr_sb, 1e-14));
    EXPECT_TRUE(near_rel(got.nc2, brute_force(data).nc2, 1e-12));
}

TEST(NcMetricsTest, SimplexEtfMeansGiveZeroNc2) {
    auto comm = test::world();
    // μ_c = s + e_c − 1/4 (first 4 coordinates), rows μ_c ± δ in pairs; sizes 2, 4, 6, 8.
    const int k = 4, p = 5, sizes[] = {2, 4, 6, 8};
    const Eigen::RowVectorXd shift = (Eigen::RowVectorXd(p) << 0.3, -0.2, 0.1, 0.7, 1.1).finished();
    Labelled data{Eigen::MatrixXd(20, p), std::vector<int>(20), k};
    for (int i = 0, c = 0, left = sizes[0]; i < 20; ++i, --left) {
        if (left == 0) left = sizes[++c];
        data.labels[i] = c;
        Eigen::RowVectorXd mean = shift;
        mean.head(k).array() -= 1.0 / k;
        mean(c) += 1.0;
        Eigen::RowVectorXd delta(p);
        for (int j = 0; j < p; ++j) delta(j) = 0.1 * std::cos(1.7 * (i / 2) + 0.9 * j);
        data.h.row(i) = mean + (i % 2 == 0 ? delta : Eigen::RowVectorXd(-delta));
    }

    auto got = distributed(data, comm);

    EXPECT_LE(got.nc2_fro, 1e-14);
    EXPECT_LE(got.nc2, 1e-28);
    EXPECT_TRUE(near_rel(got.nc1, brute_force(data).nc1, 1e-12));
    EXPECT_GT(got.nc1, 1e-3);
}

TEST(NcMetricsTest, S1Layer1MatchesReferenceValues) {
    auto comm = test::world();
    Labelled data = s1_layer1();

    auto got = distributed(data, comm);

    // methods.md §7.2, layer 1, repr X (rfm reference run; NC1_pap used torch.linalg.pinv).
    EXPECT_TRUE(near_rel(got.nc1_code, 1.07861400e+00, 1e-6));
    EXPECT_TRUE(near_rel(got.nc1, 3.23584200e+00, 1e-6));
    EXPECT_TRUE(near_rel(got.nc1_papyan, 1.67131927e-02, 1e-6));
    EXPECT_TRUE(near_rel(got.nc2, 1.01649678e-04, 1e-6));
}

TEST(NcMetricsTest, AllRankCountsMatchSerialComputation) {
    auto comm = test::world();
    Labelled data = unbalanced();

    auto parallel = distributed(data, comm);
    auto serial = distributed(data, test::self_comm(comm));

    expect_same(parallel, serial, 1e-12);
}

TEST(NcMetricsTest, FewerSamplesThanRanksLeaveRanksEmpty) {
    auto comm = test::world();
    Labelled data = unbalanced();
    data.h.conservativeResize(3, Eigen::NoChange);
    data.labels = {1, 0, 1};
    data.classes = 2;

    auto got = distributed(data, comm);  // at 4 ranks, rank 3 holds no rows

    auto expected = brute_force(data);
    EXPECT_TRUE(near_rel(got.tr_sw, expected.tr_sw, 1e-12));
    EXPECT_TRUE(near_rel(got.nc1, expected.nc1, 1e-12));
    EXPECT_TRUE(near_rel(got.nc1_papyan, expected.nc1_papyan, 1e-12));
    EXPECT_LE(got.nc2_fro, 1e-15);  // two centred class means are always antipodal: an ETF
}

TEST(NcMetricsTest, Nc4CountsDisagreementWithNearestClassMean) {
    auto comm = test::world();
    Labelled data = unbalanced();
    data.h += 2.0 * Eigen::MatrixXd::NullaryExpr(45, 6, [](Eigen::Index i, Eigen::Index j) {
                  return std::cos(2.3 * i * i + 0.6 * j);
              });  // enough spread that some rows sit nearer another class mean
    std::vector<int> predicted(data.labels);
    for (size_t i = 0; i < predicted.size(); i += 4) predicted[i] = (predicted[i] + 1) % 4;
    Eigen::MatrixXd means = Eigen::MatrixXd::Zero(4, 6);
    Eigen::VectorXd counts = Eigen::VectorXd::Zero(4);
    for (int i = 0; i < 45; ++i) {
        means.row(data.labels[i]) += data.h.row(i);
        counts(data.labels[i]) += 1;
    }
    int expected = 0, nearest_differs = 0;
    for (int i = 0; i < 45; ++i) {
        int nearest = 0;
        for (int c = 1; c < 4; ++c)
            if ((data.h.row(i) - means.row(c) / counts(c)).norm() <
                (data.h.row(i) - means.row(nearest) / counts(nearest)).norm())
                nearest = c;
        expected += nearest != predicted[i];
        nearest_differs += nearest != data.labels[i];
    }
    ASSERT_GT(nearest_differs, 0);  // the data must exercise the nearest-mean rule

    double got = analysis::nc4(test::local_rows(data.h, comm),
                               test::local_entries(data.labels, comm),
                               test::local_entries(predicted, comm), 4, comm);

    EXPECT_DOUBLE_EQ(got, expected / 45.0);
}

TEST(NcMetricsTest, FloatRowsMatchBruteForceOnTheirValues) {
    // Arrange: float rows (model.precision = "float32") are computed on in double, so the
    // metrics are those of their values to float64 rounding, not to float's.
    auto comm = test::world();
    Labelled data = unbalanced();
    Labelled rounded = data;
    rounded.h = test::rounded_to_float(data.h);
    const std::vector<int> labels = test::local_entries(data.labels, comm);
    std::vector<int> predicted(data.labels);
    for (size_t i = 0; i < predicted.size(); i += 3) predicted[i] = (predicted[i] + 1) % 4;
    const std::vector<int> my_predicted = test::local_entries(predicted, comm);

    // Act
    const HostMatrixOf<float> rows = test::local_rows<float>(data.h, comm);
    auto got = analysis::nc_metrics(rows, labels, data.classes, comm);
    double got_nc4 = analysis::nc4(rows, labels, my_predicted, data.classes, comm);

    // Assert
    expect_same(got, brute_force(rounded), 1e-12);
    EXPECT_EQ(got_nc4, analysis::nc4(test::local_rows(rounded.h, comm), labels, my_predicted,
                                     data.classes, comm));
    EXPECT_GT(got_nc4, 0.0);  // the mismatches above are counted
}

TEST(NcMetricsTest, BadLabelOnOneRankThrowsOnEveryRank) {
    auto comm = test::world();
    Labelled data = unbalanced();
    data.labels.back() = 4;  // held by the last rank only

    EXPECT_THROW(distributed(data, comm), Error);
}

TEST(NcMetricsTest, EmptyClassThrowsOnEveryRank) {
    auto comm = test::world();
    Labelled data = unbalanced();
    data.classes = 5;

    EXPECT_THROW(distributed(data, comm), InputDataError);
}

}  // namespace
}  // namespace drfm
