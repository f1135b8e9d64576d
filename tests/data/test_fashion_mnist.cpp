// The real Fashion-MNIST files (scripts/setup.sh installs them under /usr/share/datasets).
#include "drfm/data/dataset.hpp"

#include "data_files.hpp"

#include <zlib.h>

#include <cmath>
#include <filesystem>

namespace drfm {
namespace {

const std::string folder = "/usr/share/datasets/fashion-mnist";

// Class counts of the first n labels, read straight from the IDX label file (8-byte header).
std::vector<std::int64_t> first_label_counts(std::int64_t n) {
    std::vector<std::int64_t> counts(10, 0);
    gzFile f = gzopen((folder + "/train-labels-idx1-ubyte.gz").c_str(), "rb");
    EXPECT_NE(f, nullptr);
    if (f == nullptr) return counts;
    std::vector<unsigned char> bytes(static_cast<size_t>(8 + n));
    EXPECT_EQ(gzread(f, bytes.data(), static_cast<unsigned>(bytes.size())), int(bytes.size()));
    gzclose(f);
    for (std::int64_t i = 0; i < n; ++i) ++counts[bytes[8 + i]];
    return counts;
}

TEST(FashionMnistTest, FirstThousandAreStandardisedInClassOrder) {
    if (!std::filesystem::exists(folder + "/train-images-idx3-ubyte.gz")) {
        GTEST_SKIP() << folder << " is not installed";
    }
    auto comm = test::world();
    config::DataConfig c;
    c.path = folder;
    c.n_train = 1000;
    c.n_test = 100;

    auto data = data::load_data(c, comm);

    const auto& train = data.train;
    EXPECT_EQ(train.n, 1000);
    EXPECT_EQ(train.d, 784);
    EXPECT_EQ(train.classes, 10);
    EXPECT_EQ(train.class_counts, first_label_counts(1000));
    EXPECT_TRUE(std::is_sorted(train.labels.begin(), train.labels.end()));
    EXPECT_EQ(data.test.n, 100);
    // Column sums of x and x² over all ranks: mean 0 and unbiased variance 1, or all zero.
    std::vector<double> sums(2 * 784, 0.0);
    for (size_t i = 0; i < train.x.extent(0); ++i) {
        for (int j = 0; j < 784; ++j) {
            sums[j] += train.x(i, j);
            sums[784 + j] += train.x(i, j) * train.x(i, j);
        }
    }
    comm.allreduce_sum(sums.data(), 2 * 784);
    int zero_columns = 0;
    for (int j = 0; j < 784; ++j) {
        if (sums[784 + j] == 0.0) {
            ++zero_columns;
            continue;
        }
        EXPECT_NEAR(sums[j] / 1000, 0.0, 1e-12) << "pixel " << j;
        EXPECT_NEAR(sums[784 + j] / 999, 1.0, 1e-12) << "pixel " << j;
    }
    EXPECT_LT(zero_columns, 784);
}

}  // namespace
}  // namespace drfm
