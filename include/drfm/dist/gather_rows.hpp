#pragma once
/// @file
/// `gather_rows`: fetch arbitrary global rows of a row-block-distributed matrix. Samples live in
/// contiguous row blocks (RowPartition: rank r of `comm` owns part r); the kernel assembly needs,
/// on each process, the rows of its block-cyclic block-rows and block-columns
/// (Distribution::my_global_rows / my_global_cols), which this delivers in one MPI_Alltoallv.
#include "drfm/core/row_partition.hpp"
#include "drfm/core/views.hpp"
#include "drfm/dist/dist_matrix.hpp"
#include "drfm/mpi/comm.hpp"

#include <cstdint>
#include <vector>

namespace drfm::dist {

/// Collective over `comm`. Returns a wanted.size() × local.extent(1) matrix whose row t is global
/// row wanted[t] (any order, repeats allowed, may be empty on some ranks). Counts and offsets are
/// exchanged in whole rows (one MPI datatype per row), so only the number of rows per message has
/// to fit MPI's int, not the number of entries; a count beyond that throws. T: float or double.
/// @pre rows.parts() == comm.size(); local holds my rows: local.extent(0) == rows.count(rank);
///      local.extent(1) equal on every rank.
/// @throws Error (collective) when a wanted index is outside [0, rows.size()) or the shapes break
///         the preconditions on any rank; MpiError when a count does not fit.
template <class T>
HostMatrixOf<T> gather_rows(const mpi::Comm& comm, const RowPartition& rows,
                            const HostMatrixOf<T>& local, const std::vector<std::int64_t>& wanted);

/// The rows.size() × width matrix whose rows are held in contiguous blocks (`local`: my rows under
/// `rows`) as a block-cyclic DistMatrix on `grid` in `block`s (collective over grid.comm()). Each
/// process fetches the whole rows of its block-rows (gather_rows) and keeps its block-columns, so
/// the transfer holds rows.size()/P × width doubles per process for a moment.
/// @pre as gather_rows with comm = grid.comm().
/// @throws as gather_rows; Error for blocks < 1.
DistMatrix block_cyclic_from_rows(const BlacsGrid& grid, const RowPartition& rows,
                                  const HostMatrix& local, BlockSize block);

}  // namespace drfm::dist
