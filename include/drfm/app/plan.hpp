#pragma once
/// @file
/// The cost model behind `--dry-run` and the memory guard: floating-point work and per-rank peak
/// memory of every phase of a Deep RFM run, from the problem shape and the process grid alone.
/// The formulas follow methods.md §2.3 (FLOP/memory summary) and the layouts of docs/architecture.md;
/// bench/RESULTS.md compares them with measurements.
#include "drfm/config/config.hpp"
#include "drfm/mpi/comm.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace drfm::app {

struct ProblemShape {
    std::int64_t n = 0, n_test = 0, d = 0;
    int classes = 0;
    int ranks = 1, nprow = 1, npcol = 1;
    /// A node's transparent huge pages are "always": the pages of K's other triangle, never
    /// written, share 2 MiB pages with the assembled one and become resident with it.
    bool huge_pages_always = false;
};

struct PhaseCost {
    std::string name;        ///< kernel, solve, agop, sqrt, features, predict, analysis
    double flops = 0.0;      ///< total over all ranks, whole run
    double peak_bytes = 0.0; ///< per rank while the phase runs (largest layer), resident data included
};

struct Plan {
    ProblemShape shape;
    std::vector<PhaseCost> phases;
    /// Per rank, in every phase's peak: the process itself before any data (libraries, MPI,
    /// Kokkos), as measured by add_measured_baseline; 0 in a plan from the shape alone.
    double baseline_bytes = 0.0;
    double peak_bytes() const;     ///< max over phases
    double total_flops() const;
    /// Human-readable plan: shape, grid, block size, and a table of work and memory per phase.
    std::string describe(const config::Config& cfg) const;
    /// The table of work and memory per phase and the total (the end of describe()).
    std::string phase_table() const;
    /// Adds the largest resident memory of comm's processes now to every phase's peak
    /// (collective). At small n it is a good part of the peak: about 23 MiB per rank here.
    void add_measured_baseline(const mpi::Comm& comm);
};

/// Input dimension of layer l (1-based): d for the first layer, then the feature width.
std::int64_t layer_input_dim(const config::ModelConfig& model, std::int64_t d, int layer);

Plan make_plan(const config::Config& cfg, const ProblemShape& shape);

/// Largest number of local rows any process holds of a dimension of size n split in blocks of nb
/// over p processes (the block-cyclic numroc maximum).
std::int64_t max_local_extent(std::int64_t n, std::int64_t nb, int p);

}  // namespace drfm::app
