// bench_kernel_picture: the two routes of the kernel picture (methods.md §5.2) side by side on one
// random feature matrix: p×p covariance (one Allreduce of p², local dsyevd) against n×n gram
// (block-cyclic (1/n)FFᵀ, pdsyevd with its residual/orthogonality checks). Prints the seconds of
// each, their ratio and how far the two spectra differ; exits 1 when they disagree.
//
//   mpirun -n 2 bench_kernel_picture [--n 10000] [--p 512] [--classes 10] [--block 64]
//                                    [--repeat 3] [--seed 1]
//
// The data are counter-based (Philox keyed by seed, row, column), so every rank count sees the
// same matrix: F_ij = max(0, z_ij + μ_{c(i) j}) with z, μ standard normal and c(i) = i mod C
// (ReLU features of a C-class mixture), f* = ±1 one-hot of c(i), f = F Aᵀ with A_cj ~ N(0, 1/p).
// The gram route needs about 5 n×n doubles over all ranks at its peak (4 GB at n = 10000).
#include "drfm/analysis/kernel_picture.hpp"
#include "drfm/core/error.hpp"
#include "drfm/core/log.hpp"
#include "drfm/core/random.hpp"
#include "drfm/core/row_partition.hpp"
#include "drfm/core/timer.hpp"
#include "drfm/mpi/environment.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

namespace drfm {
namespace {

/// A stream of the counter-based generator that no part of drfm_hpc draws from.
constexpr std::uint32_t bench_stream = 101;
/// Agreement required of the two routes: ρ relative to ρ_1, Π/Π*/tail_C absolute, d_eff relative.
/// Single Q_k of close eigenvalues may mix more (printed, not judged); their sums Π may not.
constexpr double agreement = 1e-9;

struct Options {
    std::int64_t n = 10000;
    std::int64_t p = 512;
    int classes = 10;
    int block = 64;
    int repeat = 3;
    std::uint64_t seed = 1;
};

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string key = argv[i];
        DRFM_CHECK(i + 1 < argc, ConfigError, "bench_kernel_picture: ", key, " needs a value");
        const long long value = std::atoll(argv[++i]);
        if (key == "--n") o.n = value;
        else if (key == "--p") o.p = value;
        else if (key == "--classes") o.classes = static_cast<int>(value);
        else if (key == "--block") o.block = static_cast<int>(value);
        else if (key == "--repeat") o.repeat = static_cast<int>(value);
        else if (key == "--seed") o.seed = static_cast<std::uint64_t>(value);
        else throw ConfigError("bench_kernel_picture: unknown option " + key +
                               " (--n --p --classes --block --repeat --seed)", __FILE__, __LINE__);
    }
    DRFM_CHECK(o.n >= 1 && o.p >= 1 && o.classes >= 1 && o.block >= 1 && o.repeat >= 1,
               ConfigError, "bench_kernel_picture: n, p, classes, block, repeat must be >= 1");
    return o;
}

/// My rows of F, f* and f under RowPartition(n, ranks).
struct Rows {
    HostMatrix features, targets, predictions;
};

Rows make_rows(const Options& o, const mpi::Comm& comm) {
    const RowPartition part(o.n, comm.size());
    const std::int64_t begin = part.begin(comm.rank()), count = part.count(comm.rank());
    Rows r{make_host_matrix("drfm::bench::features", count, o.p),
           make_host_matrix("drfm::bench::targets", count, o.classes),
           make_host_matrix("drfm::bench::predictions", count, o.classes)};
    for (std::int64_t i = 0; i < count; ++i) {
        const std::int64_t row = begin + i, c = row % o.classes;
        for (std::int64_t j = 0; j < o.p; ++j) {
            const double z = random::normal(o.seed, bench_stream, 0, row, j);
            const double mu = random::normal(o.seed, bench_stream, 1, c, j);
            r.features(i, j) = std::max(0.0, z + mu);
        }
        for (int k = 0; k < o.classes; ++k) r.targets(i, k) = k == c ? 1.0 : -1.0;
    }
    const double scale = 1.0 / std::sqrt(static_cast<double>(o.p));
    for (int k = 0; k < o.classes; ++k) {
        std::vector<double> a(static_cast<size_t>(o.p));
        for (std::int64_t j = 0; j < o.p; ++j)
            a[j] = scale * random::normal(o.seed, bench_stream, 2, k, j);
        for (std::int64_t i = 0; i < count; ++i) {
            double s = 0.0;
            for (std::int64_t j = 0; j < o.p; ++j) s += r.features(i, j) * a[j];
            r.predictions(i, k) = s;
        }
    }
    return r;
}

