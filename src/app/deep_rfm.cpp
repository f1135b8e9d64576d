#include "drfm/app/deep_rfm.hpp"

#include "drfm/agop/agop.hpp"
#include "drfm/core/blas.hpp"
#include "drfm/core/timer.hpp"
#include "drfm/dist/eigh.hpp"
#include "drfm/dist/linalg.hpp"
#include "drfm/kernel/kernel_matrix.hpp"

#include "drfm/core/log.hpp"

#include <algorithm>
#include <cmath>
#include <type_traits>

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

/// The scalars of model.precision (docs/methods.md, "Precision"): T for the kernel tiles, the
/// solve and the AGOP's GEMMs; Sum for adding up the AGOP; F for the features X_l, X_l S_l and
/// Φ and their GEMMs; `refined`: a float factorisation refined to float64 accuracy
/// (solve::fit_refined) instead of a plain solve in T.
template <class Kernel, class Summed, class Features, bool Refined>
struct Precision {
    using T = Kernel;
    using Sum = Summed;
    using F = Features;
    static constexpr bool refined = Refined;
};
using Float64 = Precision<double, double, double, false>;
using Float32 = Precision<float, float, float, false>;
using Mixed = Precision<float, double, double, true>;

/// f(Precision type of cfg.model.precision).
template <class F>
decltype(auto) with_precision(const config::ModelConfig& model, F&& f) {
    switch (model.precision) {
        case config::Precision::float32: return f(Float32());
        case config::Precision::mixed: return f(Mixed());
        case config::Precision::float64: break;
    }
    return f(Float64());
}

/// A kernel ridge predictor: the grid points of its kernel matrix and its n×c coefficients.
template <class T>
struct FittedKrr {
    kernel::BasicGridPoints<T> points;
    HostMatrix alpha;
};

/// fn(), with an error it throws re-thrown (on every rank) as a NumericalError with `context`
/// (which layer, which fit) in front.
template <class Fn>
decltype(auto) in_context(const std::string& context, Fn&& fn) {
    try {
        return fn();
    } catch (const Error& e) {
        throw collective(NumericalError(context + ": " + e.what(), e.file(), e.line()));
    }
}

/// Fits the KRR of `kf` on my rows `coords` (the kernel's coordinates, rounded to T here):
/// kernel → solve, in the run's kernel matrix. A solver failure is re-thrown with `context`
/// (which layer, which fit) in front.
template <class P, class T = typename P::T>
FittedKrr<T> fit_krr(const kernel::KernelFunction& kf, const HostMatrixOf<typename P::F>& coords,
                     const data::Data& data, const config::Config& cfg, KernelStorage& storage,
                     PhaseTimes& times, const std::string& context) {
    dist::BasicDistMatrix<T>& k = storage.template matrix<T>();
    const dist::BlacsGrid& grid = k.grid();
    DRFM_CHECK(k.rows() == data.train.n && k.cols() == data.train.n, Error,
               "fit_krr: the kernel storage is ", k.rows(), "x", k.cols(), ", not n x n with n = ",
               data.train.n);
    FittedKrr<T> fit;
    // A Cholesky solve reads one triangle, so only that one is assembled (and ever resident); the
    // refined solve reads the other one too. The first fit of a run first-touches it: part of
    // assembling it.
    timed(times, Phase::kernel, [&] {
        fit.points = kernel::gather_grid_points(grid.comm(), data.train.rows,
                                                in_precision<T>(coords, "drfm::app::kernel_coords"),
                                                k.distribution());
        if (cfg.model.ridge > 0.0 && !P::refined)
            kernel::assemble_triangle(kf, fit.points, cfg.model.ridge,
                                      dist::cholesky_triangle(grid), k);
        else kernel::assemble(kf, fit.points, std::max(cfg.model.ridge, 0.0), k);
    });
    fit.alpha = in_context(context, [&] {
        return timed(times, Phase::solve, [&] {
            if constexpr (P::refined) {
                solve::RefinedFit refined = solve::fit_refined(k, cfg.model.ridge, data.train.labels,
                                                               data.train.classes);
                if (refined.fell_back)
                    log::info() << context << ": mixed solve: float32 refinement did not converge "
                                << "(backward error " << refined.backward_error << " after "
                                << refined.steps << " steps); solved in float64";
                else
                    log::info() << context << ": mixed solve: float32 Cholesky + " << refined.steps
                                << " refinement steps, backward error " << refined.backward_error;
                return refined.alpha;
            } else {
                return solve::fit(k, cfg.model.ridge, data.train.labels, data.train.classes);
            }
        });
    });
    return fit;
}

