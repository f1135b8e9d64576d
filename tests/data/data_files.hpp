#pragma once
// Test helpers of the data module: small IDX, CSV and HDF5 files written by rank 0 into a temporary
// folder shared by all ranks, and the serial (Eigen) reference of methods.md §1.
#include "drfm/config/config.hpp"
#include "drfm/data/dataset.hpp"
#include "support/test_utils.hpp"

#include <Eigen/Dense>

#include <cstdint>
#include <string>
#include <vector>

namespace drfm::test {

/// A folder under /tmp made by rank 0, known to every rank, removed when the object dies.
class TempDir {
public:
    explicit TempDir(const mpi::Comm& comm);
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    /// The path of `name` inside the folder.
    std::string file(const std::string& name) const { return path_ + "/" + name; }
    const std::string& path() const { return path_; }

private:
    mpi::Comm comm_;
    std::string path_;
};

/// Samples (rows) and labels of a small raw data set.
struct RawData {
    Eigen::MatrixXd x;        ///< n × d
    std::vector<int> labels;  ///< n
};

/// Writes an IDX file of unsigned bytes with the given dimensions (gzip-compressed when `gz`).
/// Rank 0 only; the caller synchronises.
void write_idx(const std::string& path, const std::vector<std::uint32_t>& dims,
               const std::vector<unsigned char>& bytes, bool gz);
/// Writes bytes as they are (gzip-compressed when `gz`). Rank 0 only.
void write_bytes(const std::string& path, const std::string& bytes, bool gz);
/// Writes an HDF5 file with a float64 features dataset of shape `dims` (row-major values) and an
/// int32 (or float64, when `float_labels`) labels dataset. Rank 0 only.
void write_hdf5(const std::string& path, const std::vector<unsigned long long>& dims,
                const std::vector<double>& values, const std::vector<double>& labels,
                bool float_labels = false, const std::string& features = "features",
                const std::string& labels_name = "labels");
/// CSV text of `data` with the label in column `label_column` (−1: last), %.17g numbers.
std::string csv_text(const RawData& data, int label_column, bool header);

/// IDX-style data: pixel bytes n × d with constant first and last columns; labels unbalanced
/// and interleaved, all K classes present in the first K·2 samples.
std::vector<unsigned char> idx_pixels(std::int64_t n, std::int64_t d, int seed);
std::vector<int> idx_labels(std::int64_t n, int classes, int seed);

/// Writes train and t10k IDX files into dir (raw or gz) and returns the raw data (pixels / 255).
struct IdxSet {
    RawData train, test;
};
IdxSet write_idx_set(const TempDir& dir, std::int64_t n_train, std::int64_t n_test, std::int64_t d,
                     int classes, bool gz, const mpi::Comm& comm);

/// [data] reading the IDX files of dir: the first n_train and n_test samples.
config::DataConfig idx_config(const TempDir& dir, std::int64_t n_train, std::int64_t n_test);

/// Serial methods.md §1 on raw data: the subset rows of `subset` in class order, standardised with
/// (mean, unbiased std) of `stats_of` rows (the same rows for "self"); constant columns → 0.
struct Reference {
    Eigen::MatrixXd x;
    std::vector<int> labels;
    std::vector<std::int64_t> source_index;
    Eigen::RowVectorXd mean, std;
    std::vector<bool> constant;
};
Reference reference_split(const RawData& raw, const std::vector<std::int64_t>& subset,
                          const Reference* train_stats = nullptr);
/// The first n rows, or the first n/K of each class (file order).
std::vector<std::int64_t> reference_subset(const std::vector<int>& labels, std::int64_t n,
                                           config::Subset subset, int classes);

/// All rows of a distributed split, gathered on every rank (n × d).
Eigen::MatrixXd gather_x(const data::Dataset& set, const mpi::Comm& comm);

/// The maximum |a − b| over all entries (shapes must agree).
double max_abs_diff(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b);

/// A one-rank communicator for this process (the rank-count-independence reference).
mpi::Comm self_comm(const mpi::Comm& comm);

/// Runs fn, expects a collective drfm::Error, and returns its message ("" if none was thrown).
template <class Fn>
std::string collective_error(Fn&& fn) {
    try {
        fn();
    } catch (const Error& e) {
        EXPECT_TRUE(e.is_collective()) << e.what();
        return e.what();
    }
    ADD_FAILURE() << "expected a drfm::Error";
    return "";
}

}  // namespace drfm::test
