#pragma once
/// @file
/// A `Source` is one split of a data set, opened: its size, feature count and all labels are known
/// (labels are small and every rank needs them to choose the subset and the class order); sample
/// rows are read on demand, each rank only those it owns. Readers: IDX (MNIST layout, raw or gzip),
/// HDF5 (parallel, hyperslab reads), CSV (raw or gzip), and a deterministic synthetic mixture.
#include "drfm/config/config.hpp"
#include "drfm/core/views.hpp"
#include "drfm/mpi/comm.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace drfm::data {

enum class Split { train, test };

/// "train" or "test".
const char* to_string(Split split) noexcept;

/// Labels must be integers in [0, max_label] (bounds the class count and the one-hot matrix).
constexpr int max_label = 65535;

class Source {
public:
    virtual ~Source() = default;
    Source(const Source&) = delete;
    Source& operator=(const Source&) = delete;

    /// The file (or generator) the split comes from, as messages name it.
    const std::string& name() const noexcept { return name_; }
    /// Samples available in the split.
    std::int64_t samples() const noexcept { return static_cast<std::int64_t>(labels_.size()); }
    std::int64_t features() const noexcept { return features_; }
    /// All labels in file order, validated (integers in [0, max_label]).
    const std::vector<int>& labels() const noexcept { return labels_; }
    /// 1 + the largest label (synthetic data: the configured number of classes).
    int classes() const noexcept { return classes_; }

    /// Reads sample file_rows[k] of the split into row k of `out`. Local work only (no collective
    /// MPI or HDF5 call), so callers run it inside mpi::collective. Throws InputDataError naming
    /// the file and the place of a short read or a non-finite / non-numeric value.
    /// @pre out is file_rows.size() × features(); every row index is in [0, samples()).
    virtual void read_rows(const std::vector<std::int64_t>& file_rows, HostMatrix& out) const = 0;

protected:
    Source(std::string name, std::int64_t features, std::vector<int> labels, int classes = 0);

private:
    std::string name_;
    std::int64_t features_;
    std::vector<int> labels_;
    int classes_;
};

/// Opens one split as the configuration describes it. Collective over comm (HDF5 files are opened
/// collectively); a failure on any rank is a collective InputDataError on all. Returns nullptr for
/// the test split when data.n_test is 0 (the test file is then not needed and not opened).
std::unique_ptr<Source> open_source(const config::DataConfig& config, Split split,
                                    const mpi::Comm& comm);

}  // namespace drfm::data
