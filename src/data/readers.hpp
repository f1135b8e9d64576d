#pragma once
// Private to the data module: the concrete readers behind open_source, and helpers they share.
#include "drfm/data/source.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace drfm::data::detail {

/// IDX files `<prefix>-images-idx3-ubyte[.gz]` and `<prefix>-labels-idx1-ubyte[.gz]` in `folder`
/// (prefix "train" or "t10k"); pixels are scaled by 1/255 (torchvision ToTensor).
std::unique_ptr<Source> open_idx(const std::string& folder, Split split, const mpi::Comm& comm);

/// CSV (or gzip-compressed CSV): one sample per line, comma-separated numbers, the label in
/// column `label_column` (0-based, −1: last), an optional header line.
std::unique_ptr<Source> open_csv(const std::string& file, std::int64_t label_column, bool header,
                                 const mpi::Comm& comm);

/// HDF5 file with an n×d (or n×…) feature dataset and an n-vector of labels; opened with the MPI-IO
/// driver on comm, rows read by hyperslab selections.
std::unique_ptr<Source> open_hdf5(const std::string& file, const std::string& features,
                                  const std::string& labels, const mpi::Comm& comm);

/// The synthetic class mixture (synthetic_source.cpp documents it) with `samples` samples.
std::unique_ptr<Source> open_synthetic(const config::DataConfig& config, Split split,
                                       std::int64_t samples);

/// A label read from a file: an integer in [0, max_label], else InputDataError naming `where`.
int checked_label(double value, const std::string& where);

/// Throws InputDataError when `path` is not an existing regular file; `role` says what it is.
void require_file(const std::string& path, const std::string& role);

/// The permutation that visits `rows` in increasing order (readers go through a file forwards).
std::vector<std::int64_t> ascending_order(const std::vector<std::int64_t>& rows);

}  // namespace drfm::data::detail