/// Scores of a fitted predictor on both splits. `x_test`: my test rows; `sqrt`: the S of the
/// predictor's kernel coordinates x S (empty for M = I).
template <class T, class F>
PredictorScores score_krr(const kernel::KernelFunction& kf, const FittedKrr<T>& fit,
                          const HostMatrixOf<F>& x_test, const HostMatrixOf<F>& sqrt,
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
            const HostMatrixOf<T> test_coords = in_precision<T>(
                sqrt.size() > 0 ? agop::transform(x_test, sqrt) : x_test, "drfm::app::test_coords");
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

/// Top-k eigenvalues of the layer's kernel matrix K(X_l, X_l), descending, in float64 (the
/// kernel picture is float64 in every precision): in the run's storage when it is float64 (the
/// fit's factor is no longer needed), else in a float64 matrix of its own while they are computed.
template <class T>
std::vector<double> kernel_eigenvalues(const kernel::KernelFunction& kf, const FittedKrr<T>& fit,
                                       std::int64_t k, KernelStorage& storage) {
    auto top = [&](dist::DistMatrix& matrix, const kernel::GridPoints& points) {
        kernel::assemble(kf, points, 0.0, matrix);
        auto eig = dist::eigh_top(matrix, std::min<std::int64_t>(k, matrix.rows()));
        return std::vector<double>(eig.values.rbegin(), eig.values.rend());
    };
    if constexpr (std::is_same_v<T, double>) {
        return top(storage.matrix<double>(), fit.points);
    } else {
        const dist::DistMatrixF& run = storage.matrix<float>();
        dist::DistMatrix wide(run.grid(), run.size(), run.distribution().block(), dist::Fill::none);
        return top(wide, kernel::in_precision<double>(fit.points));
    }
}

/// My rows `m` of a layer's input, normalised in place (methods.md §1 step 6), in scalar F.
/// @pre m is in F (feature_copy)
template <class F>
HostMatrixOf<F> normalised_input(const FloatOrDoubleMatrix& m) {
    DRFM_CHECK(m.is_float() == (std::is_same_v<F, float>), Error,
               "run_layer: a layer's input is not in the features' scalar of model.precision "
               "(app::feature_copy)");
    const HostMatrixOf<F> x = m.in<F>("drfm::app::layer_input");  // m itself
    features::normalise_rows(x);
    return x;
}

template <class P>
LayerResult run_layer_in(int layer, const FloatOrDoubleMatrix& x_in,
                         const FloatOrDoubleMatrix& x_test_in, const data::Data& data,
                         const config::Config& cfg, KernelStorage& kernel_storage,
                         const WeightsFactory& weights, PhaseTimes& times) {
    using T = typename P::T;
    using F = typename P::F;
    const dist::BlacsGrid& grid = kernel_storage.grid();
    const config::ModelConfig& model = cfg.model;
    const mpi::Comm& comm = grid.comm();
    const std::int64_t n = data.train.n, d = x_in.cols();
    const kernel::KernelFunction kf = kernel::KernelFunction::from(model);
    const bool diagonal = model.agop == config::AgopKind::diag;

    LayerResult out;
    HostMatrixOf<F> xt, xt_test;  // X_l: the input itself, normalised
    timed(times, Phase::features, [&] {
        xt = normalised_input<F>(x_in);
        xt_test = normalised_input<F>(x_test_in);
    });
    out.x = xt;
    agop::FeatureMatrix fm = agop::identity_feature_matrix(d, diagonal);
    FittedKrr<T> fit;
    HostMatrixOf<F> kernel_coords = xt;  // x S of the current M (x itself for M_0 = I)
    HostMatrixOf<F> predictor_sqrt;      // S of the kernel of the last fit; empty for M_0 = I
    HostMatrix hat;  // the AGOP of the last fit, in its kernel's coordinates
    // M_{t+1} and its square root from the AGOP of fit t.
    auto next_feature_matrix = [&](int t) {
        in_context(iteration_context(layer, t), [&] {
            timed(times, Phase::sqrt, [&] {
                out.raw_agop = sandwich(hat, fm.sqrt_m);
                fm = agop::normalise_and_sqrt(out.raw_agop);  // refuses a non-finite AGOP
            });
        });
    };
    for (int t = 0; t < model.rfm_iters; ++t) {
        if (t > 0) {
            next_feature_matrix(t - 1);
            predictor_sqrt = in_precision<F>(fm.sqrt_m, "drfm::app::sqrt_m");
            kernel_coords = timed(times, Phase::sqrt, [&] { return agop::transform(xt, predictor_sqrt); });
        }
        fit = fit_krr<P>(kf, kernel_coords, data, cfg, kernel_storage, times, iteration_context(layer, t));
        hat = timed(times, Phase::agop, [&] {
            agop::AgopInput<T> in{fit.points, fit.alpha, n};
            return agop::agop<T, typename P::Sum>(kf, in, {model.agop, model.centering, 256},
                                                  grid.row_comm(), comm);
        });
    }
    if (cfg.analysis.kernel_eigs && model.rfm_iters > 0) {
        timed(times, Phase::analysis, [&] {
            out.kernel_eigenvalues = kernel_eigenvalues(kf, fit, cfg.analysis.kernel_eigs_k, kernel_storage);
        });
    }

    // The layer's predictor f_{T−1} on both splits (its kernel coordinates are those of `fit`).
    out.alpha = fit.alpha;
    static_cast<PredictorScores&>(out) =
        score_krr(kf, fit, xt_test, predictor_sqrt, data, cfg, grid, times);
    // The gathered points are done with: not resident through the last square root (its d×d
    // eigendecomposition) and the features.
    fit.points = {};
    next_feature_matrix(model.rfm_iters - 1);  // rfm_iters >= 1 (schema)

    out.feature_matrix = fm;
    bool finite = true;
    timed(times, Phase::features, [&] {
        const HostMatrixOf<F> s = in_precision<F>(fm.sqrt_m, "drfm::app::sqrt_m");
        const HostMatrixOf<F> mx = agop::transform(xt, s);
        const features::FeatureWeights w = weights(layer, d);
        const HostMatrixOf<F> phi = features::apply(w, mx);
        out.mx = mx;
        out.phi = phi;
        out.phi_test = features::apply(w, agop::transform(xt_test, s));
        // Φ of finite inputs is finite in float64; in float32 its GEMM can overflow.
        finite = all_finite(phi);
    });
    if (!finite)
        throw collective(NumericalError(
            detail::concat("layer ", layer, ": the feature matrix has a non-finite entry; with "
                           "model.precision = \"float32\" use \"mixed\" or \"float64\""),
            __FILE__, __LINE__));
    return out;
}

template <class P>
PredictorScores final_predictor_in(const FloatOrDoubleMatrix& x, const FloatOrDoubleMatrix& x_test,
                                   const data::Data& data, const config::Config& cfg,
                                   KernelStorage& kernel_storage, PhaseTimes& times) {
    using F = typename P::F;
    HostMatrixOf<F> xt, xt_test;
    timed(times, Phase::features, [&] {
        xt = normalised_input<F>(x);
        xt_test = normalised_input<F>(x_test);
    });
    const kernel::KernelFunction kf = kernel::KernelFunction::from(cfg.model);
    const auto fit = fit_krr<P>(kf, xt, data, cfg, kernel_storage, times, "final predictor");
    return score_krr(kf, fit, xt_test, HostMatrixOf<F>(), data, cfg, kernel_storage.grid(), times);
}

}  // namespace

