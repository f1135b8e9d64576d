#include "drfm/app/run.hpp"

#include "drfm/app/deep_rfm.hpp"
#include "drfm/app/layer_report.hpp"
#include "drfm/core/log.hpp"
#include "drfm/core/timer.hpp"
#include "drfm/data/dataset.hpp"
#include "drfm/dist/blacs_grid.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace drfm::app {
namespace {

dist::GridShape grid_shape(const config::Config& cfg, int ranks) {
    if (cfg.parallel.grid) return {cfg.parallel.grid->first, cfg.parallel.grid->second};
    return dist::BlacsGrid::near_square_shape(ranks);
}

/// MemAvailable of this node in bytes (0 when /proc/meminfo is unreadable).
double node_available_bytes() {
    std::ifstream meminfo("/proc/meminfo");
    std::string key;
    double kib = 0.0;
    std::string unit;
    while (meminfo >> key >> kib >> unit)
        if (key == "MemAvailable:") return kib * 1024.0;
    return 0.0;
}

std::string gib(double bytes) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f GiB", bytes / (1024.0 * 1024.0 * 1024.0));
    return buf;
}

std::string layer_line(int layer, const LayerResult& r, const LayerReport& rep, const PhaseTimes& t) {
    char buf[256];
    double total = 0.0;
    for (double s : t.seconds) total += s;
    std::snprintf(buf, sizeof buf,
                  "%5d  %9.4f %9.4f  %10.3e %10.3e %10.3e  %7.2f %7.2f %7.2f %6.2f %7.2f %7.2f %7.2f  %7.2f",
                  layer, r.train.accuracy, r.test.accuracy, rep.nc[0].nc1, rep.nc[1].nc1, rep.nc[2].nc1,
                  t.seconds[0], t.seconds[1], t.seconds[2], t.seconds[3], t.seconds[4], t.seconds[5],
                  t.seconds[6], total);
    return buf;
}

}  // namespace

ProblemShape problem_shape(const config::Config& cfg, const mpi::Comm& comm) {
    const data::DataShape shape = data::read_shape(cfg.data, comm);
    DRFM_CHECK(cfg.data.n_train <= shape.n_train_available, InputDataError, cfg.data.path,
               ": data.n_train = ", cfg.data.n_train, " but the training data has only ",
               shape.n_train_available, " samples; lower data.n_train");
    DRFM_CHECK(cfg.data.n_test <= shape.n_test_available, InputDataError, cfg.data.path,
               ": data.n_test = ", cfg.data.n_test, " but the test data has only ",
               shape.n_test_available, " samples; lower data.n_test");
    ProblemShape s;
    s.n = data::subset_size(cfg.data.n_train, cfg.data.subset, shape.classes);
    s.n_test = cfg.data.n_test;
    s.d = shape.d;
    s.classes = shape.classes;
    s.ranks = comm.size();
    const dist::GridShape g = grid_shape(cfg, comm.size());
    s.nprow = g.rows;
    s.npcol = g.cols;
    return s;
}

std::string check_memory(const Plan& plan, const mpi::Comm& comm) {
    MPI_Comm node_handle = MPI_COMM_NULL;
    DRFM_MPI(MPI_Comm_split_type(comm.get(), MPI_COMM_TYPE_SHARED, comm.rank(), MPI_INFO_NULL, &node_handle));
    const mpi::Comm node = mpi::Comm::own(node_handle);
    const double need = plan.peak_bytes() * node.size();
    const double have = node_available_bytes();
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

void run_deep_rfm(const config::Config& cfg, const mpi::Comm& comm) {
    Stopwatch wall;
    const Plan plan = make_plan(cfg, problem_shape(cfg, comm));
    log::info() << plan.describe(cfg);
    log::info() << check_memory(plan, comm);

    const dist::GridShape shape = grid_shape(cfg, comm.size());
    dist::BlacsGrid grid(comm, shape.rows, shape.cols);
    data::Data data = data::load_data(cfg.data, comm);
    log::info() << "data: " << data.description;

    io::ResultsFile results = io::ResultsFile::create(
        comm, cfg.output.path, cfg.output.overwrite, results_layout(cfg, data.train.n, data.train.d),
        {cfg.resolved_toml, std::to_string(shape.rows) + "x" + std::to_string(shape.cols) + " column-major"});
    log::info() << "results: " << cfg.output.path;
    log::info() << "layer  train_acc  test_acc     nc1(X)    nc1(MX) nc1(PhiMX)   kernel   solve    agop   sqrt"
                   " features predict analysis  total [s]";

    const WeightsFactory weights = default_weights(cfg.model);
    HostMatrix x = data.train.x, x_test = data.test.x;
    for (int layer = 1; layer <= cfg.model.depth; ++layer) {
        PhaseTimes times;
        LayerResult result = run_layer(layer, x, x_test, data, cfg, grid, weights, times);
        Stopwatch analysis_watch;
        const LayerReport report = analyse_layer(result, data, cfg, comm);
        times[Phase::analysis] += analysis_watch.seconds();
        comm.allreduce_max(times.seconds, static_cast<std::int64_t>(Phase::count));
        write_layer(results, 0, layer, result, report, times);
        log::info() << layer_line(layer, result, report, times);
        x = result.phi;
        x_test = result.phi_test;
    }
    results.set_status(0, io::RunStatus::done);
    results.close();
    char elapsed[32];
    std::snprintf(elapsed, sizeof elapsed, "%.1f", wall.seconds());
    log::info() << "done in " << elapsed << " s; results in " << cfg.output.path
                << " (plots: /usr/bin/python3 tools/plot_results.py " << cfg.output.path << ")";
}

}  // namespace drfm::app
