#pragma once
/// @file
/// Stop requests by signal. SIGTERM and SIGUSR1 (what Slurm's `--signal` and `scancel --signal`
/// send, and what mpirun forwards) only set a flag: the handler is async-signal-safe and does
/// nothing else. The scan loop reads the flag at layer boundaries and agrees on it over the
/// group's ranks (scan_run.cpp), then persists and exits with ExitCode::requeue.
#include <string>

namespace drfm::app {

/// Installs the handlers (SA_RESTART, so no system call inside MPI or HDF5 fails with EINTR).
/// Idempotent. Until it is called, the signals keep their default action (terminate).
void install_stop_handlers();

/// The last stop signal received since install_stop_handlers or reset_stop_signal; 0: none.
int stop_signal() noexcept;

/// Forgets a received signal (tests).
void reset_stop_signal() noexcept;

/// "SIGTERM", "SIGUSR1", or "signal N".
std::string signal_name(int signal);

}  // namespace drfm::app