KernelStorage::KernelStorage(const config::Config& cfg, std::int64_t n, const dist::BlacsGrid& grid)
    : grid_(&grid) {
    const dist::BlockSize block{cfg.parallel.block_size, cfg.parallel.block_size};
    if (cfg.model.precision == config::Precision::float64)
        double_.emplace(grid, dist::GlobalSize{n, n}, block, dist::Fill::none);
    else float_.emplace(grid, dist::GlobalSize{n, n}, block, dist::Fill::none);
}

template <>
dist::DistMatrix& KernelStorage::matrix<double>() {
    DRFM_CHECK(double_.has_value(), Error, "KernelStorage: the run's kernel matrix is not float64");
    return *double_;
}

template <>
dist::DistMatrixF& KernelStorage::matrix<float>() {
    DRFM_CHECK(float_.has_value(), Error, "KernelStorage: the run's kernel matrix is not float32");
    return *float_;
}

FloatOrDoubleMatrix feature_copy(const config::ModelConfig& model, const HostMatrix& m,
                                 const std::string& label) {
    return with_precision(model, [&](auto p) {
        using F = typename decltype(p)::F;
        if constexpr (std::is_same_v<F, double>) return FloatOrDoubleMatrix(copy_of(m, label));
        else return FloatOrDoubleMatrix(in_precision<F>(m, label));
    });
}

LayerResult run_layer(int layer, FloatOrDoubleMatrix x, FloatOrDoubleMatrix x_test,
                      const data::Data& data, const config::Config& cfg,
                      KernelStorage& kernel_storage, const WeightsFactory& weights,
                      PhaseTimes& times) {
    return with_precision(cfg.model, [&](auto p) {
        return run_layer_in<decltype(p)>(layer, x, x_test, data, cfg, kernel_storage, weights, times);
    });
}

PredictorScores final_predictor(FloatOrDoubleMatrix x, FloatOrDoubleMatrix x_test,
                                const data::Data& data, const config::Config& cfg,
                                KernelStorage& kernel_storage, PhaseTimes& times) {
    return with_precision(cfg.model, [&](auto p) {
        return final_predictor_in<decltype(p)>(x, x_test, data, cfg, kernel_storage, times);
    });
}

}  // namespace drfm::app
