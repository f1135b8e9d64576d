#pragma once
/// @file
/// Feature snapshots of a trained network (analysis.mode = "features"; docs/input.md has the file
/// layout and an h5py example): one HDF5 file holding the labels [n] (data.labels_dataset) and,
/// under data.snapshots, one feature dataset [n × p] per snapshot (e.g. per training epoch);
/// optionally, under data.outputs, the network's outputs [n × C] of each snapshot, named like it.
///
/// Snapshots are taken in natural name order ("epoch_2" before "epoch_10"). Opening checks every
/// dataset's presence and shape, so a bad file fails before any computation (and in --dry-run).
/// Each snapshot's rows are then read on demand, every rank only its own block, with the subset,
/// class order and row partition of the Deep RFM data stage (load_train_rows) but without
/// standardisation: the features are analysed as the network produced them.
#include "drfm/config/config.hpp"
#include "drfm/core/views.hpp"
#include "drfm/data/dataset.hpp"
#include "drfm/io/h5_handle.hpp"
#include "drfm/mpi/comm.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace drfm::data {

/// Natural order of names: runs of digits compare as numbers ("epoch_2" < "epoch_10"; of equal
/// numbers the one with fewer leading zeros first), everything else byte by byte.
bool natural_less(std::string_view a, std::string_view b);

/// The snapshots of one file, opened and checked; the file stays open (read-only) while it lives.
class Snapshots {
public:
    /// Opens `config.path` (MPI-IO, read-only), reads the labels and checks every snapshot (rank
    /// ≥ 2, n rows) and every output dataset (n × K, K = 1 + the largest label).
    /// Collective over comm; a failure is a collective InputDataError naming the file, the
    /// dataset and the key (data.snapshots, data.outputs, data.labels_dataset).
    Snapshots(const config::DataConfig& config, const mpi::Comm& comm);

    const std::string& file() const noexcept { return config_.path; }
    /// Snapshot names (the dataset names within data.snapshots), in natural order.
    const std::vector<std::string>& names() const noexcept { return names_; }
    std::size_t size() const noexcept { return names_.size(); }
    /// Samples in the file (before data.n_train and data.subset choose some).
    std::int64_t samples() const noexcept { return static_cast<std::int64_t>(labels_.size()); }
    /// K = 1 + the largest label.
    int classes() const noexcept { return classes_; }
    /// Features p of snapshot s (trailing dimensions multiplied).
    std::int64_t width(std::size_t s) const { return widths_.at(s); }
    /// True when data.outputs names the network's outputs (else the readout is computed).
    bool has_outputs() const noexcept { return !output_paths_.empty(); }
    /// One line for the log: file, snapshots, n, p, K, where f comes from.
    std::string description() const;

    /// Snapshot s as the analysis needs it, my rows in class order.
    struct Rows {
        Dataset features;    ///< x: my rows × p (as stored); labels, partition as load_data
        HostMatrix outputs;  ///< my rows × K of data.outputs; empty without it
    };
    /// Reads snapshot s. Collective over the communicator it was opened with; read errors (NaN,
    /// short reads) are collective InputDataErrors.
    Rows read(std::size_t s) const;

private:
    config::DataConfig config_;
    mpi::Comm comm_;
    std::shared_ptr<const io::FileHandle> h5file_;
    std::vector<int> labels_;
    int classes_ = 0;
    std::vector<std::string> names_, feature_paths_, output_paths_;
    std::vector<std::int64_t> widths_;
};

}  // namespace drfm::data
