// Feature snapshots (data/snapshots.hpp): natural name order, the checks made when the file is
// opened, and each rank's rows of a snapshot in class order, unstandardised.
#include "drfm/data/snapshots.hpp"

#include "data_files.hpp"

#include <gmock/gmock.h>
#include <hdf5.h>

#include <algorithm>
#include <map>

namespace drfm {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

/// Writes datasets (path → row-major values with their shape) and int labels; rank 0 only.
void write_file(const std::string& path, const std::vector<int>& labels,
                const std::map<std::string, Eigen::MatrixXd>& datasets) {
    hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    ASSERT_GE(file, 0) << path;
    hid_t link = H5Pcreate(H5P_LINK_CREATE);
    ASSERT_GE(H5Pset_create_intermediate_group(link, 1), 0);
    auto put = [&](const std::string& name, hid_t type, const std::vector<hsize_t>& dims,
                   hid_t memory_type, const void* values) {
        hid_t space = H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
        hid_t set = H5Dcreate2(file, name.c_str(), type, space, link, H5P_DEFAULT, H5P_DEFAULT);
        ASSERT_GE(set, 0) << name;
        ASSERT_GE(H5Dwrite(set, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values), 0);
        H5Dclose(set);
        H5Sclose(space);
    };
    put("labels", H5T_STD_I64LE, {labels.size()}, H5T_NATIVE_INT, labels.data());
    for (const auto& [name, m] : datasets) {
        const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> rows = m;
        put(name, H5T_IEEE_F32LE, {static_cast<hsize_t>(m.rows()), static_cast<hsize_t>(m.cols())},
            H5T_NATIVE_DOUBLE, rows.data());
    }
    H5Pclose(link);
    ASSERT_GE(H5Fclose(file), 0);
}

class SnapshotsTest : public ::testing::Test {
protected:
    mpi::Comm comm = test::world();
    test::TempDir dir{comm};
    // 7 samples of 3 classes, not in class order; values small integers (exact in float32).
    std::vector<int> labels{2, 0, 1, 0, 2, 1, 0};

    Eigen::MatrixXd snapshot(int p, double offset) const {
        Eigen::MatrixXd m(7, p);
        for (int i = 0; i < 7; ++i)
            for (int j = 0; j < p; ++j) m(i, j) = offset + 10 * i + j;
        return m;
    }

    std::string put(const std::string& name, const std::map<std::string, Eigen::MatrixXd>& sets) {
        if (comm.is_root()) write_file(dir.file(name), labels, sets);
        comm.barrier();
        return dir.file(name);
    }

