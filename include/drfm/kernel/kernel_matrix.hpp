#pragma once
/// @file
/// The n×n kernel matrix in ScaLAPACK's block-cyclic layout, assembled in place: each process
/// fetches the samples of its block-rows and block-columns (one Alltoallv) and fills its local
/// block with one GEMM and one element-wise Kokkos kernel (kernel_block.hpp).
#include "drfm/core/row_partition.hpp"
#include "drfm/dist/dist_matrix.hpp"
#include "drfm/kernel/kernel_block.hpp"

namespace drfm::kernel {

/// The samples of my block-rows (for a distribution of `row_dist`) and block-columns (of
/// `col_dist`) from row-block-distributed points. Collective over `comm`.
/// @pre rows_of_points.parts() == comm.size(); my_points holds my rows of the points
GridPoints gather_grid_points(const mpi::Comm& comm, const RowPartition& rows_of_points,
                              const HostMatrix& my_points, const dist::Distribution& dist);

/// Like gather_grid_points, but the rows come from other points (e.g. test samples) than the
/// columns (training samples, reused from `centres`).
GridPoints gather_cross_points(const mpi::Comm& comm, const RowPartition& rows_of_points,
                               const HostMatrix& my_points, const dist::Distribution& dist,
                               const GridPoints& centres);

/// K(i, j) = k(x_i, x_j) + shift·δ_ij into the local block of `k` (n×n), every entry written (k may
/// be dist::Fill::none). The diagonal is exactly k(x, x) + shift = 1 + shift. Cost 2·n²·d/P flops
/// per process plus n²/P kernel evaluations.
void assemble(const KernelFunction& kf, const GridPoints& points, double shift, dist::DistMatrix& k);

}  // namespace drfm::kernel
