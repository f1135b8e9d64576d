#include "drfm/io/results_file.hpp"

#include "drfm/core/build_info.hpp"
#include "drfm/io/attribute.hpp"

#include <ctime>
#include <set>

namespace drfm::io {

namespace {

void check_labels(const std::vector<std::string>& labels, const char* what) {
    DRFM_CHECK(!labels.empty(), Error, "results layout: no ", what);
    std::set<std::string> unique(labels.begin(), labels.end());
    DRFM_CHECK(unique.size() == labels.size(), Error, "results layout: repeated ", what);
    for (const auto& s : labels) DRFM_CHECK(!s.empty(), Error, "results layout: empty ", what);
}

/// The layout's sizes and names come from the program, not the user: a failure is a bug.
void check_layout(const ResultsLayout& l) {
    DRFM_CHECK(l.runs >= 1 && l.depth >= 1 && l.max_k >= 0 && l.picture_size >= 0, Error,
               "results layout: runs=", l.runs, " depth=", l.depth, " max_k=", l.max_k,
               " picture_size=", l.picture_size);
    if (!l.layer_labels.empty()) {
        check_labels(l.layer_labels, "layer names");
        DRFM_CHECK(static_cast<std::int64_t>(l.layer_labels.size()) == l.depth, Error,
                   "results layout: ", l.layer_labels.size(), " layer names for depth ", l.depth);
    }
    check_labels(l.reprs, "representation names");
    check_labels(l.splits, "split names");
    check_labels(l.phases, "phase names");
    std::set<std::string> names{l.run_dimension, "status"};
    if (!l.run_labels.empty()) {
        check_labels(l.run_labels, "run names");
        DRFM_CHECK(static_cast<std::int64_t>(l.run_labels.size()) == l.runs, Error,
                   "results layout: ", l.run_labels.size(), " run names for ", l.runs, " runs");
    }
    for (const auto& p : l.parameters)
        DRFM_CHECK(!p.name.empty() && p.name.find('/') == std::string::npos &&
                       names.insert(p.name).second,
                   Error, "results layout: bad or repeated run parameter name '", p.name, "'");
}

/// UTC time on rank 0, the same string on every rank (attributes must agree across ranks).
std::string created_timestamp(const mpi::Comm& comm) {
    std::string stamp;
    if (comm.is_root()) {
        std::time_t now = std::time(nullptr);
        std::tm utc{};
        gmtime_r(&now, &utc);
        char text[32] = {};
        std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &utc);
        stamp = text;
    }
    return comm.bcast_string(stamp, 0);
}

std::string hdf5_library_version() {
    unsigned major = 0, minor = 0, release = 0;
    DRFM_H5(H5get_libversion(&major, &minor, &release), "HDF5 library");
    return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(release);
}

void write_root_attributes(const File& file, const RootInfo& info) {
    set_attribute(file, "/", "program", "drfm_hpc");
    set_attribute(file, "/", "version", build_info::version);
    set_attribute(file, "/", "git_sha", build_info::git_sha);
    set_attribute(file, "/", "hdf5_version", hdf5_library_version());
    set_attribute(file, "/", "schema_version", schema_version);
    set_attribute(file, "/", "created", created_timestamp(file.comm()));
    set_attribute(file, "/", "ranks", file.comm().size());
    set_attribute(file, "/", "grid", info.grid);
    set_attribute(file, "/", "config", info.config_toml);
    set_attribute(file, "/", "status", "incomplete");
}

std::int64_t extent0(const File& file, const std::string& path) {
    return static_cast<std::int64_t>(dataset_shape(file, path).at(0));
}

ResultsLayout read_layout(const File& file) {
    ResultsLayout l;
    if (!exists(file, "/runs/run")) {
        l.run_dimension = "checkpoint";
        l.network = true;
    }
    const std::string runs = "/runs/" + l.run_dimension;
    l.runs = extent0(file, runs);
    if (holds_strings(file, runs)) l.run_labels = read_labels(file, runs);
    l.depth = extent0(file, "/metrics/layer");
    if (holds_strings(file, "/metrics/layer")) l.layer_labels = read_labels(file, "/metrics/layer");
    l.reprs = read_labels(file, "/metrics/repr");
    l.splits = read_labels(file, "/metrics/split");
    l.max_k = extent0(file, "/spectra/k");
    l.picture_size = extent0(file, "/pictures/tile_row");
    l.phases = read_labels(file, "/timings/phase");
    for (const auto& name : list_members(file, "/runs")) {
        if (name == l.run_dimension || name == "status") continue;
        const std::string path = "/runs/" + name;
        l.parameters.push_back({name, read_attribute<std::string>(file, path, "description"),
                                read_attribute<std::string>(file, path, "units")});
    }
    return l;
}

/// The slab of the record at leading indices `index` of a dataset of shape `shape`.
Slab record_slab(const std::vector<std::uint64_t>& shape, const std::vector<std::int64_t>& index,
                 const std::string& where) {
    DRFM_CHECK(index.size() <= shape.size(), Error, where, ": ", index.size(),
               " indices for a dataset of rank ", shape.size());
    Slab slab{std::vector<std::uint64_t>(shape.size(), 0), shape};
    for (std::size_t i = 0; i < index.size(); ++i) {
        DRFM_CHECK(index[i] >= 0 && static_cast<std::uint64_t>(index[i]) < shape[i], Error, where,
                   ": index ", index[i], " of dimension ", i, " outside [0, ", shape[i], ")");
        slab.offset[i] = static_cast<std::uint64_t>(index[i]);
        slab.count[i] = 1;
    }
    return slab;
}

}  // namespace

