#include "drfm/app/run.hpp"

#include "drfm/app/deep_rfm.hpp"
#include "drfm/app/layer_report.hpp"
#include "drfm/core/system_memory.hpp"
#include "drfm/core/timer.hpp"
#include "drfm/data/dataset.hpp"
#include "drfm/dist/blacs_grid.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <utility>

namespace drfm::app {

/// parallel.grid, or the near-square default. Checked here (every rank decides the same) so that
/// --dry-run refuses a grid that does not fit the ranks too, with one message.
dist::GridShape grid_shape(const config::Config& cfg, int ranks) {
    if (!cfg.parallel.grid) return dist::BlacsGrid::near_square_shape(ranks);
    const auto [rows, cols] = *cfg.parallel.grid;
    const std::int64_t needed = std::int64_t{rows} * cols;
    if (needed != ranks) {
        throw collective(ConfigError(detail::concat(
            "parallel.grid = \"", rows, "x", cols, "\" needs ", needed, " ranks, but the job has ",
            ranks, ": start ", needed, " ranks, set parallel.grid to \"PxQ\" with P*Q = ", ranks,
            ", or leave it out for the near-square default"), __FILE__, __LINE__));
    }
    return {rows, cols};
}

namespace {

/// Where the test split comes from: the IDX folder, or the csv/hdf5 test file.
const std::string& test_file(const config::DataConfig& data) {
    return data.source == config::DataSource::idx ? data.path : data.test_path;
}

std::string gib(double bytes) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f GiB", bytes / (1024.0 * 1024.0 * 1024.0));
    return buf;
}

}  // namespace

ProblemShape problem_shape(const config::Config& cfg, const mpi::Comm& comm) {
    const data::DataShape shape = data::read_shape(cfg.data, comm);
    // Same words as the data stage (data::select_subset), and printed once: every rank agrees.
    mpi::collective(comm, [&] {
        DRFM_CHECK(cfg.data.n_train <= shape.n_train_available, InputDataError, cfg.data.path,
                   ": data.n_train = ", cfg.data.n_train, " but the file has ",
                   shape.n_train_available, " samples; lower data.n_train to at most ",
                   shape.n_train_available);
        DRFM_CHECK(cfg.data.n_test <= shape.n_test_available, InputDataError, test_file(cfg.data),
                   ": data.n_test = ", cfg.data.n_test, " but the test file has ",
                   shape.n_test_available, " samples; lower data.n_test to at most ",
                   shape.n_test_available);
    });
    ProblemShape s;
    s.n = data::subset_size(cfg.data.n_train, cfg.data.subset, shape.classes);
    s.n_test = cfg.data.n_test;
    s.d = shape.d;
    s.classes = shape.classes;
    s.ranks = comm.size();
    const dist::GridShape g = grid_shape(cfg, comm.size());
    s.nprow = g.rows;
    s.npcol = g.cols;
    s.huge_pages_always = comm.max(system_memory::huge_pages_always() ? 1 : 0) == 1;
    return s;
}

std::string check_memory(const Plan& plan, const mpi::Comm& comm) {
    MPI_Comm node_handle = MPI_COMM_NULL;
    DRFM_MPI(MPI_Comm_split_type(comm.get(), MPI_COMM_TYPE_SHARED, comm.rank(), MPI_INFO_NULL, &node_handle));
    const mpi::Comm node = mpi::Comm::own(node_handle);
    const double need = plan.peak_bytes() * node.size();
    const double have = system_memory::node_available_bytes();
    // The tightest node decides; every rank learns the same verdict.
    const double worst = comm.max(have > 0.0 ? need / have : 0.0);
    std::ostringstream os;
    os << "memory: peak " << gib(plan.peak_bytes()) << " per rank x " << node.size()
       << " ranks on this node = " << gib(need) << " of " << gib(have) << " available";
    if (worst > 0.9) {
        throw collective(ResourceError(os.str() + detail::concat(
            ": the plan needs ", static_cast<int>(worst * 100), "% of a node's available memory (limit 90%). "
            "Use more nodes (ranks spread over more memory), fewer ranks per node, or lower data.n_train")));
    }
    return os.str();
}

std::string report_peak_memory(double planned_peak_bytes, const mpi::Comm& comm) {
    const double peak = comm.max(system_memory::peak_resident_bytes());
    return "memory: peak " + system_memory::format_bytes(peak) + " per rank (largest of " +
           std::to_string(comm.size()) + (comm.size() == 1 ? " rank" : " ranks") + "), planned " +
           system_memory::format_bytes(planned_peak_bytes);
}

bool run_layers(const config::Config& cfg, const data::Data& data, const dist::BlacsGrid& grid,
                const io::ResultsFile& results, std::int64_t run, LayerObserver& observer,
                LayerStart start) {
    const mpi::Comm& comm = grid.comm();
    const WeightsFactory weights = default_weights(cfg.model);
    // Copies in the features' scalar: run_layer row-normalises its input in place, and a scan
    // keeps the data for its next run. A checkpoint's features (float64 in the file) are not
    // kept beside their copy.
    const bool from_data = start.layer == 1;
    FloatOrDoubleMatrix x = feature_copy(cfg.model, from_data ? data.train.x : start.x,
                                         "drfm::app::layer_input");
    FloatOrDoubleMatrix x_test = feature_copy(cfg.model, from_data ? data.test.x : start.x_test,
                                              "drfm::app::layer_input");
    start.x = HostMatrix();
    start.x_test = HostMatrix();
    KernelStorage kernel_storage(cfg, data.train.n, grid);
    for (int layer = start.layer; layer <= cfg.model.depth; ++layer) {
        if (!observer.proceed(layer)) return false;
        PhaseTimes times;
        // The test input is done with once the layer has its test features: not resident
        // through the analysis.
        LayerResult result = run_layer(layer, x, std::exchange(x_test, {}), data, cfg,
                                       kernel_storage, weights, times);
        Stopwatch analysis_watch;
        const LayerReport report = analyse_layer(result, data, cfg, grid);
        times[Phase::analysis] += analysis_watch.seconds();
        comm.allreduce_max(times.seconds, static_cast<std::int64_t>(Phase::count));
        // Every record is replicated after the reductions: the grid's root writes them alone,
        // so rank groups never share a collective call on the file.
        if (comm.is_root())
            write_layer(results, run, layer, result, report, times, io::Transfer::independent);
        observer.finished(layer, result, report, times);
        x = result.phi;
        x_test = result.phi_test;
    }
    if (cfg.model.final_predictor == config::FinalPredictor::krr) {
        PhaseTimes times;
        Stopwatch watch;
        const PredictorScores scores = final_predictor(x, x_test, data, cfg, kernel_storage, times);
        if (comm.is_root()) write_final(results, run, scores, io::Transfer::independent);
        observer.finished_final(scores, watch.seconds());
    }
    return true;
}

}  // namespace drfm::app
