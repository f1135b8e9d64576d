#pragma once
/// @file
/// One Deep RFM run on one process grid: the layer loop (layer → analysis → records in the
/// results file), and the checks made before any run (problem shape, memory). The scan around it
/// (runs, rank groups, resume, stop requests) is app/scan_run.hpp.
#include "drfm/app/run_checkpoints.hpp"
#include "drfm/app/deep_rfm.hpp"
#include "drfm/app/layer_report.hpp"
#include "drfm/app/plan.hpp"
#include "drfm/config/config.hpp"
#include "drfm/io/results_file.hpp"
#include "drfm/mpi/comm.hpp"

namespace drfm::app {

/// parallel.grid, or the near-square shape for `ranks` ranks (the ranks of one run).
/// @throws collective ConfigError when parallel.grid does not have exactly `ranks` processes.
dist::GridShape grid_shape(const config::Config& cfg, int ranks);

/// The problem shape of `cfg` on `comm` from the dataset headers (no sample rows are read).
ProblemShape problem_shape(const config::Config& cfg, const mpi::Comm& comm);

/// Refuses (collective ResourceError with the numbers) a plan whose per-rank peak memory, times the
/// ranks sharing a node, exceeds the node's available memory. Returns a one-line summary.
std::string check_memory(const Plan& plan, const mpi::Comm& comm);

/// "memory: peak X per rank (largest of N ranks), planned Y": the high-water mark of the
/// processes so far next to the plan's peak, so a user sees how far the plan can be trusted.
/// Collective over comm.
std::string report_peak_memory(double planned_peak_bytes, const mpi::Comm& comm);

/// What the layer loop asks before each layer and reports after it (the scan's stop checks and
/// progress). Called on every rank of the grid.
class LayerObserver {
public:
    virtual ~LayerObserver() = default;
    /// Collective over the grid, the same answer on every rank: false stops the run before
    /// `layer` (1-based).
    virtual bool proceed(int layer) = 0;
    /// After `layer`'s records were written (times are the maximum over the grid's ranks).
    virtual void finished(int layer, const LayerResult& result, const LayerReport& report,
                          const PhaseTimes& times) = 0;
    /// After the final predictor's records were written (model.final_predictor = "krr").
    virtual void finished_final(const PredictorScores& scores, double seconds) = 0;
};

/// Runs layers start.layer..cfg.model.depth of one run on `data` (not modified; from layer 1 on
/// its features, else on start.x and start.x_test, a checkpoint's) and writes each layer's
/// records at position `run` of `results` from the grid's root (Transfer::independent), asking
/// `observer` before each layer. Collective over grid.comm(). Returns false when the observer
/// stopped the run (its earlier layers are written; its status is left to the caller).
bool run_layers(const config::Config& cfg, const data::Data& data, const dist::BlacsGrid& grid,
                const io::ResultsFile& results, std::int64_t run, LayerObserver& observer,
                LayerStart start = {});

}  // namespace drfm::app
