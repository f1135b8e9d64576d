#include "drfm/io/attribute.hpp"
#include "drfm/io/dataset.hpp"

#include "io_test_paths.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace drfm::io {

TEST(AttributeTest, ValuesRoundTripAndReplace) {
    auto comm = test::world();
    auto file = File::create(comm, test::io_test_path("attributes"), true);
    define_group(file, "/g");
    const std::string toml = "[model]\ndepth = 6\nname = \"Φ(M^{1/2}X)\"\n";

    set_attribute(file, "/g", "text", toml);
    set_attribute(file, "/g", "number", 0.1);
    set_attribute(file, "/g", "count", std::int64_t{1} << 40);
    set_attribute(file, "/g", "numbers", std::vector<double>{1.5, -2.0, 1e-300});
    set_attribute(file, "/g", "counts", std::vector<std::int64_t>{-3, 0, 7});
    set_attribute(file, "/", "status", "incomplete");
    set_attribute(file, "/", "status", "complete");

    EXPECT_EQ(read_attribute<std::string>(file, "/g", "text"), toml);
    EXPECT_EQ(read_attribute<double>(file, "/g", "number"), 0.1);
    EXPECT_EQ(read_attribute<std::int64_t>(file, "/g", "count"), std::int64_t{1} << 40);
    EXPECT_EQ(read_attribute<std::vector<double>>(file, "/g", "numbers"),
              (std::vector<double>{1.5, -2.0, 1e-300}));
    EXPECT_EQ(read_attribute<std::vector<std::int64_t>>(file, "/g", "counts"),
              (std::vector<std::int64_t>{-3, 0, 7}));
    EXPECT_EQ(read_attribute<std::string>(file, "/", "status"), "complete");
    EXPECT_TRUE(has_attribute(file, "/g", "text"));
    EXPECT_FALSE(has_attribute(file, "/g", "missing"));
}

// Each rank writes its own row (the last rank of several writes nothing); everyone reads the
// whole array back through HDF5 and compares exactly: written rows hold the values, the
// others still hold the fill value.
TEST(DatasetTest, RowsWrittenByDifferentRanksReadBackExactly) {
    auto comm = test::world();
    const int p = comm.size();
    const std::int64_t rows = p + 1, cols = 3;
    const int writers = p > 1 ? p - 1 : 1;
    auto file = File::create(comm, test::io_test_path("slabs"), true);
    define_group(file, "/g");
    std::vector<std::int64_t> row_coords(rows);
    for (std::int64_t i = 0; i < rows; ++i) row_coords[i] = 10 * i;
    define_dimension(file, "/g", "row", row_coords, "row index");
    define_dimension(file, "/g", "col", std::vector<std::string>{"a", "bb", "ccc"}, "column");
    define_dataset(file, {"/g", "values", {"row", "col"}, "test values", "m", "v = 10 r + c"});
    define_dataset(file, {"/g", "flags", {"row"}, "test flags", "1", "", Element::i32});
    auto value = [](std::int64_t r, std::int64_t c) { return 10.0 * r + c + 0.25; };

    const bool writer = comm.rank() < writers;
    const auto r = static_cast<std::uint64_t>(comm.rank());
    Slab row = writer ? Slab{{r, 0}, {1, static_cast<std::uint64_t>(cols)}} : Slab{};
    Slab flag = writer ? Slab{{r}, {1}} : Slab{};
    std::vector<double> data;
    std::vector<std::int32_t> flag_data;
    if (writer) {
        for (std::int64_t c = 0; c < cols; ++c) data.push_back(value(comm.rank(), c));
        flag_data.push_back(comm.rank() + 1);
    }

    write_slab(file, "/g/values", row, data);
    write_slab(file, "/g/flags", flag, flag_data);
    auto all = read_slab<double>(file, "/g/values", {{0, 0}, {std::uint64_t(rows), 3}});
    auto flags = read_slab<std::int32_t>(file, "/g/flags", {{0}, {std::uint64_t(rows)}});

    ASSERT_EQ(all.size(), static_cast<size_t>(rows * cols));
    for (std::int64_t r = 0; r < rows; ++r) {
        for (std::int64_t c = 0; c < cols; ++c) {
            double got = all[static_cast<size_t>(r * cols + c)];
            if (r < writers) EXPECT_EQ(got, value(r, c)) << "row " << r << " col " << c;
            else EXPECT_TRUE(std::isnan(got)) << "row " << r << " col " << c;
        }
        EXPECT_EQ(flags[static_cast<size_t>(r)], r < writers ? r + 1 : 0);
    }
    EXPECT_EQ(dataset_shape(file, "/g/values"), (std::vector<std::uint64_t>{
                                                     std::uint64_t(rows), std::uint64_t(cols)}));
    EXPECT_EQ(read_labels(file, "/g/col"), (std::vector<std::string>{"a", "bb", "ccc"}));
    EXPECT_EQ(read_slab<std::int64_t>(file, "/g/row", {{0}, {std::uint64_t(rows)}}), row_coords);
    EXPECT_EQ(list_members(file, "/g"),
              (std::vector<std::string>{"row", "col", "values", "flags"}));
    EXPECT_EQ(read_attribute<std::string>(file, "/g/values", "units"), "m");
}

TEST(DatasetTest, SlabOutsideTheDatasetIsRejectedBeforeWriting) {
    auto comm = test::world();
    auto file = File::create(comm, test::io_test_path("bad_slab"), true);
    define_group(file, "/g");
    define_dimension(file, "/g", "row", std::vector<std::int64_t>{0, 1}, "row index");
    define_dataset(file, {"/g", "values", {"row"}, "test values", "1", "", Element::f64});
    std::vector<double> two{1.0, 2.0};

    EXPECT_THROW(write_slab(file, "/g/values", {{1}, {2}}, two), Error);
    EXPECT_THROW(write_slab(file, "/g/values", {{0}, {1}}, two), Error);
}

}  // namespace drfm::io
