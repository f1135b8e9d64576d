#pragma once
/// @file
/// `Distribution`: all index math of ScaLAPACK's 2D block-cyclic layout with source process (0, 0).
/// Global row i lives in block i / mb, which process row (i / mb) mod P owns; there it is local row
/// (i / (mb·P))·mb + i mod mb. Columns likewise with nb and Q. Pure, noexcept arithmetic (no MPI),
/// unit-tested against numroc_/indxl2g_/indxg2p_/indxg2l_.
///
/// Global and local indices are distinct types so that passing one where the other is meant does
/// not compile (the classic ScaLAPACK bug); `.value` is the plain 0-based number.
#include <algorithm>
#include <cstdint>
#include <vector>

namespace drfm::dist {

/// Global matrix shape: rows × cols.
struct GlobalSize {
    std::int64_t rows = 0;
    std::int64_t cols = 0;
};
/// Block shape of the block-cyclic layout: mb × nb.
struct BlockSize {
    int rows = 1;
    int cols = 1;
};
/// Process-grid shape: P process rows × Q process columns.
struct GridShape {
    int rows = 1;
    int cols = 1;
};
/// A process's (row, column) coordinates in the grid.
struct GridCoord {
    int row = 0;
    int col = 0;
};

/// 0-based row or column index into the global matrix.
struct GlobalIndex {
    std::int64_t value = 0;
};
/// 0-based row or column index into a process's local block.
struct LocalIndex {
    std::int64_t value = 0;
};

namespace detail {
/// One axis (rows or columns) of the block-cyclic layout, source process 0.
class CyclicAxis {
public:
    CyclicAxis() = default;
    CyclicAxis(std::int64_t n, int nb, int nprocs, int me) noexcept
        : n_(n), nb_(nb), nprocs_(nprocs), me_(me) {
        // numroc: whole cycles, then my full block or the trailing partial block of this cycle.
        std::int64_t blocks = n / nb;
        local_ = (blocks / nprocs) * nb;
        std::int64_t extra = blocks % nprocs;
        if (me < extra) {
            local_ += nb;
        } else if (me == extra) {
            local_ += n % nb;
        }
    }
    std::int64_t size() const noexcept { return n_; }
    std::int64_t local_size() const noexcept { return local_; }
    std::int64_t to_global(std::int64_t local) const noexcept {
        return ((local / nb_) * nprocs_ + me_) * nb_ + local % nb_;
    }
    std::int64_t to_local(std::int64_t global) const noexcept {
        return (global / nb_ / nprocs_) * nb_ + global % nb_;
    }
    int owner(std::int64_t global) const noexcept {
        return static_cast<int>((global / nb_) % nprocs_);
    }
    std::vector<std::int64_t> my_globals() const {
        std::vector<std::int64_t> out(static_cast<size_t>(local_));
        for (std::int64_t l = 0; l < local_; ++l) out[static_cast<size_t>(l)] = to_global(l);
        return out;
    }

private:
    std::int64_t n_ = 0;
    int nb_ = 1;
    int nprocs_ = 1;
    int me_ = 0;
    std::int64_t local_ = 0;
};
}  // namespace detail

class Distribution {
public:
    Distribution() = default;
    /// @pre size.rows, size.cols >= 0; block >= 1 each way; grid >= 1 each way;
    ///      0 <= me.row < grid.rows, 0 <= me.col < grid.cols (DistMatrix checks these).
    Distribution(GlobalSize size, BlockSize block, GridShape grid, GridCoord me) noexcept
        : size_(size), block_(block), grid_(grid), me_(me),
          rows_(size.rows, block.rows, grid.rows, me.row),
          cols_(size.cols, block.cols, grid.cols, me.col) {}

    GlobalSize size() const noexcept { return size_; }
    BlockSize block() const noexcept { return block_; }
    GridShape grid_shape() const noexcept { return grid_; }
    GridCoord coord() const noexcept { return me_; }

    /// Rows and columns of my local block (numroc).
    std::int64_t local_rows() const noexcept { return rows_.local_size(); }
    std::int64_t local_cols() const noexcept { return cols_.local_size(); }
    /// Leading dimension of the column-major local block: max(1, local_rows()).
    std::int64_t lld() const noexcept { return std::max<std::int64_t>(1, local_rows()); }

    /// Global index of my local row/column (indxl2g). @pre 0 <= i < local_rows()/local_cols().
    GlobalIndex global_row(LocalIndex i) const noexcept { return {rows_.to_global(i.value)}; }
    GlobalIndex global_col(LocalIndex j) const noexcept { return {cols_.to_global(j.value)}; }

    /// Local index of a global row/column on the process that owns it (indxg2l).
    LocalIndex local_row(GlobalIndex i) const noexcept { return {rows_.to_local(i.value)}; }
    LocalIndex local_col(GlobalIndex j) const noexcept { return {cols_.to_local(j.value)}; }

    /// Process row/column owning a global row/column (indxg2p).
    int owner_row(GlobalIndex i) const noexcept { return rows_.owner(i.value); }
    int owner_col(GlobalIndex j) const noexcept { return cols_.owner(j.value); }

    /// True when global entry (i, j) is stored on this process.
    bool is_local(GlobalIndex i, GlobalIndex j) const noexcept {
        return owner_row(i) == me_.row && owner_col(j) == me_.col;
    }

    /// Global indices of my local rows/columns, in local order (what gather_rows asks for).
    std::vector<std::int64_t> my_global_rows() const { return rows_.my_globals(); }
    std::vector<std::int64_t> my_global_cols() const { return cols_.my_globals(); }

private:
    GlobalSize size_;
    BlockSize block_;
    GridShape grid_;
    GridCoord me_;
    detail::CyclicAxis rows_;
    detail::CyclicAxis cols_;
};

}  // namespace drfm::dist
