#include "drfm/kernel/kernel_matrix.hpp"

#include "drfm/dist/gather_rows.hpp"

#include <algorithm>

namespace drfm::kernel {

GridPoints gather_grid_points(const mpi::Comm& comm, const RowPartition& rows_of_points,
                              const HostMatrix& my_points, const dist::Distribution& dist) {
    GridPoints out;
    out.row_ids = dist.my_global_rows();
    out.col_ids = dist.my_global_cols();
    out.rows = dist::gather_rows(comm, rows_of_points, my_points, out.row_ids);
    out.cols = dist::gather_rows(comm, rows_of_points, my_points, out.col_ids);
    return out;
}

GridPoints gather_cross_points(const mpi::Comm& comm, const RowPartition& rows_of_points,
                               const HostMatrix& my_points, const dist::Distribution& dist,
                               const GridPoints& centres) {
    GridPoints out;
    out.row_ids = dist.my_global_rows();
    out.rows = dist::gather_rows(comm, rows_of_points, my_points, out.row_ids);
    // Row ids index other samples than the centres: offset them so no pair counts as "self".
    for (auto& id : out.row_ids) id = -1 - id;
    out.cols = centres.cols;
    out.col_ids = centres.col_ids;
    return out;
}

void assemble(const KernelFunction& kf, const GridPoints& points, double shift, dist::DistMatrix& k) {
    HostMatrix local = k.local();
    // An empty local block may carry lld 1 with 0 rows; the kernel needs the exact shape.
    if (local.extent(0) == 0 || local.extent(1) == 0) return;
    kernel_block(kf, BlockValue::kernel, points.rows, squared_row_norms(points.rows), points.row_ids,
                 points.cols, squared_row_norms(points.cols), points.col_ids, local, shift);
}

namespace {

/// Rows [first, first + count) of `m` as a contiguous matrix at the start of `buffer`:
/// kernel_block takes whole LayoutLeft matrices.
HostMatrix copy_rows(const HostMatrix& m, std::int64_t first, std::int64_t count,
                     const HostMatrix& buffer) {
    const HostMatrix out = leading_block(buffer, count, m.extent(1));
    Kokkos::deep_copy(out, Kokkos::subview(m, std::make_pair(first, first + count), Kokkos::ALL));
    return out;
}

HostVector slice(const HostVector& v, std::int64_t first, std::int64_t count) {
    return Kokkos::subview(v, std::make_pair(first, first + count));
}

GlobalIds slice(const GlobalIds& ids, std::int64_t first, std::int64_t count) {
    return GlobalIds(ids.begin() + first, ids.begin() + first + count);
}

}  // namespace

void assemble_triangle(const KernelFunction& kf, const GridPoints& points, double shift,
                       dist::Uplo triangle, dist::DistMatrix& k, std::int64_t panel) {
    HostMatrix local = k.local();
    const std::int64_t rows = local.extent(0), cols = local.extent(1);
    if (rows == 0 || cols == 0) return;
    DRFM_CHECK(panel >= 1, Error, "assemble_triangle: panel width ", panel, " < 1");
    const std::int64_t d = points.rows.extent(1), width = std::min(panel, cols);
    const HostVector row_norms = squared_row_norms(points.rows);
    const HostVector col_norms = squared_row_norms(points.cols);
    const HostMatrix row_buffer = make_host_matrix("drfm::kernel::panel_rows", rows, d);
    const HostMatrix col_buffer = make_host_matrix("drfm::kernel::panel_cols", width, d);
    const HostMatrix block_buffer = make_host_matrix("drfm::kernel::panel", rows, width);
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
        const HostMatrix block = leading_block(block_buffer, nr, nc);
        kernel_block(kf, BlockValue::kernel, copy_rows(points.rows, r0, nr, row_buffer),
                     slice(row_norms, r0, nr), slice(points.row_ids, r0, nr),
                     copy_rows(points.cols, c0, nc, col_buffer), slice(col_norms, c0, nc),
                     slice(points.col_ids, c0, nc), block, shift);
        Kokkos::deep_copy(
            Kokkos::subview(local, std::make_pair(r0, r1), std::make_pair(c0, c0 + nc)), block);
    }
}

}  // namespace drfm::kernel
