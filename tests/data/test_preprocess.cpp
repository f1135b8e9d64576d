#include "drfm/data/preprocess.hpp"

#include "data_files.hpp"

#include <gmock/gmock.h>

#include <cmath>

namespace drfm {
namespace {

using ::testing::HasSubstr;

// My rows (RowPartition over comm) of a matrix every rank knows in full.
HostMatrix my_rows(const Eigen::MatrixXd& full, const mpi::Comm& comm) {
    RowPartition rows(full.rows(), comm.size());
    HostMatrix x = make_host_matrix("drfm::test::x", rows.count(comm.rank()), full.cols());
    for (std::int64_t i = 0; i < rows.count(comm.rank()); ++i) {
        for (Eigen::Index j = 0; j < full.cols(); ++j)
            x(i, j) = full(rows.begin(comm.rank()) + i, j);
    }
    return x;
}

// Columns of very different magnitudes and signs, one constant column of a value binary floating
// point cannot represent (its naive mean is not exactly 0.1).
Eigen::MatrixXd mixed_matrix(Eigen::Index n) {
    Eigen::MatrixXd m(n, 4);
    for (Eigen::Index i = 0; i < n; ++i) {
        m(i, 0) = std::sin(1.3 * i) * 1e6 + 3e7;
        m(i, 1) = std::cos(0.7 * i + 0.2) * 1e-9;
        m(i, 2) = 0.1;
        m(i, 3) = (i % 3) - 1.0 + 1e-3 * i;
    }
    return m;
}

TEST(SelectSubsetTest, FirstTakesTheLeadingSamplesInFileOrder) {
    std::vector<int> labels = {2, 0, 1, 1, 0, 2, 2};

    auto rows = data::select_subset(labels, 5, config::Subset::first, 3, "f.csv");

    EXPECT_EQ(rows, (std::vector<std::int64_t>{0, 1, 2, 3, 4}));
}

TEST(SelectSubsetTest, BalancedTakesTheFirstOfEachClassAndRoundsDown) {
    std::vector<int> labels = {2, 0, 1, 1, 0, 2, 2, 0, 1, 1};

    // n = 7 over 3 classes: ⌊7/3⌋ = 2 per class, n = 6.
    auto rows = data::select_subset(labels, 7, config::Subset::balanced, 3, "f.csv");

    EXPECT_EQ(rows, (std::vector<std::int64_t>{0, 1, 2, 3, 4, 5}));
    EXPECT_EQ(data::subset_size(7, config::Subset::balanced, 3), 6);
    EXPECT_EQ(data::subset_size(7, config::Subset::first, 3), 7);
}

TEST(SelectSubsetTest, RejectsAnEmptyClassAndTooFewSamples) {
    std::vector<int> labels = {0, 0, 1, 2, 2};

    try {
        data::select_subset(labels, 2, config::Subset::first, 3, "f.csv");
        FAIL() << "expected an InputDataError";
    } catch (const InputDataError& e) {
        EXPECT_THAT(e.what(), HasSubstr("f.csv: class 1 has no sample"));
    }
    try {
        data::select_subset(labels, 6, config::Subset::first, 3, "f.csv");
        FAIL() << "expected an InputDataError";
    } catch (const InputDataError& e) {
        EXPECT_THAT(e.what(), HasSubstr("the file has 5 samples"));
    }
    try {
        data::select_subset(labels, 6, config::Subset::balanced, 3, "f.csv");
        FAIL() << "expected an InputDataError";
    } catch (const InputDataError& e) {
        EXPECT_THAT(e.what(), HasSubstr("class 1 has only 1 samples"));
    }
}

TEST(ClassOrderTest, GroupsByClassAndKeepsFileOrderWithinAClass) {
    std::vector<int> labels = {2, 0, 1, 1, 0, 2, 2};
    std::vector<std::int64_t> rows = {0, 1, 2, 3, 4, 5, 6};

    auto ordered = data::class_order(rows, labels);

    EXPECT_EQ(ordered, (std::vector<std::int64_t>{1, 4, 2, 3, 0, 5, 6}));
}

TEST(ColumnStatsTest, MatchesTheSerialTwoPassStatistics) {
    auto comm = test::world();
    const Eigen::MatrixXd full = mixed_matrix(23);
    HostMatrix x = my_rows(full, comm);

    auto stats = data::column_stats(x, comm);

    const Eigen::RowVectorXd mean = full.colwise().mean();
    const Eigen::RowVectorXd var =
        (full.rowwise() - mean).array().square().colwise().sum() / double(full.rows() - 1);
    ASSERT_EQ(stats.n, 23);
    for (int j : {0, 1, 3}) {
        EXPECT_TRUE(test::near_rel(stats.mean[j], mean(j), 1e-14)) << "column " << j;
        EXPECT_TRUE(test::near_rel(stats.std[j], std::sqrt(var(j)), 1e-13)) << "column " << j;
        EXPECT_FALSE(stats.constant[j]);
    }
    EXPECT_TRUE(stats.constant[2]);
}

TEST(ColumnStatsTest, BitIdenticalForEveryRowDistribution) {
    auto comm = test::world();
    const Eigen::MatrixXd full = mixed_matrix(31);
    HostMatrix mine = my_rows(full, comm);
    auto self = test::self_comm(comm);
    HostMatrix all = my_rows(full, self);

    auto distributed = data::column_stats(mine, comm);
    auto local = data::column_stats(all, self);

    EXPECT_EQ(distributed.mean, local.mean);
    EXPECT_EQ(distributed.std, local.std);
}

TEST(ColumnStatsTest, SumsAreExactDespiteCancellation) {
    // 1e16 + 1 + ... + 1 − 1e16: summed in double from the left this gives 0 (each 1 is lost);
    // the exact sum is the number of ones.
    auto comm = test::world();
    Eigen::MatrixXd full(10, 1);
    full.setOnes();
    full(0, 0) = 1e16;
    full(9, 0) = -1e16;
    HostMatrix x = my_rows(full, comm);

    auto stats = data::column_stats(x, comm);

    EXPECT_EQ(stats.mean[0], 8.0 / 10.0);
}

TEST(StandardizeTest, CentresScalesAndZeroesConstantColumns) {
    auto comm = test::world();
    const Eigen::MatrixXd full = mixed_matrix(17);
    HostMatrix x = my_rows(full, comm);
    auto stats = data::column_stats(x, comm);

    data::standardize(x, stats);

    const int me = comm.rank();
    RowPartition rows(full.rows(), comm.size());
    for (std::int64_t i = 0; i < rows.count(me); ++i) {
        for (int j : {0, 1, 3}) {
            double expected = (full(rows.begin(me) + i, j) - stats.mean[j]) / stats.std[j];
            EXPECT_DOUBLE_EQ(x(i, j), expected);
        }
        EXPECT_EQ(x(i, 2), 0.0);
    }
}

}  // namespace
}  // namespace drfm
