#pragma once
/// @file
/// The n×n kernel matrix in ScaLAPACK's block-cyclic layout, assembled in place: each process
/// fetches the samples of its block-rows and block-columns (one Alltoallv) and fills its local
/// block with one GEMM and one element-wise Kokkos kernel (kernel_block.hpp), or, for a solver that
/// reads one triangle, only that triangle in column panels (assemble_triangle).
#include "drfm/core/row_partition.hpp"
#include "drfm/dist/dist_matrix.hpp"
#include "drfm/dist/scalapack_types.hpp"
#include "drfm/kernel/kernel_block.hpp"

namespace drfm::kernel {

/// The samples of my block-rows (for a distribution of `row_dist`) and block-columns (of
/// `col_dist`) from row-block-distributed points. Collective over `comm`.
/// @pre rows_of_points.parts() == comm.size(); my_points holds my rows of the points
template <class T>
BasicGridPoints<T> gather_grid_points(const mpi::Comm& comm, const RowPartition& rows_of_points,
                                      const HostMatrixOf<T>& my_points,
                                      const dist::Distribution& dist);

/// Like gather_grid_points, but the rows come from other points (e.g. test samples) than the
/// columns (training samples, reused from `centres`).
template <class T>
BasicGridPoints<T> gather_cross_points(const mpi::Comm& comm, const RowPartition& rows_of_points,
                                       const HostMatrixOf<T>& my_points,
                                       const dist::Distribution& dist,
                                       const BasicGridPoints<T>& centres);

/// K(i, j) = k(x_i, x_j) + shift·δ_ij into the local block of `k` (n×n), every entry written (k may
/// be dist::Fill::none). The diagonal is exactly k(x, x) + shift = 1 + shift. Cost 2·n²·d/P flops
/// per process plus n²/P kernel evaluations. T: float or double (points and matrix alike).
template <class T>
void assemble(const KernelFunction& kf, const BasicGridPoints<T>& points, double shift,
              dist::BasicDistMatrix<T>& k);

/// Local columns per panel of assemble_triangle: the entries it computes beyond the triangle are
/// about n·triangle_panel·npcol / 2 of the n²/2.
inline constexpr std::int64_t triangle_panel = 512;

/// Like assemble, but only the entries of `triangle` (the diagonal included) are written, and a
/// staircase of at most `panel` local columns' width beyond it (none for panel = 1). That is half
/// the work, and the pages of the other triangle of a dist::Fill::none matrix are never touched, so
/// never resident. For a solver that reads one triangle (dist::cholesky_triangle).
template <class T>
void assemble_triangle(const KernelFunction& kf, const BasicGridPoints<T>& points, double shift,
                       dist::Uplo triangle, dist::BasicDistMatrix<T>& k,
                       std::int64_t panel = triangle_panel);

}  // namespace drfm::kernel