    config::DataConfig config(const std::string& file, const std::string& outputs = "") const {
        config::DataConfig c;
        c.source = config::DataSource::hdf5;
        c.path = file;
        c.n_train = 7;
        c.n_test = 0;
        c.outputs = outputs;
        return c;
    }
};

TEST(NaturalOrderTest, DigitRunsCompareAsNumbers) {
    std::vector<std::string> names{"epoch_10", "epoch_2", "epoch_1", "final", "epoch_02", "b1x",
                                   "b1", "epoch_0"};

    std::sort(names.begin(), names.end(), data::natural_less);

    EXPECT_EQ(names, (std::vector<std::string>{"b1", "b1x", "epoch_0", "epoch_1", "epoch_2",
                                               "epoch_02", "epoch_10", "final"}));
    EXPECT_FALSE(data::natural_less("epoch_3", "epoch_3"));
    EXPECT_TRUE(data::natural_less("a9", "a10"));
    EXPECT_FALSE(data::natural_less("a10", "a9"));
}

TEST_F(SnapshotsTest, ReadsEverySnapshotInNaturalOrderAsStoredInClassOrder) {
    const auto file = put("s.h5", {{"snapshots/epoch_10", snapshot(3, 0.5)},
                                   {"snapshots/epoch_2", snapshot(4, 100)},
                                   {"out/epoch_2", snapshot(3, 1)},
                                   {"out/epoch_10", snapshot(3, 2)}});

    const data::Snapshots snaps(config(file, "out"), comm);

    EXPECT_EQ(snaps.names(), (std::vector<std::string>{"epoch_2", "epoch_10"}));
    EXPECT_EQ(snaps.samples(), 7);
    EXPECT_EQ(snaps.classes(), 3);
    EXPECT_EQ(snaps.width(0), 4);
    EXPECT_EQ(snaps.width(1), 3);
    EXPECT_TRUE(snaps.has_outputs());
    const std::vector<int> class_order{1, 3, 6, 2, 5, 0, 4};  // file rows, stable by label
    for (std::size_t s = 0; s < 2; ++s) {
        const auto rows = snaps.read(s);
        const data::Dataset& set = rows.features;
        ASSERT_EQ(set.n, 7);
        const Eigen::MatrixXd features = s == 0 ? snapshot(4, 100) : snapshot(3, 0.5);
        const Eigen::MatrixXd outputs = s == 0 ? snapshot(3, 1) : snapshot(3, 2);
        const std::int64_t begin = set.rows.begin(comm.rank());
        ASSERT_EQ(static_cast<std::int64_t>(set.x.extent(0)), set.rows.count(comm.rank()));
        for (std::int64_t i = 0; i < set.rows.count(comm.rank()); ++i) {
            const int row = class_order[static_cast<std::size_t>(begin + i)];
            EXPECT_EQ(set.labels[static_cast<std::size_t>(begin + i)], labels[row]);
            for (Eigen::Index j = 0; j < features.cols(); ++j)
                EXPECT_EQ(set.x(i, j), features(row, j));  // not standardised
            for (Eigen::Index j = 0; j < 3; ++j) EXPECT_EQ(rows.outputs(i, j), outputs(row, j));
        }
    }
}

TEST_F(SnapshotsTest, ASingleDatasetIsOneSnapshot) {
    const auto file = put("one.h5", {{"h/final", snapshot(2, 0)}});
    auto c = config(file);
    c.snapshots = "h/final";

    const data::Snapshots snaps(c, comm);

    EXPECT_EQ(snaps.names(), std::vector<std::string>{"final"});
    EXPECT_FALSE(snaps.has_outputs());
    EXPECT_EQ(snaps.read(0).outputs.size(), 0u);
}

TEST_F(SnapshotsTest, BadFilesFailTogetherNamingFileDatasetAndKey) {
    const auto file = put("bad.h5", {{"snapshots/a", snapshot(2, 0)},
                                     {"snapshots/b", snapshot(2, 0).topRows(5)},
                                     {"wide/a", snapshot(4, 0)},
                                     {"wide/b", snapshot(4, 0)},
                                     {"part/a", snapshot(3, 0)}});
    auto missing = config(file);
    missing.snapshots = "epochs";
    auto ragged = config(file);
    auto no_output = config(file, "part");
    no_output.snapshots = "wide";
    auto wide = config(file, "wide/a");
    wide.snapshots = "snapshots/a";

    EXPECT_THAT(test::collective_error([&] { data::Snapshots(missing, comm); }),
                AllOf(HasSubstr(file), HasSubstr("no dataset 'epochs' (data.snapshots)"),
                      HasSubstr("top level has: labels, part, snapshots, wide")));
    EXPECT_THAT(test::collective_error([&] { data::Snapshots(ragged, comm); }),
                AllOf(HasSubstr(file), HasSubstr("'snapshots/b' has 5 samples but 'labels' has 7")));
    EXPECT_THAT(test::collective_error([&] { data::Snapshots(no_output, comm); }),
                AllOf(HasSubstr(file), HasSubstr("no dataset 'part/b' (data.outputs)"),
                      HasSubstr("group 'part' has: a")));
    EXPECT_THAT(test::collective_error([&] { data::Snapshots(wide, comm); }),
                AllOf(HasSubstr(file), HasSubstr("'wide/a' (data.outputs) has 4 columns"),
                      HasSubstr("3 classes")));
}

}  // namespace
}  // namespace drfm
