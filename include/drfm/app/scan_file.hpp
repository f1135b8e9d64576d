#pragma once
/// @file
/// The one results file of a scan: created whole for all its runs, or re-opened to resume.
///
/// The root attribute `config_hash` fingerprints the configuration that decides the results
/// (every key except output.*, parallel.* and run.*, plus the [scan] section): re-running the same
/// command re-opens the file and keeps its done runs; a different configuration is refused with
/// the keys that differ, unless `--restart` (or output.overwrite = true) replaces the file.
/// A new file is created under a temporary name and renamed into place once its whole layout is
/// on disk, so `output.path` never names a half-created file.
#include "drfm/app/scan.hpp"
#include "drfm/io/results_file.hpp"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace drfm::app {

/// "section.key = value" lines of a resolved configuration (with its [scan] section), without the
/// keys that do not change results: output.* (where the file is, whether to replace it),
/// parallel.* (results agree to rounding on any grid) and run.* (wall-time budget).
std::vector<std::pair<std::string, std::string>> fingerprint_lines(
    const std::string& resolved_toml);

/// FNV-1a 64-bit hash of the fingerprint lines, as 16 hex digits.
std::string config_hash(const std::string& resolved_toml);

/// The keys whose values differ ("model.depth = 3 in the file, 4 now"), at most `max_items` of
/// them, "; "-separated; "" when the fingerprints agree.
std::string describe_differences(const std::string& in_file, const std::string& now,
                                 std::size_t max_items = 6);

/// The results file of this invocation.
struct ScanFile {
    io::ResultsFile results;
    std::vector<io::RunStatus> statuses;  ///< of every run, as found (all pending when created)
    bool created = false;                 ///< a new file (not a resumed one)
    /// The root attribute `instance`: random hex digits drawn when the file was created, so that
    /// a layer checkpoint (app/run_checkpoints.hpp) names the very file whose records it continues.
    /// "" in files of versions before it.
    std::string instance;
};

/// Collective over comm. Re-opens `scan.base().output.path` when it holds the same configuration
/// (resume), otherwise creates it, or refuses (ConfigError, exit code 2):
///   restart                         → replace
///   no file                         → create
///   same hash                       → resume; with output.overwrite and a complete file: replace
///   other hash or unreadable file   → replace with output.overwrite, else refuse
/// A new file gets the layout, the root attributes (config = scan.resolved_toml, config_hash,
/// instance, grid) and /runs/<parameter> values; string-valued parameters carry a `labels` attribute
/// (newline-separated, index i = line i).
ScanFile open_scan_file(const mpi::Comm& comm, const Scan& scan, const io::ResultsLayout& layout,
                        const std::string& grid, bool restart);

}  // namespace drfm::app
