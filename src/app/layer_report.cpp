#include "drfm/app/layer_report.hpp"

#include "drfm/analysis/gram.hpp"
#include "drfm/app/plan.hpp"
#include "drfm/solve/krr.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace drfm::app {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

/// `values` padded with NaN (or cut) to length k.
std::vector<double> padded(std::vector<double> values, std::int64_t k) {
    values.resize(static_cast<size_t>(k), nan);
    return values;
}

}  // namespace

io::ResultsLayout results_layout(const config::Config& cfg, std::int64_t n, std::int64_t d) {
    io::ResultsLayout layout;
    layout.depth = cfg.model.depth;
    std::int64_t widest = 0;
    for (int l = 1; l <= cfg.model.depth + 1; ++l)
        widest = std::max(widest, layer_input_dim(cfg.model, d, l));
    layout.max_k = std::max<std::int64_t>(std::min(widest, n), cfg.analysis.kernel_eigs ? cfg.analysis.kernel_eigs_k : 0);
    layout.max_k = std::max(layout.max_k, widest);  // the AGOP spectrum has d_l entries
    layout.picture_size = std::min<std::int64_t>(cfg.analysis.gram_tile, n);
    layout.phases = phase_names();
    return layout;
}

LayerReport analyse_representations(const std::vector<FloatOrDoubleMatrix>& reprs,
                                    const data::Dataset& train, const HostMatrix& predictions,
                                    const config::Config& cfg, const dist::BlacsGrid& grid) {
    const mpi::Comm& comm = grid.comm();
    const int rank = comm.rank(), classes = train.classes;
    const std::vector<int> labels = data::local_labels(train, comm);
    const std::vector<int> predicted = solve::argmax_rows(predictions);
    const HostMatrix targets = data::signed_one_hot(train, comm);  // f* of the kernel picture

    LayerReport report;
    const std::size_t count = reprs.size();
    report.nc.resize(count);
    report.nc4.resize(count);
    report.spectra.resize(count);
    report.gram.resize(count);
    for (std::size_t r = 0; r < count; ++r) {
        reprs[r].visit([&](const auto& rows) {
            report.nc[r] = analysis::nc_metrics(rows, labels, classes, comm);
            report.nc4[r] = analysis::nc4(rows, labels, predicted, classes, comm);
            for (int centred = 0; centred < 2; ++centred)
                report.spectra[r][centred] = analysis::kernel_picture(
                    rows, targets, predictions,
                    {centred == 1, analysis::KernelRoute::automatic, cfg.parallel.block_size}, grid);
            report.gram[r] = analysis::gram_tiles(rows, train.n, train.rows.begin(rank),
                                                  cfg.analysis.gram_tile, comm);
        });
    }
    return report;
}

LayerReport analyse_layer(const LayerResult& layer, const data::Data& data,
                          const config::Config& cfg, const dist::BlacsGrid& grid) {
    return analyse_representations({layer.x, layer.mx, layer.phi}, data.train,
                                   layer.train_predictions, cfg, grid);
}

void write_representations(const io::ResultsFile& file, std::int64_t run, int layer,
                           const LayerReport& report, io::Transfer transfer) {
    const std::int64_t l = layer - 1, k = file.layout().max_k;
    const auto count = static_cast<std::int64_t>(report.nc.size());
    auto put = [&](const std::string& path, const std::vector<std::int64_t>& index,
                   const std::vector<double>& values) {
        file.write_record(path, index, values, transfer);
    };
    auto per_repr = [&](auto field) {
        std::vector<double> v(static_cast<std::size_t>(count));
        for (std::int64_t r = 0; r < count; ++r) v[r] = field(r);
        return v;
    };
    put("/metrics/nc1", {run, l}, per_repr([&](auto r) { return report.nc[r].nc1; }));
    put("/metrics/nc1_code", {run, l}, per_repr([&](auto r) { return report.nc[r].nc1_code; }));
    put("/metrics/nc1_papyan", {run, l}, per_repr([&](auto r) { return report.nc[r].nc1_papyan; }));
    put("/metrics/nc2", {run, l}, per_repr([&](auto r) { return report.nc[r].nc2; }));
    put("/metrics/nc2_fro", {run, l}, per_repr([&](auto r) { return report.nc[r].nc2_fro; }));
    put("/metrics/nc4", {run, l}, per_repr([&](auto r) { return report.nc4[r]; }));
    for (std::int64_t r = 0; r < count; ++r) {
        for (std::int64_t c = 0; c < 2; ++c) {
            const analysis::Spectrum& s = report.spectra[r][c];
            const std::vector<std::int64_t> at{run, l, r, c};
            put("/spectra/rho", at, padded(s.rho, k));
            put("/spectra/quality", at, padded(s.quality, k));
            put("/spectra/utility", at, padded(s.utility, k));
            put("/spectra/pi", at, padded(s.pi, k));
            put("/spectra/pi_star", at, padded(s.pi_star, k));
            put("/spectra/d_eff", at, {s.d_eff});
            put("/spectra/tail_c", at, {s.tail_c});
            put("/spectra/k_tau90", at, {s.k_90 < 0 ? nan : s.k_90});
            put("/spectra/k_tau99", at, {s.k_99 < 0 ? nan : s.k_99});
            put("/spectra/dlr_function", at, {s.dlr_function});
            put("/spectra/dlr_spectral", at, {s.dlr_spectral});
        }
        const HostMatrix& g = report.gram[r];
        const std::int64_t t = file.layout().picture_size;
        std::vector<double> tiles(static_cast<size_t>(t * t), nan);
        for (std::int64_t i = 0; i < std::min<std::int64_t>(t, g.extent(0)); ++i)
            for (std::int64_t j = 0; j < std::min<std::int64_t>(t, g.extent(1)); ++j) tiles[i * t + j] = g(i, j);
        put("/pictures/gram", {run, l, r}, tiles);
    }
}

void write_layer(const io::ResultsFile& file, std::int64_t run, int layer, const LayerResult& result,
                 const LayerReport& report, const PhaseTimes& times, io::Transfer transfer) {
    const std::int64_t l = layer - 1, k = file.layout().max_k;
    auto put = [&](const std::string& path, const std::vector<std::int64_t>& index,
                   const std::vector<double>& values) {
        file.write_record(path, index, values, transfer);
    };
    write_representations(file, run, layer, report, transfer);
    put("/metrics/accuracy", {run, l}, {result.train.accuracy, result.test.accuracy});
    put("/metrics/mse", {run, l}, {result.train.mse, result.test.mse});
    put("/spectra/agop", {run, l}, padded(result.feature_matrix.eigenvalues, k));
    put("/spectra/kernel", {run, l}, padded(result.kernel_eigenvalues, k));
    put("/timings/seconds", {run, l},
                      std::vector<double>(std::begin(times.seconds), std::end(times.seconds)));
}

void write_final(const io::ResultsFile& file, std::int64_t run, const PredictorScores& scores,
                 io::Transfer transfer) {
    file.write_record("/metrics/final_accuracy", {run}, {scores.train.accuracy, scores.test.accuracy},
                      transfer);
    file.write_record("/metrics/final_mse", {run}, {scores.train.mse, scores.test.mse}, transfer);
}

}  // namespace drfm::app
