#pragma once
// Private to the data module: the concrete readers behind open_source, and helpers they share.
#include "drfm/data/source.hpp"
#include "drfm/io/h5_handle.hpp"

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

// The pieces of open_hdf5, for files with several row datasets (data/snapshots.hpp). All are
// collective over comm; every failure is a collective InputDataError naming the file, the dataset
// and `key`, the input key that named it.

/// `file` opened read-only with the MPI-IO driver on comm; shared by the Sources read from it.
/// `role` names the file in the message when it does not exist.
std::shared_ptr<const io::FileHandle> open_hdf5_file(const std::string& file,
                                                     const mpi::Comm& comm,
                                                     const char* role = "HDF5 data file");

/// The labels in dataset `name` (n or n × 1), checked integers in [0, max_label].
std::vector<int> read_hdf5_labels(const io::FileHandle& h5file, const std::string& file,
                                  const std::string& name, const char* key,
                                  const mpi::Comm& comm);

/// A Source over the numeric dataset `name` (n × d or n × …) whose n samples carry `labels`
/// (read from dataset `labels_name`, for messages).
std::unique_ptr<Source> open_hdf5_rows(std::shared_ptr<const io::FileHandle> h5file,
                                       const std::string& file, const std::string& name,
                                       const char* key, std::vector<int> labels,
                                       const std::string& labels_name, const mpi::Comm& comm);

/// `path` itself when it is a dataset; the paths of its members ("path/member", HDF5 name order)
/// when it is a group, which must be non-empty and hold datasets only.
std::vector<std::string> hdf5_datasets(const io::FileHandle& h5file, const std::string& file,
                                       const std::string& path, const char* key,
                                       const mpi::Comm& comm);

/// The whole 2-D numeric dataset `name` (rows × cols as stored, row-major in the file) as a
/// column-major matrix on every rank; NaN or Inf is an InputDataError naming the dataset.
HostMatrix read_hdf5_matrix(const io::FileHandle& h5file, const std::string& file,
                            const std::string& name, const char* key, const mpi::Comm& comm);

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
