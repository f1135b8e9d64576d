#include "drfm/app/scan_run.hpp"

#include "drfm/app/run_checkpoints.hpp"
#include "drfm/app/progress.hpp"
#include "drfm/app/run.hpp"
#include "drfm/app/scan_file.hpp"
#include "drfm/app/scan_queue.hpp"
#include "drfm/app/signals.hpp"
#include "drfm/config/schema.hpp"
#include "drfm/core/log.hpp"
#include "drfm/core/system_memory.hpp"
#include "drfm/data/dataset.hpp"
#include "drfm/dist/blacs_grid.hpp"

#include <cstdio>
#include <algorithm>
#include <map>
#include <numeric>

namespace drfm::app {
namespace {

/// The rank groups of a scan: `count` groups of `size` consecutive world ranks.
struct Groups {
    int size, count, index;
    mpi::Comm comm;
    dist::GridShape shape;

    std::string describe() const {
        const std::string grid = std::to_string(shape.rows) + "x" + std::to_string(shape.cols);
        if (count == 1) return grid + " column-major";
        return grid + " column-major in each of " + std::to_string(count) + " rank groups of " +
               std::to_string(size) + " ranks";
    }
};

Groups make_groups(const config::Config& base, const mpi::Comm& world) {
    const int ranks = world.size();
    const int size = base.parallel.ranks_per_run == 0 ? ranks : base.parallel.ranks_per_run;
    mpi::collective(world, [&] {
        DRFM_CHECK(size <= ranks && ranks % size == 0, ConfigError, "parallel.ranks_per_run = ",
                   size, " does not divide the job's ", ranks, " ranks into equal groups; use a "
                   "divisor of ", ranks, ", or 0 for one group of all ranks");
    });
    const int index = world.rank() / size;
    mpi::Comm comm = ranks == size ? world : world.split(index, world.rank());
    return {size, ranks / size, index, comm, grid_shape(base, size)};
}

/// Planned work of every run, per layer (app/plan.hpp), for the hand-out order and the estimates.
struct RunPlans {
    std::vector<ProblemShape> shapes;
    std::vector<std::vector<double>> layer_flops;  ///< [run][layer − 1]
    std::vector<double> flops;                     ///< whole run
    std::size_t largest = 0;
    double peak_bytes = 0.0;  ///< per rank, of the largest run (with the measured baseline)
};

/// All [data] keys: runs with equal keys share their data (headers read once, rows loaded once).
std::string data_key(const config::Config& cfg) {
    std::string key;
    for (const auto& spec : config::schema())
        if (spec.section() == "data") key += config::format_value(spec, spec.get(cfg)) + "\n";
    return key;
}

std::vector<double> layer_flops(config::Config cfg, const ProblemShape& shape) {
    std::vector<double> out;
    const int depth = cfg.model.depth;
    cfg.model.final_predictor = config::FinalPredictor::none;  // after the layers, not in one
    double before = 0.0;
    for (int l = 1; l <= depth; ++l) {
        cfg.model.depth = l;
        const double total = make_plan(cfg, shape).total_flops();
        out.push_back(total - before);
        before = total;
    }
    return out;
}

RunPlans plan_runs(const Scan& scan, const Groups& groups, const mpi::Comm& world) {
    RunPlans plans;
    std::map<std::string, ProblemShape> by_data;
    for (const auto& cfg : scan.runs) {
        const std::string key = data_key(cfg);
        if (!by_data.count(key))
            mpi::collective(world, [&] { by_data[key] = problem_shape(cfg, groups.comm); });
        plans.shapes.push_back(by_data[key]);
        plans.layer_flops.push_back(layer_flops(cfg, plans.shapes.back()));
        const auto& f = plans.layer_flops.back();
        plans.flops.push_back(std::accumulate(f.begin(), f.end(), 0.0));
    }
    plans.largest = static_cast<std::size_t>(
        std::max_element(plans.flops.begin(), plans.flops.end()) - plans.flops.begin());
    return plans;
}

/// The file's layout: the largest of the runs' layouts, with the scan's parameters.
io::ResultsLayout scan_layout(const Scan& scan, const RunPlans& plans) {
    io::ResultsLayout layout;
    for (std::size_t i = 0; i < scan.runs.size(); ++i) {
        const ProblemShape& shape = plans.shapes[i];
        const io::ResultsLayout run = results_layout(scan.runs[i], shape.n, shape.d);
        if (i == 0) layout = run;
        layout.depth = std::max(layout.depth, run.depth);
        layout.max_k = std::max(layout.max_k, run.max_k);
        layout.picture_size = std::max(layout.picture_size, run.picture_size);
    }
    layout.runs = static_cast<std::int64_t>(scan.runs.size());
    for (const auto& p : scan.parameters) layout.parameters.push_back({p.name, p.description, "1"});
    return layout;
}

/// "bandwidth = 2.0, seed = 1": the scanned values of run i.
std::string run_label(const Scan& scan, std::size_t i) {
    std::string out;
    for (const auto& p : scan.parameters) {
        if (p.key.empty()) continue;
        const config::KeySpec& spec = *config::find_key(p.key);
        out += (out.empty() ? "" : ", ") + p.name + " = " +
               config::format_value(spec, spec.get(scan.runs[i]));
    }
    return out;
}

/// Logs the runs, the groups, the plan of the largest run, the memory check and the layer
/// checkpoints (collective).
RunPlans describe_plan(const Scan& scan, const Groups& groups, const mpi::Comm& world,
                       bool checkpoints) {
    RunPlans plans = plan_runs(scan, groups, world);
    if (scan.total_runs > 1 || scan.sliced) log::info() << describe_runs(scan, 10);
    const config::Config& largest = scan.runs[plans.largest];
    Plan plan = make_plan(largest, plans.shapes[plans.largest]);
    plan.add_measured_baseline(world);
    plans.peak_bytes = plan.peak_bytes();
    log::info() << "process grid: " << groups.describe();
    if (scan.runs.size() > 1) log::info() << "largest run: " << run_label(scan, plans.largest);
    log::info() << plan.describe(largest);
    log::info() << check_memory(plan, world);
    log::info() << describe_checkpoints(largest, plans.shapes[plans.largest], groups.count,
                                        checkpoints, world);
    return plans;
}

/// One rank group working through its share of the scan.
class GroupRunner final : public LayerObserver {
public:
    GroupRunner(const Scan& scan, const RunPlans& plans, const Groups& groups,
                const io::ResultsFile& results, RunCheckpoints& checkpoints,
                RunDispatcher& dispatcher, const ProgressFile& progress,
                const Stopwatch& since_start)
        : scan_(scan), plans_(plans), groups_(groups), results_(results),
          checkpoints_(checkpoints), dispatcher_(dispatcher), progress_(progress),
          since_start_(since_start),
          grid_(groups.comm, groups.shape.rows, groups.shape.cols) {}

