#include "drfm/data/dataset.hpp"

#include "data_files.hpp"

#include <cmath>

namespace drfm {
namespace {

// Standardised values are O(1–3); the serial reference does the same arithmetic up to summation
// order, so 1e-13 absolute is ~100 ulps.
constexpr double tolerance = 1e-13;

// Small CSV/HDF5 data: 5 features of mixed scale, one of them the constant 0.1; K = 4 classes,
// unbalanced and interleaved.
test::RawData smooth_data(std::int64_t n, int seed) {
    test::RawData raw;
    raw.x.resize(n, 5);
    for (std::int64_t i = 0; i < n; ++i) {
        for (int j = 0; j < 5; ++j) raw.x(i, j) = std::sin(1.3 * i + 0.7 * j + seed) * (1 + 10 * j);
        raw.x(i, 2) = 0.1;
    }
    raw.labels = test::idx_labels(n, 4, seed);
    return raw;
}

std::vector<double> as_doubles(const std::vector<int>& v) { return {v.begin(), v.end()}; }

// Row-major values of the raw samples (HDF5 order).
std::vector<double> row_major(const Eigen::MatrixXd& x) {
    std::vector<double> values;
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
        for (Eigen::Index j = 0; j < x.cols(); ++j) values.push_back(x(i, j));
    }
    return values;
}

void expect_matches(const data::Dataset& got, const test::Reference& ref, int classes,
                    const mpi::Comm& comm) {
    ASSERT_EQ(got.n, ref.x.rows());
    ASSERT_EQ(got.d, ref.x.cols());
    EXPECT_EQ(got.classes, classes);
    EXPECT_EQ(got.labels, ref.labels);
    EXPECT_EQ(got.source_index, ref.source_index);
    std::vector<std::int64_t> counts(static_cast<size_t>(classes), 0);
    for (int label : ref.labels) ++counts[label];
    EXPECT_EQ(got.class_counts, counts);
    EXPECT_EQ(got.rows.size(), got.n);
    EXPECT_EQ(static_cast<std::int64_t>(got.x.extent(0)), got.rows.count(comm.rank()));
    EXPECT_LE(test::max_abs_diff(test::gather_x(got, comm), ref.x), tolerance);
}

TEST(LoadDataTest, IdxMatchesTheSerialPipeline) {
    auto comm = test::world();
    test::TempDir dir(comm);
    auto raw = test::write_idx_set(dir, 50, 20, 6, 4, false, comm);

    auto data = data::load_data(test::idx_config(dir, 37, 13), comm);

    auto train = test::reference_split(
        raw.train, test::reference_subset(raw.train.labels, 37, config::Subset::first, 4));
    auto test_ref = test::reference_split(
        raw.test, test::reference_subset(raw.test.labels, 13, config::Subset::first, 4));
    expect_matches(data.train, train, 4, comm);
    expect_matches(data.test, test_ref, 4, comm);
    EXPECT_NE(data.description.find("train 37 of 50"), std::string::npos) << data.description;
}

TEST(LoadDataTest, GzipIdxGivesTheSameBitsAsRawIdx) {
    auto comm = test::world();
    test::TempDir plain(comm), packed(comm);
    test::write_idx_set(plain, 50, 20, 6, 4, false, comm);
    test::write_idx_set(packed, 50, 20, 6, 4, true, comm);

    auto a = data::load_data(test::idx_config(plain, 40, 20), comm);
    auto b = data::load_data(test::idx_config(packed, 40, 20), comm);

    EXPECT_EQ(test::max_abs_diff(test::gather_x(a.train, comm), test::gather_x(b.train, comm)),
              0.0);
    EXPECT_EQ(test::max_abs_diff(test::gather_x(a.test, comm), test::gather_x(b.test, comm)), 0.0);
}

TEST(LoadDataTest, CsvBalancedSubsetWithHeaderLabelFirstAndGzipTestFile) {
    auto comm = test::world();
    test::TempDir dir(comm);
    auto train_raw = smooth_data(40, 0), test_raw = smooth_data(15, 3);
    if (comm.is_root()) {
        test::write_bytes(dir.file("train.csv"), test::csv_text(train_raw, 0, true), false);
        test::write_bytes(dir.file("test.csv.gz"), test::csv_text(test_raw, 0, true), true);
    }
    comm.barrier();
    config::DataConfig c;
    c.source = config::DataSource::csv;
    c.path = dir.file("train.csv");
    c.test_path = dir.file("test.csv.gz");
    c.label_column = 0;
    c.header = true;
    c.n_train = 22;  // balanced over 4 classes: 5 per class, n = 20
    c.n_test = 11;
    c.subset = config::Subset::balanced;

    auto data = data::load_data(c, comm);

    auto train = test::reference_split(
        train_raw, test::reference_subset(train_raw.labels, 22, config::Subset::balanced, 4));
    auto test_ref = test::reference_split(
        test_raw, test::reference_subset(test_raw.labels, 11, config::Subset::first, 4));
    expect_matches(data.train, train, 4, comm);
    EXPECT_EQ(data.train.class_counts, (std::vector<std::int64_t>{5, 5, 5, 5}));
    expect_matches(data.test, test_ref, 4, comm);
}

TEST(LoadDataTest, Hdf5WithTrainStatisticsForTheTestSplit) {
    auto comm = test::world();
    test::TempDir dir(comm);
    auto train_raw = smooth_data(30, 1), test_raw = smooth_data(12, 2);
    if (comm.is_root()) {
        // Features stored as n × 5 × 1: more than two dimensions are flattened.
        test::write_hdf5(dir.file("train.h5"), {30, 5, 1}, row_major(train_raw.x),
                         as_doubles(train_raw.labels));
        test::write_hdf5(dir.file("test.h5"), {12, 5}, row_major(test_raw.x),
                         as_doubles(test_raw.labels), true);
    }
    comm.barrier();
    config::DataConfig c;
    c.source = config::DataSource::hdf5;
    c.path = dir.file("train.h5");
    c.test_path = dir.file("test.h5");
    c.n_train = 30;
    c.n_test = 12;
    c.test_standardize = config::TestStandardize::train;

    auto data = data::load_data(c, comm);

    auto train = test::reference_split(
        train_raw, test::reference_subset(train_raw.labels, 30, config::Subset::first, 4));
    auto test_ref = test::reference_split(
        test_raw, test::reference_subset(test_raw.labels, 12, config::Subset::first, 4), &train);
    expect_matches(data.train, train, 4, comm);
    expect_matches(data.test, test_ref, 4, comm);
}

TEST(LoadDataTest, ScatteredHdf5RowsDoNotDependOnTheRankCount) {
    // 700 samples with interleaved labels: in class order nearly every row is its own hyperslab,
    // so reads are split into several batches of at most 256 hyperslabs.
    auto comm = test::world();
    test::TempDir dir(comm);
    auto raw = smooth_data(700, 4);
    if (comm.is_root()) {
        test::write_hdf5(dir.file("d.h5"), {700, 5}, row_major(raw.x), as_doubles(raw.labels));
    }
    comm.barrier();
    config::DataConfig c;
    c.source = config::DataSource::hdf5;
    c.path = dir.file("d.h5");
    c.n_train = 700;
    c.n_test = 0;
    auto self = test::self_comm(comm);

    auto distributed = data::load_data(c, comm);
    auto alone = data::load_data(c, self);

    auto ref = test::reference_split(
        raw, test::reference_subset(raw.labels, 700, config::Subset::first, 4));
    expect_matches(distributed.train, ref, 4, comm);
    EXPECT_EQ(test::max_abs_diff(test::gather_x(distributed.train, comm),
                                 test::gather_x(alone.train, self)),
              0.0);
    EXPECT_EQ(distributed.test.n, 0);
    EXPECT_EQ(distributed.test.d, 5);
}

TEST(SignedOneHotTest, PlusOneOnTheTrueClassMinusOneElsewhere) {
    auto comm = test::world();
    test::TempDir dir(comm);
    test::write_idx_set(dir, 30, 10, 4, 3, false, comm);
    auto data = data::load_data(test::idx_config(dir, 30, 0), comm);

    HostMatrix y = data::signed_one_hot(data.train, comm);

    const int me = comm.rank();
    ASSERT_EQ(static_cast<std::int64_t>(y.extent(0)), data.train.rows.count(me));
    ASSERT_EQ(static_cast<int>(y.extent(1)), 3);
    for (std::int64_t i = 0; i < data.train.rows.count(me); ++i) {
        const int label = data.train.labels[data.train.rows.begin(me) + i];
        for (int c = 0; c < 3; ++c) EXPECT_EQ(y(i, c), c == label ? 1.0 : -1.0);
    }
}

TEST(ReadShapeTest, ReportsTheAvailableSizesFromHeadersAndLabels) {
    auto comm = test::world();
    test::TempDir dir(comm);
    test::write_idx_set(dir, 50, 20, 6, 4, true, comm);

    auto shape = data::read_shape(test::idx_config(dir, 10, 5), comm);

    EXPECT_EQ(shape.n_train_available, 50);
    EXPECT_EQ(shape.n_test_available, 20);
    EXPECT_EQ(shape.d, 6);
    EXPECT_EQ(shape.classes, 4);
}

}  // namespace
}  // namespace drfm
