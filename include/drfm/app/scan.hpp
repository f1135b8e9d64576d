#pragma once
/// @file
/// Scans: the `[scan]` section of an input file expands into a list of runs (docs/scans.md).
///
///   [scan]
///   model.bandwidth = [1.0, 2.0, 4.0]     # any [data] or [model] key: a list of values
///   model.ridge = [1e-3, 1e-1]
///   data.n_train = [1000, 2000]
///   zip = [["model.ridge", "data.n_train"]]   # keys that vary together (equal lengths)
///   seeds = [0, 1]                         # = model.seed = [0, 1]
///   runs = "0:6"                           # optional slice of the expanded scan (or --runs)
///
/// Every list, or zip group of lists, is one axis; the runs are the Cartesian product of the axes
/// in the order they appear in the file, the first axis varying slowest (nested loops, row-major,
/// like itertools.product). A file without [scan] is a scan of one run.
#include "drfm/app/cli.hpp"
#include "drfm/config/config.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace drfm::app {

/// One per-run parameter of the results file, /runs/<name>[run].
struct ScanParameter {
    std::string key;                  ///< dotted input key ("model.bandwidth"); "" for scan_index
    std::string name;                 ///< dataset name: the key's name, "<section>_<name>" when two
                                      ///< scanned keys share a name, or "scan_index"
    std::string description;
    std::vector<double> values;       ///< one per run of this invocation; string and choice keys:
                                      ///< the index of the value in `labels`; bool: 0 or 1
    std::vector<std::string> labels;  ///< string and choice keys: the distinct values, scan order
};

/// The runs of one invocation.
struct Scan {
    std::vector<config::Config> runs;       ///< this invocation's runs (after the slice), in order
    std::vector<std::int64_t> scan_index;   ///< each run's position in the whole expanded scan
    std::int64_t total_runs = 1;            ///< runs of the whole expansion, before the slice
    bool sliced = false;                    ///< a slice was given (the file holds a part of a scan)
    std::vector<ScanParameter> parameters;  ///< scanned keys, then scan_index when sliced
    /// The resolved base configuration followed by a canonical [scan] section: a valid input file
    /// that expands to the same runs. Stored as the results file's `config` attribute.
    std::string resolved_toml;

    /// Keys shared by every run ([output], [parallel], [analysis], [run]) come from here.
    const config::Config& base() const { return runs.front(); }
};

/// Parses input text with an optional [scan] section, applies `overrides` to the base (before the
/// scan's values, so an override of a scanned key is refused), expands the scan, validates every
/// run like an input file, and keeps the runs of `runs_option` ("A:B"; "" = [scan] runs or all).
/// @throws ConfigError naming the [scan] entry, the key and the value's file:line:col.
Scan parse_scan(std::string_view toml_text, const std::string& source_name,
                const std::vector<std::string>& overrides, const std::string& runs_option = "");

/// Reads `path` and calls parse_scan.
Scan load_scan(const std::string& path, const std::vector<std::string>& overrides,
               const std::string& runs_option = "");

/// The scan's size and its first `max_rows` runs as a table: scan index, then one column per
/// scanned key (e.g. for --dry-run).
std::string describe_runs(const Scan& scan, std::size_t max_rows);

/// Largest scan accepted (each run is validated and kept as a Config).
inline constexpr std::int64_t max_scan_runs = 100000;

}  // namespace drfm::app
