#pragma once
/// @file
/// Progress of a scan: the time model behind the estimates (ETA, wall-time budget), the log lines
/// of a layer, and the machine-readable progress file `<output.path>.progress.jsonl`, one JSON
/// object per line and event (docs/scans.md lists the events and fields).
#include "drfm/app/layer_report.hpp"
#include "drfm/config/config.hpp"
#include "drfm/core/timer.hpp"

#include <cstdint>
#include <string>

namespace drfm::app {

/// Seconds per planned floating-point operation (app/plan.hpp) over the layers measured so far:
/// predicts the time of a layer, or of what is left, from its planned work.
class LayerClock {
public:
    /// Safety factor on every prediction (planned work is a model; layers vary a little).
    static constexpr double safety = 1.25;

    void add(double flops, double seconds);
    bool calibrated() const noexcept { return flops_ > 0.0; }
    /// (measured seconds / measured flops) × flops; 0 before any measurement.
    double estimate(double flops) const noexcept;
    /// safety × estimate(flops): what the wall-time budget plans with.
    double predict(double flops) const noexcept { return safety * estimate(flops); }

private:
    double flops_ = 0.0, seconds_ = 0.0;
};

/// Whether work of `flops`, started `elapsed` seconds after the program start, ends before
/// run.walltime − run.walltime_margin. Always true without a budget (walltime = 0); before any
/// measurement, true while the deadline itself has not passed.
bool fits_walltime(const config::RunConfig& run, const LayerClock& clock, double flops,
                   double elapsed);

/// Whether work of `flops` (a whole run, or with layer checkpoints its largest layer: what one
/// job must finish for the run to advance) fits in one job's budget (run.walltime − margin) at
/// the measured rate, without the safety factor. True without a budget or before any
/// measurement.
bool fits_one_job(const config::RunConfig& run, const LayerClock& clock, double flops);

/// Empty when fits_one_job; otherwise a warning, for the stop message, that `what` (a run) can
/// never finish and what to change. `checkpointed`: `flops` is one layer's (layer checkpoints
/// are written), else the whole run's (it restarts from its first layer in every job).
std::string never_finishes_warning(const config::RunConfig& run, const LayerClock& clock,
                                   double flops, const std::string& what,
                                   bool checkpointed = false);

/// One JSON object, built field by field, written on one line.
class JsonLine {
public:
    JsonLine& add(const std::string& key, const std::string& value);
    JsonLine& add(const std::string& key, const char* value) {
        return add(key, std::string(value));
    }
    JsonLine& add(const std::string& key, double value);
    JsonLine& add(const std::string& key, std::int64_t value);
    JsonLine& add(const std::string& key, int value) { return add(key, std::int64_t{value}); }
    JsonLine& add(const std::string& key, bool value);
    std::string str() const { return "{" + fields_ + "}"; }

private:
    void key(const std::string& name);
    std::string fields_;
};

/// The first event of an invocation (docs/scans.md, progress file): how many runs the file has,
/// how many are left, the rank groups, whether the file was re-opened, and where it is.
JsonLine start_event(std::int64_t runs, std::int64_t pending, int groups, int ranks_per_group,
                     bool resumed, const std::string& output);

/// An event of one run: it starts {"event": kind, "run": run, "scan_index": scan_index}.
JsonLine run_event(const char* kind, std::int64_t run, std::int64_t scan_index);

/// The last event of an invocation: "complete" or "stopped", the runs ended (done or failed) and
/// failed, of `runs`.
JsonLine end_event(bool complete, std::int64_t ended, std::int64_t failed, std::int64_t runs);

/// The progress file of one results file. Any rank may write (the roots of the rank groups do):
/// each event is appended with one write(2) to a file opened with O_APPEND, so lines from
/// different ranks do not interleave (on a local or Lustre file system; NFS does not promise it).
class ProgressFile {
public:
    /// `clock` runs since the program start (the `elapsed` field).
    ProgressFile(std::string path, const Stopwatch& clock, int group);

    /// Collective-free. Empties the file (a new results file starts a new history).
    void truncate() const;
    /// Adds time (UTC, ISO 8601), elapsed (s) and group, then appends the line. A write failure
    /// is a warning: progress is a convenience, the results file is the record.
    void write(JsonLine line) const;

    const std::string& path() const noexcept { return path_; }

private:
    std::string path_;
    const Stopwatch* clock_;
    int group_;
};

/// The progress file next to `output_path`: "<output_path>.progress.jsonl".
std::string progress_path(const std::string& output_path);

/// "4.2 s", "42 s", "12 min 5 s", "3 h 02 min".
std::string format_duration(double seconds);

/// The header of the per-layer table and one row of it (accuracies, NC1, phase seconds).
std::string layer_table_header();
std::string layer_line(int layer, const LayerResult& result, const LayerReport& report,
                       const PhaseTimes& times);

}  // namespace drfm::app