    /// Runs the group's runs until none is left or a stop. Collective over the group.
    void run_all() {
        std::int64_t run = dispatcher_.first();
        bool stopped = false;
        while (run >= 0) {
            if (root()) dispatcher_.started();
            const io::RunStatus status = execute(run);
            stopped = status == io::RunStatus::pending;
            if (stopped) break;
            if (root()) finished_.push_back(run * 4 + static_cast<std::int64_t>(status));
            std::int64_t next = root() ? dispatcher_.next() : 0;
            groups_.comm.bcast(&next, 1, 0);
            run = next;
        }
        if (root()) dispatcher_.finish(stopped);
    }

    /// run·4 + status of every run this group ended (its root's list; empty elsewhere).
    const std::vector<std::int64_t>& finished_runs() const { return finished_; }
    const std::string& stop_reason() const { return stop_reason_; }
    const std::vector<std::string>& failures() const { return failures_; }

    bool proceed(int layer) override {
        std::int64_t flags[3] = {stop_signal(), 0, 0};  // signal, wall time, another group
        const double flops = plans_.layer_flops[run_][layer - 1];
        if (root()) {
            const double elapsed = since_start_.seconds();
            flags[1] = fits_walltime(scan_.base().run, clock_, flops, elapsed) ? 0 : 1;
            flags[2] = dispatcher_.poll(false) ? 1 : 0;
        }
        groups_.comm.allreduce_max(flags, 3);
        if (flags[0] == 0 && flags[1] == 0 && flags[2] == 0) {
            layer_watch_.restart();
            return true;
        }
        stop_reason_ = flags[0] ? signal_name(static_cast<int>(flags[0]))
                     : flags[1] ? walltime_reason(layer, flops)
                                : "another rank group stopping";
        if (root()) {
            dispatcher_.poll(true);
            progress_.write(event("stop", run_).add("layer", layer).add("reason", stop_reason_));
            say("stopping before layer " + std::to_string(layer) + " of run " + label(run_) +
                ": " + stop_reason_);
        }
        return false;
    }

