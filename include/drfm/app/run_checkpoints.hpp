#pragma once
/// @file
/// Runs longer than one job (docs/scans.md): after each finished layer a run's state goes to a
/// layer checkpoint (io/layer_checkpoint.hpp), and re-running the same command continues every
/// interrupted run at the layer after its last checkpoint instead of at layer 1.
///
/// Order of writes, so that nothing on disk claims more than is there: the layer's records go to
/// the results file, which is synced; then the checkpoint is written whole and renamed into place
/// (the previous one stays valid until then); when the run is done its status is set, and only
/// then its checkpoint removed. A checkpoint is tied to one results file (its `instance`
/// attribute), its configuration (`config_hash`) and run: any other is refused, never used.
///
/// run.checkpoint decides whether checkpoints are written; existing valid ones are always used
/// (`--restart` starts over and removes them).
#include "drfm/app/deep_rfm.hpp"
#include "drfm/app/plan.hpp"
#include "drfm/app/scan_file.hpp"
#include "drfm/io/layer_checkpoint.hpp"
#include "drfm/mpi/comm.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace drfm::app {

/// Where a run's layer loop starts: layer 1 on the loaded data, or after a checkpoint.
struct LayerStart {
    int layer = 1;         ///< the first layer to compute (depth + 1: only the final predictor)
    HostMatrix x, x_test;  ///< my rows of that layer's input; empty for layer 1 (the data)
};

/// Whether layer checkpoints are written: run.checkpoint, where "auto" means yes under a
/// wall-time budget (run.walltime > 0) or in a Slurm job (SLURM_JOB_ID set on world rank 0).
/// Collective over world; the same answer on every rank.
bool writes_checkpoints(const config::RunConfig& run, const mpi::Comm& world);

/// The checkpoint of run `run` (its position in the results file):
/// "<run.checkpoint_dir or the directory of output.path>/<file name of output.path>.run<run>.ckpt".
std::string checkpoint_path(const config::Config& base, std::int64_t run);

/// Whether a checkpoint is written after `layer` of a run of `cfg` (when checkpoints are written
/// at all): after every layer but the last, and after the last only when the final predictor
/// follows it.
bool checkpoint_after(const config::Config& cfg, int layer);

/// Bytes of the checkpoint written after `layer` of a run of `cfg` on `shape` (the features of the
/// next layer, train and test, in float64).
double checkpoint_bytes(const config::Config& cfg, const ProblemShape& shape, int layer);

/// --dry-run lines: whether checkpoints are written (and why), where, their size per layer, the
/// disk they need (two per rank group at once: the previous one stays until the new one is
/// whole) and what the file system has free. Collective over world (rank 0 looks at the disk).
std::string describe_checkpoints(const config::Config& cfg, const ProblemShape& largest,
                                 int groups, bool writes, const mpi::Comm& world);

/// The checkpoints of the runs of one results file.
class RunCheckpoints {
public:
    /// Collective over world, after the results file is opened or created. Removes what cannot be
    /// used: every checkpoint when the file is new (they belonged to a file it replaced), those of
    /// runs already ended (a kill between setting the status and removing it), half-written
    /// `.writing` files. Checks each remaining one completely (attributes, shapes, checksum)
    /// against the results file: a damaged or foreign checkpoint is a collective InputDataError
    /// naming it and what differs, and nothing in the results file is touched. With `one_group`
    /// (the world is the only rank group, so it computes every run) the rows read for the check
    /// are kept for load(), which then reads nothing again.
    RunCheckpoints(const Scan& scan, const ScanFile& file, const std::vector<ProblemShape>& shapes,
                   const mpi::Comm& world, bool write, bool one_group);

    bool writes() const noexcept { return write_; }
    /// The last layer of `run` in its checkpoint; 0: none (the run starts at layer 1).
    int finished_layer(std::int64_t run) const { return finished_.at(static_cast<std::size_t>(run)); }
    const std::string& path(std::int64_t run) const { return paths_.at(static_cast<std::size_t>(run)); }

    /// Collective over `comm` (the run's grid): the start after the checkpoint of `run`, my rows
    /// of both splits in `data`'s row partitions (any number of ranks and any grid). Once per
    /// run: rows kept from the start-up check are handed over, not copied.
    LayerStart load(std::int64_t run, const data::Data& data, const mpi::Comm& comm);

    /// Collective over `comm`: writes the checkpoint after `layer` of `run` from the layer's
    /// output features. The layer's records must be in the results file, synced, before.
    /// Returns the bytes written.
    std::uint64_t save(std::int64_t run, int layer, const LayerResult& result,
                       const data::Data& data, const mpi::Comm& comm) const;

    /// Any one rank: removes the checkpoint of `run` (after its status is set), unless
    /// run.keep_checkpoint.
    void remove(std::int64_t run) const;

private:
    io::CheckpointOwner owner(std::int64_t run) const;

    const Scan& scan_;
    std::string results_instance_, config_hash_;
    bool write_;
    std::vector<std::string> paths_;
    std::vector<int> finished_;
    std::vector<LayerStart> checked_;  ///< per run: the rows of the start-up check, when kept
};

}  // namespace drfm::app
