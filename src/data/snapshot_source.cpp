// Feature snapshots (analysis.mode = "features"): one HDF5 file, many row datasets sharing the
// labels. Built from the HDF5 reader's pieces (readers.hpp), so reading, checks and messages are
// those of data.source = "hdf5".
#include "drfm/data/snapshots.hpp"

#include "readers.hpp"

#include "drfm/core/error.hpp"

#include <algorithm>
#include <cctype>
#include <sstream>

namespace drfm::data {
namespace {

bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

// The part of `path` after its last '/'.
std::string base_name(const std::string& path) { return path.substr(path.rfind('/') + 1); }

}  // namespace

bool natural_less(std::string_view a, std::string_view b) {
    std::size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        if (!is_digit(a[i]) || !is_digit(b[j])) {
            if (a[i] != b[j])
                return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[j]);
            ++i, ++j;
            continue;
        }
        std::size_t end_a = i, end_b = j;
        while (end_a < a.size() && is_digit(a[end_a])) ++end_a;
        while (end_b < b.size() && is_digit(b[end_b])) ++end_b;
        std::size_t lead_a = i, lead_b = j;  // first significant digit (the last one if all 0)
        while (lead_a + 1 < end_a && a[lead_a] == '0') ++lead_a;
        while (lead_b + 1 < end_b && b[lead_b] == '0') ++lead_b;
        const std::size_t digits_a = end_a - lead_a, digits_b = end_b - lead_b;
        if (digits_a != digits_b) return digits_a < digits_b;
        if (int order = a.substr(lead_a, digits_a).compare(b.substr(lead_b, digits_b)))
            return order < 0;
        if (end_a - i != end_b - j) return end_a - i < end_b - j;
        i = end_a, j = end_b;
    }
    return a.size() - i < b.size() - j;
}

Snapshots::Snapshots(const config::DataConfig& config, const mpi::Comm& comm)
    : config_(config), comm_(comm), h5file_(detail::open_hdf5_file(config.path, comm)) {
    const std::string& file = config_.path;
    // All links first: a missing one is reported before any dataset is read.
    feature_paths_ = detail::hdf5_datasets(*h5file_, file, config_.snapshots, "data.snapshots",
                                           comm);
    std::stable_sort(feature_paths_.begin(), feature_paths_.end(),
                     [](const std::string& a, const std::string& b) {
                         return natural_less(base_name(a), base_name(b));
                     });
    for (const auto& path : feature_paths_) names_.push_back(base_name(path));
    if (!config_.outputs.empty()) {
        const auto members =
            detail::hdf5_datasets(*h5file_, file, config_.outputs, "data.outputs", comm);
        // A group holds one output per snapshot, by name; a dataset serves a single snapshot.
        const bool single = members.size() == 1 && members.front() == config_.outputs;
        mpi::collective(comm, [&] {
            DRFM_CHECK(!single || names_.size() == 1, InputDataError, file, ": data.outputs = '",
                       config_.outputs, "' is one dataset but there are ", names_.size(),
                       " snapshots; name a group holding one output dataset per snapshot");
        });
        for (const auto& name : names_)
            output_paths_.push_back(single ? config_.outputs : config_.outputs + "/" + name);
    }
    labels_ = detail::read_hdf5_labels(*h5file_, file, config_.labels_dataset,
                                       "data.labels_dataset", comm);

    for (const auto& path : feature_paths_) {
        auto source = detail::open_hdf5_rows(h5file_, file, path, "data.snapshots", labels_,
                                             config_.labels_dataset, comm);
        widths_.push_back(source->features());
        classes_ = source->classes();
    }
    for (const auto& path : output_paths_) {
        auto source = detail::open_hdf5_rows(h5file_, file, path, "data.outputs", labels_,
                                             config_.labels_dataset, comm);
        mpi::collective(comm, [&] {
            DRFM_CHECK(source->features() == classes_, InputDataError, file, ": dataset '", path,
                       "' (data.outputs) has ", source->features(), " columns, but the labels in '",
                       config_.labels_dataset, "' have ", classes_,
                       " classes; the outputs must be n × classes (one column per class)");
        });
    }
}

std::string Snapshots::description() const {
    std::ostringstream os;
    const auto [narrow, wide] = std::minmax_element(widths_.begin(), widths_.end());
    os << "features " << file() << ": " << size() << (size() == 1 ? " snapshot" : " snapshots")
       << " (" << names_.front() << (size() > 1 ? " ... " + names_.back() : "") << ") of "
       << samples() << " samples, p = " << *narrow;
    if (*wide != *narrow) os << " ... " << *wide;
    os << ", K = " << classes_ << "; f = "
       << (has_outputs() ? "the network's outputs in " + config_.outputs
                         : std::string("the least-squares linear readout"));
    return os.str();
}

Snapshots::Rows Snapshots::read(std::size_t s) const {
    const mpi::Comm& comm = comm_;
    DRFM_CHECK(s < size(), Error, "snapshot ", s, " of ", size());
    Rows out;
    auto features = detail::open_hdf5_rows(h5file_, file(), feature_paths_[s], "data.snapshots",
                                           labels_, config_.labels_dataset, comm);
    out.features = load_train_rows(*features, config_, comm);
    if (has_outputs()) {
        auto outputs = detail::open_hdf5_rows(h5file_, file(), output_paths_[s], "data.outputs",
                                              labels_, config_.labels_dataset, comm);
        out.outputs = load_train_rows(*outputs, config_, comm).x;
    }
    return out;
}

}  // namespace drfm::data
