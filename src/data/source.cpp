#include "drfm/data/source.hpp"

#include "readers.hpp"

#include "drfm/core/error.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numeric>

namespace drfm::data {

const char* to_string(Split split) noexcept { return split == Split::train ? "train" : "test"; }

Source::Source(std::string name, std::int64_t features, std::vector<int> labels, int classes)
    : name_(std::move(name)), features_(features), labels_(std::move(labels)), classes_(classes) {
    if (classes_ == 0 && !labels_.empty()) {
        classes_ = 1 + *std::max_element(labels_.begin(), labels_.end());
    }
}

namespace {
// The file of a csv/hdf5 split: data.path for train, data.test_path for test.
std::string split_file(const config::DataConfig& config, Split split) {
    if (split == Split::train) return config.path;
    DRFM_CHECK(!config.test_path.empty(), InputDataError, "data.n_test = ", config.n_test,
               " but data.test_path is empty: name the test file or set data.n_test = 0");
    return config.test_path;
}
}  // namespace

std::unique_ptr<Source> open_source(const config::DataConfig& config, Split split,
                                    const mpi::Comm& comm) {
    if (split == Split::test && config.n_test == 0) return nullptr;
    std::string file;
    switch (config.source) {
    case config::DataSource::idx:
        return detail::open_idx(config.path, split, comm);
    case config::DataSource::csv:
        mpi::collective(comm, [&] { file = split_file(config, split); });
        return detail::open_csv(file, config.label_column, config.header, comm);
    case config::DataSource::hdf5:
        mpi::collective(comm, [&] { file = split_file(config, split); });
        return detail::open_hdf5(file, config.features_dataset, config.labels_dataset, comm);
    case config::DataSource::synthetic:
        return detail::open_synthetic(config, split,
                                      split == Split::train ? config.n_train : config.n_test);
    }
    DRFM_THROW(InputDataError, "unknown data.source");
}

namespace detail {

int checked_label(double value, const std::string& where) {
    DRFM_CHECK(std::isfinite(value) && value == std::floor(value) && value >= 0.0 &&
                   value <= max_label,
               InputDataError, where, ": label ", value, " is not an integer in [0, ", max_label,
               "]; class labels must be 0, 1, ..., K-1");
    return static_cast<int>(value);
}

void require_file(const std::string& path, const std::string& role) {
    std::error_code ec;
    DRFM_CHECK(std::filesystem::exists(path, ec), InputDataError, role, " '", path,
               "' does not exist");
    DRFM_CHECK(std::filesystem::is_regular_file(path, ec), InputDataError, role, " '", path,
               "' is not a regular file");
}

std::vector<std::int64_t> ascending_order(const std::vector<std::int64_t>& rows) {
    std::vector<std::int64_t> order(rows.size());
    std::iota(order.begin(), order.end(), std::int64_t{0});
    std::sort(order.begin(), order.end(), [&](std::int64_t a, std::int64_t b) {
        return rows[static_cast<size_t>(a)] < rows[static_cast<size_t>(b)];
    });
    return order;
}

}  // namespace detail
}  // namespace drfm::data
