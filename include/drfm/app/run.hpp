#pragma once
/// @file
/// One Deep RFM run from configuration to results file: data → grid → layers → analysis → HDF5.
#include "drfm/app/plan.hpp"
#include "drfm/config/config.hpp"
#include "drfm/mpi/comm.hpp"

namespace drfm::app {

/// The problem shape of `cfg` on `comm` from the dataset headers (no sample rows are read).
ProblemShape problem_shape(const config::Config& cfg, const mpi::Comm& comm);

/// Refuses (collective ResourceError with the numbers) a plan whose per-rank peak memory, times the
/// ranks sharing a node, exceeds the node's available memory. Returns a one-line summary.
std::string check_memory(const Plan& plan, const mpi::Comm& comm);

/// Runs the whole Deep RFM and writes the results file. Collective over comm.
void run_deep_rfm(const config::Config& cfg, const mpi::Comm& comm);

}  // namespace drfm::app
