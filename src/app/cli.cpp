#include "drfm/app/cli.hpp"

#include "drfm/config/schema.hpp"
#include "drfm/config/suggest.hpp"
#include "drfm/core/error.hpp"

#include <string_view>

namespace drfm::app {
namespace {

constexpr std::string_view usage = "drfm_hpc [options] INPUT.toml [section.key=value ...]";

struct OptionSpec {
    std::string_view long_name;   // "--dry-run"
    std::string_view short_name;  // "-n", or ""
    bool takes_value;
};

constexpr OptionSpec options[] = {
    {"--help", "-h", false},    {"--version", "-V", false}, {"--dry-run", "-n", false},
    {"--restart", "", false},   {"--walltime", "", true},   {"--runs", "", true},
};

[[noreturn]] void raise(const std::string& message) {
    throw ConfigError("command line: " + message, __FILE__, __LINE__);
}

const OptionSpec* find_option(std::string_view name) {
    for (const auto& option : options)
        if (name == option.long_name || (!option.short_name.empty() && name == option.short_name))
            return &option;
    return nullptr;
}

[[noreturn]] void unknown_option(std::string_view name) {
    std::vector<std::string_view> names;
    for (const auto& option : options) names.push_back(option.long_name);
    std::string message = "unknown option '" + std::string(name) + "'";
    if (auto guess = config::closest(name, names)) message += "; did you mean '" + *guess + "'?";
    raise(message + " (drfm_hpc --help lists the options)");
}

void set_flag(CliOptions& cli, std::string_view long_name) {
    if (long_name == "--help") cli.help = true;
    if (long_name == "--version") cli.version = true;
    if (long_name == "--dry-run") cli.dry_run = true;
    if (long_name == "--restart") cli.restart = true;
}

/// What an option with a value expects, for messages.
std::string value_hint(std::string_view long_name) {
    return long_name == "--runs" ? "A:B (runs A..B-1 of the scan, 0-based) or A:"
                                 : "seconds, HH:MM:SS or D-HH:MM:SS";
}

void set_value(CliOptions& cli, std::string_view long_name, const std::string& value) {
    if (long_name == "--runs") {
        if (!parse_run_slice(value))
            raise("option '--runs': malformed slice '" + value + "': expected " +
                  value_hint(long_name));
        cli.runs = value;
        return;
    }
    if (config::parse_duration(value) < 0)
        raise("option '--walltime': malformed duration '" + value + "': expected " +
              value_hint(long_name));
    cli.walltime = value;
}

bool is_override(const std::string& arg) {
    auto eq = arg.find('=');
    return eq != std::string::npos && eq > 0 && arg.substr(0, eq).find('/') == std::string::npos;
}

}  // namespace

std::optional<RunSlice> parse_run_slice(std::string_view text) {
    auto number = [](std::string_view s, std::int64_t& out) {
        if (s.empty() || s.size() > 12) return false;
        if (s.find_first_not_of("0123456789") != std::string_view::npos) return false;
        out = std::stoll(std::string(s));
        return true;
    };
    const auto colon = text.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    RunSlice slice;
    if (!number(text.substr(0, colon), slice.first)) return std::nullopt;
    const std::string_view rest = text.substr(colon + 1);
    if (rest.empty()) return slice;
    if (!number(rest, slice.last) || slice.last <= slice.first) return std::nullopt;
    return slice;
}

std::vector<std::string> CliOptions::all_overrides() const {
    std::vector<std::string> out = overrides;
    if (!walltime.empty()) out.push_back("run.walltime=" + walltime);
    return out;
}

CliOptions parse_cli(const std::vector<std::string>& args) {
    CliOptions cli;
    bool options_done = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (!options_done && arg == "--") {
            options_done = true;
        } else if (!options_done && arg.size() > 1 && arg[0] == '-') {
            auto eq = arg.find('=');
            std::string name = arg.substr(0, eq);
            const OptionSpec* option = find_option(name);
            if (!option) unknown_option(name);
            if (!option->takes_value && eq != std::string::npos)
                raise("option '" + name + "' takes no value");
            if (!option->takes_value) {
                set_flag(cli, option->long_name);
            } else if (eq != std::string::npos) {
                set_value(cli, option->long_name, arg.substr(eq + 1));
            } else if (i + 1 < args.size()) {
                set_value(cli, option->long_name, args[++i]);
            } else {
                raise("option '" + name + "' needs a value (" + value_hint(option->long_name) +
                      ")");
            }
        } else if (is_override(arg)) {
            cli.overrides.push_back(arg);
        } else if (cli.input_path.empty()) {
            cli.input_path = arg;
        } else {
            raise("unexpected argument '" + arg + "': there is one input file ('" +
                  cli.input_path + "' already), and overrides look like section.key=value");
        }
    }
    if (cli.input_path.empty() && !cli.help && !cli.version)
        raise("missing the input file; usage: " + std::string(usage) +
              " (drfm_hpc --help for more)");
    return cli;
}