/// Wall seconds of one route (slowest rank), the spectrum of its last run.
struct Timed {
    double seconds = 0;
    analysis::Spectrum spectrum;
};

Timed time_route(const Rows& rows, analysis::KernelRoute route, int repeat, int block,
                 const dist::BlacsGrid& grid) {
    analysis::KernelPictureOptions options;
    options.route = route;
    options.block_size = block;
    Timed out;
    out.seconds = 1e300;
    for (int t = 0; t < repeat; ++t) {
        grid.comm().barrier();
        Stopwatch watch;
        out.spectrum =
            analysis::kernel_picture(rows.features, rows.targets, rows.predictions, options, grid);
        out.seconds = std::min(out.seconds, grid.comm().max(watch.seconds()));
    }
    return out;
}

double max_abs_diff(const std::vector<double>& a, const std::vector<double>& b) {
    if (a.size() != b.size()) return INFINITY;
    double d = 0.0;
    for (size_t k = 0; k < a.size(); ++k) d = std::max(d, std::abs(a[k] - b[k]));
    return d;
}

/// Prints the differences; true when the spectra agree to `agreement`.
bool compare(const analysis::Spectrum& a, const analysis::Spectrum& b) {
    const double rho1 = a.rho.empty() ? 1.0 : a.rho.front();
    const double d_rho = max_abs_diff(a.rho, b.rho) / rho1;
    const double d_pi = std::max(max_abs_diff(a.pi, b.pi), max_abs_diff(a.pi_star, b.pi_star));
    const double d_q = std::max(max_abs_diff(a.quality, b.quality),
                                max_abs_diff(a.utility, b.utility));
    const double d_eff = std::abs(a.d_eff - b.d_eff) / a.d_eff;
    const double d_tail = std::abs(a.tail_c - b.tail_c);
    log::info() << "  kept eigenvalues: " << a.rho.size() << " (covariance), " << b.rho.size()
                << " (gram); rho_1 = " << rho1 << ", d_eff = " << a.d_eff
                << ", 1 - Pi(C) = " << a.dlr_function;
    log::info() << "  max |d rho|/rho_1 = " << d_rho << ", max |d Pi|, |d Pi*| = " << d_pi
                << ", |d d_eff|/d_eff = " << d_eff << ", |d tail_C| = " << d_tail
                << ", max |d Q_k|, |d Q*_k| = " << d_q << " (not judged)";
    log::info() << "  eigensolve residuals: covariance " << a.eig_residual << ", gram "
                << b.eig_residual;
    return a.rho.size() == b.rho.size() && d_rho <= agreement && d_pi <= agreement &&
           d_eff <= agreement && d_tail <= agreement;
}

int run(int argc, char** argv) {
    const Options o = parse(argc, argv);
    const mpi::Comm world = mpi::Comm::borrow(MPI_COMM_WORLD);
    const dist::BlacsGrid grid = dist::BlacsGrid::near_square(world);
    const Rows rows = make_rows(o, world);
    log::info() << "bench_kernel_picture: n = " << o.n << ", p = " << o.p << ", C = " << o.classes
                << ", " << world.size() << " ranks, grid " << grid.nprow() << "x" << grid.npcol()
                << ", block " << o.block << ", uncentred";

    const Timed cov = time_route(rows, analysis::KernelRoute::covariance, o.repeat, o.block, grid);
    log::info() << "  covariance (p x p) route: " << cov.seconds << " s (best of " << o.repeat
                << ")";
    const Timed gram = time_route(rows, analysis::KernelRoute::gram, 1, o.block, grid);
    log::info() << "  gram (n x n) route:       " << gram.seconds << " s (one run)";
    log::info() << "  ratio gram / covariance:  " << gram.seconds / cov.seconds;
    const bool agree = compare(cov.spectrum, gram.spectrum);
    log::info() << "  spectra " << (agree ? "agree" : "DISAGREE") << " (tolerance " << agreement
                << ")";
    return agree ? 0 : 1;
}

}  // namespace
}  // namespace drfm

int main(int argc, char** argv) {
    drfm::mpi::Environment env(argc, argv);
    try {
        return drfm::run(argc, argv);
    } catch (const drfm::Error& e) {
        // Errors of the routes are collective; a bad option is the same on every rank.
        if (drfm::log::world_rank() == 0) std::cerr << "bench_kernel_picture: " << e.what() << "\n";
        return static_cast<int>(e.exit_code());
    }
}
