#include "drfm/app/program.hpp"

#include "drfm/app/cli.hpp"
#include "drfm/app/features_run.hpp"
#include "drfm/app/network_run.hpp"
#include "drfm/app/scan_run.hpp"
#include "drfm/app/signals.hpp"
#include "drfm/core/build_info.hpp"
#include "drfm/core/log.hpp"
#include "drfm/core/timer.hpp"
#include "drfm/mpi/comm.hpp"

#include <Kokkos_Core.hpp>
#include <hdf5.h>

#include <iostream>

namespace drfm::app {
namespace {

std::string version_text() {
    std::ostringstream os;
    os << "drfm_hpc " << build_info::version << " (git " << build_info::git_sha << ")\n"
       << "  MPI        " << build_info::mpi_version;
    char library[MPI_MAX_LIBRARY_VERSION_STRING] = {};
    int length = 0;
    if (MPI_Get_library_version(library, &length) == MPI_SUCCESS) {
        std::string text(library, static_cast<size_t>(length));
        os << " (" << text.substr(0, text.find_first_of(",\n")) << ")";
    }
    os << "\n  ScaLAPACK  " << build_info::scalapack_version
       << " (BLAS/LAPACK: the system libblas.so.3/liblapack.so.3 alternatives)\n"
       << "  HDF5       " << build_info::hdf5_version << " (parallel)\n"
       << "  Kokkos     " << build_info::kokkos_version << ", backend "
       << Kokkos::DefaultExecutionSpace::name() << " (devices: " << build_info::kokkos_devices << ")\n"
       << "  Eigen      " << build_info::eigen_version << "\n"
       << "  toml++     " << build_info::tomlplusplus_version << "\n"
       << "  compiled   for " << build_info::code_generation;
    return os.str();
}

int execute(int argc, char** argv, const mpi::Comm& world) {
    const Stopwatch since_start;  // run.walltime counts from here
    install_stop_handlers();
    CliOptions cli;
    mpi::collective(world, [&] { cli = parse_cli(argc, argv); });
    if (cli.help) {
        log::info() << help_text();
        return 0;
    }
    if (cli.version) {
        log::info() << version_text();
        return 0;
    }
    Scan scan;
    mpi::collective(world,
                    [&] { scan = load_scan(cli.input_path, cli.all_overrides(), cli.runs); });
    log::info() << "drfm_hpc " << build_info::version << " (git " << build_info::git_sha << "), "
                << world.size() << " ranks, input " << cli.input_path;
    log::info() << "resolved configuration:\n" << scan.resolved_toml;

    const config::AnalysisMode mode = scan.base().analysis.mode;
    const bool features = mode == config::AnalysisMode::features;
    const bool network = mode == config::AnalysisMode::network;
    if (cli.dry_run) {
        if (features) plan_features(scan, world);
        else if (network) plan_network(scan, world);
        else plan_scan(scan, world);
        log::info() << "dry run: nothing computed, no results written";
        return 0;
    }
    const ScanOptions options{cli.restart, &since_start};
    const ScanOutcome outcome = features  ? run_features(scan, world, options)
                                : network ? run_network(scan, world, options)
                                          : run_scan(scan, world, options);
    if (outcome == ScanOutcome::stopped) return static_cast<int>(ExitCode::requeue);
    return 0;
}

}  // namespace

int run_program(int argc, char** argv) {
    const mpi::Comm world = mpi::Comm::borrow(MPI_COMM_WORLD);
    try {
        return execute(argc, argv, world);
    } catch (const Error& e) {
        const int code = static_cast<int>(e.exit_code());
        if (e.is_collective()) {
            if (world.rank() == 0) std::cerr << "drfm_hpc: error: " << e.what() << std::endl;
            return code;
        }
        std::cerr << "[rank " << world.rank() << "] drfm_hpc: error: " << e.what() << " ("
                  << e.file() << ":" << e.line() << ")" << std::endl;
        MPI_Abort(MPI_COMM_WORLD, code);
    } catch (const std::exception& e) {
        std::cerr << "[rank " << world.rank() << "] drfm_hpc: internal error: " << e.what() << std::endl;
        MPI_Abort(MPI_COMM_WORLD, static_cast<int>(ExitCode::internal));
    }
    return static_cast<int>(ExitCode::internal);
}

}  // namespace drfm::app
