#pragma once
/// @file
/// The analysis of one layer (methods.md §3, §5) and its records in the results file: NC metrics,
/// kernel-picture spectra (uncentred and centred) and Gram tiles of X, MX and PhiMX, the AGOP
/// spectrum, accuracies and per-phase timings (maximum over ranks).
#include "drfm/analysis/kernel_picture.hpp"
#include "drfm/analysis/nc_metrics.hpp"
#include "drfm/app/deep_rfm.hpp"
#include "drfm/io/results_file.hpp"

#include <array>

namespace drfm::app {

constexpr int repr_count = 3;  ///< X, MX, PhiMX: the `repr` dimension

struct LayerReport {
    std::array<analysis::NcMetrics, repr_count> nc;
    std::array<double, repr_count> nc4{};
    std::array<std::array<analysis::Spectrum, 2>, repr_count> spectra;  ///< [repr][uncentred, centred]
    std::array<HostMatrix, repr_count> gram;
};

/// Collective over comm (every rank holds its rows of the layer's representations).
LayerReport analyse_layer(const LayerResult& layer, const data::Data& data,
                          const config::Config& cfg, const mpi::Comm& comm);

/// Writes every record of layer `layer` (1-based) of run `run`. Transfer::collective: collective
/// over the file's comm; Transfer::independent: called by one rank alone (a rank group's root).
void write_layer(const io::ResultsFile& file, std::int64_t run, int layer, const LayerResult& result,
                 const LayerReport& report, const PhaseTimes& times,
                 io::Transfer transfer = io::Transfer::collective);

/// The results layout of a run of `cfg` on data of dimension d and n training samples.
io::ResultsLayout results_layout(const config::Config& cfg, std::int64_t n, std::int64_t d);

}  // namespace drfm::app
