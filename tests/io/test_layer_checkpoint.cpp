// Layer checkpoints (io/layer_checkpoint.hpp): written by every rank of the communicator, read back
// by one rank alone and by all in another row split, equal to the matrix each rank generated from
// the closed form; the checksum does not depend on the split and finds a changed element; a
// truncated file is refused; no .writing file is left.
#include "drfm/io/layer_checkpoint.hpp"

#include "drfm/core/row_partition.hpp"
#include "drfm/io/dataset.hpp"
#include "io_test_paths.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <vector>

namespace drfm::io {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t n = 37, n_test = 11, width = 5;

double element(int split, std::int64_t row, std::int64_t col) {
    return std::sin(1.3 * row + 0.7 * col + 5.0 * split) * std::pow(10.0, static_cast<double>(col));
}

/// My rows [first, first + count) of a split, column-major, from the closed form.
std::vector<double> block(int split, std::int64_t first, std::int64_t count) {
    std::vector<double> out(static_cast<std::size_t>(count * width));
    for (std::int64_t j = 0; j < width; ++j)
        for (std::int64_t i = 0; i < count; ++i)
            out[static_cast<std::size_t>(j * count + i)] = element(split, first + i, j);
    return out;
}

CheckpointInfo example_info() {
    CheckpointInfo info;
    info.owner = {"0123456789abcdef", "fedcba9876543210", "[model]\ndepth = 3\n", 4};
    info.layer = 2;
    info.n = n;
    info.n_test = n_test;
    info.width = width;
    return info;
}

/// Writes the example on `comm`, each rank its block of a balanced split.
void write_example(const mpi::Comm& comm, const std::string& path) {
    const RowPartition train(n, comm.size()), test(n_test, comm.size());
    const int r = comm.rank();
    const auto a = block(0, train.begin(r), train.count(r));
    const auto b = block(1, test.begin(r), test.count(r));
    write_layer_checkpoint(comm, path, example_info(), {a.data(), train.begin(r), train.count(r)},
                           {b.data(), test.begin(r), test.count(r)});
}

/// Reads my rows of both splits as `rows` (parts, my part) splits them; expects the closed form.
void expect_read_back(const mpi::Comm& comm, const std::string& path, int parts, int part) {
    const CheckpointInfo info = read_checkpoint_info(comm, path);
    EXPECT_EQ(info.layer, 2);
    EXPECT_EQ(info.n, n);
    EXPECT_EQ(info.n_test, n_test);
    EXPECT_EQ(info.width, width);
    EXPECT_EQ(info.owner.run, 4);
    EXPECT_EQ(info.owner.results_instance, "0123456789abcdef");
    EXPECT_EQ(info.owner.config_hash, "fedcba9876543210");
    EXPECT_EQ(info.owner.config, "[model]\ndepth = 3\n");
    const RowPartition train(n, parts), test(n_test, parts);
    std::vector<double> a(static_cast<std::size_t>(train.count(part) * width), -1.0);
    std::vector<double> b(static_cast<std::size_t>(test.count(part) * width), -1.0);
    read_layer_checkpoint(comm, path, info, {a.data(), train.begin(part), train.count(part)},
                          {b.data(), test.begin(part), test.count(part)});
    EXPECT_EQ(a, block(0, train.begin(part), train.count(part)));  // bit for bit
    EXPECT_EQ(b, block(1, test.begin(part), test.count(part)));
}

TEST(LayerCheckpointTest, RowsComeBackBitForBitInAnyRowSplit) {
    const auto comm = test::world();
    const std::string path = test::io_test_path("checkpoint_roundtrip");
    write_example(comm, path);
    EXPECT_FALSE(fs::exists(path + ".writing"));

    expect_read_back(comm, path, comm.size(), comm.rank());  // as written
    // The blocks in reverse rank order, then all rows on one rank: the checksum (over every
    // element, verified by the reads) must not depend on the split.
    expect_read_back(comm, path, comm.size(), comm.size() - 1 - comm.rank());
    if (comm.is_root()) expect_read_back(mpi::Comm::borrow(MPI_COMM_SELF), path, 1, 0);
}

TEST(LayerCheckpointTest, ReplacingKeepsOneFileAndTheNewContent) {
    const auto comm = test::world();
    const std::string path = test::io_test_path("checkpoint_replace");
    write_example(comm, path);
    CheckpointInfo info = example_info();
    info.layer = 3;
    info.n_test = 0;  // no test split: an empty dataset, which has no storage
    const RowPartition train(n, comm.size());
    const int r = comm.rank();
    auto a = block(0, train.begin(r), train.count(r));
    for (double& v : a) v = -v;
    write_layer_checkpoint(comm, path, info, {a.data(), train.begin(r), train.count(r)},
                           {nullptr, 0, 0});
    const CheckpointInfo read = read_checkpoint_info(comm, path);
    EXPECT_EQ(read.layer, 3);
    EXPECT_EQ(read.n_test, 0);
    std::vector<double> back(a.size());
    read_layer_checkpoint(comm, path, read, {back.data(), train.begin(r), train.count(r)},
                          {nullptr, 0, 0});
    EXPECT_EQ(back, a);
    EXPECT_FALSE(fs::exists(path + ".writing"));
}

TEST(LayerCheckpointTest, AChangedElementIsFoundByTheChecksum) {
    const auto comm = test::world();
    const std::string path = test::io_test_path("checkpoint_damaged");
    write_example(comm, path);
    if (comm.is_root()) {  // flip the last bit of test element (row 3, feature 2)
        const auto self = mpi::Comm::borrow(MPI_COMM_SELF);
        const std::uint64_t offset =
            dataset_offset(File::open(self, path, OpenMode::read_only), "/test") +
            (2 * n_test + 3) * sizeof(double);
        const int fd = ::open(path.c_str(), O_RDWR);
        ASSERT_GE(fd, 0);
        unsigned char byte = 0;
        ASSERT_EQ(::pread(fd, &byte, 1, static_cast<off_t>(offset)), 1);
        byte ^= 1;
        ASSERT_EQ(::pwrite(fd, &byte, 1, static_cast<off_t>(offset)), 1);
        ::close(fd);
    }
    comm.barrier();
    const CheckpointInfo info = read_checkpoint_info(comm, path);
    const RowPartition train(n, comm.size()), test(n_test, comm.size());
    const int r = comm.rank();
    std::vector<double> a(static_cast<std::size_t>(train.count(r) * width));
    std::vector<double> b(static_cast<std::size_t>(test.count(r) * width));
    try {
        read_layer_checkpoint(comm, path, info, {a.data(), train.begin(r), train.count(r)},
                              {b.data(), test.begin(r), test.count(r)});
        ADD_FAILURE() << "a changed element was not found";
    } catch (const Error& e) {
        EXPECT_TRUE(e.is_collective());
        EXPECT_EQ(e.exit_code(), ExitCode::input);
        EXPECT_NE(std::string(e.what()).find("'" + path + "' is damaged"), std::string::npos)
            << e.what();
    }
}

TEST(LayerCheckpointTest, ATruncatedFileIsRefusedNamingIt) {
    const auto comm = test::world();
    const std::string path = test::io_test_path("checkpoint_truncated");
    write_example(comm, path);
    if (comm.is_root()) fs::resize_file(path, fs::file_size(path) / 2);
    comm.barrier();
    try {
        read_checkpoint_info(comm, path);
        ADD_FAILURE() << "a truncated checkpoint was read";
    } catch (const Error& e) {
        EXPECT_TRUE(e.is_collective());
        EXPECT_EQ(e.exit_code(), ExitCode::input);
        const std::string message = e.what();
        EXPECT_NE(message.find("'" + path + "' cannot be read"), std::string::npos) << message;
        EXPECT_NE(message.find("--restart"), std::string::npos) << message;
    }
}

}  // namespace
}  // namespace drfm::io
