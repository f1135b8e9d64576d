#pragma once
/// @file
/// The preprocessing steps of methods.md §1 as separate functions: subset selection, stable class
/// order, and per-feature standardisation with statistics reduced over all ranks.
#include "drfm/config/config.hpp"
#include "drfm/core/views.hpp"
#include "drfm/mpi/comm.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace drfm::data {

/// The file rows (indices into `labels`) of a subset, in file order.
/// `first`: rows 0..n−1. `balanced`: the first ⌊n/classes⌋ rows of every class (n not a multiple
/// of classes is rounded down so that all classes have exactly the same count).
/// Throws InputDataError naming `file` when the file has too few samples (or too few of a class),
/// or when a class in [0, classes) has no sample in the subset.
std::vector<std::int64_t> select_subset(const std::vector<int>& labels, std::int64_t n,
                                        config::Subset subset, int classes,
                                        const std::string& file);

/// The rows reordered by class: class 0 first, the given order kept within a class (a stable
/// sort on labels[row], as torch.concat([X[y == c] for c in 0..K−1])).
std::vector<std::int64_t> class_order(const std::vector<std::int64_t>& rows,
                                      const std::vector<int>& labels);

/// Per-feature statistics of a row-distributed matrix.
struct ColumnStats {
    std::int64_t n = 0;          ///< global number of rows
    std::vector<double> mean;    ///< Σ_i x_ij / n
    std::vector<double> std;     ///< sqrt(Σ_i (x_ij − mean_j)² / (n − 1)), two passes
    std::vector<char> constant;  ///< 1 where the column has one value on all rows (std ≡ 0)
};

/// Column statistics over the rows of all ranks. Sums are accumulated in exact fixed point
/// (integer limbs, reduced with MPI_SUM), so the result is bit-identical for any number of ranks
/// and any row distribution, and accurate to about one rounding of the exact sum. Collective.
ColumnStats column_stats(const HostMatrix& x, const mpi::Comm& comm);

/// x̂_ij = (x_ij − mean_j) / std_j in place; constant columns become 0 (nan_to_num of 0/0).
/// @pre stats has x.extent(1) entries.
void standardize(HostMatrix& x, const ColumnStats& stats);

}  // namespace drfm::data