ResultsFile::ResultsFile(File file, ResultsLayout layout)
    : file_(std::move(file)), layout_(std::move(layout)) {}

ResultsFile ResultsFile::create(const mpi::Comm& comm, const std::string& path, bool overwrite,
                                const ResultsLayout& layout, const RootInfo& info) {
    mpi::collective(comm, [&] { check_layout(layout); });
    File file = File::create(comm, path, overwrite);
    define_results_layout(file, layout);
    write_root_attributes(file, info);
    file.flush();
    return ResultsFile(std::move(file), layout);
}

ResultsFile ResultsFile::open(const mpi::Comm& comm, const std::string& path) {
    File file = File::open(comm, path, OpenMode::read_write);
    // Metadata reads are collective (one rank reads, all receive), so all ranks agree here.
    std::int64_t version = has_attribute(file, "/", "schema_version")
                               ? read_attribute<std::int64_t>(file, "/", "schema_version")
                               : -1;
    if (version != schema_version)
        throw collective(InputDataError(
            drfm::detail::concat("results file '", path, "' has schema_version ", version,
                           " but this drfm_hpc writes version ", schema_version,
                           ": it cannot resume it; choose a new output.path"),
            __FILE__, __LINE__));
    ResultsLayout layout = read_layout(file);
    set_attribute(file, "/", "status", "incomplete");
    file.flush();
    return ResultsFile(std::move(file), std::move(layout));
}

void ResultsFile::write_record(const std::string& path, const std::vector<std::int64_t>& index,
                               const std::vector<double>& values, Transfer transfer) const {
    const std::string where = file_.where(path);
    bool writes = transfer == Transfer::independent || file_.comm().is_root();
    Slab slab;
    auto check = [&] {
        if (!writes) return;
        slab = record_slab(dataset_shape(file_, path), index, where);
        DRFM_CHECK(values.size() == slab.size(), Error, where, ": ", values.size(),
                   " values for a record of ", slab.size());
    };
    // Agree on the checks first: a rank throwing alone would leave the others in H5Dwrite.
    if (transfer == Transfer::collective) mpi::collective(file_.comm(), check);
    else check();
    write_slab(file_, path, slab, writes ? values.data() : nullptr, writes ? values.size() : 0,
               transfer);
}

std::vector<double> ResultsFile::read_record(const std::string& path,
                                             const std::vector<std::int64_t>& index,
                                             Transfer transfer) const {
    auto slab = record_slab(dataset_shape(file_, path), index, file_.where(path));
    return read_slab<double>(file_, path, slab, transfer);
}

void ResultsFile::set_status(std::int64_t run, RunStatus status, Transfer transfer) const {
    const std::string path = "/runs/status";
    DRFM_CHECK(run >= 0 && run < layout_.runs, Error, file_.where(path), ": run ", run,
               " outside [0, ", layout_.runs, ")");
    bool writes = transfer == Transfer::independent || file_.comm().is_root();
    auto value = static_cast<std::int32_t>(status);
    Slab slab;
    if (writes) slab = {{static_cast<std::uint64_t>(run)}, {1}};
    write_slab(file_, path, slab, writes ? &value : nullptr, writes ? 1 : 0, transfer);
    if (transfer == Transfer::collective) file_.flush();
}

std::vector<RunStatus> ResultsFile::statuses() const {
    Slab all{{0}, {static_cast<std::uint64_t>(layout_.runs)}};
    auto raw = read_slab<std::int32_t>(file_, "/runs/status", all);
    std::vector<RunStatus> out;
    for (auto v : raw) out.push_back(static_cast<RunStatus>(v));
    return out;
}

void ResultsFile::close() {
    set_attribute(file_, "/", "status", "complete");
    file_.close();
}

}  // namespace drfm::io
