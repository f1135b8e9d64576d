#pragma once
/// @file
/// The per-layer Gram ("inner-product matrix") picture of methods.md §3.5, block-averaged so that
/// it stays small for n = 5·10⁴ samples.
#include "drfm/core/views.hpp"
#include "drfm/mpi/comm.hpp"

#include <cstdint>

namespace drfm::analysis {

/// Block averages of G = Z Zᵀ, where z_i = (x_i − x̄)/‖x_i − x̄‖ and x̄ = (1/n) Σ_i x_i is the mean
/// sample (a row whose centred norm is exactly 0 stays 0 instead of becoming NaN). Global sample
/// i falls in tile floor(i·T/n), T = min(tiles, n), so tiles differ in size by at most one when
/// T does not divide n. Entry (a, b) = mean over i ∈ A, j ∈ B of z_i·z_j, computed exactly as
/// (Σ_{i∈A} z_i)·(Σ_{j∈B} z_j) / (|A||B|): per-tile sums (one Allreduce of T·p numbers) and a
/// T×T product. Cost O(n·p/ranks + T²·p); the full T×T picture is returned on every rank.
/// @param rows       this rank's rows x_i (n_local × p)
/// @param n          the global number of samples (sum of n_local over the ranks)
/// @param row_begin  global index of this rank's first row (rows are contiguous per rank)
/// @param tiles      requested tiles per side, >= 1
/// @throws InputDataError (collective) when n, row_begin or the widths are inconsistent.
/// Float rows are widened block by block.
template <class T>
HostMatrix gram_tiles(const HostMatrixOf<T>& rows, std::int64_t n, std::int64_t row_begin, int tiles,
                      const mpi::Comm& comm);

}  // namespace drfm::analysis
