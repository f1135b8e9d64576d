#pragma once
/// @file
/// `BlacsGrid`: RAII owner of one BLACS context, a P × Q process grid over all ranks of a given
/// communicator. The grid is column-major: rank r of the communicator sits at process row r mod P,
/// process column r / P (BLACS order "C", what ScaLAPACK's own testers use).
#include "drfm/dist/distribution.hpp"
#include "drfm/mpi/comm.hpp"

namespace drfm::dist {

class BlacsGrid {
public:
    /// Collective over `comm`: builds an nprow × npcol column-major grid on exactly that
    /// communicator (Csys2blacs_handle + Cblacs_gridinit), plus the row and column communicators.
    /// Registers Cblacs_exit(1) with mpi::Environment once, so BLACS is closed before MPI.
    /// @throws ConfigError naming `parallel.grid` when nprow·npcol != comm.size() or a side < 1.
    /// @throws MpiError (on every rank) when BLACS reports other coordinates than expected.
    BlacsGrid(const mpi::Comm& comm, int nprow, int npcol);

    /// The most square grid for comm.size() ranks, see near_square_shape.
    static BlacsGrid near_square(const mpi::Comm& comm);

    /// P × Q with P·Q = ranks, Q the largest divisor of `ranks` with Q <= sqrt(ranks), so P >= Q:
    /// 4 → 2×2, 2 → 2×1, 6 → 3×2, 8 → 4×2, 12 → 4×3, 7 → 7×1. P >= Q because the tall-skinny
    /// matrices of the method (n×c right-hand sides, n×k eigenvectors) spread their rows over the
    /// P process rows; a prime rank count therefore gives P×1 (row blocks), never 1×P.
    /// @pre ranks >= 1
    static GridShape near_square_shape(int ranks) noexcept;

    /// Releases the BLACS context (Cblacs_gridexit); nothing once MPI is finalized or moved from.
    ~BlacsGrid();
    BlacsGrid(const BlacsGrid&) = delete;
    BlacsGrid& operator=(const BlacsGrid&) = delete;
    BlacsGrid(BlacsGrid&& other) noexcept;
    BlacsGrid& operator=(BlacsGrid&& other) noexcept;

    /// The BLACS context handle for ScaLAPACK descriptors (-1 once moved from).
    int context() const noexcept { return context_; }
    int nprow() const noexcept { return shape_.rows; }
    int npcol() const noexcept { return shape_.cols; }
    int myrow() const noexcept { return coord_.row; }
    int mycol() const noexcept { return coord_.col; }
    GridShape shape() const noexcept { return shape_; }
    GridCoord coord() const noexcept { return coord_; }

    /// All ranks of the grid (the communicator it was built on).
    const mpi::Comm& comm() const noexcept { return comm_; }
    /// The ranks of my process row, ordered by process column (rank in it = mycol()).
    const mpi::Comm& row_comm() const noexcept { return row_comm_; }
    /// The ranks of my process column, ordered by process row (rank in it = myrow()).
    const mpi::Comm& col_comm() const noexcept { return col_comm_; }

private:
    void release() noexcept;

    GridShape shape_;
    GridCoord coord_;
    mpi::Comm comm_;
    mpi::Comm row_comm_;
    mpi::Comm col_comm_;
    int context_ = -1;
};

}  // namespace drfm::dist
