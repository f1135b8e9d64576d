#pragma once
/// @file
/// The command line of drfm_hpc: `drfm_hpc [options] INPUT.toml [section.key=value ...]`.
/// Parsing is pure (no MPI, no I/O), so every rank gets the same result or the same ConfigError.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace drfm::app {

struct CliOptions {
    bool help = false;
    bool version = false;
    bool dry_run = false;
    bool restart = false;
    std::string walltime;                ///< --walltime value, "" when not given
    std::string runs;                    ///< --runs value "A:B" (a slice of the scan), ""
    std::string input_path;              ///< "" only with --help or --version
    std::vector<std::string> overrides;  ///< "section.key=value", in command-line order

    /// What load_config gets: the overrides, then "run.walltime=<walltime>" when --walltime was
    /// given (the option wins over the file and over a run.walltime=... argument).
    std::vector<std::string> all_overrides() const;
};

/// Runs [first, last) of an expanded scan, 0-based ("3:6", "3:" = to the end).
struct RunSlice {
    std::int64_t first = 0;
    std::int64_t last = -1;  ///< -1: to the end
};

/// Parses "A:B" (0 <= A < B) or "A:"; nullopt when malformed.
std::optional<RunSlice> parse_run_slice(std::string_view text);

/// Parses argv (argv[0] is the program name). An argument with '=' whose text before the '='
/// has no '/' is an override; the one other positional argument is the input file.
/// @throws ConfigError on an unknown option (with a did-you-mean), a missing or extra input
///         file, a missing or malformed --walltime or --runs value.
CliOptions parse_cli(int argc, char** argv);

/// Same, on the arguments after the program name.
CliOptions parse_cli(const std::vector<std::string>& args);

/// The --help text: usage, options, overrides, exit codes, an mpirun example, where the docs are.
std::string help_text();

}  // namespace drfm::app
