#include "drfm/kernel/kernel_matrix.hpp"

#include "drfm/dist/gather_rows.hpp"

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

}  // namespace drfm::kernel
