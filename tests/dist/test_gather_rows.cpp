// gather_rows against the known global matrix X(i, c) = 1000·i + c: exact equality, since rows are
// only copied.
#include "drfm/dist/gather_rows.hpp"
#include "drfm/dist/blacs_grid.hpp"
#include "dist/dist_test_utils.hpp"

namespace drfm::dist {
namespace {

constexpr std::int64_t n = 37;
constexpr std::int64_t width = 3;

double x_entry(std::int64_t i, std::int64_t c) { return 1000.0 * i + c; }

// My contiguous block of X under the partition.
HostMatrix my_block(const RowPartition& rows, int rank) {
    HostMatrix local("drfm::test::block", rows.count(rank), width);
    for (std::int64_t i = 0; i < rows.count(rank); ++i)
        for (std::int64_t c = 0; c < width; ++c) local(i, c) = x_entry(rows.begin(rank) + i, c);
    return local;
}

void expect_rows(const HostMatrix& got, const std::vector<std::int64_t>& wanted) {
    ASSERT_EQ(got.extent(0), wanted.size());
    ASSERT_EQ(got.extent(1), static_cast<size_t>(width));
    for (size_t t = 0; t < wanted.size(); ++t)
        for (std::int64_t c = 0; c < width; ++c) EXPECT_EQ(got(t, c), x_entry(wanted[t], c));
}

}  // namespace

TEST(GatherRowsTest, DeliversTheRowsOfMyBlockCyclicRowsAndColumns) {
    auto comm = test::world();
    RowPartition rows(n, comm.size());
    HostMatrix local = my_block(rows, comm.rank());
    test::for_each_grid([&](const BlacsGrid& grid) {
        for (int nb : test::block_sizes) {
            SCOPED_TRACE("nb " + std::to_string(nb));
            Distribution d(GlobalSize{n, n}, BlockSize{nb, nb}, grid.shape(), grid.coord());

            HostMatrix by_row = gather_rows(comm, rows, local, d.my_global_rows());
            HostMatrix by_col = gather_rows(comm, rows, local, d.my_global_cols());

            expect_rows(by_row, d.my_global_rows());
            expect_rows(by_col, d.my_global_cols());
        }
    });
}

TEST(GatherRowsTest, KeepsAnyOrderRepeatsAndEmptyRequests) {
    auto comm = test::world();
    RowPartition rows(n, comm.size());
    HostMatrix local = my_block(rows, comm.rank());
    std::vector<std::int64_t> wanted;
    if (comm.rank() != 0) wanted = {n - 1, 0, 5, 5, comm.rank(), n - 1 - comm.rank()};

    HostMatrix got = gather_rows(comm, rows, local, wanted);

    expect_rows(got, wanted);
}

TEST(GatherRowsTest, RowOutOfRangeIsAnErrorOnEveryRank) {
    auto comm = test::world();
    RowPartition rows(n, comm.size());
    HostMatrix local = my_block(rows, comm.rank());
    std::vector<std::int64_t> wanted = {0};
    if (comm.rank() == comm.size() - 1) wanted.push_back(n);

    try {
        gather_rows(comm, rows, local, wanted);
        FAIL() << "expected an error";
    } catch (const Error& e) {
        EXPECT_TRUE(e.is_collective());
        EXPECT_NE(std::string(e.what()).find("asked for row 37"), std::string::npos) << e.what();
    }
}

TEST(GatherRowsTest, BlockCyclicFromRowsHoldsEveryEntryWhereTheDistributionSaysOnAllGrids) {
    auto comm = test::world();
    RowPartition rows(n, comm.size());
    HostMatrix local = my_block(rows, comm.rank());
    test::for_each_grid([&](const BlacsGrid& grid) {
        for (int nb : test::block_sizes) {
            SCOPED_TRACE("nb " + std::to_string(nb));

            DistMatrix m = block_cyclic_from_rows(grid, rows, local, BlockSize{nb, nb});

            ASSERT_EQ(m.rows(), n);
            ASSERT_EQ(m.cols(), width);
            HostMatrix whole = m.replicate();
            for (std::int64_t i = 0; i < n; ++i)
                for (std::int64_t c = 0; c < width; ++c) EXPECT_EQ(whole(i, c), x_entry(i, c));
        }
    });
}

}  // namespace drfm::dist
