#include "drfm/dist/blacs_grid.hpp"

#include "drfm/dist/scalapack_fwd.hpp"
#include "drfm/mpi/environment.hpp"

#include <cstdint>
#include <utility>

namespace drfm::dist {
namespace {

GridShape checked_shape(const mpi::Comm& comm, int nprow, int npcol) {
    DRFM_CHECK(nprow >= 1 && npcol >= 1 &&
                   static_cast<std::int64_t>(nprow) * npcol == comm.size(),
               ConfigError, "parallel.grid = \"", nprow, "x", npcol, "\" needs ",
               static_cast<std::int64_t>(nprow) * npcol, " ranks, but its rank group has ",
               comm.size(), "; set parallel.grid to \"PxQ\" with P*Q = ", comm.size(),
               " or leave it out for the near-square default");
    return {nprow, npcol};
}

// Column-major ("C") placement, the order Cblacs_gridinit is asked for below.
GridCoord column_major_coord(int rank, GridShape shape) {
    return {rank % shape.rows, rank / shape.rows};
}

}  // namespace

BlacsGrid::BlacsGrid(const mpi::Comm& comm, int nprow, int npcol)
    : shape_(checked_shape(comm, nprow, npcol)),
      coord_(column_major_coord(comm.rank(), shape_)),
      comm_(comm),
      row_comm_(comm.split(coord_.row, coord_.col)),
      col_comm_(comm.split(coord_.col, coord_.row)) {
    mpi::Environment::at_finalize("blacs", [] { Cblacs_exit(1); });  // 1: BLACS leaves MPI alone
    int handle = Csys2blacs_handle(comm_.get());
    context_ = handle;
    Cblacs_gridinit(&context_, "C", shape_.rows, shape_.cols);
    // gridinit made its own communicators from the handle's; the handle is not needed any more,
    // and must not be kept: a second grid on the same communicator gets the same table slot.
    Cfree_blacs_system_handle(handle);

    GridShape blacs_shape{-1, -1};
    GridCoord blacs_coord{-1, -1};
    Cblacs_gridinfo(context_, &blacs_shape.rows, &blacs_shape.cols, &blacs_coord.row,
                    &blacs_coord.col);
    try {
        mpi::collective(comm_, [&] {
            DRFM_CHECK(blacs_shape.rows == shape_.rows && blacs_shape.cols == shape_.cols &&
                           blacs_coord.row == coord_.row && blacs_coord.col == coord_.col,
                       MpiError, "BLACS placed rank ", comm_.rank(), " of a ", shape_.rows, "x",
                       shape_.cols, " grid at (", blacs_coord.row, ", ", blacs_coord.col, ") of ",
                       blacs_shape.rows, "x", blacs_shape.cols, ", expected (", coord_.row, ", ",
                       coord_.col, "): the BLACS library does not follow the column-major order");
        });
    } catch (...) {
        release();
        throw;
    }
}

BlacsGrid BlacsGrid::near_square(const mpi::Comm& comm) {
    GridShape shape = near_square_shape(comm.size());
    return BlacsGrid(comm, shape.rows, shape.cols);
}

GridShape BlacsGrid::near_square_shape(int ranks) noexcept {
    int q = 1;
    for (int d = 1; static_cast<std::int64_t>(d) * d <= ranks; ++d) {
        if (ranks % d == 0) q = d;
    }
    return {ranks / q, q};
}

BlacsGrid::~BlacsGrid() { release(); }

BlacsGrid::BlacsGrid(BlacsGrid&& other) noexcept
    : shape_(other.shape_),
      coord_(other.coord_),
      comm_(other.comm_),
      row_comm_(other.row_comm_),
      col_comm_(other.col_comm_),
      context_(std::exchange(other.context_, -1)) {}

BlacsGrid& BlacsGrid::operator=(BlacsGrid&& other) noexcept {
    if (this != &other) {
        release();
        shape_ = other.shape_;
        coord_ = other.coord_;
        comm_ = other.comm_;
        row_comm_ = other.row_comm_;
        col_comm_ = other.col_comm_;
        context_ = std::exchange(other.context_, -1);
    }
    return *this;
}

void BlacsGrid::release() noexcept {
    if (context_ < 0) return;
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized) Cblacs_gridexit(context_);
    context_ = -1;
}

}  // namespace drfm::dist
