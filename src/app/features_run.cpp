#include "drfm/app/features_run.hpp"

#include "drfm/analysis/readout.hpp"
#include "drfm/app/layer_report.hpp"
#include "drfm/app/progress.hpp"
#include "drfm/app/run.hpp"
#include "drfm/app/scan_file.hpp"
#include "drfm/app/signals.hpp"
#include "drfm/config/schema.hpp"
#include "drfm/core/log.hpp"
#include "drfm/data/snapshots.hpp"
#include "drfm/solve/krr.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>

namespace drfm::app {
namespace {

enum Phase { read_phase, readout_phase, analysis_phase, phase_count };
constexpr double nan = std::numeric_limits<double>::quiet_NaN();
constexpr double bytes_per_double = 8.0;

/// The snapshot file opened and checked, the number of samples analysed and the plan.
struct Prepared {
    data::Snapshots snapshots;
    std::int64_t n = 0;
    Plan plan;
};

/// Opens and checks the file (every dataset, data.n_train), logs what will be done and checks the
/// memory: the same for --dry-run and a run. Collective over world.
Prepared prepare(const config::Config& cfg, const mpi::Comm& world) {
    Prepared p{data::Snapshots(cfg.data, world), 0, {}};
    const data::Snapshots& s = p.snapshots;
    // The words of problem_shape, before any row is read.
    mpi::collective(world, [&] {
        DRFM_CHECK(cfg.data.n_train <= s.samples(), InputDataError, s.file(), ": data.n_train = ",
                   cfg.data.n_train, " but the file has ", s.samples(),
                   " samples; lower data.n_train to at most ", s.samples());
    });
    p.n = data::subset_size(cfg.data.n_train, cfg.data.subset, s.classes());
    std::vector<std::int64_t> widths;
    for (std::size_t i = 0; i < s.size(); ++i) widths.push_back(s.width(i));
    p.plan = make_features_plan(p.n, s.classes(), widths, cfg.analysis.gram_tile, world.size());
    p.plan.add_measured_baseline(world);
    log::info() << "data: " << s.description();
    log::info() << "plan: features mode, n = " << p.n << " samples (data.subset = "
                << config::to_string(cfg.data.subset) << "), " << s.size()
                << (s.size() == 1 ? " snapshot" : " snapshots") << ", widest p = "
                << p.plan.shape.d << ", " << s.classes() << " classes\n"
                << "      " << world.size() << " ranks, each with a contiguous block of rows\n"
                << p.plan.phase_table();
    log::info() << check_memory(p.plan, world);
    return p;
}

io::ResultsLayout features_layout(const config::Config& cfg, const Prepared& p) {
    io::ResultsLayout layout;
    layout.depth = static_cast<std::int64_t>(p.snapshots.size());
    layout.layer_labels = p.snapshots.names();
    layout.reprs = {"features"};
    layout.max_k = std::min(p.plan.shape.d, p.n);  // the numerical rank is at most min(p, n)
    layout.picture_size = std::min<std::int64_t>(cfg.analysis.gram_tile, p.n);
    layout.phases = features_phase_names();
    return layout;
}

std::string table_header(std::size_t width) {
    char line[200];
    std::snprintf(line, sizeof line, "%-*s  train_acc        nc1        nc2      d_eff  1-Pi(C)"
                  "     read readout analysis  total [s]", static_cast<int>(width), "snapshot");
    return line;
}

/// One row of the log table: f's accuracy, NC1/NC2, d_eff and 1 − Π(C) of the uncentred picture.
std::string table_line(std::size_t width, const std::string& name, const solve::Score& s,
                       const LayerReport& r, const std::array<double, phase_count>& t) {
    const analysis::Spectrum& spectrum = r.spectra[0][0];
    char line[256];
    std::snprintf(line, sizeof line,
                  "%-*s  %9.4f  %9.3e  %9.3e  %9.3f  %7.4f  %7.2f %7.2f %8.2f  %9.2f",
                  static_cast<int>(width), name.c_str(), s.accuracy, r.nc[0].nc1, r.nc[0].nc2,
                  spectrum.d_eff, spectrum.dlr_function, t[read_phase], t[readout_phase],
                  t[analysis_phase], t[read_phase] + t[readout_phase] + t[analysis_phase]);
    return line;
}

}  // namespace

std::vector<std::string> features_phase_names() { return {"read", "readout", "analysis"}; }

RowBlocksRun open_row_blocks_run(const Scan& scan, const mpi::Comm& world,
                                 const io::ResultsLayout& layout, const ScanOptions& options,
                                 const Stopwatch& since_start) {
    // Rows stay in contiguous blocks; the grid serves the n×n kernel picture of a width p ≥ n.
    dist::BlacsGrid grid = dist::BlacsGrid::near_square(world);
    const std::string text = std::to_string(grid.shape().rows) + "x" +
                             std::to_string(grid.shape().cols) +
                             " column-major (rows in contiguous blocks)";
    ScanFile file = open_scan_file(world, scan, layout, text, options.restart);
    ProgressFile progress(progress_path(scan.base().output.path), since_start, 0);
    return {std::move(grid), std::move(file), std::move(progress)};
}

std::string stop_reason(const config::RunConfig& run, const LayerClock& clock, double next_flops,
                        double total_flops, double elapsed, const char* what,
                        const mpi::Comm& world) {
    std::int64_t flags[2] = {stop_signal(), 0};
    if (world.is_root()) flags[1] = fits_walltime(run, clock, next_flops, elapsed) ? 0 : 1;
    world.allreduce_max(flags, 2);
    if (flags[0] == 0 && flags[1] == 0) return "";
    const std::string warning = never_finishes_warning(run, clock, total_flops, what);
    return flags[0]         ? signal_name(static_cast<int>(flags[0]))
           : warning.empty() ? std::string("the wall-time budget")
                             : "the wall-time budget; " + warning;
}

Plan make_features_plan(std::int64_t n, int classes, const std::vector<std::int64_t>& widths,
                        int gram_tile, int ranks) {
    Plan plan;
    plan.shape.n = n;
    plan.shape.classes = classes;
    plan.shape.ranks = ranks;
    plan.shape.d = widths.empty() ? 0 : *std::max_element(widths.begin(), widths.end());
    for (const std::string& name : features_phase_names()) plan.phases.push_back({name, 0.0, 0.0});
    const double nn = static_cast<double>(n), c = classes, r = ranks;
    const double rows = std::ceil(nn / r), t = std::min<double>(gram_tile, nn);
    for (std::int64_t width : widths) {
        const double p = static_cast<double>(width);
        // Resident while a snapshot is analysed: all labels, my rows of F, f and the targets.
        const double resident = nn + rows * (p + 2.0 * c);
        PhaseCost& read = plan.phases[read_phase];
        read.peak_bytes = std::max(read.peak_bytes, resident + std::min(rows * p, 8388608.0));
        // FᵀF, FᵀY, their Allreduce and a p×p eigensolve, redundant on every rank.
        PhaseCost& readout = plan.phases[readout_phase];
        readout.flops += 2.0 * nn * p * (p + c) + 9.0 * p * p * p * r;
        readout.peak_bytes = std::max(readout.peak_bytes, resident + 4.0 * p * p + 2.0 * p * c);
        // NC metrics and NC4 (a few passes of n·p·K), two kernel pictures, the Gram tiles.
        PhaseCost& analysis = plan.phases[analysis_phase];
        const double picture = p < nn ? 2.0 * nn * p * p + 9.0 * p * p * p * r  // p×p route
                                      : 2.0 * nn * nn * p + 10.0 * nn * nn * nn;  // n×n route
        const double picture_bytes = p < nn ? 4.0 * p * p : 5.0 * nn * nn / r + rows * p;
        analysis.flops += 6.0 * nn * p * c + 2.0 * picture + 2.0 * nn * p + 2.0 * t * t * p;
        analysis.peak_bytes = std::max(analysis.peak_bytes,
                                       resident + picture_bytes + 512.0 * p + t * (p + t));
    }
    for (auto& phase : plan.phases) phase.peak_bytes *= bytes_per_double;
    return plan;
}

void plan_features(const Scan& scan, const mpi::Comm& world) { prepare(scan.base(), world); }

ScanOutcome run_features(const Scan& scan, const mpi::Comm& world, const ScanOptions& options) {
    const Stopwatch local_clock;
    const Stopwatch& since_start = options.since_start ? *options.since_start : local_clock;
    const config::Config& cfg = scan.base();
    const Prepared prepared = prepare(cfg, world);
    const data::Snapshots& snapshots = prepared.snapshots;
    const std::string& path = cfg.output.path;
    RowBlocksRun opened =
        open_row_blocks_run(scan, world, features_layout(cfg, prepared), options, since_start);
    const dist::BlacsGrid& grid = opened.grid;
    ScanFile& file = opened.file;
    const io::ResultsFile& results = file.results;
    const ProgressFile& progress = opened.progress;
    const bool root = world.is_root();
    if (root) {
        if (file.created) progress.truncate();
        const bool pending = file.statuses[0] == io::RunStatus::pending;
        progress.write(start_event(1, pending ? 1 : 0, 1, world.size(), !file.created, path));
        log::info() << "results: " << path << (file.created ? " (new file)" : " (re-opened)");
    }
    if (file.statuses[0] == io::RunStatus::failed)
        throw collective(NumericalError("results file '" + path + "': the run failed in an "
                                        "earlier invocation (status 2); run with --restart to "
                                        "redo it", __FILE__, __LINE__));
    if (file.statuses[0] == io::RunStatus::done) {
        log::info() << "done: every snapshot is already in " << path;
        file.results.close();
        return ScanOutcome::complete;
    }

    std::size_t width = 8;
    for (const auto& name : snapshots.names()) width = std::max(width, name.size());
    if (root) {
        progress.write(run_event("run_start", 0, 0));
        log::info() << table_header(width);
    }
    const Stopwatch run_watch;
    LayerClock clock;
    const int classes = snapshots.classes(), tiles = cfg.analysis.gram_tile;
    try {
        for (std::size_t s = 0; s < snapshots.size(); ++s) {
            const int layer = static_cast<int>(s) + 1;
            const double flops =
                make_features_plan(prepared.n, classes, {snapshots.width(s)}, tiles, world.size())
                    .total_flops();
            const std::string reason =
                stop_reason(cfg.run, clock, flops, prepared.plan.total_flops(),
                            since_start.seconds(), "the analysis of all snapshots", world);
            if (!reason.empty()) {
                if (root) {
                    progress.write(run_event("stop", 0, 0).add("layer", layer)
                                       .add("reason", reason));
                    progress.write(end_event(false, 0, 0, 1));
                }
                results.file().flush();
                log::info() << "stopped by " << reason << " before snapshot "
                            << snapshots.names()[s] << "; run the same command again to redo "
                            << "the run (exit code 75)";
                return ScanOutcome::stopped;
            }

            std::array<double, phase_count> seconds{};
            Stopwatch watch;
            const data::Snapshots::Rows rows = snapshots.read(s);
            const data::Dataset& train = rows.features;
            seconds[read_phase] = watch.seconds();
            watch.restart();
            const HostMatrix targets = data::signed_one_hot(train, world);
            const HostMatrix f = snapshots.has_outputs()
                                     ? rows.outputs
                                     : analysis::linear_readout(train.x, targets, world);
            const solve::Score scores = score_rows(f, train, world);
            seconds[readout_phase] = watch.seconds();
            watch.restart();
            const LayerReport report = analyse_representations({train.x}, train, f, cfg, grid);
            seconds[analysis_phase] = watch.seconds();
            world.allreduce_max(seconds.data(), phase_count);

            // Replicated after the reductions: rank 0 writes alone, as a scan's group root does.
            if (root) {
                const auto alone = io::Transfer::independent;
                const std::int64_t l = layer - 1;
                write_representations(results, 0, layer, report, alone);
                results.write_record("/metrics/accuracy", {0, l}, {scores.accuracy, nan}, alone);
                results.write_record("/metrics/mse", {0, l}, {scores.mse, nan}, alone);
                results.write_record("/timings/seconds", {0, l},
                                     std::vector<double>(seconds.begin(), seconds.end()), alone);
            }
            const double total = seconds[read_phase] + seconds[readout_phase] + seconds[analysis_phase];
            clock.add(flops, total);
            if (root) {
                log::info() << table_line(width, snapshots.names()[s], scores, report, seconds);
                progress.write(run_event("layer", 0, 0).add("layer", layer)
                                   .add("snapshot", snapshots.names()[s])
                                   .add("depth", static_cast<std::int64_t>(snapshots.size()))
                                   .add("seconds", total).add("train_accuracy", scores.accuracy));
            }
        }
    } catch (const Error& e) {
        // A numerical failure is collective: mark the run failed, as a scan does, and end.
        if (!e.is_collective() || e.exit_code() != ExitCode::numerical) throw;
        if (root) results.set_status(0, io::RunStatus::failed, io::Transfer::independent);
        results.file().flush();
        if (root)
            progress.write(run_event("run", 0, 0).add("status", "failed")
                               .add("seconds", run_watch.seconds()).add("error", e.what()));
        throw;
    }
    // The status last, after the data (docs/results.md, lifecycle).
    results.file().flush();
    if (root) results.set_status(0, io::RunStatus::done, io::Transfer::independent);
    if (root) {
        progress.write(run_event("run", 0, 0).add("status", "done")
                           .add("seconds", run_watch.seconds()));
        progress.write(end_event(true, 1, 0, 1));
    }
    file.results.close();
    log::info() << report_peak_memory(prepared.plan.peak_bytes(), world);
    log::info() << "done in " << format_duration(since_start.seconds()) << ": "
                << snapshots.size() << (snapshots.size() == 1 ? " snapshot" : " snapshots")
                << " analysed; results in " << path
                << " (plots: /usr/bin/python3 tools/plot_results.py " << path << ")";
    return ScanOutcome::complete;
}

}  // namespace drfm::app
