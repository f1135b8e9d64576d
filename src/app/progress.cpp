#include "drfm/app/progress.hpp"

#include "drfm/core/log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace drfm::app {
namespace {

std::string json_string(const std::string& text) {
    std::string out = "\"";
    for (unsigned char c : text) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c == '\n') {
            out += "\\n";
        } else if (c < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out + "\"";
}

std::string utc_now() {
    std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    char text[32] = {};
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return text;
}

/// Seconds one job may compute: run.walltime − run.walltime_margin.
double job_budget(const config::RunConfig& run) {
    return static_cast<double>((run.walltime - run.walltime_margin).count());
}

}  // namespace

void LayerClock::add(double flops, double seconds) {
    flops_ += flops;
    seconds_ += seconds;
}

double LayerClock::estimate(double flops) const noexcept {
    return calibrated() ? seconds_ / flops_ * flops : 0.0;
}

bool fits_walltime(const config::RunConfig& run, const LayerClock& clock, double flops,
                   double elapsed) {
    if (run.walltime.count() <= 0) return true;
    return elapsed + clock.predict(flops) <= job_budget(run);
}

bool fits_one_job(const config::RunConfig& run, const LayerClock& clock, double flops) {
    if (run.walltime.count() <= 0) return true;
    return clock.estimate(flops) <= job_budget(run);
}

std::string never_finishes_warning(const config::RunConfig& run, const LayerClock& clock,
                                   double flops, const std::string& what, bool checkpointed) {
    if (fits_one_job(run, clock, flops)) return {};
    const std::string budget = " more than one job's budget of " + format_duration(job_budget(run)) +
                               " (run.walltime - run.walltime_margin)";
    const std::string remedy = "Raise the job's time limit and run.walltime, or give it more ranks "
                               "(parallel.ranks_per_run in a scan)";
    if (checkpointed)
        return "WARNING: the largest layer of " + what + " needs about " +
               format_duration(clock.estimate(flops)) + "," + budget +
               ", and a job must finish a layer to advance: it will never finish. " + remedy;
    return "WARNING: " + what + " needs about " + format_duration(clock.estimate(flops)) +
           " in all," + budget + ", and an interrupted run restarts from its beginning: it will "
           "never finish. " + remedy;
}

void JsonLine::key(const std::string& name) {
    if (!fields_.empty()) fields_ += ", ";
    fields_ += json_string(name) + ": ";
}

JsonLine& JsonLine::add(const std::string& name, const std::string& value) {
    key(name);
    fields_ += json_string(value);
    return *this;
}

JsonLine& JsonLine::add(const std::string& name, double value) {
    key(name);
    if (!std::isfinite(value)) {
        fields_ += "null";  // JSON has no NaN
        return *this;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", value);
    fields_ += buf;
    return *this;
}

JsonLine& JsonLine::add(const std::string& name, std::int64_t value) {
    key(name);
    fields_ += std::to_string(value);
    return *this;
}

JsonLine& JsonLine::add(const std::string& name, bool value) {
    key(name);
    fields_ += value ? "true" : "false";
    return *this;
}

ProgressFile::ProgressFile(std::string path, const Stopwatch& clock, int group)
    : path_(std::move(path)), clock_(&clock), group_(group) {}

void ProgressFile::truncate() const {
    const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        log::warn() << "progress file " << path_ << ": " << std::strerror(errno);
        return;
    }
    ::close(fd);
}

void ProgressFile::write(JsonLine line) const {
    line.add("time", utc_now()).add("elapsed", clock_->seconds()).add("group", group_);
    const std::string text = line.str() + "\n";
    const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    const ssize_t written = fd < 0 ? -1 : ::write(fd, text.data(), text.size());
    if (written != static_cast<ssize_t>(text.size()))
        log::all() << "warning: progress file " << path_ << ": " << std::strerror(errno);
    if (fd >= 0) ::close(fd);
}

JsonLine start_event(std::int64_t runs, std::int64_t pending, int groups, int ranks_per_group,
                     bool resumed, const std::string& output) {
    return JsonLine().add("event", "start").add("runs", runs).add("pending", pending)
        .add("groups", groups).add("ranks_per_group", ranks_per_group).add("resumed", resumed)
        .add("output", output);
}

JsonLine run_event(const char* kind, std::int64_t run, std::int64_t scan_index) {
    return JsonLine().add("event", kind).add("run", run).add("scan_index", scan_index);
}

JsonLine end_event(bool complete, std::int64_t ended, std::int64_t failed, std::int64_t runs) {
    return JsonLine().add("event", "end").add("status", complete ? "complete" : "stopped")
        .add("ended", ended).add("failed", failed).add("runs", runs);
}

std::string progress_path(const std::string& output_path) {
    return output_path + ".progress.jsonl";
}

std::string format_duration(double seconds) {
    const auto s = static_cast<long long>(std::llround(std::max(0.0, seconds)));
    char buf[48];
    if (seconds < 9.95) std::snprintf(buf, sizeof buf, "%.1f s", std::max(0.0, seconds));
    else if (s < 60) std::snprintf(buf, sizeof buf, "%lld s", s);
    else if (s < 3600) std::snprintf(buf, sizeof buf, "%lld min %lld s", s / 60, s % 60);
    else std::snprintf(buf, sizeof buf, "%lld h %02lld min", s / 3600, (s % 3600) / 60);
    return buf;
}

std::string layer_table_header() {
    return "layer  train_acc  test_acc     nc1(X)    nc1(MX) nc1(PhiMX)   kernel   solve    agop"
           "   sqrt features predict analysis  total [s]";
}

std::string layer_line(int layer, const LayerResult& r, const LayerReport& rep,
                       const PhaseTimes& t) {
    char buf[256];
    double total = 0.0;
    for (double s : t.seconds) total += s;
    std::snprintf(buf, sizeof buf,
                  "%5d  %9.4f %9.4f  %10.3e %10.3e %10.3e  "
                  "%7.2f %7.2f %7.2f %6.2f %7.2f %7.2f %7.2f  %7.2f",
                  layer, r.train.accuracy, r.test.accuracy, rep.nc[0].nc1, rep.nc[1].nc1,
                  rep.nc[2].nc1, t.seconds[0], t.seconds[1], t.seconds[2], t.seconds[3],
                  t.seconds[4], t.seconds[5], t.seconds[6], total);
    return buf;
}

}  // namespace drfm::app
