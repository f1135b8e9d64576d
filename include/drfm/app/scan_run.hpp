#pragma once
/// @file
/// A scan from its runs to one results file: rank groups, largest-first dispatch, resume, stop
/// requests (signals, wall-time budget), progress. docs/scans.md describes the workflow.
///
/// The world is split into groups of parallel.ranks_per_run ranks (0: one group of all ranks),
/// each with its own BLACS grid; the pending runs (status not done/failed in the file) are handed
/// out largest first by planned work (scan_queue.hpp). Each group's root writes its run's records
/// independently and sets the run's status last, after an fsync of the data.
///
/// Stopping: before every layer, each group agrees (max over its ranks) on whether to stop: a
/// stop signal arrived (signals.hpp), the next layer would not end before run.walltime −
/// run.walltime_margin by the measured seconds per planned flop (progress.hpp), or another group
/// has stopped (through the coordinator). A stopped run keeps status pending and is redone from
/// its start by the next invocation.
#include "drfm/app/scan.hpp"
#include "drfm/core/timer.hpp"
#include "drfm/mpi/comm.hpp"

namespace drfm::app {

enum class ScanOutcome { complete, stopped };

struct ScanOptions {
    bool restart = false;                    ///< --restart: replace the results file
    const Stopwatch* since_start = nullptr;  ///< program start (run.walltime counts from it)
};

/// --dry-run: the number of runs and the first of them, the rank groups, the plan of the largest
/// run and the memory check. Reads dataset headers only. Collective over world.
void plan_scan(const Scan& scan, const mpi::Comm& world);

/// Runs every run of `scan` not yet done in its results file. Collective over world.
/// Returns stopped when a stop request ended it early: every finished run is in the file, and
/// re-running the same command resumes (ExitCode::requeue).
/// @throws collective NumericalError after all runs when some failed (status 2 in the file).
ScanOutcome run_scan(const Scan& scan, const mpi::Comm& world, const ScanOptions& options);

}  // namespace drfm::app