CliOptions parse_cli(int argc, char** argv) {
    std::vector<std::string> args;
    for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
    return parse_cli(args);
}

std::string help_text() {
    return "Usage: " + std::string(usage) + R"(

Deep Recursive Feature Machines with neural-collapse and kernel-picture analysis, MPI-parallel.
Reads INPUT.toml, applies the overrides, validates everything before any computation, runs, and
writes one HDF5 results file (output.path) that also keeps the resolved configuration.

Options:
  -h, --help          print this help and exit
  -V, --version       print the version, git sha and the versions of MPI, ScaLAPACK/BLAS, HDF5,
                      Kokkos (with its backend), and exit
  -n, --dry-run       check the input and the command line, read only the dataset headers, print
                      the resolved configuration and the plan (grid, memory, work), exit 0
                      without the heavy computation
      --restart       start over: replace output.path even when it holds finished runs, and
                      remove its layer checkpoints (without it, the same command resumes: done
                      runs are kept, interrupted ones continue at the layer after their last
                      checkpoint, run.checkpoint; a file of another configuration is refused)
      --walltime=T    wall-time budget, overriding run.walltime: seconds, HH:MM:SS or
                      D-HH:MM:SS; the run stops at a layer boundary (exit 75) before it ends
      --runs=A:B      only runs A..B-1 of the [scan] expansion (0-based; A: to the end), e.g.
                      one slice per Slurm array task, each with its own output.path
      --              end of options

Overrides (AMReX ParmParse style: applied after the file, the last one wins, checked like the file):
  section.key=value   any key of the input file, e.g.  model.bandwidth=4  data.source=csv
                      parallel.grid=4x8  run.walltime=02:00:00
                      The value is TOML (strings may be given without quotes); an unknown key or a
                      bad value is an error naming the override.

Exit codes:
  0    success (also --help, --version, --dry-run)
  1    internal error (a bug: please report it with the output)
  2    bad input: command line, input file, dataset, an existing results file or a layer
       checkpoint that does not belong to it
  3    numerical failure: factorisation, residual check, non-finite values
  4    resource: the memory plan exceeds what the node has
  5    I/O failure while writing the results or a layer checkpoint (e.g. a full disk)
  6    MPI or BLACS failure
  75   stopped early by SIGTERM/SIGUSR1 or the wall-time budget, at a layer boundary;
       every finished run (and layer, with checkpoints) is saved: run the same command
       again to resume

Examples:
  drfm_hpc --dry-run input/quickstart.toml
  mpirun -n 16 drfm_hpc input/paper_mnist_style.toml model.depth=10 output.path=results/d10.h5

Documentation (in the source tree): docs/input.md lists every input key with its type, default,
range and meaning; docs/scans.md the [scan] section, resume, layer checkpoints for runs longer
than one job and the Slurm job scripts in jobs/;
input/*.toml are ready-to-run examples.
)";
}

}  // namespace drfm::app