    /// The wall-time stop, and a warning where what one job must finish cannot fit in one: the
    /// whole run without checkpoints (it restarts from layer 1 in every requeued job), its
    /// largest layer with them. Meaningful on the group root (which holds the clock).
    std::string walltime_reason(int layer, double flops) const {
        std::string reason = "the wall-time budget (layer " + std::to_string(layer) +
                             " would need about " + format_duration(clock_.predict(flops)) + ")";
        const std::vector<double>& layers = plans_.layer_flops[run_];
        const double piece = checkpoints_.writes()
                                 ? *std::max_element(layers.begin(), layers.end())
                                 : std::accumulate(layers.begin(), layers.end(), 0.0);
        const std::string warning = never_finishes_warning(
            scan_.base().run, clock_, piece, "run " + label(run_), checkpoints_.writes());
        if (warning.empty()) return reason;
        if (checkpoints_.writes()) return reason + "; " + warning;
        return reason + "; " + warning + ", or set run.checkpoint = \"layer\": the run then "
               "continues at its next layer in the next job";
    }

    void finished(int layer, const LayerResult& result, const LayerReport& report,
                  const PhaseTimes& times) override {
        if (checkpoints_.writes() && checkpoint_after(scan_.runs[run_], layer))
            save_checkpoint(layer, result);
        if (!root()) return;
        const double seconds = layer_watch_.seconds();
        const auto& flops = plans_.layer_flops[run_];
        clock_.add(flops[layer - 1], seconds);
        const double left = std::accumulate(flops.begin() + layer, flops.end(), 0.0);
        const double eta_run = clock_.estimate(left);
        JsonLine line = event("layer", run_);
        line.add("layer", layer).add("depth", static_cast<int>(flops.size()))
            .add("seconds", seconds).add("train_accuracy", result.train.accuracy)
            .add("test_accuracy", result.test.accuracy).add("eta_run", eta_run);
        std::string eta = "   eta run " + format_duration(eta_run);
        if (groups_.index == 0) {  // the coordinator knows what is left to hand out
            double left = 0.0;
            for (std::int64_t r : dispatcher_.unassigned()) left += plans_.flops[r];
            const double eta_scan = eta_run + clock_.estimate(left) / groups_.count;
            line.add("eta_scan", eta_scan);
            eta += ", scan " + format_duration(eta_scan);
            log::info() << layer_line(layer, result, report, times) << eta;
        }
        progress_.write(line);
    }

    void finished_final(const PredictorScores& scores, double seconds) override {
        if (!root()) return;
        progress_.write(event("final_predictor", run_)
                            .add("seconds", seconds)
                            .add("train_accuracy", scores.train.accuracy)
                            .add("test_accuracy", scores.test.accuracy));
        char line[160];
        std::snprintf(line, sizeof line,
                      "final predictor (KRR on the last layer's output): train_acc %.4f  "
                      "test_acc %.4f  (%.2f s)",
                      scores.train.accuracy, scores.test.accuracy, seconds);
        say(line);
    }

private:
    bool root() const { return groups_.comm.is_root(); }

    /// Collective over the group: the layer's records reach the disk, then its checkpoint.
    void save_checkpoint(int layer, const LayerResult& result) {
        Stopwatch watch;
        if (root()) io::sync_file(results_.file().path());
        const std::uint64_t bytes = checkpoints_.save(run_, layer, result, data_, groups_.comm);
        if (!root()) return;
        const double seconds = watch.seconds();
        progress_.write(event("checkpoint", run_).add("layer", layer).add("seconds", seconds)
                            .add("bytes", static_cast<std::int64_t>(bytes)));
        if (layer == resumed_from_ + 1)  // once per run and invocation: where and how long
            say("checkpoint after layer " + std::to_string(layer) + ": " +
                checkpoints_.path(run_) + " (" + system_memory::format_bytes(bytes) + ", " +
                format_duration(seconds) + "; rewritten after every layer)");
    }
    std::string label(std::int64_t run) const {
        const std::string params = run_label(scan_, static_cast<std::size_t>(run));
        return std::to_string(scan_.scan_index[run]) + (params.empty() ? "" : " (" + params + ")");
    }
    /// A log line of this group's root: rank 0 logs normally, other roots with their rank.
    void say(const std::string& text) const {
        if (groups_.index == 0) log::info() << text;
        else log::all() << "group " << groups_.index << ": " << text;
    }
    JsonLine event(const char* kind, std::int64_t run) const {
        return run_event(kind, run, scan_.scan_index[run]);
    }

