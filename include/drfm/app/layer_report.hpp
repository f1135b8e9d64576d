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
#include <vector>

namespace drfm::app {

constexpr int repr_count = 3;  ///< X, MX, PhiMX: the `repr` dimension

/// The analysis of a layer's representations, one entry per position of the `repr` dimension
/// (repr_count for a Deep RFM layer, one for a features-mode snapshot).
struct LayerReport {
    std::vector<analysis::NcMetrics> nc;
    std::vector<double> nc4;
    std::vector<std::array<analysis::Spectrum, 2>> spectra;  ///< [repr][uncentred, centred]
    std::vector<HostMatrix> gram;
};

/// NC metrics, NC4, both kernel pictures and the Gram tiles of each representation in `reprs` (my
/// rows of each, samples as in `train`: class order, train.rows; float ones are read as they are
/// and computed on in float64), with f = `predictions` (my rows × K) as the learned function and its
/// argmax as the predicted class. Collective over
/// grid.comm(); a kernel picture of width p ≥ n takes the n×n route on `grid` with
/// parallel.block_size.
LayerReport analyse_representations(const std::vector<FloatOrDoubleMatrix>& reprs,
                                    const data::Dataset& train, const HostMatrix& predictions,
                                    const config::Config& cfg, const dist::BlacsGrid& grid);

/// analyse_representations of X, MX and PhiMX with the layer's predictor. Collective over the grid
/// (every rank holds its rows of the layer's representations).
LayerReport analyse_layer(const LayerResult& layer, const data::Data& data,
                          const config::Config& cfg, const dist::BlacsGrid& grid);

/// Writes the records of `report` (the /metrics NC datasets, the kernel-picture spectra and the
/// Gram tiles) of layer `layer` (1-based) of run `run`; transfer as write_layer.
void write_representations(const io::ResultsFile& file, std::int64_t run, int layer,
                           const LayerReport& report, io::Transfer transfer);

/// Writes every record of layer `layer` (1-based) of run `run`. Transfer::collective: collective
/// over the file's comm; Transfer::independent: called by one rank alone (a rank group's root).
void write_layer(const io::ResultsFile& file, std::int64_t run, int layer, const LayerResult& result,
                 const LayerReport& report, const PhaseTimes& times,
                 io::Transfer transfer = io::Transfer::collective);

/// Writes the final predictor's records of run `run` (transfer as write_layer).
void write_final(const io::ResultsFile& file, std::int64_t run, const PredictorScores& scores,
                 io::Transfer transfer = io::Transfer::collective);

/// The results layout of a run of `cfg` on data of dimension d and n training samples.
io::ResultsLayout results_layout(const config::Config& cfg, std::int64_t n, std::int64_t d);

}  // namespace drfm::app
