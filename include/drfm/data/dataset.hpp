#pragma once
/// @file
/// The data stage of the pipeline (methods.md §1): read a train (and test) split, take the subset,
/// put the samples in class order, standardise every feature, and leave each rank with its block of
/// rows. Labels are small and replicated on every rank; X is distributed by contiguous row blocks.
#include "drfm/config/config.hpp"
#include "drfm/core/row_partition.hpp"
#include "drfm/core/views.hpp"
#include "drfm/mpi/comm.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace drfm::data {

/// One split, samples in class order (class 0 first, stable within a class, i.e. file order).
struct Dataset {
    std::int64_t n = 0;                       ///< global number of samples
    std::int64_t d = 0;                       ///< features
    int classes = 0;                          ///< K (the test split carries the train's K)
    std::vector<std::int64_t> class_counts;   ///< K entries, global
    RowPartition rows;                        ///< contiguous balanced row blocks over the comm
    HostMatrix x;                             ///< my rows.count(rank) × d, standardised
    std::vector<int> labels;                  ///< all n labels in class order, on every rank
    std::vector<std::int64_t> source_index;   ///< all n: the sample's index in its source file
};

/// Both splits; `test.n == 0` when there is no test split.
struct Data {
    Dataset train, test;
    std::string description;  ///< one line: source, sizes, subset, standardisation
};

/// What a dry run needs to plan memory, from headers and labels only (no sample rows are read).
struct DataShape {
    std::int64_t n_train_available = 0;
    std::int64_t n_test_available = 0;  ///< 0 when there is no test split
    std::int64_t d = 0;
    int classes = 0;
    std::string description;
};

/// Loads and preprocesses both splits exactly as methods.md §1:
/// subset (`first`: the first n_train samples in file order; `balanced`: the first
/// ⌊n_train/K⌋ of each class in file order, so n = K·⌊n_train/K⌋), stable class order, and per
/// feature x̂ = (x − mean)/std with the unbiased std (divisor n − 1); a feature that is constant
/// over the split becomes 0 (torch's nan_to_num of 0/0). The test split is the first n_test samples
/// of the test file in class order, standardised with its own statistics (`self`, the reference)
/// or with the train statistics (`train`; a feature constant in train is 0 in test too).
/// K = 1 + the largest train label (synthetic: data.classes); test labels must be < K.
/// Collective over comm; every failure is a collective InputDataError naming file and place.
Data load_data(const config::DataConfig& config, const mpi::Comm& comm);

class Source;

/// The training split of `source` exactly as load_data selects and distributes it (the subset of
/// data.n_train and data.subset, class order, my block of rows), but not standardised: features
/// mode analyses a network's snapshots as they are. Collective over comm; errors as load_data.
Dataset load_train_rows(const Source& source, const config::DataConfig& config,
                        const mpi::Comm& comm);

/// Sizes for --dry-run: reads headers and labels, never the sample rows. Collective over comm.
DataShape read_shape(const config::DataConfig& config, const mpi::Comm& comm);

/// The number of training samples `load_data` keeps: n_train (`first`) or K·⌊n_train/K⌋
/// (`balanced`).
std::int64_t subset_size(std::int64_t n_train, config::Subset subset, int classes);

/// Y = 2·onehot − 1 for my rows (methods.md §1.4): my rows × K, +1 in the true class, −1 elsewhere.
HostMatrix signed_one_hot(const Dataset& dataset, const mpi::Comm& comm);

/// The labels of my rows (dataset.rows.count(rank) of them, in class order).
std::vector<int> local_labels(const Dataset& dataset, const mpi::Comm& comm);

}  // namespace drfm::data
