// Bad input data: every case must fail on all ranks together (a collective error) with a message
// that names the file and says what is wrong and where.
#include "drfm/data/dataset.hpp"

#include "data_files.hpp"

#include <gmock/gmock.h>

#include <filesystem>

namespace drfm {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

class BadDataTest : public ::testing::Test {
protected:
    mpi::Comm comm = test::world();
    test::TempDir dir{comm};

    // Writes `text` as file `name` (rank 0) and returns its path.
    std::string put(const std::string& name, const std::string& text, bool gz = false) {
        if (comm.is_root()) test::write_bytes(dir.file(name), text, gz);
        comm.barrier();
        return dir.file(name);
    }

    config::DataConfig csv(const std::string& file, std::int64_t n_train) const {
        config::DataConfig c;
        c.source = config::DataSource::csv;
        c.path = file;
        c.n_train = n_train;
        c.n_test = 0;
        return c;
    }

    config::DataConfig idx(std::int64_t n_train, std::int64_t n_test) const {
        return test::idx_config(dir, n_train, n_test);
    }

    std::string load_error(const config::DataConfig& c) {
        return test::collective_error([&] { data::load_data(c, comm); });
    }
};

// Every rank sees the data only of its own rows: a bad value in the last sample (owned by the
// last rank alone) must still stop every rank.
TEST_F(BadDataTest, NanSeenByOneRankReachesAll) {
    auto file = put("nan.csv", "1,2,0\n3,4,1\n5,6,0\n7,nan,1\n");

    auto message = load_error(csv(file, 4));

    EXPECT_THAT(message, AllOf(HasSubstr(file + ":4:3"), HasSubstr("NaN and Inf")));
}

TEST_F(BadDataTest, InfinityInCsv) {
    auto file = put("inf.csv", "1,2,0\n3,-inf,1\n");

    EXPECT_THAT(load_error(csv(file, 2)), AllOf(HasSubstr(file + ":2:3"), HasSubstr("-inf")));
}

TEST_F(BadDataTest, NonNumericCsvFieldNamesLineAndColumn) {
    auto file = put("text.csv", "1,2,0\n3, abc ,1\n");

    EXPECT_THAT(load_error(csv(file, 2)),
                AllOf(HasSubstr(file + ":2:3"), HasSubstr("'abc' is not a number")));
}

TEST_F(BadDataTest, RaggedCsvRow) {
    auto file = put("ragged.csv", "1,2,0\n3,4,1\n5,1\n");

    EXPECT_THAT(load_error(csv(file, 3)),
                AllOf(HasSubstr(file + ":3"), HasSubstr("2 fields, but line 1 has 3")));
}

TEST_F(BadDataTest, NegativeLabel) {
    auto file = put("negative.csv.gz", "1,2,0\n3,4,-1\n", true);

    EXPECT_THAT(load_error(csv(file, 2)),
                AllOf(HasSubstr(file + ":2:5"), HasSubstr("label -1 is not an integer")));
}

TEST_F(BadDataTest, NonIntegerLabel) {
    auto file = put("fraction.csv", "1,2,0\n3,4,1.5\n");

    EXPECT_THAT(load_error(csv(file, 2)), AllOf(HasSubstr(file), HasSubstr("label 1.5")));
}

TEST_F(BadDataTest, MissingCsvFile) {
    auto file = dir.file("absent.csv");

    EXPECT_THAT(load_error(csv(file, 2)), AllOf(HasSubstr(file), HasSubstr("does not exist")));
}

TEST_F(BadDataTest, ClassWithoutSamplesInTheSubset) {
    auto file = put("classes.csv", "1,2,0\n3,4,0\n5,6,2\n7,8,1\n");

    EXPECT_THAT(load_error(csv(file, 3)),
                AllOf(HasSubstr(file), HasSubstr("class 1 has no sample among the 3")));
}

TEST_F(BadDataTest, MoreTrainSamplesThanTheFileHas) {
    auto file = put("short.csv", "1,2,0\n3,4,1\n");

    EXPECT_THAT(load_error(csv(file, 5)),
                AllOf(HasSubstr(file), HasSubstr("the file has 2 samples")));
}

TEST_F(BadDataTest, MissingIdxFolderAndFile) {
    auto c = idx(10, 0);
    c.path = dir.file("nowhere");
    EXPECT_THAT(load_error(c), AllOf(HasSubstr(c.path), HasSubstr("does not exist")));

    if (comm.is_root()) test::write_idx(dir.file("train-labels-idx1-ubyte"), {2}, {0, 1}, false);
    comm.barrier();
    EXPECT_THAT(load_error(idx(2, 0)),
                AllOf(HasSubstr(dir.path()), HasSubstr("neither train-images-idx3-ubyte nor")));
}

TEST_F(BadDataTest, IdxBadMagicTruncationAndCountMismatch) {
    test::write_idx_set(dir, 20, 5, 4, 2, false, comm);
    const auto images = dir.file("train-images-idx3-ubyte");
    const auto original = std::filesystem::file_size(images);
    comm.barrier();

    if (comm.is_root()) std::filesystem::resize_file(images, original - 3);
    comm.barrier();
    EXPECT_THAT(load_error(idx(20, 5)), AllOf(HasSubstr(images), HasSubstr("truncated")));

    put("train-images-idx3-ubyte", std::string("\x00\x01\x08\x03", 4) + std::string(12, '\0'));
    EXPECT_THAT(load_error(idx(20, 5)),
                AllOf(HasSubstr(images), HasSubstr("bad magic number 0x00010803")));

    if (comm.is_root()) {
        test::write_idx(images, {19, 2, 2}, test::idx_pixels(19, 4, 0), false);
    }
    comm.barrier();
    EXPECT_THAT(load_error(idx(10, 5)),
                AllOf(HasSubstr(images), HasSubstr("has 19 images but"), HasSubstr("20 labels")));
}

TEST_F(BadDataTest, TruncatedGzipIdxImages) {
    test::write_idx_set(dir, 400, 5, 64, 2, true, comm);
    const auto images = dir.file("train-images-idx3-ubyte.gz");
    comm.barrier();
    if (comm.is_root()) {
        std::filesystem::resize_file(images, std::filesystem::file_size(images) / 2);
    }
    comm.barrier();

    auto message = load_error(idx(400, 5));

    EXPECT_THAT(message, HasSubstr(images));
    EXPECT_TRUE(message.find("truncated") != std::string::npos ||
                message.find("corrupt") != std::string::npos)
        << message;
}

TEST_F(BadDataTest, MoreTestSamplesThanTheTestFileHasAndUnknownTestClass) {
    test::write_idx_set(dir, 20, 5, 4, 2, false, comm);
    EXPECT_THAT(load_error(idx(20, 6)),
                AllOf(HasSubstr(dir.file("t10k-images-idx3-ubyte")),
                      HasSubstr("data.n_test = 6 but the test file has 5")));

    if (comm.is_root()) {
        test::write_idx(dir.file("t10k-labels-idx1-ubyte"), {5}, {0, 1, 7, 0, 1}, false);
    }
    comm.barrier();
    EXPECT_THAT(load_error(idx(20, 5)),
                AllOf(HasSubstr("test sample 2 has label 7"), HasSubstr("classes 0..1 only")));
}

TEST_F(BadDataTest, Hdf5InfinityMissingDatasetAndLabelCountMismatch) {
    const auto file = dir.file("bad.h5");
    std::vector<double> values = {1, 2, 3, 4, 5, 6, 7, INFINITY};
    if (comm.is_root()) test::write_hdf5(file, {4, 2}, values, {0, 1, 0, 1});
    comm.barrier();
    config::DataConfig c;
    c.source = config::DataSource::hdf5;
    c.path = file;
    c.n_train = 4;
    c.n_test = 0;
    EXPECT_THAT(load_error(c), AllOf(HasSubstr(file), HasSubstr("sample 3, feature 1 is inf")));

    c.labels_dataset = "targets";
    EXPECT_THAT(load_error(c), AllOf(HasSubstr(file), HasSubstr("no dataset 'targets'"),
                                     HasSubstr("features, labels")));

    if (comm.is_root()) test::write_hdf5(file, {4, 2}, values, {0, 1, 0});
    comm.barrier();
    c.labels_dataset = "labels";
    EXPECT_THAT(load_error(c),
                AllOf(HasSubstr(file), HasSubstr("has 4 samples but 'labels' has 3")));
}

TEST_F(BadDataTest, FileThatIsNotHdf5) {
    auto file = put("fake.h5", "this is not an HDF5 file\n");
    config::DataConfig c;
    c.source = config::DataSource::hdf5;
    c.path = file;
    c.n_test = 0;

    EXPECT_THAT(load_error(c), AllOf(HasSubstr(file), HasSubstr("not an HDF5 file")));
}

TEST_F(BadDataTest, ErrorsAreInputErrors) {
    auto file = put("e.csv", "1,x,0\n");
    try {
        data::load_data(csv(file, 1), comm);
        FAIL() << "expected an error";
    } catch (const Error& e) {
        EXPECT_EQ(e.exit_code(), ExitCode::input);
    }
}

}  // namespace
}  // namespace drfm
