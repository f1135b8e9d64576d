#include "drfm/app/run_checkpoints.hpp"

#include "drfm/core/log.hpp"
#include "drfm/core/system_memory.hpp"
#include "drfm/data/dataset.hpp"
#include "drfm/config/schema.hpp"

#include <sys/statvfs.h>

#include <cstdlib>
#include <filesystem>
#include <system_error>
#include <utility>

namespace drfm::app {
namespace {

namespace fs = std::filesystem;

fs::path checkpoint_dir(const config::Config& base) {
    if (!base.run.checkpoint_dir.empty()) return base.run.checkpoint_dir;
    const fs::path parent = fs::path(base.output.path).parent_path();
    return parent.empty() ? fs::path(".") : parent;
}

/// Bytes free to an unprivileged writer on the file system of `dir` (or of its nearest existing
/// parent, before the directory is made); negative when unknown.
double free_bytes(fs::path dir) {
    std::error_code ec;
    while (!dir.empty() && !fs::exists(dir, ec)) dir = dir.parent_path();
    struct statvfs s {};
    if (::statvfs(dir.empty() ? "." : dir.c_str(), &s) != 0) return -1.0;
    return static_cast<double>(s.f_bavail) * static_cast<double>(s.f_frsize);
}

std::int64_t width_after(const config::Config& cfg, const ProblemShape& shape, int layer) {
    return layer_input_dim(cfg.model, shape.d, layer + 1);
}

/// My rows of a split as the checkpoint functions take them.
template <class T>
io::SplitRows<T> rows_of(T* data, const RowPartition& rows, int rank) {
    return {data, rows.begin(rank), rows.count(rank)};
}

/// Collective over comm: the start after the checkpoint at `path`, my rows of both splits as
/// `train` and `test` split them over comm, the checksum checked.
LayerStart read_rows(const mpi::Comm& comm, const std::string& path, const io::CheckpointInfo& info,
                     const RowPartition& train, const RowPartition& test) {
    const int rank = comm.rank();
    LayerStart start;
    start.layer = info.layer + 1;
    start.x = make_host_matrix("drfm::app::layer_input", train.count(rank), info.width);
    start.x_test = make_host_matrix("drfm::app::layer_input", test.count(rank), info.width);
    io::read_layer_checkpoint(comm, path, info, rows_of(start.x.data(), train, rank),
                              rows_of(start.x_test.data(), test, rank));
    return start;
}

void remove_file(const std::string& path) {
    std::error_code ec;
    if (fs::remove(path, ec) && !ec) return;
    if (ec) log::all() << "warning: cannot remove " << path << ": " << ec.message();
}

}  // namespace

bool writes_checkpoints(const config::RunConfig& run, const mpi::Comm& world) {
    int yes = 0;
    switch (run.checkpoint) {
        case config::CheckpointMode::layer: yes = 1; break;
        case config::CheckpointMode::none: yes = 0; break;
        case config::CheckpointMode::automatic:
            yes = run.walltime.count() > 0 || std::getenv("SLURM_JOB_ID") != nullptr ? 1 : 0;
            break;
    }
    world.bcast(&yes, 1, 0);  // the environment of rank 0 decides for all
    return yes == 1;
}

std::string checkpoint_path(const config::Config& base, std::int64_t run) {
    const std::string name = fs::path(base.output.path).filename().string();
    return (checkpoint_dir(base) / (name + ".run" + std::to_string(run) + ".ckpt.h5")).string();
}

bool checkpoint_after(const config::Config& cfg, int layer) {
    return layer < cfg.model.depth || cfg.model.final_predictor != config::FinalPredictor::none;
}

double checkpoint_bytes(const config::Config& cfg, const ProblemShape& shape, int layer) {
    return static_cast<double>(shape.n + shape.n_test) *
           static_cast<double>(width_after(cfg, shape, layer)) * sizeof(double);
}

std::string describe_checkpoints(const config::Config& cfg, const ProblemShape& largest,
                                 int groups, bool writes, const mpi::Comm& world) {
    std::string out = "checkpoints: ";
    if (!writes) {
        out += "none (run.checkpoint = " + std::string(config::to_string(cfg.run.checkpoint)) +
               "): an interrupted run restarts from layer 1; existing checkpoints are still used";
        return out;
    }
    const int last = checkpoint_after(cfg, cfg.model.depth) ? cfg.model.depth : cfg.model.depth - 1;
    if (last < 1) return out + "none needed (a single layer without a final predictor)";
    double largest_bytes = 0.0;
    for (int l = 1; l <= last; ++l) largest_bytes = std::max(largest_bytes, checkpoint_bytes(cfg, largest, l));
    const fs::path dir = checkpoint_dir(cfg);
    double available = world.is_root() ? free_bytes(dir) : 0.0;
    world.bcast(&available, 1, 0);
    const double need = 2.0 * largest_bytes * groups;
    const double first = checkpoint_bytes(cfg, largest, 1), later = checkpoint_bytes(cfg, largest, last);
    out += "after each layer, " + checkpoint_path(cfg, 0) + " (one per run; ";
    if (first == later)
        out += system_memory::format_bytes(first) + " each";
    else
        out += "layer 1: " + system_memory::format_bytes(first) + ", later layers: " +
               system_memory::format_bytes(later);
    out += " for the largest run); disk: up to " + system_memory::format_bytes(need) + " at once (" +
           std::to_string(2 * groups) + " files: the previous one stays until the new one is whole)";
    if (available >= 0.0) {
        out += ", " + system_memory::format_bytes(available) + " free in " + dir.string();
        if (available < need)
            out += "; WARNING: not enough free space: a checkpoint that does not fit stops the "
                   "job (exit code 5); set run.checkpoint_dir to a file system with room";
    }
    return out;
}

RunCheckpoints::RunCheckpoints(const Scan& scan, const ScanFile& file,
                               const std::vector<ProblemShape>& shapes, const mpi::Comm& world,
                               bool write, bool one_group)
    : scan_(scan), results_instance_(file.instance),
      config_hash_(config_hash(scan.resolved_toml)), write_(write) {
    const std::size_t runs = scan.runs.size();
    finished_.assign(runs, 0);
    checked_.resize(runs);
    std::vector<int> present(runs, 0);
    for (std::size_t i = 0; i < runs; ++i) paths_.push_back(checkpoint_path(scan.base(), i));
    if (world.is_root()) {
        std::error_code ec;
        for (std::size_t i = 0; i < runs; ++i) {
            if (fs::exists(paths_[i] + ".writing", ec)) remove_file(paths_[i] + ".writing");
            if (!fs::exists(paths_[i], ec)) continue;
            const bool ended = file.statuses[i] != io::RunStatus::pending;
            if (file.created || (ended && !scan.base().run.keep_checkpoint)) {
                log::info() << "removing the checkpoint " << paths_[i] << " ("
                            << (file.created ? "it belongs to an earlier results file"
                                             : "its run has ended") << ")";
                remove_file(paths_[i]);
            } else if (!ended) {
                present[i] = 1;
            }
        }
    }
    world.bcast(present.data(), static_cast<std::int64_t>(runs), 0);

    for (std::size_t i = 0; i < runs; ++i) {
        if (!present[i]) continue;
        const io::CheckpointInfo info = io::read_checkpoint_info(world, paths_[i]);
        const config::Config& cfg = scan.runs[i];
        const ProblemShape& shape = shapes[i];
        const std::string refused = "the layer checkpoint '" + paths_[i] + "' ";
        const std::string advice = "; delete it to redo run " + std::to_string(scan.scan_index[i]) +
                                   " from its first layer, or run with --restart";
        // The same values on every rank (collective reads): every rank decides the same.
        if (info.owner.config_hash != config_hash_)
            throw collective(InputDataError(
                refused + "was written for another configuration: " +
                    describe_differences(info.owner.config, scan.resolved_toml) + advice,
                __FILE__, __LINE__));
        if (info.owner.results_instance != results_instance_ ||
            info.owner.run != static_cast<std::int64_t>(i))
            throw collective(InputDataError(
                refused + "belongs to run " + std::to_string(info.owner.run) +
                    " of results file instance " + info.owner.results_instance + ", not to run " +
                    std::to_string(i) + " of " + scan.base().output.path + " (instance " +
                    results_instance_ + ")" + advice,
                __FILE__, __LINE__));
        const bool fits = info.layer >= 1 && info.layer <= cfg.model.depth &&
                          info.n == shape.n && info.n_test == shape.n_test &&
                          info.width == width_after(cfg, shape, info.layer);
        if (!fits)
            throw collective(InputDataError(
                refused + "does not fit run " + std::to_string(scan.scan_index[i]) + " (layer " +
                    std::to_string(info.layer) + ", " + std::to_string(info.n) + " + " +
                    std::to_string(info.n_test) + " samples of width " +
                    std::to_string(info.width) + ")" + advice,
                __FILE__, __LINE__));
        // The data too, now and on all ranks: a damaged file is refused before any run starts,
        // not later inside one rank group while the others compute. The rows are split over the
        // world as the data stage splits them over a run's ranks.
        LayerStart start = read_rows(world, paths_[i], info, RowPartition(info.n, world.size()),
                                     RowPartition(info.n_test, world.size()));
        if (one_group) checked_[i] = std::move(start);
        finished_[i] = info.layer;
    }
}

io::CheckpointOwner RunCheckpoints::owner(std::int64_t run) const {
    return {results_instance_, config_hash_, scan_.resolved_toml, run};
}

LayerStart RunCheckpoints::load(std::int64_t run, const data::Data& data, const mpi::Comm& comm) {
    LayerStart& kept = checked_.at(static_cast<std::size_t>(run));
    if (kept.layer > 1) return std::exchange(kept, LayerStart{});  // the same on every rank
    return read_rows(comm, path(run), io::read_checkpoint_info(comm, path(run)), data.train.rows,
                     data.test.rows);
}

std::uint64_t RunCheckpoints::save(std::int64_t run, int layer, const LayerResult& result,
                                   const data::Data& data, const mpi::Comm& comm) const {
    io::CheckpointInfo info;
    info.owner = owner(run);
    info.layer = layer;
    info.n = data.train.n;
    info.n_test = data.test.n;
    info.width = result.phi.cols();
    const int rank = comm.rank();
    // In float64 (float32 features widened: they read back exactly). Contiguous, leading
    // dimension = my rows: each rank's block is one hyperslab in place.
    const HostMatrix phi = result.phi.in<double>("drfm::app::checkpoint_phi");
    const HostMatrix phi_test = result.phi_test.in<double>("drfm::app::checkpoint_phi_test");
    DRFM_CHECK(phi.span() == phi.extent(0) * phi.extent(1) &&
                   phi_test.span() == phi_test.extent(0) * phi_test.extent(1),
               Error, "layer checkpoint: the features are not contiguous");
    return io::write_layer_checkpoint(comm, path(run), info,
                                      rows_of<const double>(phi.data(), data.train.rows, rank),
                                      rows_of<const double>(phi_test.data(), data.test.rows, rank));
}

void RunCheckpoints::remove(std::int64_t run) const {
    if (!scan_.base().run.keep_checkpoint) remove_file(path(run));
}

}  // namespace drfm::app