    const data::Data& data_for(const config::Config& cfg) {
        const std::string key = data_key(cfg);
        if (key != data_key_) {
            data_ = data::load_data(cfg.data, groups_.comm);
            data_key_ = key;
            if (root()) say("data: " + data_.description);
        }
        return data_;
    }

    /// One run: done, failed (a numerical error, agreed over the group) or pending (stopped).
    io::RunStatus execute(std::int64_t run) {
        run_ = run;
        Stopwatch watch;
        const config::Config& cfg = scan_.runs[run];
        resumed_from_ = checkpoints_.finished_layer(run);
        // After a checkpoint of the last layer only the final predictor is left (no layer).
        if (resumed_from_ < cfg.model.depth && !proceed(resumed_from_ + 1))
            return io::RunStatus::pending;
        try {
            const data::Data& data = data_for(cfg);
            if (root()) {
                say("run " + label(run) + " of " + std::to_string(scan_.total_runs));
                progress_.write(event("run_start", run));
            }
            LayerStart start;
            if (resumed_from_ > 0) {
                start = checkpoints_.load(run, data, groups_.comm);
                if (root()) {
                    const std::string done =
                        resumed_from_ == 1 ? "layer 1 is in the results file and its"
                                           : "layers 1-" + std::to_string(resumed_from_) +
                                                 " are in the results file and their";
                    say("resuming at layer " + std::to_string(start.layer) + ": " + done +
                        " output features in " + checkpoints_.path(run));
                    progress_.write(event("resume", run).add("layer", start.layer));
                }
            }
            if (root() && groups_.index == 0) log::info() << layer_table_header();
            if (!run_layers(cfg, data, grid_, results_, run, *this, std::move(start)))
                return io::RunStatus::pending;
        } catch (const Error& e) {
            if (!e.is_collective() || e.exit_code() != ExitCode::numerical) {
                if (groups_.count == 1) throw;
                // Collective over this group only: the other groups are busy, so end the job.
                throw Error(e.what(), e.file(), e.line(), e.exit_code());
            }
            failures_.push_back("run " + label(run) + ": " + e.what());
            return end_run(run, io::RunStatus::failed, watch.seconds(), e.what());
        }
        return end_run(run, io::RunStatus::done, watch.seconds(), "");
    }

    io::RunStatus end_run(std::int64_t run, io::RunStatus status, double seconds,
                          const std::string& error) {
        if (!root()) return status;
        io::sync_file(results_.file().path());
        results_.set_status(run, status, io::Transfer::independent);
        io::sync_file(results_.file().path());
        checkpoints_.remove(run);  // only now: the status says the run needs no checkpoint
        const bool done = status == io::RunStatus::done;
        JsonLine line = event("run", run);
        line.add("status", done ? "done" : "failed").add("seconds", seconds);
        if (!done) line.add("error", error);
        progress_.write(line);
        say("run " + label(run) + (done ? " done in " + format_duration(seconds)
                                        : " failed: " + error + " (status 2 in the file)"));
        return status;
    }

