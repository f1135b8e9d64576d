#pragma once
/// @file
/// Checkpoints of a trained bias-free MLP (analysis.mode = "network"; docs/input.md has the layout
/// and an h5py/torch export snippet): one HDF5 file whose top-level groups are the checkpoints
/// (natural name order, "epoch_2" before "epoch_10"), each holding the hidden weights W1..WL as
/// PyTorch stores Linear.weight, [out × in], and the final layer W_out [classes × out_L].
///
/// Opening reads and checks every checkpoint's datasets (names, rank, shape chain, the same
/// depth and widths in all checkpoints), so a bad file fails before any computation (and in
/// --dry-run). Weights are small and replicated: every rank reads each whole dataset.
#include "drfm/core/views.hpp"
#include "drfm/io/h5_handle.hpp"
#include "drfm/mpi/comm.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace drfm::data {

/// The name of the final layer's dataset in every checkpoint group.
inline constexpr const char* readout_dataset = "W_out";

class Checkpoints {
public:
    /// Opens `path` (MPI-IO, read-only) and checks every checkpoint against `input_dim` (the
    /// data's features) and `classes` (the data's K). Collective over comm; a failure is a
    /// collective InputDataError naming the file, the dataset and analysis.checkpoints.
    Checkpoints(const std::string& path, std::int64_t input_dim, int classes,
                const mpi::Comm& comm);

    const std::string& file() const noexcept { return path_; }
    const std::vector<std::string>& names() const noexcept { return names_; }
    std::size_t size() const noexcept { return names_.size(); }
    /// Hidden layers L.
    int depth() const noexcept { return depth_; }
    /// Output width of hidden layer k (0-based).
    const std::vector<std::int64_t>& widths() const noexcept { return widths_; }
    /// One line for the log.
    std::string description() const;

    /// Checkpoint s: W1..WL then W_out, replicated. Collective over the opening communicator.
    std::vector<HostMatrix> read(std::size_t s) const;

private:
    std::string path_;
    mpi::Comm comm_;
    std::shared_ptr<const io::FileHandle> h5file_;
    std::vector<std::string> names_;
    std::vector<std::int64_t> widths_;
    std::int64_t input_dim_ = 0;
    int classes_ = 0;
    int depth_ = 0;
};

}  // namespace drfm::data
