#include "drfm/app/deep_rfm.hpp"

#include "drfm/agop/agop.hpp"
#include "drfm/core/blas.hpp"
#include "drfm/core/timer.hpp"
#include "drfm/dist/eigh.hpp"
#include "drfm/dist/linalg.hpp"
#include "drfm/kernel/kernel_matrix.hpp"

#include <algorithm>

namespace drfm::app {
namespace {

/// Runs `fn` and adds its wall time to `phase`.
template <class Fn>
auto timed(PhaseTimes& times, Phase phase, Fn&& fn) {
    Stopwatch watch;
    if constexpr (std::is_void_v<decltype(fn())>) {
        fn();
        times[phase] += watch.seconds();
    } else {
        auto result = fn();
        times[phase] += watch.seconds();
        return result;
    }
}

/// AGOP in the original coordinates from Â in the kernel's (x̂ = x S): S Â S, or s²⊙â if diagonal.
HostMatrix sandwich(const HostMatrix& hat, const HostMatrix& s) {
    const std::int64_t d = hat.extent(0);
    if (hat.extent(1) == 1 && d != 1) {
        HostMatrix out = make_host_matrix("drfm::app::agop_diag", d, 1);
        for (std::int64_t j = 0; j < d; ++j) out(j, 0) = s(j, 0) * s(j, 0) * hat(j, 0);
        return out;
    }
    HostMatrix tmp = make_host_matrix("drfm::app::agop_tmp", d, d);
    HostMatrix out = make_host_matrix("drfm::app::agop", d, d);
    blas::gemm(blas::Op::none, blas::Op::none, 1.0, s, hat, 0.0, tmp);
    blas::gemm(blas::Op::none, blas::Op::none, 1.0, tmp, s, 0.0, out);
    return out;
}

/// Training predictions from the solve itself: (K + λI)α = Y gives f = Kα = Y − λα.
HostMatrix train_predictions(const HostMatrix& alpha, double ridge, const data::Dataset& train,
                             int rank) {
    const std::int64_t begin = train.rows.begin(rank), count = train.rows.count(rank);
    const std::int64_t classes = alpha.extent(1);
    HostMatrix f = make_host_matrix("drfm::app::train_predictions", count, classes);
    const double lambda = ridge > 0.0 ? ridge : 0.0;
    for (std::int64_t c = 0; c < classes; ++c)
        for (std::int64_t i = 0; i < count; ++i)
            f(i, c) = solve::signed_target(train.labels[begin + i], static_cast<int>(c)) -
                      lambda * alpha(begin + i, c);
    return f;
}

}  // namespace

std::vector<std::string> phase_names() {
    return {"kernel", "solve", "agop", "sqrt", "features", "predict", "analysis"};
}

solve::Score score_rows(const HostMatrix& f, const data::Dataset& split, const mpi::Comm& comm) {
    double sums[2] = {0.0, 0.0};
    solve::add_to_score(f, data::local_labels(split, comm), sums[0], sums[1]);
    comm.allreduce_sum(sums, 2);
    const auto n = static_cast<double>(split.n);
    return {sums[0] / n, sums[1] / (n * split.classes)};
}

WeightsFactory default_weights(const config::ModelConfig& model) {
    return [model](int layer, std::int64_t d) { return features::make_weights(model, layer, d); };
}

namespace {

/// A kernel ridge predictor: the grid points of its kernel matrix and its n×c coefficients.
struct FittedKrr {
    kernel::GridPoints points;
    HostMatrix alpha;
};

/// Fits the KRR of `kf` on my rows `coords` (the kernel's coordinates): kernel → solve, in the
/// run's kernel matrix `k`. A solver failure is re-thrown with `context` (which layer, which fit)
/// in front.
FittedKrr fit_krr(const kernel::KernelFunction& kf, const HostMatrix& coords, const data::Data& data,
                  const config::Config& cfg, dist::DistMatrix& k, PhaseTimes& times,
                  const std::string& context) {
    const dist::BlacsGrid& grid = k.grid();
    DRFM_CHECK(k.rows() == data.train.n && k.cols() == data.train.n, Error,
               "fit_krr: the kernel storage is ", k.rows(), "x", k.cols(), ", not n x n with n = ",
               data.train.n);
    FittedKrr fit;
    // The Cholesky solve reads one triangle, so only that one is assembled (and ever resident).
    // The first fit of a run first-touches it: part of assembling it.
    timed(times, Phase::kernel, [&] {
        fit.points = kernel::gather_grid_points(grid.comm(), data.train.rows, coords,
                                                k.distribution());
        if (cfg.model.ridge > 0.0)
            kernel::assemble_triangle(kf, fit.points, cfg.model.ridge,
                                      dist::cholesky_triangle(grid), k);
        else kernel::assemble(kf, fit.points, 0.0, k);
    });
    try {
        fit.alpha = timed(times, Phase::solve, [&] {
            return solve::fit(k, cfg.model.ridge, data.train.labels, data.train.classes);
        });
    } catch (const Error& e) {
        throw collective(NumericalError(context + ": " + e.what(), e.file(), e.line()));
    }
    return fit;
}

/// Scores of a fitted predictor on both splits. `x_test`: my test rows; `sqrt`: the S of the
/// predictor's kernel coordinates x S (empty for M = I).
PredictorScores score_krr(const kernel::KernelFunction& kf, const FittedKrr& fit,
                          const HostMatrix& x_test, const HostMatrix& sqrt,
                          const data::Data& data, const config::Config& cfg,
                          const dist::BlacsGrid& grid, PhaseTimes& times) {
    const mpi::Comm& comm = grid.comm();
    const std::int64_t n = data.train.n;
    const int block = cfg.parallel.block_size;
    PredictorScores out;
    out.train_predictions = train_predictions(fit.alpha, cfg.model.ridge, data.train, comm.rank());
    out.train = score_rows(out.train_predictions, data.train, comm);
    if (data.test.n > 0) {
        out.test = timed(times, Phase::predict, [&] {
            const HostMatrix test_coords = sqrt.size() > 0 ? agop::transform(x_test, sqrt) : x_test;
            const dist::Distribution test_layout({data.test.n, n}, {block, block}, grid.shape(), grid.coord());
            auto cross = kernel::gather_cross_points(comm, data.test.rows, test_coords, test_layout, fit.points);
            return solve::predict_and_score(kf, cross, fit.alpha, data.test.labels, grid);
        });
    }
    return out;
}

std::string iteration_context(int layer, int t) {
    return detail::concat("layer ", layer, ", RFM iteration ", t + 1);
}

}  // namespace

dist::DistMatrix make_kernel_storage(const config::Config& cfg, std::int64_t n,
                                     const dist::BlacsGrid& grid) {
    const int block = cfg.parallel.block_size;
    return dist::DistMatrix(grid, {n, n}, {block, block}, dist::Fill::none);
}

LayerResult run_layer(int layer, HostMatrix x, HostMatrix x_test, const data::Data& data,
                      const config::Config& cfg, dist::DistMatrix& kernel_storage,
                      const WeightsFactory& weights, PhaseTimes& times) {
    const dist::BlacsGrid& grid = kernel_storage.grid();
    const config::ModelConfig& model = cfg.model;
    const mpi::Comm& comm = grid.comm();
    const std::int64_t n = data.train.n, d = x.extent(1);
    const kernel::KernelFunction kf = kernel::KernelFunction::from(model);
    const bool diagonal = model.agop == config::AgopKind::diag;

    timed(times, Phase::features, [&] {
        features::normalise_rows(x);
        features::normalise_rows(x_test);
    });
    LayerResult out;
    out.x = x;
    agop::FeatureMatrix fm = agop::identity_feature_matrix(d, diagonal);
    FittedKrr fit;
    HostMatrix kernel_coords = x;     // x S of the current M (x itself for M_0 = I)
    HostMatrix predictor_sqrt;        // S of the kernel of the last fit; empty for M_0 = I
    for (int t = 0; t < model.rfm_iters; ++t) {
        if (t > 0) {
            predictor_sqrt = fm.sqrt_m;
            kernel_coords = timed(times, Phase::sqrt, [&] { return agop::transform(x, predictor_sqrt); });
        }
        fit = fit_krr(kf, kernel_coords, data, cfg, kernel_storage, times,
                      iteration_context(layer, t));
        const HostMatrix hat = timed(times, Phase::agop, [&] {
            agop::AgopInput in{fit.points, fit.alpha, n};
            return agop::agop(kf, in, {model.agop, model.centering, 256}, grid.row_comm(), comm);
        });
        timed(times, Phase::sqrt, [&] {
            out.raw_agop = sandwich(hat, fm.sqrt_m);
            fm = agop::normalise_and_sqrt(out.raw_agop);
        });
    }
    if (cfg.analysis.kernel_eigs && model.rfm_iters > 0) {
        timed(times, Phase::analysis, [&] {
            // The fit's factor is no longer needed: its storage takes the whole kernel matrix.
            kernel::assemble(kf, fit.points, 0.0, kernel_storage);
            auto eig = dist::eigh_top(kernel_storage,
                                      std::min<std::int64_t>(cfg.analysis.kernel_eigs_k, n));
            out.kernel_eigenvalues.assign(eig.values.rbegin(), eig.values.rend());
        });
    }

    // The layer's predictor f_{T−1} on both splits (its kernel coordinates are those of `fit`).
    out.alpha = fit.alpha;
    static_cast<PredictorScores&>(out) =
        score_krr(kf, fit, x_test, predictor_sqrt, data, cfg, grid, times);

    out.feature_matrix = fm;
    timed(times, Phase::features, [&] {
        out.mx = agop::transform(x, fm.sqrt_m);
        const features::FeatureWeights w = weights(layer, d);
        out.phi = features::apply(w, out.mx);
        out.phi_test = features::apply(w, agop::transform(x_test, fm.sqrt_m));
    });
    return out;
}

PredictorScores final_predictor(HostMatrix x, HostMatrix x_test, const data::Data& data,
                                const config::Config& cfg, dist::DistMatrix& kernel_storage,
                                PhaseTimes& times) {
    const dist::BlacsGrid& grid = kernel_storage.grid();
    timed(times, Phase::features, [&] {
        features::normalise_rows(x);
        features::normalise_rows(x_test);
    });
    const kernel::KernelFunction kf = kernel::KernelFunction::from(cfg.model);
    const FittedKrr fit = fit_krr(kf, x, data, cfg, kernel_storage, times, "final predictor");
    return score_krr(kf, fit, x_test, HostMatrix(), data, cfg, grid, times);
}

}  // namespace drfm::app
