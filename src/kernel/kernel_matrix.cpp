#include "drfm/kernel/kernel_matrix.hpp"

#include "drfm/core/host_window.hpp"
#include "drfm/dist/gather_rows.hpp"

#include <algorithm>
#include <optional>

namespace drfm::kernel {

namespace {

/// The position in `all` of each of `some` (both ascending), or nothing when one is missing.
std::optional<std::vector<std::int64_t>> positions_in(const GlobalIds& all, const GlobalIds& some) {
    std::vector<std::int64_t> pos;
    pos.reserve(some.size());
    auto it = all.begin();
    for (std::int64_t id : some) {
        it = std::lower_bound(it, all.end(), id);
        if (it == all.end() || *it != id) return std::nullopt;
        pos.push_back(it - all.begin());
    }
    return pos;
}

}  // namespace

template <class T>
BasicGridPoints<T> gather_grid_points(const mpi::Comm& comm, const RowPartition& rows_of_points,
                                      const HostMatrixOf<T>& my_points,
                                      const dist::Distribution& dist) {
    BasicGridPoints<T> out;
    out.row_ids = dist.my_global_rows();
    out.col_ids = dist.my_global_cols();
    out.cols = dist::gather_rows(comm, rows_of_points, my_points, out.col_ids);
    // On a grid with one process column every process holds all columns, so its rows are among
    // them: taken from there, not sent again (and on one rank the very same points). The choice
    // is the same on every rank, since gather_rows is collective.
    const auto pos = positions_in(out.col_ids, out.row_ids);
    if (comm.min(pos ? 1 : 0) == 1) {
        out.rows = out.row_ids == out.col_ids ? out.cols : rows_at<T>(out.cols, *pos, "drfm::kernel::grid_rows");
        return out;
    }
    out.rows = dist::gather_rows(comm, rows_of_points, my_points, out.row_ids);
    return out;
}

template <class T>
BasicGridPoints<T> gather_cross_points(const mpi::Comm& comm, const RowPartition& rows_of_points,
                                       const HostMatrixOf<T>& my_points,
                                       const dist::Distribution& dist,
                                       const BasicGridPoints<T>& centres) {
    BasicGridPoints<T> out;
    out.row_ids = dist.my_global_rows();
    out.rows = dist::gather_rows(comm, rows_of_points, my_points, out.row_ids);
    // Row ids index other samples than the centres: offset them so no pair counts as "self".
    for (auto& id : out.row_ids) id = -1 - id;
    out.cols = centres.cols;
    out.col_ids = centres.col_ids;
    return out;
}

namespace {

/// The grid points' rows and columns on the execution space (one copy when they are the same).
template <class T>
std::pair<BlockSide<T>, BlockSide<T>> block_sides(const BasicGridPoints<T>& points) {
    BlockSide<T> rows = block_side(points.rows, points.row_ids);
    if (points.cols.data() == points.rows.data() && points.row_ids == points.col_ids)
        return {rows, rows};
    return {rows, block_side(points.cols, points.col_ids)};
}

}  // namespace

template <class T>
void assemble(const KernelFunction& kf, const BasicGridPoints<T>& points, double shift,
              dist::BasicDistMatrix<T>& k) {
    HostMatrixOf<T> local = k.local();
    // An empty local block may carry lld 1 with 0 rows; the kernel needs the exact shape.
    if (local.extent(0) == 0 || local.extent(1) == 0) return;
    populate_for_writing(local);
    const auto [rows, cols] = block_sides(points);
    const DeviceTile<T> tile(local);
    kernel_block(kf, BlockValue::kernel, rows, cols, tile.view(), shift);
    tile.finish();
}

template <class T>
void assemble_triangle(const KernelFunction& kf, const BasicGridPoints<T>& points, double shift,
                       dist::Uplo triangle, dist::BasicDistMatrix<T>& k, std::int64_t panel) {
    HostMatrixOf<T> local = k.local();
    const std::int64_t rows = local.extent(0), cols = local.extent(1);
    if (rows == 0 || cols == 0) return;
    DRFM_CHECK(panel >= 1, Error, "assemble_triangle: panel width ", panel, " < 1");
    const std::int64_t width = std::min(panel, cols);
    // The panels' points are row ranges of the points on the execution space, uncopied; on a
    // device backend each panel goes through one device buffer to the host.
    const auto [row_side, col_side] = block_sides(points);
    const blas::BasicMatRef<T> tiles(local);
    const DeviceMatrixOf<T> scratch =
        exec_reaches_host ? DeviceMatrixOf<T>()
                          : DeviceMatrixOf<T>(Kokkos::view_alloc("drfm::kernel::panel",
                                                                 Kokkos::WithoutInitializing),
                                              rows, width);
    const auto first = points.row_ids.begin(), last = points.row_ids.end();
    DRFM_CHECK(std::is_sorted(first, last), Error,
               "assemble_triangle: the row ids are not ascending");
    for (std::int64_t c0 = 0; c0 < cols; c0 += width) {
        const std::int64_t nc = std::min(width, cols - c0);
        // My row ids ascend: the rows that reach the triangle in these columns are a prefix
        // (upper: global row ≤ the last column's) or a suffix (lower: ≥ the first column's).
        const std::int64_t r0 = triangle == dist::Uplo::upper
                                    ? 0
                                    : std::lower_bound(first, last, points.col_ids[c0]) - first;
        const std::int64_t r1 =
            triangle == dist::Uplo::lower
                ? rows
                : std::upper_bound(first, last, points.col_ids[c0 + nc - 1]) - first;
        const std::int64_t nr = r1 - r0;
        if (nr == 0) continue;
        // Mapped in one call per column before the GEMM first writes them: K is the largest
        // array of a run, and a first touch page by page costs more than its assembly on some VMs.
        // Only the run's first fit finds them unmapped; later fits rewrite the same staircase.
        if (!system_memory::is_resident(&local(r1 - 1, c0 + nc - 1)))
            for (std::int64_t c = c0; c < c0 + nc; ++c)
                system_memory::populate_for_writing(&local(r0, c), nr * sizeof(T));
        const DeviceTile<T> tile(tiles.block(r0, nr, c0, nc), scratch);
        kernel_block(kf, BlockValue::kernel, row_side.rows(r0, nr), col_side.rows(c0, nc),
                     tile.view(), shift);
        tile.finish();
    }
}

#define DRFM_INSTANTIATE_ASSEMBLY(T)                                                        \
    template BasicGridPoints<T> gather_grid_points(const mpi::Comm&, const RowPartition&,   \
                                                   const HostMatrixOf<T>&,                  \
                                                   const dist::Distribution&);              \
    template BasicGridPoints<T> gather_cross_points(const mpi::Comm&, const RowPartition&,  \
                                                    const HostMatrixOf<T>&,                 \
                                                    const dist::Distribution&,              \
                                                    const BasicGridPoints<T>&);             \
    template void assemble(const KernelFunction&, const BasicGridPoints<T>&, double,        \
                           dist::BasicDistMatrix<T>&);                                      \
    template void assemble_triangle(const KernelFunction&, const BasicGridPoints<T>&, double, \
                                    dist::Uplo, dist::BasicDistMatrix<T>&, std::int64_t);
DRFM_INSTANTIATE_ASSEMBLY(double)
DRFM_INSTANTIATE_ASSEMBLY(float)
#undef DRFM_INSTANTIATE_ASSEMBLY

}  // namespace drfm::kernel