    const Scan& scan_;
    const RunPlans& plans_;
    const Groups& groups_;
    const io::ResultsFile& results_;
    RunCheckpoints& checkpoints_;
    RunDispatcher& dispatcher_;
    const ProgressFile& progress_;
    const Stopwatch& since_start_;
    dist::BlacsGrid grid_;
    LayerClock clock_;
    std::int64_t run_ = 0;
    int resumed_from_ = 0;  ///< the run's layer in its checkpoint when it started; 0: none
    Stopwatch layer_watch_;
    std::string data_key_;
    data::Data data_;
    std::string stop_reason_;
    std::vector<std::int64_t> finished_;
    std::vector<std::string> failures_;
};

std::string run_list(const std::vector<std::int64_t>& runs) {
    std::string out;
    for (std::int64_t r : runs) out += (out.empty() ? "" : ", ") + std::to_string(r);
    return out;
}

}  // namespace

void plan_scan(const Scan& scan, const mpi::Comm& world) {
    const Groups groups = make_groups(scan.base(), world);
    describe_plan(scan, groups, world, writes_checkpoints(scan.base().run, world));
}

ScanOutcome run_scan(const Scan& scan, const mpi::Comm& world, const ScanOptions& options) {
    const Stopwatch local_clock;
    const Stopwatch& since_start = options.since_start ? *options.since_start : local_clock;
    const Groups groups = make_groups(scan.base(), world);
    const bool write_checkpoints = writes_checkpoints(scan.base().run, world);
    const RunPlans plans = describe_plan(scan, groups, world, write_checkpoints);
    const std::string& path = scan.base().output.path;

    ScanFile file = open_scan_file(world, scan, scan_layout(scan, plans), groups.describe(),
                                   options.restart);
    RunCheckpoints checkpoints(scan, file, plans.shapes, world, write_checkpoints,
                               groups.count == 1);
    std::vector<io::RunStatus>& statuses = file.statuses;
    std::vector<std::int64_t> pending;
    for (std::size_t i = 0; i < statuses.size(); ++i)
        if (statuses[i] == io::RunStatus::pending) pending.push_back(static_cast<std::int64_t>(i));
    const ProgressFile progress(progress_path(path), since_start, groups.index);
    if (world.is_root()) {
        if (file.created) progress.truncate();
        const std::int64_t runs = static_cast<std::int64_t>(statuses.size());
        progress.write(start_event(runs, static_cast<std::int64_t>(pending.size()), groups.count,
                                   groups.size, !file.created, path));
        log::info() << "results: " << path
                    << (file.created ? " (new file)"
                                     : " (resumed: " + std::to_string(runs - pending.size()) +
                                           " of " + std::to_string(runs) + " runs already ended)");
        log::info() << "progress: " << progress.path();
    }

    RunDispatcher dispatcher(world, largest_first(pending, plans.flops), groups.size);
    GroupRunner runner(scan, plans, groups, file.results, checkpoints, dispatcher, progress,
                       since_start);
    runner.run_all();

    // Every rank learns how every run ended, then the file is flushed and, if nothing is left
    // to do, marked complete.
    for (std::int64_t code : world.allgatherv(runner.finished_runs()))
        statuses[code / 4] = static_cast<io::RunStatus>(code % 4);
    std::vector<std::int64_t> failed, left;
    for (std::size_t i = 0; i < statuses.size(); ++i) {
        if (statuses[i] == io::RunStatus::failed) failed.push_back(scan.scan_index[i]);
        if (statuses[i] == io::RunStatus::pending) left.push_back(scan.scan_index[i]);
    }
    // "complete" only when every run is done: a failed run leaves the file "incomplete" too.
    file.results.file().flush();
    if (left.empty() && failed.empty()) file.results.close();
    const std::int64_t ended = static_cast<std::int64_t>(statuses.size() - left.size());
    const std::string memory = report_peak_memory(plans.peak_bytes, world);
    if (world.is_root()) {
        log::info() << memory;
        progress.write(end_event(left.empty(), ended, static_cast<std::int64_t>(failed.size()),
                                 static_cast<std::int64_t>(statuses.size())));
        if (left.empty())
            log::info() << "done in " << format_duration(since_start.seconds()) << ": " << ended
                        << (ended == 1 ? " run" : " runs") << " complete; results in " << path
                        << " (plots: /usr/bin/python3 tools/plot_results.py " << path << ")";
        else
            log::info() << "stopped by "
                        << (runner.stop_reason().empty() ? "a stop request" : runner.stop_reason())
                        << ": " << ended << " of "
                        << statuses.size() << " runs ended, runs " << run_list(left)
                        << " are left; run the same command again to resume (exit code 75)";
    }
    if (!left.empty()) return ScanOutcome::stopped;
    if (!failed.empty()) {
        std::string message = std::to_string(failed.size()) + " of " +
                              std::to_string(statuses.size()) + " runs failed (runs " +
                              run_list(failed) + ", status 2 in " + path + ")";
        for (const auto& f : runner.failures()) message += "; " + f;
        throw collective(NumericalError(message, __FILE__, __LINE__));
    }
    return ScanOutcome::complete;
}

}  // namespace drfm::app
