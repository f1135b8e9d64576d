// BlacsGrid: shape choice, column-major placement, row/column communicators, errors, ownership.
#include "drfm/dist/blacs_grid.hpp"
#include "drfm/dist/dist_matrix.hpp"
#include "dist/dist_test_utils.hpp"

#include <utility>

namespace drfm::dist {

TEST(BlacsGridTest, NearSquareShapeIsTheMostSquareWithMoreRows) {
    struct Case {
        int ranks, rows, cols;
    };
    for (Case c : {Case{1, 1, 1}, Case{2, 2, 1}, Case{3, 3, 1}, Case{4, 2, 2}, Case{6, 3, 2},
                   Case{7, 7, 1}, Case{8, 4, 2}, Case{9, 3, 3}, Case{12, 4, 3}, Case{16, 4, 4},
                   Case{18, 6, 3}, Case{64, 8, 8}}) {
        GridShape s = BlacsGrid::near_square_shape(c.ranks);
        EXPECT_EQ(s.rows, c.rows) << c.ranks << " ranks";
        EXPECT_EQ(s.cols, c.cols) << c.ranks << " ranks";
    }
}

TEST(BlacsGridTest, NearSquareGridUsesEveryRank) {
    auto comm = test::world();

    auto grid = BlacsGrid::near_square(comm);

    EXPECT_EQ(grid.nprow() * grid.npcol(), comm.size());
    EXPECT_GE(grid.nprow(), grid.npcol());
}

TEST(BlacsGridTest, CoordinatesAreColumnMajor) {
    test::for_each_grid([](const BlacsGrid& grid) {
        int rank = test::world().rank();

        EXPECT_GE(grid.context(), 0);
        EXPECT_EQ(grid.myrow(), rank % grid.nprow());
        EXPECT_EQ(grid.mycol(), rank / grid.nprow());
    });
}

TEST(BlacsGridTest, RowCommHoldsMyProcessRowOrderedByColumn) {
    test::for_each_grid([](const BlacsGrid& grid) {
        const mpi::Comm& row = grid.row_comm();

        auto world_ranks = row.allgatherv(std::vector<int>{test::world().rank()});

        ASSERT_EQ(row.size(), grid.npcol());
        EXPECT_EQ(row.rank(), grid.mycol());
        // Column-major: the rank at (myrow, c) is myrow + c·P.
        for (int c = 0; c < grid.npcol(); ++c)
            EXPECT_EQ(world_ranks[c], grid.myrow() + c * grid.nprow());
    });
}

TEST(BlacsGridTest, ColCommHoldsMyProcessColumnOrderedByRow) {
    test::for_each_grid([](const BlacsGrid& grid) {
        const mpi::Comm& col = grid.col_comm();

        auto world_ranks = col.allgatherv(std::vector<int>{test::world().rank()});

        ASSERT_EQ(col.size(), grid.nprow());
        EXPECT_EQ(col.rank(), grid.myrow());
        for (int r = 0; r < grid.nprow(); ++r)
            EXPECT_EQ(world_ranks[r], r + grid.mycol() * grid.nprow());
    });
}

TEST(BlacsGridTest, ShapeNotMatchingTheRanksIsConfigErrorNamingParallelGrid) {
    auto comm = test::world();

    try {
        BlacsGrid grid(comm, comm.size() + 1, 1);
        FAIL() << "expected a ConfigError";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("parallel.grid"), std::string::npos) << e.what();
    }
    EXPECT_THROW(BlacsGrid(comm, 0, comm.size()), ConfigError);
}

TEST(BlacsGridTest, MoveHandsOverTheContext) {
    auto comm = test::world();
    auto first = BlacsGrid::near_square(comm);
    int context = first.context();

    BlacsGrid second(std::move(first));
    DistMatrix m(second, GlobalSize{5, 4}, BlockSize{2, 2});
    m.fill([](std::int64_t i, std::int64_t j) { return 10.0 * i + j; });
    HostMatrix full = m.replicate();

    EXPECT_EQ(second.context(), context);
    EXPECT_EQ(first.context(), -1);  // NOLINT(bugprone-use-after-move): documented state
    EXPECT_EQ(full(4, 3), 43.0);
}

// Csys2blacs_handle gives one table slot per communicator; holding it past gridinit would let one
// grid's destructor free the other's. Both grids must keep working after the first is gone.
TEST(BlacsGridTest, TwoGridsOnOneCommunicatorAreIndependent) {
    auto comm = test::world();
    auto kept = BlacsGrid::near_square(comm);
    { auto gone = BlacsGrid(comm, comm.size(), 1); }
    auto later = BlacsGrid(comm, 1, comm.size());

    for (const BlacsGrid* grid : {&kept, &later}) {
        DistMatrix m(*grid, GlobalSize{6, 6}, BlockSize{1, 1});
        m.fill([](std::int64_t i, std::int64_t j) { return i == j ? 1.0 : 0.0; });
        HostMatrix full = m.replicate();
        EXPECT_EQ(full(3, 3), 1.0);
        EXPECT_EQ(full(3, 2), 0.0);
    }
    EXPECT_NE(kept.context(), later.context());
}

}  // namespace drfm::dist
