#pragma once
/// @file
/// analysis.mode = "features": the neural-collapse metrics, kernel pictures and Gram tiles of the
/// feature snapshots of a trained network (data/snapshots.hpp), so that the trajectory of a real
/// network's training can be analysed at full-dataset scale. Each snapshot is one entry of the
/// results' `layer` dimension (its coordinates are the snapshot names) with one representation,
/// `features` (docs/results.md, "Features mode").
///
/// One run on all ranks: a snapshot's rows are read in contiguous blocks, one per rank, and never
/// gathered; snapshots are analysed one after the other, each with the functions of a Deep RFM
/// layer (analyse_representations, write_representations). The learned function f is the
/// network's outputs (data.outputs) or the least-squares linear readout of the features
/// (analysis::linear_readout). A stop request (signal, wall-time budget) is honoured between
/// snapshots like a scan's between layers (exit code 75; the same command redoes the run).
#include "drfm/app/plan.hpp"
#include "drfm/app/progress.hpp"
#include "drfm/app/scan_file.hpp"
#include "drfm/dist/blacs_grid.hpp"
#include "drfm/app/scan.hpp"
#include "drfm/app/scan_run.hpp"
#include "drfm/mpi/comm.hpp"

#include <string>
#include <vector>

namespace drfm::app {

/// The `phase` dimension of /timings in features mode, in order.
std::vector<std::string> features_phase_names();

/// What a mode whose rows stay in contiguous blocks (features, network) opens before its loop:
/// the near-square grid (for the n×n kernel picture of a width p ≥ n), the results file
/// (created, resumed or refused as app/scan_file.hpp describes; root attribute grid e.g. "2x1
/// column-major (rows in contiguous blocks)") and the progress file. Collective over world.
struct RowBlocksRun {
    dist::BlacsGrid grid;
    ScanFile file;
    ProgressFile progress;
};
RowBlocksRun open_row_blocks_run(const Scan& scan, const mpi::Comm& world,
                                 const io::ResultsLayout& layout, const ScanOptions& options,
                                 const Stopwatch& since_start);

/// Whether to stop before the next item of a loop (a snapshot, a checkpoint) of `next_flops`: a
/// stop signal on any rank, or rank 0's estimate that it would overrun run.walltime. Returns the
/// reason for the log and the progress file ("" to go on). Collective over world.
std::string stop_reason(const config::RunConfig& run, const LayerClock& clock, double next_flops,
                        double total_flops, double elapsed, const char* what,
                        const mpi::Comm& world);

/// Work and per-rank peak memory of analysing snapshots of widths `widths` on n samples of K
/// classes over `ranks` ranks (the covariance route of the kernel picture when p < n, the n×n one
/// otherwise). Phases as features_phase_names(); shape.d is the widest snapshot.
Plan make_features_plan(std::int64_t n, int classes, const std::vector<std::int64_t>& widths,
                        int gram_tile, int ranks);

/// --dry-run: opens the snapshot file (headers and labels only), checks every dataset and
/// data.n_train, logs the snapshots and the plan, and checks the memory. Collective over world.
void plan_features(const Scan& scan, const mpi::Comm& world);

/// Analyses every snapshot of a scan of one run (parse_scan refuses [scan] in this mode) and
/// writes its results file (created, resumed or refused as app/scan_file.hpp describes).
/// Collective over world. Returns stopped when a stop request ended it before the last snapshot.
/// @throws collective errors: InputDataError for a bad file, NumericalError (after setting the
///         run's status to failed) when an eigensolve fails.
ScanOutcome run_features(const Scan& scan, const mpi::Comm& world, const ScanOptions& options);

}  // namespace drfm::app
