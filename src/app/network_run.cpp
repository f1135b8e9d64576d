#include "drfm/app/network_run.hpp"

#include "drfm/agop/matrix_sqrt.hpp"
#include "drfm/analysis/nfa.hpp"
#include "drfm/app/features_run.hpp"
#include "drfm/app/progress.hpp"
#include "drfm/app/run.hpp"
#include "drfm/app/scan_file.hpp"
#include "drfm/core/blas.hpp"
#include "drfm/core/log.hpp"
#include "drfm/core/timer.hpp"
#include "drfm/data/checkpoints.hpp"
#include "drfm/data/dataset.hpp"

#include <Eigen/Dense>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>

namespace drfm::app {
namespace {

enum Phase { forward_phase, agop_phase, analysis_phase, phase_count };
constexpr double nan = std::numeric_limits<double>::quiet_NaN();
constexpr double bytes_per_double = 8.0;
/// Relative eigenvalue cutoff of AGOP^{1/2} (agop::normalise_and_sqrt).
constexpr double sqrt_cutoff = 1e-10;
const std::vector<std::string> network_reprs{"base", "right", "left", "agop"};

struct Prepared {
    data::DataShape shape;
    std::int64_t n = 0;
    data::Checkpoints checkpoints;
    Plan plan;
};

/// Reads the data's shape, opens and checks the checkpoints, logs and checks the plan.
Prepared prepare(const config::Config& cfg, const mpi::Comm& world) {
    const ProblemShape shape = problem_shape(cfg, world);
    Prepared p{data::read_shape(cfg.data, world), shape.n,
               data::Checkpoints(cfg.analysis.checkpoints, shape.d, shape.classes, world), {}};
    const data::Checkpoints& c = p.checkpoints;
    p.plan = make_network_plan(p.n, shape.n_test, shape.d, shape.classes, c.widths(),
                               cfg.analysis.gram_tile, world.size());
    p.plan.add_measured_baseline(world);
    log::info() << "data: " << p.shape.description;
    log::info() << "network: " << c.description();
    log::info() << "plan: network mode, n = " << p.n << " samples, " << c.size()
                << (c.size() == 1 ? " checkpoint" : " checkpoints") << " x " << c.depth()
                << " hidden layers, " << shape.classes << " classes (per checkpoint below)\n"
                << "      " << world.size() << " ranks, each with a contiguous block of rows, "
                << "weights replicated\n" << p.plan.phase_table();
    log::info() << check_memory(p.plan, world);
    return p;
}

io::ResultsLayout network_layout(const config::Config& cfg, const Prepared& p) {
    io::ResultsLayout layout;
    layout.runs = static_cast<std::int64_t>(p.checkpoints.size());
    layout.run_dimension = "checkpoint";
    layout.run_labels = p.checkpoints.names();
    layout.network = true;
    layout.depth = p.checkpoints.depth();
    layout.reprs = network_reprs;
    layout.max_k = p.shape.d;  // spectra of widths in_l and out_l, AGOP spectra of in_l
    for (auto w : p.checkpoints.widths()) layout.max_k = std::max(layout.max_k, w);
    layout.picture_size = std::min<std::int64_t>(cfg.analysis.gram_tile, p.n);
    layout.phases = network_phase_names();
    return layout;
}

/// Entry r of every field of `report`, as a report of one representation.
LayerReport entry(const LayerReport& report, std::size_t r) {
    return {{report.nc.at(r)}, {report.nc4.at(r)}, {report.spectra.at(r)}, {report.gram.at(r)}};
}

/// `first` (one representation) inserted before the entries of `report`.
void prepend(LayerReport& report, const LayerReport& first) {
    report.nc.insert(report.nc.begin(), first.nc.at(0));
    report.nc4.insert(report.nc4.begin(), first.nc4.at(0));
    report.spectra.insert(report.spectra.begin(), first.spectra.at(0));
    report.gram.insert(report.gram.begin(), first.gram.at(0));
}

agop::MlpWeights to_mlp(std::vector<HostMatrix> weights) {
    agop::MlpWeights out;
    out.readout = weights.back();
    weights.pop_back();
    out.hidden = std::move(weights);
    return out;
}

}  // namespace

void plan_network(const Scan& scan, const mpi::Comm& world) { prepare(scan.base(), world); }

std::vector<std::string> network_phase_names() { return {"forward", "agop", "analysis"}; }

NetworkLayer network_layer(const agop::MlpWeights& weights, const agop::ForwardPass& pass,
                           const HostMatrix& agop, int layer) {
    const HostMatrix& w = weights.hidden.at(static_cast<std::size_t>(layer - 1));
    const HostMatrix& phi = pass.activations.at(static_cast<std::size_t>(layer - 1));
    const Eigen::Index out = static_cast<Eigen::Index>(w.extent(0));
    const Eigen::Index in = static_cast<Eigen::Index>(w.extent(1));
    const Eigen::Index rows = static_cast<Eigen::Index>(phi.extent(0));
    NetworkLayer result;
    double largest = 0.0;
    for (std::size_t i = 0; i < agop.span(); ++i) largest = std::max(largest, agop.data()[i]);
    DRFM_CHECK(largest > 0.0, NumericalError, "layer ", layer, ": the AGOP of the sub-network "
               "layers[", layer, ":] is zero: the network's output does not depend on this "
               "layer's input (every ReLU of some layer is off, or W_out is zero)");
    // Right: Φ V Sᵀ, column j = s_j (Φ V)_j for j < min(out, in), zero beyond (S zero-padded).
    const Eigen::Map<const Eigen::MatrixXd> w_map(w.data(), out, in);
    const Eigen::BDCSVD<Eigen::MatrixXd> svd(w_map, Eigen::ComputeFullV);
    const Eigen::Index r = std::min(out, in);
    HostMatrix v = make_host_matrix("drfm::app::network_v", in, r);
    Eigen::Map<Eigen::MatrixXd>(v.data(), in, r) =
        svd.matrixV().leftCols(r) * svd.singularValues().head(r).asDiagonal();
    result.right = HostMatrix("drfm::app::network_right", rows, out);  // zero-initialised
    if (rows > 0)
        blas::gemm(blas::Op::none, blas::Op::none, 1.0, phi, v, 0.0,
                   blas::MatRef(result.right).block(0, rows, 0, r));
    // AGOP-projected: Φ M^{1/2} with M = AGOP / max entry (the Deep RFM's MX of this layer).
    const agop::FeatureMatrix m = agop::normalise_and_sqrt(agop, sqrt_cutoff);
    result.agop_projected = agop::transform(phi, m.sqrt_m);
    result.agop_eigenvalues = m.eigenvalues;
    const HostMatrix nfm = analysis::neural_feature_matrix(w);
    result.nfa = analysis::matrix_correlation(nfm, agop);
    result.nfa_sqrt = analysis::matrix_correlation(nfm, m.sqrt_m);
    return result;
}

Plan make_network_plan(std::int64_t n, std::int64_t n_test, std::int64_t d, int classes,
                       const std::vector<std::int64_t>& widths, int gram_tile, int ranks) {
    Plan plan;
    plan.shape.n = n;
    plan.shape.n_test = n_test;
    plan.shape.d = d;
    plan.shape.classes = classes;
    plan.shape.ranks = ranks;
    for (const std::string& name : network_phase_names()) plan.phases.push_back({name, 0.0, 0.0});
    const double nn = static_cast<double>(n), c = classes, r = ranks;
    const double rows = std::ceil(nn / r) + std::ceil(static_cast<double>(n_test) / r);
    const double t = std::min<double>(gram_tile, nn), b = 128.0 * c;
    // Resident: the data and every layer's activations (rows × (d + Σ widths)), the outputs.
    double resident = rows * (static_cast<double>(d) + c) + nn, widest = static_cast<double>(d);
    for (auto w : widths) {
        resident += rows * static_cast<double>(w);
        widest = std::max(widest, static_cast<double>(w));
    }
    double in = static_cast<double>(d);
    bool first = true;
    for (auto width : widths) {
        const double out = static_cast<double>(width);
        plan.phases[forward_phase].flops += 2.0 * (nn + static_cast<double>(n_test)) * in * out;
        plan.phases[agop_phase].flops += 2.0 * nn * c * out * in + nn * c * in * in;
        // Φ V Sᵀ and Φ M^{1/2} (GEMMs), the SVD of W_l and the eigensolve of M_l (redundant on
        // every rank); per representation of width p: NC metrics and NC4 (a few n·p·K passes),
        // two kernel pictures (p×p route: FᵀF by SYRK, n·p² each; FᵀY; a checked dsyevd,
        // redundant) and the Gram tiles.
        double analysis = 2.0 * nn * in * (std::min(in, out) + in) + 40.0 * in * in * in * r;
        // The base of layers 2..L is the left of the layer before, analysed there.
        const std::vector<double> reprs = first ? std::vector<double>{in, out, out, in}
                                                : std::vector<double>{out, out, in};
        first = false;
        for (const double p : reprs)
            analysis += 8.0 * nn * p * c + 2.0 * nn * p * p + 22.0 * p * p * p * r +
                        2.0 * t * t * p;
        plan.phases[analysis_phase].flops += analysis;
        plan.phases[analysis_phase].peak_bytes = std::max(
            plan.phases[analysis_phase].peak_bytes,
            resident + rows * (out + in) + 4.0 * in * in + 4.0 * widest * widest + t * t);
        in = out;
    }
    plan.phases[forward_phase].peak_bytes = resident;
    plan.phases[agop_phase].peak_bytes = resident + 2.0 * b * widest + in * in * widths.size();
    for (auto& phase : plan.phases) phase.peak_bytes *= bytes_per_double;
    return plan;
}

ScanOutcome run_network(const Scan& scan, const mpi::Comm& world, const ScanOptions& options) {
    const config::Config& cfg = scan.base();
    const std::string& path = cfg.output.path;
    const Stopwatch local_clock;  // the program's clock (options.since_start) where there is one
    const Stopwatch& since_start = options.since_start ? *options.since_start : local_clock;
    const Prepared prepared = prepare(cfg, world);
    RowBlocksRun run_files =
        open_row_blocks_run(scan, world, network_layout(cfg, prepared), options, since_start);
    const data::Checkpoints& checkpoints = prepared.checkpoints;
    const io::ResultsFile& results = run_files.file.results;
    const bool root = world.is_root();
    const auto total = static_cast<std::int64_t>(checkpoints.size());
    std::int64_t pending = 0;
    for (auto status : run_files.file.statuses) pending += status == io::RunStatus::done ? 0 : 1;
    if (root) {
        if (run_files.file.created) run_files.progress.truncate();
        run_files.progress.write(start_event(total, pending, 1, world.size(), !run_files.file.created, path));
        log::info() << "results: " << path << (run_files.file.created ? " (new file)" : " (re-opened)");
    }
    if (pending == 0) {
        log::info() << "done: every checkpoint is already in " << path;
        run_files.file.results.close();
        return ScanOutcome::complete;
    }
    const data::Data data = data::load_data(cfg.data, world);
    const data::Dataset& train = data.train;
    log::info() << "data: " << data.description;
    if (root)
        log::info() << "checkpoint      layer  train_acc  nc1_base  nc1_right  nc1_left  "
                       "nc1_agop      nfa  nfa_sqrt  total [s]";
    LayerClock clock;
    const double flops = prepared.plan.total_flops();
    std::int64_t ended = 0;
    for (std::size_t s = 0; s < checkpoints.size(); ++s) {
        if (run_files.file.statuses[s] == io::RunStatus::done) continue;
        const std::string& name = checkpoints.names()[s];
        const auto run = static_cast<std::int64_t>(s);
        const std::string reason =
            stop_reason(cfg.run, clock, flops, flops * static_cast<double>(pending - ended),
                        since_start.seconds(), "the analysis of all checkpoints", world);
        if (!reason.empty()) {
            if (root) {
                run_files.progress.write(run_event("stop", run, run).add("checkpoint", name)
                                   .add("reason", reason));
                run_files.progress.write(end_event(false, ended, 0, total));
            }
            results.file().flush();
            log::info() << "stopped by " << reason << " before checkpoint " << name
                        << "; run the same command again to resume (exit code 75)";
            return ScanOutcome::stopped;
        }
        if (root) run_files.progress.write(run_event("run_start", run, run).add("checkpoint", name));
        const Stopwatch watch;
        const agop::MlpWeights weights = to_mlp(checkpoints.read(s));
        const agop::ForwardPass pass = agop::forward(weights, train.x);
        std::vector<double> agop_seconds;
        const std::vector<HostMatrix> agops =
            agop::subnetwork_agops(weights, pass, train.n, world, agop::Activation::relu, 128,
                                   &agop_seconds);
        PredictorScores scores;
        scores.train_predictions = pass.outputs;
        scores.train = score_rows(pass.outputs, train, world);
        scores.test = {nan, nan};  // no test split
        if (data.test.n > 0)
            scores.test = score_rows(agop::forward(weights, data.test.x).outputs, data.test, world);
        if (root) write_final(results, run, scores, io::Transfer::independent);
        LayerReport previous_left;  // entry "left" of the layer before
        for (int l = 1; l <= checkpoints.depth(); ++l) {
            const Stopwatch analysis_watch;
            const auto k = static_cast<std::size_t>(l - 1);
            // Replicated inputs: a failure (a zero or non-finite AGOP) is the same on every rank.
            NetworkLayer layer;
            try {
                mpi::collective(world, [&] { layer = network_layer(weights, pass, agops[k], l); });
            } catch (const Error& e) {  // collective: every rank is here
                if (e.exit_code() != ExitCode::numerical) throw;
                if (root) results.set_status(run, io::RunStatus::failed, io::Transfer::independent);
                results.file().flush();
                throw collective(NumericalError(
                    "checkpoint '" + name + "' of " + checkpoints.file() + ", " + e.what(),
                    __FILE__, __LINE__));
            }
            // The base of layer l is the left of layer l − 1 (the same rows, the same f): its
            // analysis is taken from there, not computed twice.
            std::vector<FloatOrDoubleMatrix> reprs{layer.right, pass.activations[k + 1],
                                                   layer.agop_projected};
            if (l == 1) reprs.insert(reprs.begin(), pass.activations[k]);
            LayerReport report =
                analyse_representations(reprs, train, pass.outputs, cfg, run_files.grid);
            if (l > 1) prepend(report, previous_left);
            previous_left = entry(report, 2);
            std::array<double, phase_count> seconds{pass.seconds[k], agop_seconds[k],
                                                    analysis_watch.seconds()};
            world.allreduce_max(seconds.data(), phase_count);
            if (root) {
                const auto alone = io::Transfer::independent;
                const std::int64_t at = l - 1;
                write_representations(results, run, l, report, alone);
                results.write_record("/metrics/nfa", {run, at}, {layer.nfa}, alone);
                results.write_record("/metrics/nfa_sqrt", {run, at}, {layer.nfa_sqrt}, alone);
                std::vector<double> spectrum = layer.agop_eigenvalues;
                spectrum.resize(static_cast<std::size_t>(results.layout().max_k), nan);
                results.write_record("/spectra/agop", {run, at}, spectrum, alone);
                results.write_record("/timings/seconds", {run, at},
                                     std::vector<double>(seconds.begin(), seconds.end()), alone);
                char line[256];
                std::snprintf(line, sizeof line,
                              "%-14s  %5d  %9.4f  %8.3e  %9.3e  %8.3e  %8.3e  %7.4f  %8.4f  %9.2f",
                              name.c_str(), l, scores.train.accuracy, report.nc[0].nc1,
                              report.nc[1].nc1, report.nc[2].nc1, report.nc[3].nc1, layer.nfa,
                              layer.nfa_sqrt, seconds[0] + seconds[1] + seconds[2]);
                log::info() << line;
            }
        }
        results.file().flush();
        if (root) results.set_status(run, io::RunStatus::done, io::Transfer::independent);
        const double elapsed = world.max(watch.seconds());
        clock.add(flops, elapsed);
        ++ended;
        if (root)
            run_files.progress.write(run_event("run", run, run).add("status", "done")
                               .add("checkpoint", name).add("seconds", elapsed)
                               .add("train_accuracy", scores.train.accuracy));
    }
    results.file().flush();
    if (root) run_files.progress.write(end_event(true, ended, 0, total));
    run_files.file.results.close();
    log::info() << report_peak_memory(prepared.plan.peak_bytes(), world);
    log::info() << "done in " << format_duration(since_start.seconds()) << ": " << ended
                << (ended == 1 ? " checkpoint" : " checkpoints") << " analysed; results in "
                << path << " (plots: /usr/bin/python3 tools/plot_results.py " << path << ")";
    return ScanOutcome::complete;
}

}  // namespace drfm::app
