#pragma once
/// @file
/// Layer checkpoints: the state a Deep RFM run needs to continue after its last finished layer,
/// one HDF5 file per run written by the ranks of the run's grid (docs/scans.md, "Runs longer than
/// one job"). It holds the train and test features X_{l+1} (what the next layer reads; the random
/// features are regenerated from their counter-based generator, never stored), the layer index and
/// what the checkpoint belongs to: the results file instance, its configuration and the run.
///
/// Layout: `/train[p, n]` and `/test[p, n_test]` are the features transposed (feature-major), so
/// that each rank's column-major block of rows is one hyperslab written and read in place, with
/// no copy; root attributes `layer`, `n`, `n_test`, `width`, `run`, `results_instance`,
/// `config_hash`, `config`, `checksum` and `complete`.
///
/// Atomic: the file is written under `<path>.writing`: rank 0 creates it with HDF5 alone (layout,
/// attributes, the data regions allocated), every rank writes its rows there with pwrite(2) at the
/// datasets' offsets and fsyncs them, then rank 0 sets `complete`, syncs the file and renames it
/// over `path` (and syncs the directory). A crash at any moment leaves either the previous
/// checkpoint or the new one, each whole; a failed write (a full disk) is local to each rank and
/// agreed, never inside a collective HDF5 call. The checksum (a sum over elements of a hash of value and
/// global position, so independent of the ranks that wrote or read it) finds a damaged file.
#include "drfm/io/file.hpp"

#include <cstdint>
#include <string>

namespace drfm::io {

/// What a checkpoint belongs to: a run of one results file.
struct CheckpointOwner {
    std::string results_instance;  ///< the results file's root attribute `instance`
    std::string config_hash;       ///< its `config_hash`
    std::string config;            ///< its resolved configuration, to name differences
    std::int64_t run = 0;          ///< the run's position in the results file
};

/// A checkpoint's attributes.
struct CheckpointInfo {
    CheckpointOwner owner;
    int layer = 0;  ///< the last finished layer: the run continues at layer + 1
    std::int64_t n = 0, n_test = 0, width = 0;
    std::uint64_t checksum = 0;
};

/// My rows [first, first + count) of a split of n samples × width features, column-major with
/// leading dimension `count` (a contiguous HostMatrix). T is `const double` to write, `double`
/// to read into.
template <class T>
struct SplitRows {
    T* data = nullptr;
    std::int64_t first = 0, count = 0;
};

/// Collective over comm: writes `info` (its checksum is computed here) and the rows atomically
/// (above). Returns the bytes of the file. A failure (a full disk, a lost directory) is a
/// collective Hdf5Error naming the path, and whatever was at `path` before is left as it was.
std::uint64_t write_layer_checkpoint(const mpi::Comm& comm, const std::string& path,
                                     CheckpointInfo info, const SplitRows<const double>& train,
                                     const SplitRows<const double>& test);

/// Collective over comm: the attributes of the checkpoint at `path`. An unreadable, truncated or
/// incomplete file is a collective InputDataError naming it.
CheckpointInfo read_checkpoint_info(const mpi::Comm& comm, const std::string& path);

/// Collective over comm: reads my rows of both splits (info.width columns each) and checks the
/// checksum against `info` (from read_checkpoint_info); a mismatch is a collective
/// InputDataError naming the file.
void read_layer_checkpoint(const mpi::Comm& comm, const std::string& path,
                           const CheckpointInfo& info, const SplitRows<double>& train,
                           const SplitRows<double>& test);

}  // namespace drfm::io
