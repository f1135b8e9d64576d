#pragma once
/// @file
/// `ResultsFile`: the one HDF5 file of an invocation. Created collectively with its whole
/// layout (results_schema.hpp) at the start; each run's records are written as they are
/// computed; a run's status is set last, after its data; the root attribute `status` turns from
/// "incomplete" to "complete" only in close(). Re-opened by `open` to resume after a crash.
#include "drfm/io/results_schema.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace drfm::io {

enum class RunStatus : std::int32_t { pending = 0, done = 1, failed = 2 };

/// What the root attributes record besides what io knows itself (version, git sha, ranks,
/// created, schema_version, status).
struct RootInfo {
    std::string config_toml;  ///< the resolved configuration (every key, defaults filled)
    std::string grid;         ///< process grid, e.g. "2x2 column-major"
};

class ResultsFile {
public:
    /// Collective. Creates `path` (refusing an existing file unless `overwrite`), the layout
    /// and the root attributes; flushes so a crash leaves a readable file.
    static ResultsFile create(const mpi::Comm& comm, const std::string& path, bool overwrite,
                              const ResultsLayout& layout, const RootInfo& info);

    /// Collective. Re-opens a file for resume: reads the layout back from it, checks the
    /// schema version (a mismatch is a collective InputDataError) and marks it "incomplete".
    static ResultsFile open(const mpi::Comm& comm, const std::string& path);

    ResultsFile(ResultsFile&&) noexcept = default;
    ResultsFile& operator=(ResultsFile&&) noexcept = default;

    const ResultsLayout& layout() const noexcept { return layout_; }
    const File& file() const noexcept { return file_; }

    /// Writes the record at the leading indices `index` of dataset `path` (e.g.
    /// "/metrics/nc1", index {run, layer − 1}): all remaining dimensions, row-major.
    /// Indices are 0-based positions; the `layer` coordinate at position i is i + 1.
    /// Transfer::collective: every rank calls; rank 0's `values` are written (the others may
    /// pass an empty vector) — for quantities replicated after an Allreduce.
    /// Transfer::independent: only the calling rank writes (the root of a scan's rank group).
    void write_record(const std::string& path, const std::vector<std::int64_t>& index,
                      const std::vector<double>& values,
                      Transfer transfer = Transfer::collective) const;

    /// Reads the record at `index` of dataset `path` (every caller gets it).
    std::vector<double> read_record(const std::string& path,
                                    const std::vector<std::int64_t>& index,
                                    Transfer transfer = Transfer::collective) const;

    /// Sets /runs/status[run]. Call it after the run's data is written. Collective: rank 0
    /// writes, then the file is flushed. Independent: the calling rank writes (after its group
    /// has finished writing, e.g. after a barrier on the group's communicator).
    void set_status(std::int64_t run, RunStatus status,
                    Transfer transfer = Transfer::collective) const;

    /// Status of every run (collective read).
    std::vector<RunStatus> statuses() const;

    /// Collective. Sets the root attribute status = "complete" and closes the file.
    void close();

private:
    ResultsFile(File file, ResultsLayout layout);

    File file_;
    ResultsLayout layout_;
};

}  // namespace drfm::io
