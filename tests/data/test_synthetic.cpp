#include "drfm/core/random.hpp"
#include "drfm/data/dataset.hpp"

#include "data_files.hpp"

#include <cmath>

namespace drfm {
namespace {

config::DataConfig synthetic_config(std::int64_t n_train, std::int64_t n_test, std::uint64_t seed) {
    config::DataConfig c;
    c.source = config::DataSource::synthetic;
    c.classes = 3;
    c.dim = 4;
    c.separation = 2.5;
    c.data_seed = seed;
    c.n_train = n_train;
    c.n_test = n_test;
    return c;
}

// The documented generator, written out independently: centre_c = s·g_c/‖g_c‖ (layer 0),
// sample i of class i mod K = centre + N(0, I) from layer 1 (train) or 2 (test).
test::RawData generate(const config::DataConfig& c, std::int64_t n, std::uint32_t layer) {
    Eigen::MatrixXd centres(c.classes, c.dim);
    for (int k = 0; k < c.classes; ++k) {
        for (int j = 0; j < c.dim; ++j) {
            centres(k, j) = random::normal(c.data_seed, random::synthetic_data, 0, k, j);
        }
        centres.row(k) *= c.separation / centres.row(k).norm();
    }
    test::RawData raw;
    raw.x.resize(n, c.dim);
    for (std::int64_t i = 0; i < n; ++i) {
        raw.labels.push_back(static_cast<int>(i % c.classes));
        for (int j = 0; j < c.dim; ++j) {
            raw.x(i, j) = centres(i % c.classes, j) +
                          random::normal(c.data_seed, random::synthetic_data, layer, i, j);
        }
    }
    return raw;
}

TEST(SyntheticDataTest, SamplesFollowTheDocumentedMixture) {
    auto comm = test::world();
    auto c = synthetic_config(31, 10, 7);

    auto data = data::load_data(c, comm);

    auto train_raw = generate(c, 31, 1), test_raw = generate(c, 10, 2);
    auto train = test::reference_split(
        train_raw, test::reference_subset(train_raw.labels, 31, config::Subset::first, 3));
    auto test_ref = test::reference_split(
        test_raw, test::reference_subset(test_raw.labels, 10, config::Subset::first, 3));
    EXPECT_EQ(data.train.labels, train.labels);
    EXPECT_EQ(data.train.class_counts, (std::vector<std::int64_t>{11, 10, 10}));
    EXPECT_LE(test::max_abs_diff(test::gather_x(data.train, comm), train.x), 1e-13);
    EXPECT_LE(test::max_abs_diff(test::gather_x(data.test, comm), test_ref.x), 1e-13);
}

TEST(SyntheticDataTest, IdenticalOnOneRankAndOnAllRanks) {
    auto comm = test::world();
    auto self = test::self_comm(comm);
    auto c = synthetic_config(45, 9, 11);

    auto distributed = data::load_data(c, comm);
    auto alone = data::load_data(c, self);

    EXPECT_EQ(test::max_abs_diff(test::gather_x(distributed.train, comm),
                                 test::gather_x(alone.train, self)),
              0.0);
    EXPECT_EQ(test::max_abs_diff(test::gather_x(distributed.test, comm),
                                 test::gather_x(alone.test, self)),
              0.0);
}

TEST(SyntheticDataTest, SeedChangesTheSamplesAndSeparationTheClassMeans) {
    auto comm = test::world();
    auto near = synthetic_config(600, 0, 3), far = synthetic_config(600, 0, 3), other = near;
    near.separation = 0.0;
    far.separation = 20.0;
    other.data_seed = 4;

    auto a = test::gather_x(data::load_data(near, comm).train, comm);
    auto b = test::gather_x(data::load_data(far, comm).train, comm);
    auto o = test::gather_x(data::load_data(other, comm).train, comm);

    // Standardised class means: ~N(0, 1/200) per coordinate at separation 0, O(1) at 20.
    auto class0_mean_norm = [](const Eigen::MatrixXd& x) {
        return x.topRows(200).colwise().mean().norm();  // class order: rows 0..199 are class 0
    };
    EXPECT_LT(class0_mean_norm(a), 0.5);
    EXPECT_GT(class0_mean_norm(b), 0.8);
    EXPECT_GT(test::max_abs_diff(a, o), 0.1);
}

}  // namespace
}  // namespace drfm
